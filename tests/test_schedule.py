"""Scheduling: DST-correct digest triggers, missed digests across downtime, reload without restart,
reminders and alerts enqueued once. The clock is injected; nothing waits on the wall clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import time_machine

from bot.analysis.deadlines.merge import MERGE_POLICY
from bot.domain.models import Message
from bot.usecases.deliver import Outbox, message_from_json
from bot.usecases.digest import compose_digest
from bot.usecases.schedule import Schedule, ScheduleOptions, digest_trigger, last_digest_moment
from storage import Store
from storage.queries import outbox as outbox_q
from storage.queries import subscriptions as sub_q
from storage.queries.deadlines import DeadlineChange
from tests.conftest import FakeClock

NY = "America/New_York"


@pytest_asyncio.fixture
async def schedules(store: Store, clock: FakeClock) -> AsyncIterator[list[Schedule]]:
    """Schedules built by a test (one per simulated process start); all shut down at the end."""
    built: list[Schedule] = []
    yield built
    for schedule in built:
        schedule.shutdown()


def new_schedule(store: Store, clock: FakeClock, built: list[Schedule], **kwargs: Any) -> Schedule:
    schedule = Schedule(store, Outbox(store, {}, clock=clock), clock=clock,
                        options=ScheduleOptions(digest_grace_hours=2), **kwargs)
    built.append(schedule)
    return schedule


async def subscribe(store: Store, channel: str, digest_time: str, zone: str,
                    now: datetime) -> sub_q.Subscription:
    return await store.run(sub_q.subscribe, platform="slack", workspace="T1", channel=channel,
                           digest_time=digest_time, timezone=zone, now=now)


async def outbox_keys(store: Store) -> list[str]:
    return [row[0] for row in await store.run(lambda db: db.execute(
        "SELECT idem_key FROM outbox ORDER BY id").fetchall())]


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("after", "expected"), [
    (_utc(2025, 3, 7, 14), _utc(2025, 3, 8, 13)),   # EST: 08:00 = 13:00Z
    (_utc(2025, 3, 8, 14), _utc(2025, 3, 9, 12)),   # DST starts 2025-03-09: 08:00 EDT = 12:00Z
    (_utc(2025, 11, 1, 14), _utc(2025, 11, 2, 13)),  # DST ends 2025-11-02: back to 13:00Z
    (_utc(2025, 10, 31, 14), _utc(2025, 11, 1, 12)),
])
def test_digest_trigger_follows_the_zones_dst_rules(after: datetime, expected: datetime) -> None:
    sub = sub_q.Subscription(1, "slack", "T1", "C1", "08:00", NY, True, "ok", None, (), (), None)
    fire = digest_trigger(sub).get_next_fire_time(None, after)
    assert fire is not None and fire.astimezone(UTC) == expected
    assert last_digest_moment(sub, expected + timedelta(minutes=1)).astimezone(UTC) == expected


async def test_missed_digest_within_grace_is_sent_once_across_restarts(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    clock.current = _utc(2025, 3, 10, 10)  # 06:00 in New York (EDT)
    sub = await subscribe(store, "C1", "08:00", NY, clock())
    await new_schedule(store, clock, schedules).start()
    assert await outbox_keys(store) == []  # not yet 08:00 there
    clock.current = _utc(2025, 3, 10, 13, 30)  # the bot was down over 08:00 local (12:00Z); back 90 min later
    await new_schedule(store, clock, schedules).start()
    assert await outbox_keys(store) == [f"digest:{sub.id}:2025-03-10"]
    clock.advance(minutes=20)  # another restart within the grace period: nothing new
    await new_schedule(store, clock, schedules).start()
    assert await outbox_keys(store) == [f"digest:{sub.id}:2025-03-10"]


async def test_missed_digest_beyond_grace_is_skipped_and_logged(
        store: Store, clock: FakeClock, schedules: list[Schedule], caplog: pytest.LogCaptureFixture) -> None:
    clock.current = _utc(2025, 3, 10, 10)
    sub = await subscribe(store, "C1", "08:00", NY, clock())
    clock.current = _utc(2025, 3, 10, 14, 30)  # 2.5 h after 08:00 EDT
    with caplog.at_level(logging.INFO, logger="bot.usecases.schedule"), time_machine.travel(clock(), tick=False):
        schedule = new_schedule(store, clock, schedules)
        await schedule.start()
        job = schedule.scheduler.get_job(f"digest:{sub.id}")
        assert job is not None and job.next_run_time.astimezone(UTC) == _utc(2025, 3, 11, 12)
        schedule.shutdown()
    assert await outbox_keys(store) == []
    assert "beyond the 2:00:00 grace period; skipped" in caplog.text


async def test_a_subscription_made_after_todays_digest_time_gets_no_catch_up(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    clock.current = _utc(2025, 6, 2, 8, 30)
    await subscribe(store, "C1", "08:00", "UTC", clock())
    clock.advance(minutes=5)
    await new_schedule(store, clock, schedules).start()
    assert await outbox_keys(store) == []


async def test_digest_job_sends_once_per_local_date_with_news_since_the_last_one(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    calls: list[dict[str, Any]] = []

    async def recording_compose(store: Store, **kwargs: Any) -> Message:
        calls.append(kwargs)
        return await compose_digest(store, **kwargs)

    clock.current = _utc(2025, 7, 10, 23, 0)  # 08:00 in Tokyo on 11 July
    sub = await subscribe(store, "C1", "08:00", "Asia/Tokyo", clock())
    schedule = new_schedule(store, clock, schedules, compose=recording_compose)
    assert await schedule.run_digest(sub.id)
    assert not await schedule.run_digest(sub.id)  # the same local date: same key
    clock.advance(days=1)
    assert await schedule.run_digest(sub.id)
    assert await outbox_keys(store) == [f"digest:{sub.id}:2025-07-11", f"digest:{sub.id}:2025-07-12"]
    assert [c["since"] for c in calls] == [_utc(2025, 7, 9, 23), _utc(2025, 7, 10, 23)]
    assert [c["today"] for c in calls] == [date(2025, 7, 11), date(2025, 7, 12)]
    row = await store.run(outbox_q.get_by_key, f"digest:{sub.id}:2025-07-12")
    assert row is not None and message_from_json(row.payload).kind == "digest"


async def test_subscription_changes_reach_the_jobs_without_a_restart(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    first = await subscribe(store, "C1", "08:00", "UTC", clock())
    second = await subscribe(store, "C2", "07:00", "Europe/Berlin", clock())
    schedule = new_schedule(store, clock, schedules)
    with time_machine.travel(clock(), tick=False):  # APScheduler computes next run times on the wall clock
        await schedule.start()
        assert schedule.digest_job_ids() == [f"digest:{first.id}", f"digest:{second.id}"]
        await store.run(sub_q.unsubscribe, platform="slack", workspace="T1", channel="C1")
        await subscribe(store, "C2", "06:30", "Europe/Berlin", clock())
        await schedule.reload_subscriptions()
        assert schedule.digest_job_ids() == [f"digest:{second.id}"]
        job = schedule.scheduler.get_job(f"digest:{second.id}")
        assert job is not None and job.next_run_time.astimezone(UTC) == _utc(2025, 7, 12, 4, 30)
        schedule.shutdown()


async def insert_deadline(store: Store, deadline_id: str, what: str, start: date) -> None:
    await store.run(lambda db: db.execute(
        "INSERT INTO deadlines (id, what, start, end, granularity, confidence, status, evidence, first_seen, "
        "updated_at) VALUES (?, ?, ?, ?, 'day', 0.9, 'upcoming', 'evidence', '2025-07-01', '2025-07-01')",
        [deadline_id, what, start.isoformat(), start.isoformat()]))


async def test_reminders_are_enqueued_once_per_subscription_and_lead(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    clock.current = _utc(2025, 7, 11, 8, 5)
    sub = await subscribe(store, "C1", "08:00", "UTC", clock())
    await insert_deadline(store, "d-truce", "Tariff truce expires", date(2025, 7, 18))
    schedule = new_schedule(store, clock, schedules)
    assert await schedule.check_reminders() == 1
    assert await schedule.check_reminders() == 0
    keys = await outbox_keys(store)
    assert keys == [f"reminder:{sub.id}:d-truce:2025-07-18:7"]
    row = await store.run(outbox_q.get_by_key, keys[0])
    assert row is not None and "in 7 days" in message_from_json(row.payload).text


async def test_alerts_go_to_every_active_subscription_once(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    subs = [await subscribe(store, channel, "08:00", "UTC", clock()) for channel in ("C1", "C2")]
    moved = DeadlineChange("d1", "changed", "Tariff truce expires", date(2025, 8, 12), None,
                           date(2025, 11, 10), None)
    schedule = new_schedule(store, clock, schedules)
    assert await schedule.enqueue_alerts([moved]) == 2
    assert await schedule.enqueue_alerts([moved]) == 0
    assert await outbox_keys(store) == [f"alert:{s.id}:d1:changed:2025-11-10" for s in subs]
    row = await store.run(outbox_q.get_by_key, f"alert:{subs[0].id}:d1:changed:2025-11-10")
    assert row is not None
    assert message_from_json(row.payload).text == "Tariff truce expires: now 2025-11-10 (was 2025-08-12)"


async def test_send_digests_now_delivers_through_the_outbox_with_the_given_adapters(tmp_path: Path) -> None:
    from bot.app.main import send_digests
    from bot.app.runtime import Runtime
    from bot.config import Settings
    from tests.fakes.fake_chat import FakeChat, FakeChatAdapter

    chat = await FakeChat().start()
    settings = Settings(db_path=tmp_path / "now.db", seeds_dir=tmp_path / "none")
    fixed = FakeClock(_utc(2025, 7, 11, 9))
    async with Runtime.open(settings, clock=fixed) as runtime:
        for channel in ("C1", "C2"):
            await runtime.store.run(sub_q.subscribe, platform="fakechat", workspace="", channel=channel,
                                    digest_time="08:00", timezone="Asia/Shanghai", now=runtime.clock())
        assert await send_digests(runtime, [FakeChatAdapter(chat.url)]) == 2
        assert await send_digests(runtime, [FakeChatAdapter(chat.url)]) == 0  # same second: same keys
        fixed.advance(minutes=1)
        assert await send_digests(runtime, [FakeChatAdapter(chat.url)]) == 2  # a later explicit send repeats
        assert await runtime.store.run(outbox_q.count_pending) == 0
    await chat.stop()
    assert [len(chat.in_channel(c)) for c in ("C1", "C2")] == [2, 2]
    assert chat.posted[0].title is not None and chat.posted[0].title.startswith("US–China morning digest")


async def test_many_changes_in_one_cycle_make_one_alert_per_channel(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    sub = await subscribe(store, "C1", "08:00", "UTC", clock())
    changes = [DeadlineChange(f"d{n}", "new", f"Event {n}", date(2025, 9, n + 1), None, None, None)
               for n in range(14)]
    changes.append(DeadlineChange("d-truce", "changed", "Tariff truce expires", date(2025, 8, 12), None,
                                  date(2025, 11, 10), None))
    schedule = new_schedule(store, clock, schedules)
    assert await schedule.enqueue_alerts(changes) == 1
    assert await schedule.enqueue_alerts(changes) == 0  # the same batch again is the same message
    (key,) = await outbox_keys(store)
    assert key.startswith(f"alert:{sub.id}:batch:")
    row = await store.run(outbox_q.get_by_key, key)
    assert row is not None
    message = message_from_json(row.payload)
    assert message.title == "Deadlines: 1 moved, 14 new"
    assert len(message.lines) == 11 and message.lines[-1].startswith("… and 5 more")


async def test_logged_changes_are_alerted_once_even_after_a_crash(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    from bot.domain.models import Analysis, DeadlineMention, Relevance
    from storage.queries import deadlines as deadline_q
    from storage.queries import items as item_q
    from tests.test_items_queries import make_item

    sub = await subscribe(store, "C1", "08:00", "UTC", clock())
    await store.run(item_q.save_item, make_item(), Analysis(Relevance(True, 0.9)), story_id=None)
    talks = DeadlineMention("trade talks begin", date(2025, 8, 1), date(2025, 8, 10), "range", 0.8, "Talks ...")
    # The ingest committed its change, then the process died before alerting: the log still has it.
    await store.run(deadline_q.record_mentions, "i1", date(2025, 7, 11), [talks], clock(), policy=MERGE_POLICY)
    restarted = new_schedule(store, clock, schedules)
    assert await restarted.alert_logged_changes() == 1
    assert await restarted.alert_logged_changes() == 0
    (key,) = await outbox_keys(store)
    assert key.startswith(f"alert:{sub.id}:dl-") and key.endswith(":new:2025-08-01")


async def test_only_surely_found_deadlines_are_alerted_while_all_are_listed(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    from bot.domain.models import Analysis, DeadlineMention, Relevance
    from storage.queries import deadlines as deadline_q
    from storage.queries import items as item_q
    from tests.test_items_queries import make_item

    sub = await subscribe(store, "C1", "08:00", "UTC", clock())
    await store.run(item_q.save_item, make_item(), Analysis(Relevance(True, 0.9)), story_id=None)
    sure = DeadlineMention("tariff truce expires", date(2025, 8, 12), date(2025, 8, 12), "day", 0.9, "Truce ...")
    unsure = DeadlineMention("US–China talks", date(2025, 9, 1), date(2025, 9, 30), "month", 0.45, "Talks ...")
    await store.run(deadline_q.record_mentions, "i1", date(2025, 7, 11), [sure, unsure], clock(),
                    policy=MERGE_POLICY)
    schedule = new_schedule(store, clock, schedules)
    assert schedule.options.alert_min_confidence == 0.75
    assert await schedule.alert_logged_changes() == 1
    (key,) = await outbox_keys(store)
    assert key.startswith(f"alert:{sub.id}:dl-") and key.endswith(":new:2025-08-12")
    listed = await store.run(deadline_q.list_deadlines, date(2025, 7, 11))
    assert {d.what for d in listed} == {"tariff truce expires", "US–China talks"}


async def test_a_length_counted_from_a_report_alerts_only_once_a_report_states_its_date(
        store: Store, clock: FakeClock, schedules: list[Schedule]) -> None:
    from bot.domain.models import Analysis, DeadlineMention, Relevance
    from storage.queries import deadlines as deadline_q
    from storage.queries import items as item_q
    from tests.test_items_queries import make_item

    sub = await subscribe(store, "C1", "08:00", "UTC", clock())
    await store.run(item_q.save_item, make_item(), Analysis(Relevance(True, 0.9)), story_id=None)
    # "agreed on Monday to a 90-day truce": sure it is a deadline, but its start is the day of the report
    counted = DeadlineMention("tariff truce expires", date(2025, 8, 9), date(2025, 8, 12), "range", 0.8,
                              "a 90-day truce", counted=True)
    await store.run(deadline_q.record_mentions, "i1", date(2025, 5, 12), [counted], clock(), policy=MERGE_POLICY)
    schedule = new_schedule(store, clock, schedules)
    assert await schedule.alert_logged_changes() == 0
    listed = await store.run(deadline_q.list_deadlines, date(2025, 5, 12))
    assert [(d.what, d.counted) for d in listed] == [("tariff truce expires", True)]
    stated = DeadlineMention("tariff truce expires", date(2025, 8, 12), date(2025, 8, 12), "day", 0.9,
                             "the truce expires on Aug. 12")
    second = make_item(id="i2", url="https://example.com/b", guid="g2", content_hash="h2")
    await store.run(item_q.save_item, second, Analysis(Relevance(True, 0.9)), story_id=None)
    await store.run(deadline_q.record_mentions, "i2", date(2025, 5, 14), [stated], clock(), policy=MERGE_POLICY)
    assert await schedule.alert_logged_changes() == 1
    (key,) = await outbox_keys(store)
    assert key.startswith(f"alert:{sub.id}:dl-") and key.endswith(":changed:2025-08-12")
