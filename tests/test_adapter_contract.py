"""One contract, every adapter: start with the shared handler, send a digest, report health, stop.

Each adapter runs against its local stand-in (stdout, the fake Slack Web API, the fake Discord REST and
gateway), and the same assertions hold for all of them: a message id comes back, the story and its
sources reach the platform, and feed text cannot ping a whole channel.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import discord
import pytest

from adapters.console import ConsoleAdapter
from adapters.discord import DiscordAdapter
from adapters.slack import SlackAdapter
from bot.domain.models import DeadlineView, Message, StoryView, Target
from bot.ports import ChatAdapter, CommandRequest
from tests.fakes.fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.fake_slack import FakeSlack

DIGEST = Message(
    kind="digest", title="US–China morning digest", text="digest",
    stories=(StoryView(id="s1", title="Rubio and Wang Yi meet in Kuala Lumpur @everyone",
                       summary="They discussed a Trump–Xi summit. <!channel>", url="https://example.org/kl",
                       sources=(("State Dept", "official", "https://example.org/state"),
                                ("Harbor Wire", "wire", "https://example.org/hw")),
                       updated_at=datetime(2025, 7, 11, tzinfo=UTC), score=0.9),),
    deadlines=(DeadlineView(id="d1", what="new round of US–China trade talks begins", start=date(2025, 8, 1),
                            end=date(2025, 8, 10), granularity="range", status="upcoming", confidence=0.55,
                            evidence="...", sources=()),),
)
Posted = Callable[[], str]
# What would ping a whole channel on each platform if feed text passed through untouched.
MASS_MENTION = {"console": "\a", "slack": "<!channel>", "discord": "@everyone"}


async def no_commands(request: CommandRequest) -> Message:
    return Message(kind="text", text="unused")


@asynccontextmanager
async def console() -> AsyncIterator[tuple[ChatAdapter, Target, Posted]]:
    out = io.StringIO()
    yield ConsoleAdapter(out=out), Target("console", "console"), out.getvalue


@asynccontextmanager
async def slack() -> AsyncIterator[tuple[ChatAdapter, Target, Posted]]:
    fake = await FakeSlack().start()
    try:
        adapter = SlackAdapter(bot_token="xoxb-contract", signing_secret="s", api_url=fake.api_url)
        yield adapter, Target("slack", "C1"), lambda: json.dumps(
            [c.body for c in fake.calls_to("chat.postMessage")], ensure_ascii=False)
    finally:
        await fake.stop()


@asynccontextmanager
async def discord_adapter() -> AsyncIterator[tuple[ChatAdapter, Target, Posted]]:
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    fake = FakeDiscord()
    await fake.start()
    try:
        adapter = DiscordAdapter(token="contract-token", guild_ids=[int(GUILD_ID)], api_url=fake.api_url,
                                 gateway_url=fake.gateway_url, guild_ready_timeout=0.05)
        yield adapter, Target("discord", CHANNEL_ID, workspace=GUILD_ID), lambda: json.dumps(
            [c.json for c in fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")], ensure_ascii=False)
    finally:
        await fake.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


@pytest.mark.parametrize("platform", [console, slack, discord_adapter], ids=["console", "slack", "discord"])
async def test_every_adapter_fulfils_the_contract(platform: Callable) -> None:
    async with platform() as (adapter, target, posted):
        assert isinstance(adapter, ChatAdapter) and adapter.platform == target.platform
        await adapter.start(no_commands)
        try:
            message_id = await adapter.send(target, DIGEST)
            assert message_id
            assert adapter.healthy()
            text = posted()
            for expected in ("Rubio and Wang Yi meet in Kuala Lumpur", "State Dept", "Harbor Wire", "trade talks"):
                assert expected in text, (target.platform, expected)
            assert MASS_MENTION[target.platform] not in text, target.platform
        finally:
            await adapter.stop()
