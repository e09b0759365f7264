"""The real discord.py client, through DiscordAdapter, against a local fake Discord (REST + gateway)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
import pytest_asyncio
import yarl

from adapters.discord.client import DiscordAdapter, delivery_error
from bot.domain.models import Message, StoryView, Target
from bot.ports import ChatAdapter, CommandRequest, DeliveryError
from tests.fakes.failing_commands import failing_commands
from tests.fakes.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    EDITOR_ROLE_ID,
    EDITOR_ROLE_NAME,
    GUILD_ID,
    MEMBER_PERMISSIONS,
    FakeDiscord,
)

TOKEN = "fake-bot-token-secret"
TARGET = Target(platform="discord", channel=CHANNEL_ID, workspace=GUILD_ID)


class RecordingHandler:
    """Stands in for the shared command layer: records requests and answers from the request text."""

    def __init__(self) -> None:
        self.requests: list[CommandRequest] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, request: CommandRequest) -> Message:
        self.requests.append(request)
        await self.release.wait()
        story = StoryView(
            id="s1",
            title=f"Answer to {request.text}",
            summary="Tariffs rise.",
            url="https://example.org/s1",
            sources=(("Reuters", "wire", "https://reuters.com/a"),),
            updated_at=datetime(2026, 1, 5, tzinfo=UTC),
            score=0.9,
        )
        return Message(kind="summary", text=request.text, title=f"uschina {request.text}", stories=(story,))


async def wait_for(predicate: Callable[[], Any], within: float = 5.0) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    while not (result := predicate()):
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)
    return result


@pytest_asyncio.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    # The adapter redirects discord.py's class attributes; monkeypatch restores them after the test.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


def make_adapter(fake: FakeDiscord, **options: Any) -> DiscordAdapter:
    return DiscordAdapter(
        token=TOKEN,
        guild_ids=[int(GUILD_ID)],
        api_url=fake.api_url,
        gateway_url=fake.gateway_url,
        guild_ready_timeout=0.05,
        **options,
    )


@pytest_asyncio.fixture
async def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest_asyncio.fixture
async def adapter(fake: FakeDiscord, handler: RecordingHandler) -> AsyncIterator[DiscordAdapter]:
    bot = make_adapter(fake, admin_role=EDITOR_ROLE_NAME, defer_after=0.5)
    await bot.start(handler)
    yield bot
    await bot.stop()


async def run_command(fake: FakeDiscord, payload: dict[str, Any]) -> dict[str, Any]:
    """Push INTERACTION_CREATE and return the JSON the bot POSTed to the callback endpoint."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    path = f"/interactions/{payload['id']}/{payload['token']}/callback"
    (call,) = await wait_for(lambda: fake.calls_to("POST", path))
    return call.json


