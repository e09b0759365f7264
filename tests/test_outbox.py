"""The outbox: idempotent enqueue, claim-then-send, payload round trip, crash recovery, backoff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import pytest_asyncio

from bot.domain.models import Attachment, DeadlineView, Message, StoryView, Target
from bot.usecases.deliver import Outbox, attachment_ref, message_from_json, message_to_json
from storage import Store
from storage.queries import attachments as attachment_q
from storage.queries import outbox as outbox_q
from tests.conftest import FakeClock, no_commands
from tests.fakes.fake_chat import FakeChat, FakeChatAdapter, VerifyingChatAdapter

T0 = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
CHANNEL = Target("fakechat", "C1", "W1")


@pytest_asyncio.fixture
async def store() -> AsyncIterator[Store]:
    store = await Store.open(":memory:")
    yield store
    await store.close()







def digest(text: str = "Digest body") -> Message:
    story = StoryView(id="s1", title="Tariff truce extended", summary="Both sides agreed.", url="https://x.test/a",
                      sources=(("Reuters", "wire", "https://x.test/a"), ("MOFCOM", "official", None)),
                      updated_at=datetime(2025, 6, 1, 9, 30, tzinfo=UTC), score=0.9)
    deadline = DeadlineView(id="d1", what="Tariff truce ends", start=date(2025, 8, 12), end=None,
                            granularity="day", status="upcoming", confidence=0.8, evidence="ends Aug 12",
                            sources=("https://x.test/a",),
                            history=(("2025-05-14", None, "2025-06-01T00:00:00"),))
    return Message(kind="digest", text=text, title="Morning digest", stories=(story,), deadlines=(deadline,),
                   lines=("one", "two"))


def test_message_json_round_trip_keeps_dates_and_nested_views() -> None:
    message = digest()
    assert message_from_json(message_to_json(message)) == message
    plain = Message(kind="text", text="hi", ephemeral=True)
    assert message_from_json(message_to_json(plain)) == plain


def test_malformed_payload_raises_value_error() -> None:
    with pytest.raises(ValueError, match="malformed"):
        message_from_json('{"kind": "text"')
    with pytest.raises(ValueError, match="malformed"):
        message_from_json('{"kind": "text", "text": "x", "stories": [{"id": 1}]}')


async def test_enqueue_same_key_twice_is_a_no_op(store: Store, adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=FakeClock(T0))
    assert await outbox.enqueue("digest:1:2025-06-02", CHANNEL, digest(), subscription_id=None)
    assert not await outbox.enqueue("digest:1:2025-06-02", CHANNEL, digest("other text"))
    assert await store.run(outbox_q.count_pending) == 1
    row = await store.run(outbox_q.get_by_key, "digest:1:2025-06-02")
    assert row is not None and message_from_json(row.payload).text == "Digest body"


async def test_deliver_due_sends_once_and_records_the_platform_id(
        store: Store, chat: FakeChat, adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=FakeClock(T0))
    await outbox.enqueue("digest:1:2025-06-02", CHANNEL, digest())
    stats = await outbox.deliver_due()
    again = await outbox.deliver_due()
    assert (stats.sent, again.sent) == (1, 0)
    assert [p.text for p in chat.in_channel("C1")] == ["Digest body"]
    row = await store.run(outbox_q.get_by_key, "digest:1:2025-06-02")
    assert row is not None and (row.status, row.attempts, row.platform_message_id) == ("sent", 1, "m1")
    assert await store.run(outbox_q.count_pending) == 0


async def test_claim_is_exclusive(store: Store) -> None:
    await store.run(outbox_q.enqueue, idem_key="k", platform="fakechat", workspace="", channel="C",
                    kind="text", payload="{}", now=T0)
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None
    assert await store.run(outbox_q.claim, row.id)
    assert not await store.run(outbox_q.claim, row.id)
    assert await store.run(outbox_q.count_pending) == 1  # in flight still counts


async def test_rows_wait_for_their_next_attempt_time(store: Store, chat: FakeChat,
                                                     adapter: FakeChatAdapter) -> None:
    clock = FakeClock(T0)
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock, base_backoff_s=10)
    chat.fail_next("C1", 503)
    await outbox.enqueue("k", CHANNEL, digest())
    assert (await outbox.deliver_due()).retried == 1
    clock.advance(seconds=9)
    assert (await outbox.deliver_due()).sent == 0
    clock.advance(seconds=1)
    assert (await outbox.deliver_due()).sent == 1
    assert len(chat.in_channel("C1")) == 1


def test_backoff_is_exponential_capped_and_respects_retry_after() -> None:
    outbox = Outbox(None, {}, base_backoff_s=2, max_backoff_s=60)  # type: ignore[arg-type]
    assert [outbox.backoff(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [2, 4, 8, 16, 32, 60, 60]
    assert outbox.backoff(1, retry_after=30) == 30
    assert outbox.backoff(6, retry_after=5) == 60


async def test_rows_for_an_unconfigured_platform_wait_untouched(store: Store,
                                                                adapter: FakeChatAdapter) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=FakeClock(T0))
    await outbox.enqueue("k", Target("discord", "123"), digest())
    assert (await outbox.deliver_due()).sent == 0
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and (row.status, row.attempts) == ("pending", 0)


async def test_a_malformed_payload_fails_that_row_only(store: Store, chat: FakeChat,
                                                       adapter: FakeChatAdapter) -> None:
    await store.run(outbox_q.enqueue, idem_key="bad", platform="fakechat", workspace="", channel="C1",
                    kind="text", payload="not json", now=T0)
    outbox = Outbox(store, {"fakechat": adapter}, clock=FakeClock(T0))
    await outbox.enqueue("good", CHANNEL, digest())
    stats = await outbox.deliver_due()
    assert (stats.failed, stats.sent) == (1, 1)
    bad = await store.run(outbox_q.get_by_key, "bad")
    assert bad is not None and bad.status == "failed" and "malformed" in (bad.last_error or "")


async def _interrupt(store: Store, key: str) -> None:
    """Leave `key` as a crash would: claimed (sending) with no recorded result."""
    row = await store.run(outbox_q.get_by_key, key)
    assert row is not None and await store.run(outbox_q.claim, row.id)


async def test_interrupted_send_without_verification_is_not_resent(
        store: Store, chat: FakeChat, adapter: FakeChatAdapter, caplog: pytest.LogCaptureFixture) -> None:
    outbox = Outbox(store, {"fakechat": adapter}, clock=FakeClock(T0))
    await outbox.enqueue("k", CHANNEL, digest())
    await _interrupt(store, "k")
    stats = await outbox.recover_interrupted()
    assert stats.unknown == 1
    assert (await outbox.deliver_due()).sent == 0
    assert chat.posted == []
    row = await store.run(outbox_q.get_by_key, "k")
    assert row is not None and row.status == "unknown"
    assert "cannot confirm" in caplog.text


async def test_interrupted_send_that_arrived_is_marked_sent_without_resending(
        store: Store, chat: FakeChat) -> None:
    adapter = VerifyingChatAdapter(chat.url)
    await adapter.start(no_commands)
    outbox = Outbox(store, {"fakechat": adapter}, clock=FakeClock(T0))
    await outbox.enqueue("arrived", CHANNEL, digest("one"))
    await outbox.enqueue("lost", CHANNEL, digest("two"))
    await adapter.send_keyed(CHANNEL, digest("one"), "arrived")  # the platform got it; we crashed after
    await _interrupt(store, "arrived")
    await _interrupt(store, "lost")
    stats = await outbox.recover_interrupted()
    assert (stats.sent, stats.requeued) == (1, 1)
    assert (await outbox.deliver_due()).sent == 1
    assert chat.count_by_key() == {"arrived": 1, "lost": 1}
    await adapter.stop()


async def test_pruning_forgets_old_finished_rows_and_the_files_only_they_used(
        store: Store, chat: FakeChat, adapter: FakeChatAdapter) -> None:
    clock = FakeClock(T0)
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock)
    old_picture = Attachment("old.png", b"\x89PNG\r\n\x1a\n" + b"old", "old timeline", "Deadlines")
    await outbox.enqueue("digest:1:2025-06-02", CHANNEL, replace(digest(), attachment=old_picture))
    await outbox.enqueue("digest:2:2025-06-02", Target("nowhere", "C9"), digest())  # never sendable: pending
    assert (await outbox.deliver_due()).sent == 1
    clock.advance(days=100)
    new_picture = Attachment("new.png", b"\x89PNG\r\n\x1a\n" + b"new", "new timeline", "Deadlines")
    await outbox.enqueue("digest:1:2025-09-10", CHANNEL, replace(digest(), attachment=new_picture))
    await outbox.deliver_due()
    assert await outbox.prune() == (1, 1)
    keys = await store.run(lambda db: [row[0] for row in db.execute("SELECT idem_key FROM outbox ORDER BY id")])
    assert keys == ["digest:2:2025-06-02", "digest:1:2025-09-10"]  # the pending one stays, however old
    files = await store.run(lambda db: db.execute("SELECT count(*) FROM attachments").fetchone()[0])
    assert files == 1 and await outbox.prune() == (0, 0)


async def test_a_file_put_again_is_fresh_and_survives_pruning(store: Store, adapter: FakeChatAdapter) -> None:
    clock = FakeClock(T0)
    outbox = Outbox(store, {"fakechat": adapter}, clock=clock)
    picture = Attachment("t.png", b"\x89PNG\r\n\x1a\n" + b"same", "timeline", "Deadlines")
    await outbox.enqueue("digest:1:2025-06-02", CHANNEL, replace(digest(), attachment=picture))
    await outbox.deliver_due()
    clock.advance(days=100)
    await outbox.enqueue("digest:1:2025-09-10", CHANNEL, replace(digest(), attachment=picture))
    assert await outbox.prune() == (1, 0)  # the old row goes; today's row still needs the same picture
    row = await store.run(outbox_q.get_by_key, "digest:1:2025-09-10")
    ref = attachment_ref(row.payload) if row else None
    assert ref is not None and await store.run(attachment_q.get, ref) == picture.data
