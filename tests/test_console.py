"""The console adapter: typed commands go through the shared handler; messages print as plain text."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime

from adapters.console import ConsoleAdapter, render_text
from bot.config import Settings
from bot.domain.models import DeadlineView, Message, StoryView, Target
from bot.ports import ChatAdapter
from bot.usecases.commands import CommandContext, CommandHandler
from storage import Store
from tests.conftest import FakeClock

STORY = StoryView(id="s1", title="US and China extend tariff truce", summary="The truce now runs to November.",
                  url="https://example.org/truce", sources=(("Harbor Wire", "wire", None), ("USTR", "official", None)),
                  updated_at=datetime(2025, 8, 11, tzinfo=UTC), score=0.9)
TRUCE = DeadlineView(id="d1", what="tariff truce expires", start=date(2025, 11, 10), end=date(2025, 11, 10),
                     granularity="day", status="upcoming", confidence=0.8, evidence="...", sources=())


def test_render_text_shows_stories_sources_and_countdowns() -> None:
    text = render_text(Message(kind="digest", text="", title="Digest", stories=(STORY,), deadlines=(TRUCE,)),
                       today=date(2025, 11, 3))
    assert "== Digest ==" in text and "Harbor Wire [wire], USTR [official]" in text
    assert "tariff truce expires: Mon 10 Nov 2025 (in 7 days) [upcoming]" in text


async def test_typed_commands_are_answered_on_stdout(store: Store, clock: FakeClock) -> None:
    out = io.StringIO()
    adapter = ConsoleAdapter(out=out, commands_in=io.StringIO("/uschina help\nsubscribe 07:00 Asia/Shanghai\n"))
    assert isinstance(adapter, ChatAdapter)
    handler = CommandHandler(CommandContext(store=store, now=clock, settings=Settings()))
    await adapter.start(handler)
    for _ in range(200):
        if "Subscribed" in out.getvalue():
            break
        await asyncio.sleep(0.01)
    await adapter.stop()
    assert "/uschina deadlines" in out.getvalue()
    assert "07:00 (Asia/Shanghai)" in out.getvalue()


async def test_send_returns_distinct_ids() -> None:
    adapter = ConsoleAdapter(out=io.StringIO())
    target = Target("console", "console")
    first = await adapter.send(target, Message(kind="text", text="one"))
    second = await adapter.send(target, Message(kind="text", text="two"))
    assert first != second and adapter.healthy()
