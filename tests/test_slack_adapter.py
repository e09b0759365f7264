"""SlackAdapter end to end: real slack-bolt and slack_sdk against a local fake Slack over real HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.app import SlackAdapter, adapter_from_config, build_web_client, delivery_error
from adapters.slack.installation import SQLiteInstallationStore
from bot.config import DEFAULT_CONFIG_FILE as CONFIG_FILE
from bot.domain.models import Message, StoryView, Target
from bot.ports import ChatAdapter, CommandRequest, DeliveryError
from storage.store import Store
from tests.fakes.failing_commands import failing_commands
from tests.fakes.fake_slack import BOT_TOKEN, INSTALLED_TOKEN, TEAM_ID, FakeSlack, slash_form

SECRET = "test-signing-secret"
SUBCOMMANDS = [
    "summary 7d public",  # summary/deadlines are private unless `public`: these go to the channel
    "deadlines all public",
    "subscribe 08:00 Europe/Berlin",
    "sources add https://example.org/feed.xml",
    "search tariffs",
    "help",
]


def story(n: int) -> StoryView:
    return StoryView(
        id=f"s{n}",
        title=f"Export controls update {n}",
        summary="The Commerce Department added entities to the Entity List.",
        url=f"https://example.gov/news/{n}",
        sources=(("Commerce Department", "official", f"https://example.gov/news/{n}"),),
        updated_at=datetime(2026, 8, 1, tzinfo=UTC),
        score=0.9,
    )


class RecordingHandler:
    """Stands in for the shared command layer: records requests, answers from the request text."""

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[CommandRequest] = []
        self.delay = delay

    async def __call__(self, request: CommandRequest) -> Message:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        if request.text.startswith("help"):
            return Message(kind="help", text="uschina help", lines=("`/uschina summary`",), ephemeral=True)
        return Message(
            kind="summary", text=f"Result for {request.text}", title="US–China", stories=(story(1),)
        )


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack(users={"UADMIN": {"id": "UADMIN", "is_admin": True}}).start()
    yield server
    await server.stop()


async def serve(adapter: SlackAdapter) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(adapter.web_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest_asyncio.fixture
async def http_adapter(fake: FakeSlack) -> AsyncIterator[tuple[SlackAdapter, RecordingHandler, str]]:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url, ack_budget=0.5)
    handler = RecordingHandler()
    await adapter.start(handler)
    runner, base = await serve(adapter)
    yield adapter, handler, base
    await adapter.stop()
    await runner.cleanup()


async def post_command(
    base: str,
    fake: FakeSlack,
    text: str,
    *,
    user: str = "U123",
    secret: str = SECRET,
    age: int = 0,
    team: str = TEAM_ID,
    timestamp: str | None = None,
) -> tuple[int, str]:
    body = urlencode(slash_form(text, response_url=fake.response_url("r1"), user=user, team=team))
    ts = str(int(time.time()) - age) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}/slack/events", data=body, headers=headers) as r,
    ):
        return r.status, await r.text()


async def test_every_subcommand_reaches_the_handler_and_the_reply_reaches_slack(http_adapter, fake) -> None:
    adapter, handler, base = http_adapter
    for text in SUBCOMMANDS:
        started = time.monotonic()
        status, body = await post_command(base, fake, text)
        assert status == 200 and time.monotonic() - started < 3
        if text == "help":
            assert "/uschina summary" in body  # cheap ephemeral answer comes back in the ack itself
    assert [r.text for r in handler.requests] == [t.replace(" public", "") for t in SUBCOMMANDS]
    first = handler.requests[0]
    assert (first.platform, first.workspace, first.channel, first.user) == ("slack", TEAM_ID, "C123", "U123")
    posts = await fake.wait_for_calls("chat.postMessage", len(SUBCOMMANDS) - 1)
    assert posts[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert posts[0].body["channel"] == "C123"
    assert "Result for summary 7d" in posts[0].body["text"]
    assert "Export controls update 1" in str(posts[0].body["blocks"])
    assert len(fake.calls_to("auth.test")) == 1
    assert isinstance(adapter, ChatAdapter) and adapter.healthy()


async def test_slow_command_is_acked_first_then_posted(fake) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url, ack_budget=0.05)
    await adapter.start(RecordingHandler(delay=0.3))
    runner, base = await serve(adapter)
    try:
        started = time.monotonic()
        status, body = await post_command(base, fake, "summary 7d public")
        assert status == 200 and "Working on `summary 7d public`" in body
        assert time.monotonic() - started < 0.3  # the ack did not wait for the handler
        posts = await fake.wait_for_calls("chat.postMessage")
        assert posts[0].body["blocks"]
        cleanup = await fake.wait_for_calls("response_url")
        assert cleanup[0].body.get("delete_original") is True  # "Working on ..." is removed
    finally:
        await runner.cleanup()


async def test_slow_ephemeral_reply_goes_through_response_url(fake) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url, ack_budget=0.05)
    await adapter.start(RecordingHandler(delay=0.2))
    runner, base = await serve(adapter)
    try:
        status, body = await post_command(base, fake, "help")
        assert "Working on `help`" in body
        reply = (await fake.wait_for_calls("response_url"))[0].body
        assert reply["response_type"] == "ephemeral" and reply["replace_original"] is True
        assert "/uschina summary" in str(reply["blocks"])
        assert not fake.calls_to("chat.postMessage")
    finally:
        await runner.cleanup()


async def test_handler_failure_gives_a_short_error_and_is_logged(fake, caplog) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url)
    await adapter.start(failing_commands(RuntimeError("database is locked at /secret/path")))
    runner, base = await serve(adapter)
    try:
        with caplog.at_level(logging.ERROR):
            status, body = await post_command(base, fake, "summary")
        assert status == 200 and "command failed" in body
        assert "Traceback" not in body and "/secret/path" not in body
        assert "database is locked" in caplog.text
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1  # caught and logged once
        assert not fake.calls_to("chat.postMessage")
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(("secret", "age"), [("wrong-secret", 0), (SECRET, 360)])
async def test_bad_signature_or_stale_timestamp_is_rejected(http_adapter, fake, secret, age) -> None:
    _, handler, base = http_adapter
    status, body = await post_command(base, fake, "summary", secret=secret, age=age)
    assert status == 401
    await asyncio.sleep(0.05)
    assert fake.calls == [] and handler.requests == []


@pytest.mark.parametrize("timestamp", ["", "soon", "1e9", "12:00:00", "9" * 40])
async def test_a_timestamp_that_is_not_a_number_is_401_not_500(http_adapter, fake, timestamp) -> None:
    _, handler, base = http_adapter
    status, body = await post_command(base, fake, "summary", timestamp=timestamp)  # signed over that value
    assert status == 401 and "invalid request" in body
    await asyncio.sleep(0.05)
    assert fake.calls == [] and handler.requests == []


async def test_not_in_channel_falls_back_to_response_url(http_adapter, fake) -> None:
    _, _, base = http_adapter
    fake.fail_next("chat.postMessage", error="not_in_channel")
    await post_command(base, fake, "summary public")
    reply = (await fake.wait_for_calls("response_url"))[0].body
    assert reply["response_type"] == "in_channel" and "Export controls update 1" in str(reply["blocks"])


async def test_admin_flag_from_users_info_is_asked_only_when_needed_and_cached(fake) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url)
    handler = RecordingHandler()
    await adapter.start(handler)
    runner, base = await serve(adapter)
    try:
        for user in ("UADMIN", "UADMIN", "U123"):
            await post_command(base, fake, "summary", user=user)
        assert not fake.calls_to("users.info")  # reading commands never ask who is an admin
        checks = [r.check_admin for r in handler.requests]
        assert all(check is not None for check in checks)
        assert [await check() for check in checks if check is not None] == [True, True, False]
        assert [c.body["user"] for c in fake.calls_to("users.info")] == ["UADMIN", "U123"]
    finally:
        await runner.cleanup()


async def test_web_client_retries_rate_limits() -> None:
    client = build_web_client("xoxb-x", "http://127.0.0.1:1/api")
    assert client.base_url == "http://127.0.0.1:1/api/"
    limits = [h for h in client.retry_handlers if isinstance(h, AsyncRateLimitErrorRetryHandler)]
    assert len(limits) == 1 and limits[0].max_retry_count == 3


async def test_send_retries_a_429_and_succeeds(fake) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url)
    fake.fail_next("chat.postMessage", 429, headers={"Retry-After": "0"})
    ts = await adapter.send(Target("slack", "C1"), Message(kind="text", text="hello"))
    calls = fake.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[0].body == calls[1].body
    assert ts == "1700000000.000001"


async def test_send_splits_long_digests_and_returns_the_first_ts(fake) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url)
    digest = Message(kind="digest", text="digest", title="Digest", stories=tuple(story(n) for n in range(80)))
    ts = await adapter.send(Target("slack", "C1"), digest)
    calls = fake.calls_to("chat.postMessage")
    assert len(calls) > 1 and all(len(c.body["blocks"]) <= 50 for c in calls)
    assert ts == "1700000000.000001"


@pytest.mark.parametrize(
    ("status", "error", "permanent"),
    [
        (200, "channel_not_found", True),
        (200, "is_archived", True),
        (200, "token_revoked", True),
        (503, None, False),
    ],
)
async def test_send_maps_slack_errors(fake, status, error, permanent) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url)
    await adapter.start(RecordingHandler())
    fake.fail_next("chat.postMessage", status, error=error)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(Target("slack", "C9"), Message(kind="text", text="hi"))
    assert caught.value.permanent is permanent and "C9" in caught.value.reason
    assert BOT_TOKEN not in caught.value.reason
    assert adapter.healthy() is (error != "token_revoked")


async def test_send_network_error_is_transient() -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url="http://127.0.0.1:9/api/")
    adapter.client.retry_handlers = []  # no reconnect attempts against a closed port
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(Target("slack", "C1"), Message(kind="text", text="hi"))
    assert caught.value.permanent is False


def test_exhausted_rate_limit_is_transient_with_retry_after() -> None:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="http://x/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": "30"},
        status_code=429,
    )
    error = delivery_error(SlackApiError("rate limited", response), "C1")
    assert (error.permanent, error.retry_after) == (False, 30.0)


async def test_socket_mode_acks_on_the_socket_and_posts(fake) -> None:
    adapter = SlackAdapter(
        bot_token=BOT_TOKEN, signing_secret="", app_token="xapp-1-AFAKE-1-abc", api_url=fake.api_url
    )
    handler = RecordingHandler()
    await adapter.start(handler)
    try:
        assert (
            fake.calls_to("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-1-AFAKE-1-abc"
        )
        help_ack = await fake.push_envelope(
            "slash_commands", slash_form("help", response_url=fake.response_url("s0"))
        )
        assert "/uschina summary" in str(help_ack["payload"]["blocks"])  # the cheap answer rides on the ack
        payload = slash_form("summary 7d public", response_url=fake.response_url("s1"))
        await fake.push_envelope("slash_commands", payload)
        posts = await fake.wait_for_calls("chat.postMessage")
        assert posts[0].body["channel"] == "C123" and handler.requests[1].text == "summary 7d"
        assert adapter.healthy()
    finally:
        await adapter.stop()
    assert not adapter.healthy()


async def test_installation_store_saves_and_finds() -> None:
    store = await Store.open(":memory:")
    try:
        installations = SQLiteInstallationStore(store)
        installation = Installation(
            app_id="A1",
            team_id="T9",
            user_id="U9",
            bot_token="xoxb-9",
            bot_id="B9",
            bot_user_id="UB9",
            bot_scopes=["commands", "chat:write"],
        )
        await installations.async_save(installation)
        bot = await installations.async_find_bot(enterprise_id=None, team_id="T9")
        found = await installations.async_find_installation(enterprise_id=None, team_id="T9", user_id="U9")
        assert bot is not None and bot.bot_token == "xoxb-9" and bot.bot_scopes == ["commands", "chat:write"]
        assert found is not None and found.user_id == "U9" and found.bot_id == "B9"
        assert await installations.async_find_bot(enterprise_id=None, team_id="T8") is None
        await installations.async_delete_all(enterprise_id=None, team_id="T9")
        assert await installations.async_find_bot(enterprise_id=None, team_id="T9") is None
    finally:
        await store.close()


@pytest.mark.parametrize("history", [False, True], ids=["default-scopes", "verify-delivery"])
async def test_oauth_install_asks_for_history_only_when_verifying(history: bool) -> None:
    store = await Store.open(":memory:")
    adapter = SlackAdapter(bot_token="", signing_secret=SECRET, store=store, client_id="111.222",
                           client_secret="client-secret", history_scopes=history)
    runner, base = await serve(adapter)
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{base}/slack/install") as install:
            page = await install.text()
        assert ("channels%3Ahistory" in page or "channels:history" in page) is history
        assert "chat%3Awrite" in page or "chat:write" in page
    finally:
        await runner.cleanup()
        await store.close()


async def test_oauth_install_flow_stores_the_bot_and_send_uses_its_token(fake) -> None:
    store = await Store.open(":memory:")
    adapter = SlackAdapter(
        bot_token="",
        signing_secret=SECRET,
        api_url=fake.api_url,
        store=store,
        client_id="111.222",
        client_secret="client-secret",
        state_secret="state-secret",
    )
    runner, base = await serve(adapter)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/slack/install") as install:
                page = await install.text()
                assert install.status == 200 and "client_id=111.222" in page
            state = re.search(r"state=([^&\"]+)", page)
            assert state is not None
            # The state cookie is `Secure`: a client on plain http keeps it back, so hand it over by hand.
            cookie = install.headers["Set-Cookie"].split(";", 1)[0]
            callback = f"{base}/slack/oauth_redirect?code=c1&state={state.group(1)}"
            async with session.get(callback, headers={"Cookie": cookie}) as done:
                assert done.status == 200, await done.text()
        assert fake.calls_to("oauth.v2.access")
        await adapter.send(Target("slack", "C5", workspace="T9"), Message(kind="text", text="hi"))
        assert fake.calls_to("chat.postMessage")[0].headers["Authorization"] == f"Bearer {INSTALLED_TOKEN}"
        # A command from the installed workspace is authorized with that workspace's token.
        await adapter.start(RecordingHandler())
        status, _ = await post_command(base, fake, "summary public", team="T9")
        posts = await fake.wait_for_calls("chat.postMessage", 2)
        assert status == 200 and posts[1].headers["Authorization"] == f"Bearer {INSTALLED_TOKEN}"
        with pytest.raises(DeliveryError) as caught:
            await adapter.send(Target("slack", "C5", workspace="T404"), Message(kind="text", text="hi"))
        assert caught.value.permanent
    finally:
        await runner.cleanup()
        await store.close()


async def test_adapter_from_config() -> None:
    from bot.config import load_settings

    env = {"USCHINA_CONFIG": "", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
           "SLACK_API_URL": "http://127.0.0.1:1/api"}
    settings = load_settings(env=env, config_path=CONFIG_FILE)
    assert "slack" in settings.adapters
    adapter = adapter_from_config(settings.adapters["slack"])
    assert adapter.client.base_url == "http://127.0.0.1:1/api/"
    assert adapter.client.token == "xoxb-1" and adapter.app.oauth_flow is None
    oauth = load_settings(env={"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"},
                          config_path=CONFIG_FILE).adapters.get("slack")
    assert oauth is not None
    with pytest.raises(ValueError, match="needs the store"):
        adapter_from_config(oauth)


@pytest.mark.parametrize("text", ["summary 7d", "deadlines all", "deadlines"])
async def test_summary_and_deadlines_answer_only_the_asker_unless_public(http_adapter, fake, text) -> None:
    _, handler, base = http_adapter
    status, body = await post_command(base, fake, text)
    assert status == 200 and "Export controls update 1" in body  # the ack is seen only by the asker
    assert handler.requests[-1].text == text
    await asyncio.sleep(0.05)
    assert not fake.calls_to("chat.postMessage")
    status, body = await post_command(base, fake, f"{text} PUBLIC")
    posts = await fake.wait_for_calls("chat.postMessage")
    assert handler.requests[-1].text == text and "Export controls update 1" in str(posts[0].body["blocks"])


async def test_slow_private_summary_replaces_working_through_response_url(fake) -> None:
    adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url, ack_budget=0.05)
    await adapter.start(RecordingHandler(delay=0.2))
    runner, base = await serve(adapter)
    try:
        await post_command(base, fake, "summary 24h")
        reply = (await fake.wait_for_calls("response_url"))[0].body
        assert reply["response_type"] == "ephemeral" and "Export controls update 1" in str(reply["blocks"])
        assert not fake.calls_to("chat.postMessage")
    finally:
        await runner.cleanup()


def signed_event(payload: dict[str, object]) -> tuple[str, dict[str, str]]:
    body = json.dumps(payload)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or ""
    return body, {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def event_callback(event: Mapping[str, object], team: str = "T9") -> dict[str, object]:
    return {"token": "t", "team_id": team, "api_app_id": "AFAKE", "type": "event_callback", "event_id": "Ev1",
            "event_time": int(time.time()), "event": event, "authorizations": [
                {"enterprise_id": None, "team_id": team, "user_id": "UBOT9", "is_bot": True}]}


async def send_event(base: str, payload: dict[str, object]) -> int:
    body, headers = signed_event(payload)
    async with aiohttp.ClientSession() as session, session.post(f"{base}/slack/events", data=body,
                                                                headers=headers) as response:
        return response.status


@pytest.mark.parametrize("event", [
    {"type": "app_uninstalled"},
    {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT9"]}},
], ids=["app_uninstalled", "bot_token_revoked"])
async def test_uninstall_or_revoked_bot_token_forgets_the_workspace_and_stops_it(fake, event) -> None:
    from storage.queries import subscriptions as sub_q

    store = await Store.open(":memory:")
    removed: list[tuple[str, str, str]] = []

    async def stop_workspace(platform: str, workspace: str, reason: str) -> None:
        removed.append((platform, workspace, reason))
        await store.run(sub_q.stop_workspace, platform=platform, workspace=workspace, reason=reason)

    adapter = SlackAdapter(bot_token="", signing_secret=SECRET, api_url=fake.api_url, store=store,
                           client_id="111.222", client_secret="client-secret", workspace_removed=stop_workspace)
    installations = adapter.installations
    assert installations is not None
    await installations.async_save(Installation(app_id="AFAKE", team_id="T9", user_id="U9", bot_token="xoxb-9",
                                                bot_id="B9", bot_user_id="UBOT9", installed_at=time.time()))
    now = datetime(2026, 8, 1, tzinfo=UTC)
    for channel, team in (("C1", "T9"), ("C2", "T9"), ("C3", "T8")):
        await store.run(sub_q.subscribe, platform="slack", workspace=team, channel=channel, digest_time="08:00",
                        timezone="UTC", now=now)
    runner, base = await serve(adapter)
    try:
        assert await send_event(base, event_callback(event)) == 200
        for _ in range(100):  # bolt acks first and runs the listener after
            if removed:
                break
            await asyncio.sleep(0.02)
        assert await installations.async_find_bot(enterprise_id=None, team_id="T9") is None
        assert [r[:2] for r in removed] == [("slack", "T9")]
        active = await store.run(sub_q.active_subscriptions, "slack")
        assert [s.channel for s in active] == ["C3"]
        with pytest.raises(DeliveryError) as caught:
            await adapter.send(Target("slack", "C1", workspace="T9"), Message(kind="text", text="hi"))
        assert caught.value.permanent
    finally:
        await runner.cleanup()
        await store.close()


async def test_a_revoked_user_token_keeps_the_workspace(fake) -> None:
    store = await Store.open(":memory:")
    removed: list[str] = []

    async def stop_workspace(platform: str, workspace: str, reason: str) -> None:
        removed.append(workspace)

    adapter = SlackAdapter(bot_token="", signing_secret=SECRET, api_url=fake.api_url, store=store,
                           client_id="111.222", client_secret="client-secret", workspace_removed=stop_workspace)
    assert adapter.installations is not None
    await adapter.installations.async_save(Installation(app_id="AFAKE", team_id="T9", user_id="U9",
                                                        bot_token="xoxb-9", bot_id="B9", bot_user_id="UBOT9"))
    runner, base = await serve(adapter)
    try:
        revoked = {"type": "tokens_revoked", "tokens": {"oauth": ["U9"], "bot": []}}
        assert await send_event(base, event_callback(revoked)) == 200
        await asyncio.sleep(0.2)
        assert removed == []
        assert await adapter.installations.async_find_bot(enterprise_id=None, team_id="T9") is not None
    finally:
        await runner.cleanup()
        await store.close()
