"""Faults during delivery: slow channels, 5xx and 429 retries, permanent failures, timeouts, secrets.

Everything runs against real local servers: the fake chat platform, and the fake Slack Web API driven by
the real Slack adapter (slack_sdk) where the platform's own error mapping matters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from adapters.slack import adapter_from_config
from bot import registry
from bot.config import load_settings
from bot.domain.models import Message, Target
from bot.metrics import METRICS
from bot.ports import CommandRequest, DeliveryError
from bot.usecases.commands import CommandContext, CommandHandler
from bot.usecases.deliver import Outbox, redact
from storage import Store
from storage.queries import outbox as outbox_q
from storage.queries import subscriptions as sub_q
from storage.queries.timestamps import to_iso
from tests.conftest import FakeClock, no_commands
from tests.fakes.fake_chat import FakeChat, FakeChatAdapter, VerifyingChatAdapter
from tests.fakes.fake_slack import FakeSlack

SLACK_TOKEN = "xoxb-998877665544-1122334455-SuperSecretTokenValue"
SIGNING_SECRET = "8f3c1a9e0b7d6c5e4f3a2b1c0d9e8f7a"







def text(body: str) -> Message:
    return Message(kind="digest", title="Digest", text=body)


def deliveries(result: str) -> float:
    return METRICS.registry.get_sample_value("uschina_deliveries_total", {"result": result}) or 0.0


async def test_a_slow_channel_and_a_slow_adapter_do_not_delay_a_fast_channel(
        store: Store, clock: FakeClock, chat: FakeChat, adapter: FakeChatAdapter) -> None:
    slow_platform = await FakeChat(delay_s={"*": 1.5}).start()
    slow_adapter = FakeChatAdapter(slow_platform.url, platform="slowchat")
    await slow_adapter.start(no_commands)
    chat.delay_s["SLOW"] = 1.5
    outbox = Outbox(store, {"fakechat": adapter, "slowchat": slow_adapter}, clock=clock)
    await outbox.enqueue("slow-adapter", Target("slowchat", "C9"), text("slow adapter"))
    await outbox.enqueue("slow-channel", Target("fakechat", "SLOW"), text("slow channel"))
    await outbox.enqueue("fast", Target("fakechat", "FAST"), text("fast"))
    started = time.monotonic()
    pass_ = asyncio.create_task(outbox.deliver_due())
    while not (await store.run(outbox_q.statuses, ["fast"])).get("fast") == "sent":
        assert time.monotonic() - started < 1.0, "the fast channel waited for the slow ones"
        await asyncio.sleep(0.01)
    assert not pass_.done()
    stats = await pass_
    assert stats.sent == 3
    await slow_adapter.stop()
    await slow_platform.stop()


async def test_server_errors_are_retried_with_backoff_until_they_succeed(
        store: Store, clock: FakeClock, chat: FakeChat, adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock, base_backoff_s=2)
    chat.fail_next("C1", 503, times=2)
    await outbox.enqueue("k", Target("fakechat", "C1"), text("hello"))
    retries_before = deliveries("retry")
    assert (await outbox.deliver_due()).retried == 1
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and row.next_attempt_at == to_iso(clock() + timedelta(seconds=2))
    clock.advance(seconds=2)
    assert (await outbox.deliver_due()).retried == 1
    clock.advance(seconds=3)
    assert (await outbox.deliver_due()).sent == 0  # the second backoff is 4 s
    clock.advance(seconds=1)
    assert (await outbox.deliver_due()).sent == 1
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and (row.status, row.attempts) == ("sent", 3)
    assert [p.text for p in chat.in_channel("C1")] == ["hello"]
    assert deliveries("retry") - retries_before == 2


async def test_a_rate_limit_waits_at_least_retry_after(
        store: Store, clock: FakeClock, chat: FakeChat, adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock, base_backoff_s=2)
    chat.fail_next("C1", 429, retry_after=30)
    await outbox.enqueue("k", Target("fakechat", "C1"), text("hello"))
    await outbox.deliver_due()
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and row.next_attempt_at == to_iso(clock() + timedelta(seconds=30))


async def test_giving_up_after_max_attempts(store: Store, clock: FakeClock, chat: FakeChat,
                                            adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock, max_attempts=3, base_backoff_s=1)
    chat.fail_next("C1", 500, times=5)
    await outbox.enqueue("k", Target("fakechat", "C1"), text("hello"))
    for _ in range(3):
        await outbox.deliver_due()
        clock.advance(seconds=10)
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and row.status == "failed" and "gave up after 3 attempts" in (row.last_error or "")


async def test_a_permanent_failure_marks_the_subscription_and_the_bot_keeps_delivering(
        store: Store, clock: FakeClock, chat: FakeChat, adapter: FakeChatAdapter,
        caplog: pytest.LogCaptureFixture) -> None:
    gone = await store.run(sub_q.subscribe, platform="fakechat", workspace="", channel="GONE",
                           digest_time="08:00", timezone="UTC", now=clock())
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock, poll_s=0.05)
    chat.fail_next("GONE", 404)
    stop = asyncio.Event()
    runner = asyncio.create_task(outbox.run(stop))
    await outbox.enqueue("to-gone", Target("fakechat", "GONE"), text("lost cause"), subscription_id=gone.id)
    await _wait_status(store, "to-gone", "failed")
    await outbox.enqueue("to-ok", Target("fakechat", "OK"), text("still works"))
    await _wait_status(store, "to-ok", "sent")
    stop.set()
    await asyncio.wait_for(runner, 2)
    sub = await store.run(sub_q.subscription_by_id, gone.id)
    assert sub is not None and (sub.status, sub.active) == ("error", False)
    assert "channel gone or bot removed" in (sub.last_error or "")
    assert "failed permanently" in caplog.text and f"subscription {gone.id} paused" in caplog.text


async def _wait_status(store: Store, key: str, status: str) -> None:
    for _ in range(300):
        if (await store.run(outbox_q.statuses, [key])).get(key) == status:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{key} never reached {status}")


async def test_a_timed_out_send_that_arrived_is_verified_not_repeated(
        store: Store, clock: FakeClock, chat: FakeChat) -> None:
    verifying = VerifyingChatAdapter(chat.url)
    await verifying.start(no_commands)
    chat.delay_s["C1"] = 0.5  # stored at once, answered late
    outbox = Outbox(store, {"fakechat": verifying}, clock=clock, send_timeout_s=0.1)
    await outbox.enqueue("k", Target("fakechat", "C1"), text("hello"))
    assert (await outbox.deliver_due()).sent == 1
    assert chat.count_by_key() == {"k": 1}
    await verifying.stop()


async def test_a_timed_out_send_without_verification_is_retried(
        store: Store, clock: FakeClock, chat: FakeChat, adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock, send_timeout_s=0.1)
    chat.delay_s["C1"] = 0.5
    await outbox.enqueue("k", Target("fakechat", "C1"), text("hello"))
    assert (await outbox.deliver_due()).retried == 1
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and "no answer within 0.1 s" in (row.last_error or "")


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


def slack_env(slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url, "USCHINA_LLM_API_KEY": "sk-live-0123456789abcdef"}


async def test_slack_5xx_then_success_and_invalid_auth_through_the_real_adapter(
        store: Store, clock: FakeClock, slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(env=slack_env(slack), config_path=None)
    assert "slack" in settings.adapters
    adapter = adapter_from_config(settings.adapters["slack"], store=store)
    sub = await store.run(sub_q.subscribe, platform="slack", workspace="T0FAKE", channel="C1",
                          digest_time="08:00", timezone="UTC", now=clock())
    outbox = Outbox(store, {"slack": adapter}, clock=clock)
    slack.fail_next("chat.postMessage", 500)
    await outbox.enqueue("a", Target("slack", "C1", "T0FAKE"), text("first"), subscription_id=sub.id)
    assert (await outbox.deliver_due()).retried == 1
    clock.advance(seconds=5)
    assert (await outbox.deliver_due()).sent == 1
    slack.fail_next("chat.postMessage", error="invalid_auth")
    await outbox.enqueue("b", Target("slack", "C1", "T0FAKE"), text("second"), subscription_id=sub.id)
    assert (await outbox.deliver_due()).failed == 1
    marked = await store.run(sub_q.subscription_by_id, sub.id)
    assert marked is not None and marked.status == "error" and "invalid_auth" in (marked.last_error or "")
    assert [c.body.get("text") for c in slack.calls_to("chat.postMessage")][-1] == "second"
    assert SLACK_TOKEN not in caplog.text


async def test_secrets_never_reach_logs_or_error_messages(
        store: Store, clock: FakeClock, slack: FakeSlack, chat: FakeChat,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    env = slack_env(slack)
    settings = load_settings(env=env, config_path=None)
    handler = CommandHandler(CommandContext(store=store, now=clock, settings=settings))
    replies = []
    for command in ("help", "bogus words", "sources add http://127.0.0.1:1/feed", "subscribe 25:99 Mars/Base",
                    "summary 7d", "deadlines all"):
        replies.append(await handler.handle(CommandRequest("slack", "T0FAKE", "C1", "U1", command)))

    class LeakyAdapter(FakeChatAdapter):
        """Badly written: puts the token into its error text; the outbox must scrub it."""

        async def send(self, target: Target, message: Message) -> str:
            raise DeliveryError(f"auth failed for token {SLACK_TOKEN} (Bearer {env['USCHINA_LLM_API_KEY']})",
                                permanent=False)

    leaky = LeakyAdapter(chat.url)
    outbox = Outbox(store, {"fakechat": leaky}, clock=clock)
    await outbox.enqueue("k", Target("fakechat", "C1"), text("hello"))
    await outbox.deliver_due()
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and "[redacted]" in (row.last_error or "")
    visible = caplog.text + repr(settings) + "".join(r.text + "".join(r.lines) for r in replies)
    visible += row.last_error or ""
    for secret in (SLACK_TOKEN, SIGNING_SECRET, env["USCHINA_LLM_API_KEY"]):
        assert secret not in visible


def test_redact_covers_common_token_shapes() -> None:
    discord = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
    line = f"xoxb-1-2-abc xapp-1-A1-xyz Bearer abc.def sk-abcdefghijkl {discord} ok"
    assert redact(line) == "[redacted] [redacted] [redacted] [redacted] [redacted] ok"


def test_platform_token_shapes_are_the_adapters_own() -> None:
    from adapters.discord.plugin import SECRET_PATTERNS as DISCORD
    from adapters.slack.plugin import SECRET_PATTERNS as SLACK

    assert registry.secret_patterns(["slack"]) == SLACK and registry.secret_patterns(["discord"]) == DISCORD
    assert set(SLACK + DISCORD) <= set(registry.secret_patterns())  # the default: every known adapter's
    assert registry.secret_patterns(["console"]) == ()


def test_outbox_stamps_are_utc_text() -> None:
    moment = datetime(2025, 3, 9, 8, 0, tzinfo=UTC)
    assert to_iso(moment) == "2025-03-09T08:00:00+00:00"
