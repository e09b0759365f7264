"""A tiny local chat platform (aiohttp on 127.0.0.1:0) and a test-only adapter that talks to it over HTTP.

The server stores a message the moment it receives it, then (optionally) waits before answering — like a
real platform whose reply is lost when the client dies. It counts messages per channel and idempotency
key, scripts failures per channel (5xx, 429 with Retry-After, 404 "channel gone"), and can be asked
whether a key arrived, which is what `VerifyingChatAdapter.was_delivered` uses.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.domain.models import Message, Target
from bot.ports import CommandHandler, DeliveryError


@dataclass(frozen=True)
class Posted:
    channel: str
    key: str | None
    title: str | None
    text: str


@dataclass
class FakeChat:
    """Start with `await FakeChat().start()`; `url` is the adapter's base URL."""

    delay_s: dict[str, float] = field(default_factory=dict)  # per channel; "*" for every channel
    random_delay_s: tuple[float, float] | None = None  # else a uniform random delay in this range
    posted: list[Posted] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._script: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> FakeChat:
        app = web.Application()
        app.add_routes([web.post("/channels/{channel}/messages", self._post),
                        web.get("/channels/{channel}/messages", self._lookup)])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, channel: str, status: int, *, times: int = 1,
                  retry_after: float | None = None) -> None:
        """The next `times` posts to `channel` answer `status` (and are not stored)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._script.setdefault(channel, []).extend([(status, headers)] * times)

    def count_by_key(self) -> Counter[str]:
        return Counter(p.key or f"{p.channel}|{p.title}|{p.text}" for p in self.posted)

    def in_channel(self, channel: str) -> list[Posted]:
        return [p for p in self.posted if p.channel == channel]

    async def _post(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        script = self._script.get(channel)
        if script:
            status, headers = script.pop(0)
            error = {"ok": False, "error": f"scripted {status}"}
            return web.json_response(error, status=status, headers=headers)
        body = await request.json()
        self.posted.append(Posted(channel, request.headers.get("Idempotency-Key"), body.get("title"),
                                  body["text"]))
        message_id = f"m{next(self._ids)}"
        delay = self.delay_s.get(channel, self.delay_s.get("*", 0.0))
        if self.random_delay_s and not delay:
            delay = random.uniform(*self.random_delay_s)
        if delay:
            await asyncio.sleep(delay)
        return web.json_response({"ok": True, "id": message_id})

    async def _lookup(self, request: web.Request) -> web.Response:
        channel, key = request.match_info["channel"], request.query.get("key")
        found = any(p.channel == channel and p.key == key for p in self.posted)
        return web.json_response({"ok": True, "found": found})


class FakeChatAdapter:
    """A test-only ChatAdapter posting JSON to a FakeChat; errors map like the Slack/Discord adapters'."""

    platform = "fakechat"

    def __init__(self, base_url: str, *, platform: str = "fakechat", token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.platform = platform
        self._token = token
        self._session: aiohttp.ClientSession | None = None

    async def start(self, handler: CommandHandler) -> None:
        self._session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self._token}"})

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    def healthy(self) -> bool:
        return self._session is not None and not self._session.closed

    async def send(self, target: Target, message: Message) -> str:
        return await self._post(target, message, {})

    async def _post(self, target: Target, message: Message, headers: dict[str, str]) -> str:
        if self._session is None:
            raise DeliveryError("fakechat: not started", permanent=False)
        url = f"{self.base_url}/channels/{target.channel}/messages"
        try:
            async with self._session.post(url, json={"title": message.title, "text": message.text},
                                          headers=headers) as response:
                data: dict[str, Any] = await response.json()
                if response.status == 200:
                    return str(data["id"])
                raise _delivery_error(response.status, response.headers.get("Retry-After"), target.channel)
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"fakechat unreachable: {type(exc).__name__}", permanent=False) from exc


class VerifyingChatAdapter(FakeChatAdapter):
    """Also attaches the idempotency key and can ask the platform whether a key arrived."""

    async def send_keyed(self, target: Target, message: Message, idem_key: str) -> str:
        return await self._post(target, message, {"Idempotency-Key": idem_key})

    async def was_delivered(self, target: Target, idem_key: str,
                            since: datetime | None = None) -> bool | None:
        if self._session is None:
            return None
        url = f"{self.base_url}/channels/{target.channel}/messages"
        async with self._session.get(url, params={"key": idem_key}) as response:
            return bool((await response.json())["found"]) if response.status == 200 else None


def _delivery_error(status: int, retry_after: str | None, channel: str) -> DeliveryError:
    if status == 429:
        return DeliveryError(f"fakechat: rate limited on {channel}", permanent=False,
                             retry_after=float(retry_after) if retry_after else None)
    if status in (401, 403, 404):
        return DeliveryError(f"fakechat: {status} posting to {channel} (channel gone or bot removed)",
                             permanent=True)
    return DeliveryError(f"fakechat: HTTP {status} posting to {channel}", permanent=status < 500)
