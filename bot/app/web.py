"""The bot's own HTTP server: health, metrics, the deadlines calendar, and mounted adapter routes."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from aiohttp import web

from bot.app.page import render_page
from bot.metrics import METRICS
from bot.usecases.ics import render_ics
from bot.usecases.overview import build_overview
from storage.queries import deadlines as deadline_q
from storage.queries import outbox as outbox_q

HealthCheck = Callable[[], Awaitable[dict[str, bool]]]


class StartupError(RuntimeError):
    """The bot cannot start (the HTTP port is taken, the database is read-only); the message is one line."""


@dataclass
class HttpServer:
    """aiohttp app on host:port; adapters add routes (e.g. POST /slack/events) before `start()`."""

    runtime: object  # bot.runtime.Runtime; typed loosely to keep this module import-light
    health: HealthCheck
    host: str = "127.0.0.1"
    port: int = 3000
    routes: list[web.AbstractRouteDef] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    def add_routes(self, routes: list[web.AbstractRouteDef]) -> None:
        """Mount an adapter's routes (call before `start()`)."""
        self.routes.extend(routes)

    async def start(self) -> int:
        """Serve; returns the bound port (useful when configured as 0)."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/", self._index)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/deadlines.ics", self._ics)
        app.add_routes(self.routes)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
            raise StartupError(f"cannot serve HTTP on {self.host}:{self.port}: {reason} "
                               "(set USCHINA_HTTP_PORT to a free port)") from exc
        return int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        checks = await self.health()
        status = 200 if all(checks.values()) else 503
        return web.json_response({"ok": status == 200, "checks": checks}, status=status)

    async def _metrics(self, request: web.Request) -> web.Response:
        store = self.runtime.store  # type: ignore[attr-defined]
        METRICS.deliveries_pending.set(await store.run(outbox_q.count_pending))
        return web.Response(body=METRICS.render(), headers={"Content-Type": "text/plain; version=0.0.4"})

    async def _ics(self, request: web.Request) -> web.Response:
        runtime = self.runtime
        now = runtime.clock()  # type: ignore[attr-defined]
        # Every deadline, past and cancelled ones too: a subscribed calendar drops what a feed stops listing,
        # so a deadline that passed would vanish from it, and one called off would vanish without a word.
        views = await runtime.store.run(deadline_q.list_deadlines, now.date(),  # type: ignore[attr-defined]
                                        include_all=True)
        return web.Response(text=render_ics(views, now=now), content_type="text/calendar", charset="utf-8")

    async def _index(self, request: web.Request) -> web.Response:
        """The read-only page; `?as_of=YYYY-MM-DD` shows the timeline as of another day."""
        runtime = self.runtime
        try:
            as_of = date.fromisoformat(request.query["as_of"]) if "as_of" in request.query else None
        except ValueError:
            raise web.HTTPBadRequest(text="as_of must be a date, YYYY-MM-DD") from None
        overview = await build_overview(runtime.store, runtime.clock(), as_of=as_of)  # type: ignore[attr-defined]
        return web.Response(text=render_page(overview), content_type="text/html", charset="utf-8",
                            headers=_PAGE_HEADERS)


# The page runs no script and loads nothing from elsewhere: say so, so that a title that slipped past the
# escaping still could not run.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