async def test_login_syncs_the_command_group_and_identifies_with_least_privilege(fake, adapter):
    assert isinstance(adapter, ChatAdapter)
    assert adapter.healthy()
    (login,) = fake.calls_to("GET", "/users/@me")
    assert login.headers["Authorization"] == f"Bot {TOKEN}"
    (sync,) = fake.calls_to("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    (group,) = sync.json
    assert group["name"] == "uschina" and group["type"] == 1
    subcommands = {option["name"]: option for option in group["options"]}
    assert set(subcommands) == {
        "summary",
        "deadlines",
        "subscribe",
        "unsubscribe",
        "digest-time",
        "sources",
        "search",
        "watch",
        "mute",
        "help",
    }
    assert all(option["type"] == 1 for option in subcommands.values())
    periods = [c["value"] for c in subcommands["summary"]["options"][0]["choices"]]
    assert periods == ["24h", "7d", "30d"]
    (identify,) = fake.ops(2)
    assert identify["d"]["token"] == TOKEN
    assert identify["d"]["intents"] == discord.Intents(guilds=True).value


@pytest.mark.parametrize(
    ("subcommand", "options", "text", "admin_only"),
    [
        ("summary", {"period": "7d"}, "summary 7d", False),
        ("summary", {}, "summary 24h", False),
        ("deadlines", {"all": True, "as_of": "2026-02-01"}, "deadlines all 2026-02-01", False),
        ("deadlines", {}, "deadlines", False),
        ("subscribe", {"time": "08:00", "timezone": "Europe/Berlin"}, "subscribe 08:00 Europe/Berlin", True),
        ("unsubscribe", {}, "unsubscribe", True),
        (
            "digest-time",
            {"time": "07:30", "timezone": "Asia/Shanghai"},
            "digest-time 07:30 Asia/Shanghai",
            True,
        ),
        ("sources", {}, "sources", False),
        ("watch", {}, "watch", False),
        ("watch", {"term": "rare earths"}, "watch rare earths", True),
        ("mute", {"term": "sports", "remove": True}, "mute remove sports", True),
        (
            "sources",
            {"action": "add", "url": "https://example.org/feed.xml"},
            "sources add https://example.org/feed.xml",
            True,
        ),
        (
            "sources",
            {"action": "remove", "url": "https://example.org/feed.xml"},
            "sources remove https://example.org/feed.xml",
            True,
        ),
        ("search", {"query": "export controls"}, "search export controls", False),
        ("help", {}, "help", False),
    ],
)
async def test_each_subcommand_becomes_command_text_and_is_answered(
    fake, adapter, handler, subcommand, options, text, admin_only
):
    answer = await run_command(fake, fake.interaction(subcommand, options))
    (request,) = handler.requests
    assert request == CommandRequest(
        platform="discord",
        workspace=GUILD_ID,
        channel=CHANNEL_ID,
        user="1110000000000000001",
        text=text,
        is_admin=True,
    )
    assert answer["type"] == 4
    assert answer["data"]["embeds"][0]["title"] == f"uschina {text}"
    assert answer["data"]["embeds"][1]["title"] == f"Answer to {text}"
    assert answer["data"]["allowed_mentions"]["parse"] == []
    assert not fake.calls_to("POST", "/webhooks/")  # fast answers need no follow-up

    as_member = await run_command(fake, fake.interaction(subcommand, options, permissions=MEMBER_PERMISSIONS))
    assert len(handler.requests) == (1 if admin_only else 2)
    assert bool(as_member["data"].get("flags", 0) & 64) == admin_only


async def test_slow_answer_defers_first_then_follows_up(fake, adapter, handler):
    handler.release.clear()
    payload = fake.interaction("search", {"query": "tariffs"})
    deferred = await run_command(fake, payload)
    assert deferred["type"] == 5  # "thinking..." while the handler still works
    handler.release.set()
    (follow_up,) = await wait_for(lambda: fake.calls_to("POST", f"/webhooks/{APP_ID}/{payload['token']}"))
    assert follow_up.json["embeds"][1]["title"] == "Answer to search tariffs"


async def test_timezone_option_autocompletes(fake, adapter):
    payload = fake.interaction("subscribe", {"time": "08:00", "timezone": "berl"}, autocomplete="timezone")
    answer = await run_command(fake, payload)
    assert answer["type"] == 8
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in answer["data"]["choices"]


async def test_non_admin_is_denied_admin_subcommands(fake, adapter, handler):
    payload = fake.interaction(
        "subscribe", {"time": "08:00", "timezone": "UTC"}, permissions=MEMBER_PERMISSIONS
    )
    answer = await run_command(fake, payload)
    assert answer["data"]["flags"] & 64  # ephemeral: only the caller sees the refusal
    assert "Manage Server" in answer["data"]["content"]
    assert handler.requests == []


async def test_non_admin_may_use_open_subcommands(fake, adapter, handler):
    await run_command(fake, fake.interaction("help", permissions=MEMBER_PERMISSIONS))
    assert [(r.text, r.is_admin) for r in handler.requests] == [("help", False)]


async def test_configured_role_grants_admin(fake, adapter, handler):
    payload = fake.interaction("unsubscribe", permissions=MEMBER_PERMISSIONS, roles=(EDITOR_ROLE_ID,))
    await run_command(fake, payload)
    assert [(r.text, r.is_admin) for r in handler.requests] == [("unsubscribe", True)]


async def test_handler_failure_gives_a_short_private_error(fake, caplog):
    bot = make_adapter(fake, admin_role=EDITOR_ROLE_NAME, defer_after=0.5)
    await bot.start(failing_commands(ValueError("database is locked at /srv/secret/path")))
    try:
        with caplog.at_level(logging.ERROR):
            answer = await run_command(fake, fake.interaction("summary"))
    finally:
        await bot.stop()
    assert answer["data"]["flags"] & 64
    assert answer["data"]["content"].startswith("Sorry")
    assert "secret" not in answer["data"]["content"] and "Traceback" not in answer["data"]["content"]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1  # caught and logged once


async def test_gateway_drop_resumes_and_keeps_answering(fake, adapter, handler):
    await fake.drop_gateway()
    (resume,) = await wait_for(lambda: fake.ops(6))
    assert resume["d"]["session_id"] == "fake-session" and resume["d"]["token"] == TOKEN
    assert len(fake.sockets) == 2
    answer = await run_command(fake, fake.interaction("help"))
    assert answer["data"]["embeds"][0]["title"] == "uschina help"


async def test_send_posts_embeds_to_the_channel(fake, adapter):
    message_id = await adapter.send(TARGET, Message(kind="alert", text="x", title="Alert @everyone"))
    (post,) = fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert post.json["embeds"][0]["title"] == "Alert @\u200beveryone"
    assert post.json["allowed_mentions"]["parse"] == []
    assert message_id.isdigit()


async def test_send_splits_a_long_digest_and_returns_the_first_id(fake, adapter):
    stories = tuple(
        StoryView(
            id=str(i),
            title=f"Story {i}",
            summary="s" * 1400,
            url=None,
            sources=(),
            updated_at=datetime(2026, 1, 5, tzinfo=UTC),
            score=0.5,
        )
        for i in range(12)
    )
    first_id = await adapter.send(
        TARGET, Message(kind="digest", text="digest", title="Digest", stories=stories)
    )
    posts = fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert len(posts) >= 3
    assert sum(len(p.json["embeds"]) for p in posts) == 13
    assert first_id == fake.created[0]["id"]
    assert all(len(p.json["embeds"]) <= 10 for p in posts)


async def test_send_waits_out_a_429_and_retries(fake, adapter):
    fake.rate_limit_next("POST", f"/channels/{CHANNEL_ID}/messages", retry_after=0.3)
    await adapter.send(TARGET, Message(kind="text", text="hello"))
    first, second = fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert second.at - first.at >= 0.3
    assert first.json == second.json


async def test_a_long_rate_limit_becomes_a_retryable_delivery_error(fake, adapter):
    fake.rate_limit_next("POST", f"/channels/{CHANNEL_ID}/messages", retry_after=120)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(TARGET, Message(kind="text", text="hello"))
    assert caught.value.permanent is False and caught.value.retry_after == pytest.approx(120)


async def test_missing_permissions_is_a_permanent_delivery_error(fake, adapter):
    fake.fail_next(
        "POST", f"/channels/{CHANNEL_ID}/messages", 403, {"message": "Missing Permissions", "code": 50013}
    )
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(TARGET, Message(kind="text", text="hello"))
    assert caught.value.permanent is True
    assert "missing permissions (50013)" in caught.value.reason
    assert TOKEN not in caught.value.reason


async def test_deleted_channel_is_a_permanent_delivery_error(fake, adapter):
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(
            Target(platform="discord", channel="1219999999999999999"), Message(kind="text", text="hello")
        )
    assert caught.value.permanent is True and "not found (10003)" in caught.value.reason
    assert fake.calls_to("GET", "/channels/1219999999999999999")


async def test_server_errors_map_to_retryable_delivery_errors():
    response = type("Response", (), {"status": 503, "reason": "Service Unavailable"})()
    error = delivery_error("1", discord.DiscordServerError(response, {"message": "down", "code": 0}))
    assert error.permanent is False


async def test_bad_token_fails_start_with_a_clear_error(fake, handler):
    fake.fail_next("GET", "/users/@me", 401, {"message": "401: Unauthorized", "code": 0})
    bot = make_adapter(fake)
    with pytest.raises(RuntimeError, match="LoginFailure") as caught:
        await bot.start(handler)
    assert TOKEN not in str(caught.value)
    assert not bot.healthy()


async def test_stop_closes_the_client(fake, handler):
    bot = make_adapter(fake)
    await bot.start(handler)
    await bot.stop()
    assert not bot.healthy()
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL(fake.gateway_url)


async def test_open_for_sending_posts_over_rest_without_gateway_or_command_sync(fake):
    bot = make_adapter(fake)
    await bot.open_for_sending()
    try:
        await bot.send(TARGET, Message(kind="text", text="digest now"))
    finally:
        await bot.stop()
    assert fake.calls_to("GET", "/users/@me")
    assert not fake.calls_to("PUT", "/applications/")
    assert fake.frames == []  # never connected to the gateway
    assert fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
