"""The long-running bot: ingest loops, seeds watcher, scheduler, HTTP server and chat adapters in one
asyncio process, with a clean shutdown on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot import registry
from bot.app.runtime import Runtime
from bot.app.web import HttpServer, StartupError
from bot.config import Settings
from bot.domain.clock import Clock, utcnow
from bot.domain.models import Message
from bot.ingest.seeds import SeedWatcher
from bot.pipeline.cycle import CycleReport
from bot.ports import AdapterContext, ChatAdapter, CommandRequest, SendOnlyAdapter
from bot.usecases.commands import CommandContext, CommandHandler
from bot.usecases.deliver import Outbox
from bot.usecases.schedule import Schedule, ScheduleOptions, send_digests_now
from storage.queries import sources as source_q
from storage.queries import subscriptions as sub_q

log = logging.getLogger(__name__)
FEED_TICK = timedelta(seconds=60)


class Bot:
    """Owns the background tasks and adapters of one running bot."""

    def __init__(self, runtime: Runtime, adapters: list[ChatAdapter]) -> None:
        self.runtime = runtime
        self.adapters = {adapter.platform: adapter for adapter in adapters}
        self.commands = CommandHandler(CommandContext(
            store=runtime.store, now=runtime.clock, settings=runtime.settings,
            on_subscriptions_changed=self._subscriptions_changed,
        ))
        self.http = HttpServer(runtime, self.health, host=runtime.settings.http_host,
                               port=runtime.settings.http_port)
        self.outbox = Outbox(runtime.store, self.adapters, clock=runtime.clock)
        self.schedule = Schedule(runtime.store, self.outbox, clock=runtime.clock, options=ScheduleOptions(
            digest_grace_hours=runtime.settings.digest_grace_hours,
            reminder_lead_days=runtime.settings.reminder_lead_days,
            alert_min_confidence=runtime.settings.alert_min_confidence,
        ))
        self._outbox_stop = asyncio.Event()
        self._outbox_task: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._seeds: SeedWatcher | None = None
        self.http_port: int | None = None

    async def start(self) -> None:
        """Ingest the seeds folder once, then start the loops, the HTTP server and the adapters."""
        settings = self.runtime.settings
        report = CycleReport()
        if settings.seeds_dir.is_dir():
            # The watcher's first look lists every file: ingest those now, then only what changes.
            self._seeds = SeedWatcher(settings.seeds_dir, interval_s=settings.seeds_poll_s)
            await self.runtime.ingest_folder(settings.seeds_dir, report, await asyncio.to_thread(self._seeds.poll_once))
        _log_report("start-up seeds", report)
        await self._alert()
        for adapter in self.adapters.values():
            _mount_routes(adapter, self.http)
        self.http_port = await self.http.start()
        log.info("HTTP server on %s:%s (/healthz, /metrics, /deadlines.ics)", settings.http_host,
                 self.http_port)
        for adapter in self.adapters.values():
            await adapter.start(self.commands)
            log.info("adapter started: %s", adapter.platform)
        self._outbox_task = self._spawn(self.outbox.run(self._outbox_stop), "outbox")
        await self.schedule.start()
        self._spawn(self._feed_loop(), "feeds")
        if self._seeds is not None:
            self._spawn(self._seeds_loop(), "seeds")

    async def stop(self) -> None:
        """Stop the scheduler and loops, let in-flight sends finish, then the adapters and HTTP server."""
        self.schedule.shutdown()
        self._outbox_stop.set()
        if self._outbox_task is not None:
            # A send cut off mid-request would be left "maybe sent"; give it time to finish instead.
            await asyncio.wait({self._outbox_task}, timeout=self.outbox.send_timeout_s)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for adapter in self.adapters.values():
            with contextlib.suppress(Exception):
                await adapter.stop()
        await self.http.stop()

    async def health(self) -> dict[str, bool]:
        """What /healthz reports: the store, the scheduler, and each adapter (connected, and its platform's
        API reachable when the adapter can probe it)."""
        checks = {"store": await self.runtime.store.ping(), "scheduler": self.schedule.scheduler.running}
        for name, adapter in self.adapters.items():
            checks[f"adapter:{name}"] = adapter.healthy() and await _probe(adapter)
        return checks

    async def _feed_loop(self) -> None:
        while True:
            try:
                await self._feed_cycle()
            except Exception as exc:  # e.g. the database briefly unavailable: try again next tick
                log.error("feed cycle failed: %r", exc, exc_info=exc)
            await asyncio.sleep(FEED_TICK.total_seconds())

    async def _feed_cycle(self) -> None:
        report = CycleReport()
        now = self.runtime.clock()  # the cycle's one time
        due = await self.runtime.store.run(source_q.due_sources, now)
        if due:
            await self.runtime.ingestor.run_feeds(due, report, now=now)
            _log_report("feeds", report)
            await self._alert()

    async def _seeds_loop(self) -> None:
        root = self.runtime.settings.seeds_dir
        assert self._seeds is not None, "start() creates the watcher"
        async for changed in self._seeds.changes():
            report = CycleReport()
            try:
                await self.runtime.ingest_folder(root, report, changed)
            except Exception as exc:  # the files stay in the folder; the next change or restart reads them
                log.error("seeds cycle failed: %r", exc, exc_info=exc)
                continue
            _log_report("seeds", report)
            await self._alert()

    async def _alert(self) -> None:
        """Enqueue alerts for new, moved and cancelled deadlines logged since the last alerts (this cycle's,
        or, at start, any a crash left unsent); failures are logged only."""
        try:
            added = await self.schedule.alert_logged_changes()
        except Exception as exc:
            log.error("deadline alerts failed: %r", exc)
            return
        if added:
            log.info("deadline alerts queued: %d", added)

    async def _subscriptions_changed(self) -> None:
        """A command changed a subscription; the scheduler picks it up without a restart."""
        await self.schedule.reload_subscriptions()

    def _spawn(self, coro: Awaitable[None], name: str) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        task.add_done_callback(_log_crash)
        self._tasks.append(task)
        return task


def build_adapters(settings: Settings, runtime: Runtime) -> list[ChatAdapter]:
    """The adapters the settings enable (the console unless turned off; Slack and Discord when configured)."""
    context = AdapterContext(store=runtime.store, today=lambda: runtime.clock().date(),
                             workspace_removed=functools.partial(stop_workspace, runtime))
    return registry.build_adapters(settings.adapters, context)


async def stop_workspace(runtime: Runtime, platform: str, workspace: str, reason: str) -> None:
    """Stop the subscriptions of a workspace the platform removed the bot from (their digest jobs then
    find them inactive and skip)."""
    stopped = await runtime.store.run(sub_q.stop_workspace, platform=platform, workspace=workspace,
                                      reason=reason)
    log.info("%s workspace %s: %s; %d subscription(s) stopped", platform, workspace, reason, stopped)


AdapterFactory = Callable[[Settings, Runtime], list[ChatAdapter]]


async def run_bot(settings: Settings, *, clock: Clock = utcnow,
                  stop: asyncio.Event | None = None,
                  on_ready: Callable[[Bot], Awaitable[None]] | None = None,
                  adapters: AdapterFactory = build_adapters) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set); `adapters` builds the chat adapters from settings."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with Runtime.open(settings, clock=clock, workers=settings.analysis_workers) as runtime:
        if runtime.store.readonly:
            raise StartupError(f"the database {settings.db_path} is read-only; the bot needs to write to it")
        bot = Bot(runtime, adapters(settings, runtime))
        await bot.start()
        log.info("uschina is running; Ctrl-C to stop")
        if on_ready:
            await on_ready(bot)
        await stop.wait()
        log.info("shutting down")
        await bot.stop()


async def send_digests(runtime: Runtime, adapters: Sequence[ChatAdapter] | None = None, *,
                       max_wait_s: float = 60) -> int:
    """`uschina digest --send`: a digest for every active subscription, delivered now through the outbox with
    the configured adapters (or `adapters`), each opened only to send; returns how many were delivered."""
    chosen = list(adapters) if adapters is not None else build_adapters(runtime.settings, runtime)
    outbox = Outbox(runtime.store, {adapter.platform: adapter for adapter in chosen}, clock=runtime.clock)
    opened: list[ChatAdapter] = []
    try:
        for adapter in chosen:
            await _open_for_sending(adapter)
            opened.append(adapter)
        return await send_digests_now(runtime.store, outbox, now=runtime.clock(), max_wait_s=max_wait_s)
    finally:
        for adapter in opened:
            with contextlib.suppress(Exception):
                await adapter.stop()


async def _open_for_sending(adapter: ChatAdapter) -> None:
    # Posting once must not connect a gateway or register commands; an adapter that cannot open for
    # sending alone is started with a handler that serves nothing.
    if isinstance(adapter, SendOnlyAdapter):
        await adapter.open_for_sending()
    else:
        await adapter.start(_not_serving)


async def _not_serving(request: CommandRequest) -> Message:
    return Message(kind="error", text="uschina is not serving commands right now.", ephemeral=True)


async def _probe(adapter: ChatAdapter) -> bool:
    """The adapter's API probe, when it has one (see `ChatAdapter.healthy`); True otherwise."""
    probe = getattr(adapter, "probe", None)
    return True if probe is None else bool(await probe())


def _mount_routes(adapter: ChatAdapter, http: HttpServer) -> None:
    """Adapters that receive webhooks (Slack over HTTP) expose aiohttp route definitions."""
    routes = getattr(adapter, "routes", None)
    if routes is not None:
        http.add_routes(routes())


def _log_report(label: str, report: CycleReport) -> None:
    if report.entries or report.errors or report.feeds:
        log.info("%s: %s", label, "; ".join(report.lines()))
    for problem in report.errors + report.warnings:
        log.warning("%s: %s", label, problem)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception():
        log.error("background task %s stopped: %r", task.get_name(), task.exception())
