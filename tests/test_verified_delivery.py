"""Verified delivery: the Slack and Discord adapters mark each post and find it again after a crash.

Real slack_sdk / discord.py clients against the local fakes; the outbox tests leave rows in `sending` the way
a kill -9 would and check that each message ends up in the channel exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import discord
import pytest
import pytest_asyncio

from adapters.discord.client import DiscordAdapter
from adapters.markers import delivery_ref, parse_marker
from adapters.slack.app import METADATA_EVENT, SlackAdapter
from bot.domain.models import Message, StoryView, Target
from bot.usecases.deliver import Outbox, VerifiableAdapter
from storage import Store
from storage.queries import outbox as outbox_q
from tests.conftest import FakeClock, no_commands
from tests.fakes.fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.fake_slack import BOT_TOKEN, FakeSlack

SLACK = Target("slack", "C1")
DISCORD = Target("discord", CHANNEL_ID, GUILD_ID)
# The Slack fake numbers its messages 1700000000.000001, ... so the clock sits just before that.
SLACK_T0 = datetime.fromtimestamp(1700000000, UTC) - timedelta(seconds=30)
DISCORD_T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # before every snowflake the Discord fake hands out


def story(n: int, summary_length: int = 200) -> StoryView:
    return StoryView(id=str(n), title=f"Story {n}", summary="s" * summary_length, url=f"https://x.test/{n}",
                     sources=(("Reuters", "wire", f"https://x.test/{n}"),),
                     updated_at=datetime(2026, 1, 5, tzinfo=UTC), score=0.5)


def digest(stories: int = 1, summary_length: int = 200) -> Message:
    return Message(kind="digest", text="digest", title="Morning digest",
                   stories=tuple(story(n, summary_length) for n in range(stories)))


# --- Slack -------------------------------------------------------------------------------------------


@pytest.fixture
def slack(slack_fake: FakeSlack) -> SlackAdapter:
    return SlackAdapter(bot_token=BOT_TOKEN, signing_secret="s", api_url=slack_fake.api_url)


def slack_parts(fake: FakeSlack, channel: str, idem_key: str) -> list[int]:
    """Part numbers of `idem_key` as stored in the fake channel, in posting order."""
    ref = delivery_ref(idem_key)
    return [m["metadata"]["event_payload"]["part"] for m in fake.history.get(channel, [])
            if m.get("metadata", {}).get("event_payload", {}).get("key") == ref]


async def test_slack_adapter_is_verifiable_and_marks_posts_with_metadata(slack, slack_fake) -> None:
    assert isinstance(slack, VerifiableAdapter)
    ts = await slack.send_keyed(SLACK, digest(), "digest:1:2025-06-02")
    (post,) = slack_fake.calls_to("chat.postMessage")
    assert post.body["metadata"] == {"event_type": METADATA_EVENT,
                                     "event_payload": {"key": delivery_ref("digest:1:2025-06-02"),
                                                       "part": 1, "parts": 1}}
    assert ts == "1700000000.000001"
    assert "digest:1" not in str(post.body)  # only the hash of the key reaches Slack


async def test_slack_was_delivered_finds_the_key_and_not_another(slack, slack_fake) -> None:
    await slack.send_keyed(SLACK, digest(), "arrived")
    assert await slack.was_delivered(SLACK, "arrived", since=SLACK_T0) is True
    assert await slack.was_delivered(SLACK, "never-sent", since=SLACK_T0) is False
    (history, *_) = slack_fake.calls_to("conversations.history")
    assert history.body["include_all_metadata"] in ("1", "true", True)
    assert float(history.body["oldest"]) == pytest.approx(SLACK_T0.timestamp() - 300)


async def test_slack_was_delivered_only_looks_after_the_claim(slack, slack_fake) -> None:
    await slack.send_keyed(SLACK, digest(), "old")
    later = datetime.fromtimestamp(1700000000, UTC) + timedelta(hours=1)
    assert await slack.was_delivered(SLACK, "old", since=later) is False


@pytest.mark.parametrize("error", ["missing_scope", "not_in_channel", "channel_not_found"])
async def test_slack_history_error_means_cannot_tell(slack, slack_fake, error) -> None:
    await slack.send_keyed(SLACK, digest(), "k")
    slack_fake.fail_next("conversations.history", error=error)
    assert await slack.was_delivered(SLACK, "k", since=SLACK_T0) is None


async def test_slack_busy_channel_beyond_the_scan_means_cannot_tell(slack, slack_fake) -> None:
    slack_fake.history["C1"] = [{"type": "message", "ts": f"1700000000.{n:06d}", "text": "chatter"}
                                for n in range(1, 302)]
    assert await slack.was_delivered(SLACK, "k", since=SLACK_T0) is None
    assert len(slack_fake.calls_to("conversations.history")) == 3  # pages of 100, then it stops


async def test_slack_partial_delivery_resends_only_the_missing_parts(slack, slack_fake) -> None:
    long_digest = digest(stories=80)
    first_ts = await slack.send_keyed(SLACK, long_digest, "long")
    parts = slack_parts(slack_fake, "C1", "long")
    assert len(parts) > 1 and parts == list(range(1, len(parts) + 1))
    del slack_fake.history["C1"][-1]  # the crash came before the last part left
    assert await slack.was_delivered(SLACK, "long", since=SLACK_T0) is False
    assert await slack.send_keyed(SLACK, long_digest, "long") == first_ts
    assert sorted(slack_parts(slack_fake, "C1", "long")) == parts
    assert await slack.was_delivered(SLACK, "long", since=SLACK_T0) is True


# --- Discord -----------------------------------------------------------------------------------------





@pytest_asyncio.fixture
async def bot(discord_fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(token="fake-token", guild_ids=[int(GUILD_ID)], api_url=discord_fake.api_url,
                             gateway_url=discord_fake.gateway_url, guild_ready_timeout=0.05)
    await adapter.start(no_commands)
    yield adapter
    await adapter.stop()


def discord_parts(fake: FakeDiscord, idem_key: str) -> list[int]:
    """Part numbers of `idem_key` among the fake channel's messages, in posting order."""
    ref, numbers = delivery_ref(idem_key), []
    for message in fake.channel_messages.get(CHANNEL_ID, []):
        texts = [e.get("footer", {}).get("text", "") for e in message["embeds"]] + [message["content"]]
        markers = [m for m in map(parse_marker, texts) if m is not None and m[0] == ref]
        numbers += [markers[0][1]] if markers else []
    return numbers


