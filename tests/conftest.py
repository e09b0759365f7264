"""Shared fixtures: a fresh SQLite store per test and a clock the test moves by hand."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.domain.models import Message
from storage import Store
from tests.fakes.fake_chat import FakeChat, FakeChatAdapter
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.feed_server import FeedServer


class FakeClock:
    """An injected `now()` that only moves when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 7, 11, 9, 0, tzinfo=UTC))


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "uschina.db")
    yield opened
    await opened.close()


async def no_commands(request: object) -> Message:
    raise AssertionError("no commands in these tests")


@pytest_asyncio.fixture
async def chat() -> AsyncIterator[FakeChat]:
    """A local chat server that records every message it receives."""
    fake = await FakeChat().start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def adapter(chat: FakeChat) -> AsyncIterator[FakeChatAdapter]:
    """A started chat adapter that posts to the `chat` server."""
    started = FakeChatAdapter(chat.url)
    await started.start(no_commands)
    yield started
    await started.stop()


@pytest_asyncio.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord REST API and gateway; discord.py's two redirected class attributes are restored after."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def slack_fake() -> AsyncIterator[FakeSlack]:
    """The fake Slack Web API (with response_url and Socket Mode endpoints) on 127.0.0.1."""
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture(scope="module")
def threaded_feeds() -> Iterator[FeedServer]:
    """The fixture feed server on its own event loop thread, so the command line can run its own loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(FeedServer().start(), loop).result(10)
    yield server
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