async def test_discord_send_keyed_uses_an_enforced_nonce_and_a_footer_marker(bot, discord_fake) -> None:
    assert isinstance(bot, VerifiableAdapter)
    message_id = await bot.send_keyed(DISCORD, digest(), "digest:1:2026-01-05")
    (post,) = discord_fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    ref = delivery_ref("digest:1:2026-01-05")
    assert post.json["nonce"] == f"{ref}.1" and len(post.json["nonce"]) <= 25
    assert post.json["enforce_nonce"] is True
    assert post.json["embeds"][-1]["footer"]["text"] == f"uschina · ref {ref}"
    assert message_id == discord_fake.created[0]["id"]


async def test_discord_repeated_nonce_returns_the_first_message(bot, discord_fake) -> None:
    first = await bot.send_keyed(DISCORD, digest(), "k")
    again = await bot.send_keyed(DISCORD, digest(), "k")  # e.g. a retry after a timeout
    assert first == again and discord_parts(discord_fake, "k") == [1]


async def test_discord_was_delivered_finds_the_key_and_not_another(bot, discord_fake) -> None:
    await bot.send_keyed(DISCORD, digest(), "arrived")
    await bot.send_keyed(DISCORD, Message(kind="text", text="plain text, no embeds"), "plain")
    assert discord_fake.channel_messages[CHANNEL_ID][-1]["content"].endswith(
        f"\n-# uschina · ref {delivery_ref('plain')}")
    assert await bot.was_delivered(DISCORD, "arrived", since=DISCORD_T0) is True
    assert await bot.was_delivered(DISCORD, "plain", since=DISCORD_T0) is True
    assert await bot.was_delivered(DISCORD, "never-sent", since=DISCORD_T0) is False
    history = discord_fake.calls_to("GET", f"/channels/{CHANNEL_ID}/messages")
    after = discord.utils.time_snowflake(DISCORD_T0 - timedelta(minutes=5), high=True)
    assert history[0].query["after"] == str(after)


async def test_discord_ignores_markers_in_other_authors_messages(bot, discord_fake) -> None:
    await bot.send_keyed(DISCORD, digest(), "k")
    discord_fake.channel_messages[CHANNEL_ID][0]["author"] = {**discord_fake.created[0]["author"],
                                                              "id": "1300000000000000077", "bot": False}
    assert await bot.was_delivered(DISCORD, "k", since=DISCORD_T0) is False


async def test_discord_history_error_means_cannot_tell(bot, discord_fake) -> None:
    await bot.send_keyed(DISCORD, digest(), "k")
    discord_fake.fail_next("GET", f"/channels/{CHANNEL_ID}/messages", 403,
                           {"message": "Missing Access", "code": 50001})
    assert await bot.was_delivered(DISCORD, "k", since=DISCORD_T0) is None
    assert await bot.was_delivered(DISCORD, "k", since=DISCORD_T0) is True  # the error was not remembered


async def test_discord_without_read_message_history_cannot_tell(discord_fake) -> None:
    discord_fake.history_denied = True  # Discord would answer an empty list, which must not mean "lost"
    adapter = DiscordAdapter(token="fake-token", guild_ids=[int(GUILD_ID)], api_url=discord_fake.api_url,
                             gateway_url=discord_fake.gateway_url, guild_ready_timeout=0.05)
    await adapter.start(no_commands)
    try:
        assert await adapter.was_delivered(DISCORD, "k", since=DISCORD_T0) is None
    finally:
        await adapter.stop()


async def test_discord_partial_delivery_resends_only_the_missing_parts(bot, discord_fake) -> None:
    long_digest = digest(stories=12, summary_length=1400)
    first_id = await bot.send_keyed(DISCORD, long_digest, "long")
    parts = discord_parts(discord_fake, "long")
    assert len(parts) >= 3 and parts == list(range(1, len(parts) + 1))
    del discord_fake.channel_messages[CHANNEL_ID][1]  # the second part never arrived
    assert await bot.was_delivered(DISCORD, "long", since=DISCORD_T0) is False
    assert await bot.send_keyed(DISCORD, long_digest, "long") == first_id
    assert sorted(discord_parts(discord_fake, "long")) == parts
    assert await bot.was_delivered(DISCORD, "long", since=DISCORD_T0) is True


# --- the outbox after a crash ------------------------------------------------------------------------


@pytest_asyncio.fixture
async def store() -> AsyncIterator[Store]:
    store = await Store.open(":memory:")
    yield store
    await store.close()


async def crash_after_claim(store: Store, key: str, clock: FakeClock) -> None:
    """Leave `key` as a kill -9 between claim and send would: `sending`, nothing posted."""
    row = await store.run(outbox_q.get_by_key, key)
    assert row is not None and await store.run(outbox_q.claim, row.id, clock())


async def test_slack_restart_resends_the_lost_row_once_and_confirms_the_arrived_one(
        store, slack, slack_fake) -> None:
    clock = FakeClock(SLACK_T0)
    outbox = Outbox(store, {"slack": slack}, clock=clock)
    for key in ("arrived", "lost", "half"):
        await outbox.enqueue(key, SLACK, digest(stories=80 if key == "half" else 1))
    await slack.send_keyed(SLACK, digest(), "arrived")  # posted; the process died before recording it
    await slack.send_keyed(SLACK, digest(stories=80), "half")
    del slack_fake.history["C1"][-1]  # ... and died before the last part of "half" left
    for key in ("arrived", "lost", "half"):
        await crash_after_claim(store, key, clock)

    stats = await outbox.recover_interrupted()
    assert (stats.sent, stats.requeued, stats.unknown) == (1, 2, 0)
    assert (await outbox.deliver_due()).sent == 2
    assert (await outbox.deliver_due()).sent == 0
    assert Counter(slack_parts(slack_fake, "C1", "arrived")) == {1: 1}
    assert Counter(slack_parts(slack_fake, "C1", "lost")) == {1: 1}
    half = Counter(slack_parts(slack_fake, "C1", "half"))
    assert len(half) > 1 and set(half.values()) == {1}
    statuses = await store.run(outbox_q.statuses, ["arrived", "lost", "half"])
    assert set(statuses.values()) == {"sent"}


async def test_slack_restart_without_history_scope_keeps_the_row_unknown(store, slack, slack_fake) -> None:
    clock = FakeClock(SLACK_T0)
    outbox = Outbox(store, {"slack": slack}, clock=clock)
    await outbox.enqueue("k", SLACK, digest())
    await crash_after_claim(store, "k", clock)
    slack_fake.fail_next("conversations.history", error="missing_scope")
    assert (await outbox.recover_interrupted()).unknown == 1
    assert (await outbox.deliver_due()).sent == 0
    assert slack_fake.calls_to("chat.postMessage") == []


async def test_discord_restart_resends_the_lost_row_once_and_confirms_the_arrived_one(
        store, bot, discord_fake) -> None:
    clock = FakeClock(DISCORD_T0)
    outbox = Outbox(store, {"discord": bot}, clock=clock)
    await outbox.enqueue("arrived", DISCORD, digest())
    await outbox.enqueue("lost", DISCORD, digest())
    await bot.send_keyed(DISCORD, digest(), "arrived")
    await crash_after_claim(store, "arrived", clock)
    await crash_after_claim(store, "lost", clock)

    stats = await outbox.recover_interrupted()
    assert (stats.sent, stats.requeued) == (1, 1)
    assert (await outbox.deliver_due()).sent == 1
    assert discord_parts(discord_fake, "arrived") == [1]
    assert discord_parts(discord_fake, "lost") == [1]
    assert len(discord_fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")) == 2
