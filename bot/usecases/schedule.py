"""When things are sent: a morning digest per subscription in its own time zone, deadline reminders and
alerts. Everything goes through the outbox under an idempotency key, so a job that runs twice (a restart,
a catch-up, a command) still sends once.

APScheduler 3.x `AsyncIOScheduler` keeps the jobs in memory; they are rebuilt from the database at start
and whenever a command changes a subscription (`reload_subscriptions`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import parse_hhmm
from bot.domain.clock import Clock
from bot.domain.models import DeadlineView, Message, Target
from bot.domain.when import countdown, date_label
from bot.usecases.deliver import Outbox
from bot.usecases.digest import compose_digest
from bot.usecases.reminders import reminder_key, reminders_due
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import kv as kv_q
from storage.queries import outbox as outbox_q
from storage.queries import subscriptions as sub_q
from storage.queries.deadlines import DeadlineChange
from storage.queries.subscriptions import Subscription

log = logging.getLogger(__name__)
DigestComposer = Callable[..., Awaitable[Message]]
DIGEST_JOB_PREFIX = "digest:"
REMINDER_CHECK = timedelta(minutes=15)


@dataclass(frozen=True)
class ScheduleOptions:
    """Settings the scheduler reads (a subset of bot.config.Settings)."""

    digest_grace_hours: float = 2.0
    reminder_lead_days: tuple[int, ...] = (7, 1, 0)
    # Alerts interrupt people: only deadlines found this surely (a calibrated confidence; on the corpus's
    # tuning part, cross-validated, about 91 in 100 of the stated dates at 0.75 or more are right, against 85 in
    # 100 of all deadlines). A length counted from the report's day is never alerted by itself, however sure
    # the model: its start is a guess (on events nobody tuned on such lengths were right about half the time),
    # and it alerts once a report states its date. Digests and /uschina deadlines list every one.
    alert_min_confidence: float = 0.75


def target_of(sub: Subscription) -> Target:
    return Target(sub.platform, sub.channel, sub.workspace or None)


def digest_key(subscription_id: int, local_date: date) -> str:
    return f"digest:{subscription_id}:{local_date.isoformat()}"


def digest_trigger(sub: Subscription) -> CronTrigger:
    """Every day at the subscription's local HH:MM; the zone's DST rules move the UTC instant."""
    hour, minute = parse_hhmm(sub.digest_time)
    return CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(sub.timezone))


def last_digest_moment(sub: Subscription, now: datetime) -> datetime:
    """The most recent scheduled digest instant at or before `now` (today's, else yesterday's)."""
    zone = ZoneInfo(sub.timezone)
    hour, minute = parse_hhmm(sub.digest_time)
    today = now.astimezone(zone).date()
    moment = datetime.combine(today, time(hour, minute), zone)
    if moment > now:
        moment = datetime.combine(today - timedelta(days=1), time(hour, minute), zone)
    return moment


async def enqueue_digest(store: Store, outbox: Outbox, sub: Subscription, *, now: datetime,
                         local_date: date, key: str | None = None,
                         compose: DigestComposer = compose_digest) -> bool:
    """Compose the subscription's digest (news since its last one) and enqueue it under `key`
    (default `digest:<id>:<local date>`); False when that key was already recorded."""
    key = key or digest_key(sub.id, local_date)
    if await store.run(outbox_q.has_key, key):
        return False
    since = datetime.fromisoformat(sub.last_digest_at) if sub.last_digest_at else now - timedelta(hours=24)
    message = await compose(store, since=since, now=now, today=local_date,
                            watch_terms=sub.watch_terms, mute_terms=sub.mute_terms)
    added = await outbox.enqueue(key, target_of(sub), message, subscription_id=sub.id)
    if added:
        await store.run(sub_q.mark_digest_sent, sub.id, now)
    return added


async def send_digests_now(store: Store, outbox: Outbox, *, now: datetime, max_wait_s: float = 60) -> int:
    """Compose a digest for every active subscription and deliver it now through `outbox`; returns how many
    were delivered. The adapters behind `outbox` must already be able to send."""
    keys = []
    for sub in await store.run(sub_q.active_subscriptions):
        local_date = now.astimezone(ZoneInfo(sub.timezone)).date()
        # Its own key: an explicit "send now" goes out even if this morning's digest already did.
        key = f"digest:{sub.id}:{local_date}:now:{now.isoformat(timespec='seconds')}"
        if await enqueue_digest(store, outbox, sub, now=now, local_date=local_date, key=key):
            keys.append(key)
    final = await outbox.deliver_until_idle(keys, max_wait_s=max_wait_s)
    return sum(status == "sent" for status in final.values())


class Schedule:
    """Owns the APScheduler jobs: one digest per active subscription, plus the reminder check."""

    def __init__(self, store: Store, outbox: Outbox, *, clock: Clock, options: ScheduleOptions | None = None,
                 compose: DigestComposer = compose_digest) -> None:
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.options = options or ScheduleOptions()
        self.compose = compose
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._alert_lock = asyncio.Lock()

    async def start(self) -> None:
        """Catch up missed digests, build the jobs from the database, check reminders, start the clock."""
        await self.catch_up_missed()
        await self.reload_subscriptions()
        self.scheduler.add_job(self.check_reminders, IntervalTrigger(seconds=REMINDER_CHECK.total_seconds()),
                               id="reminders", replace_existing=True, coalesce=True, max_instances=1)
        await self.check_reminders()
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def reload_subscriptions(self) -> None:
        """Make the digest jobs match the active subscriptions (added, changed, removed)."""
        subs = await self.store.run(sub_q.active_subscriptions)
        wanted = {f"{DIGEST_JOB_PREFIX}{sub.id}": sub for sub in subs}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(DIGEST_JOB_PREFIX) and job.id not in wanted:
                job.remove()
        grace = int(self.options.digest_grace_hours * 3600)
        for job_id, sub in wanted.items():
            self.scheduler.add_job(self.run_digest, digest_trigger(sub), args=[sub.id], id=job_id,
                                   replace_existing=True, coalesce=True, max_instances=1,
                                   misfire_grace_time=max(grace, 1))
        log.info("scheduled %d digest(s)", len(wanted))

    def digest_job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs() if job.id.startswith(DIGEST_JOB_PREFIX))

    async def run_digest(self, subscription_id: int) -> bool:
        """The digest job: compose and enqueue today's digest for one subscription (once per local date)."""
        sub = await self.store.run(sub_q.subscription_by_id, subscription_id)
        if sub is None or not sub.active:
            return False
        now = self.clock()
        local_date = now.astimezone(ZoneInfo(sub.timezone)).date()
        return await enqueue_digest(self.store, self.outbox, sub, now=now, local_date=local_date,
                                    compose=self.compose)

    async def catch_up_missed(self) -> int:
        """Enqueue each digest whose time passed while the bot was down, if still within the grace period."""
        now = self.clock()
        grace = timedelta(hours=self.options.digest_grace_hours)
        caught = 0
        for sub in await self.store.run(sub_q.active_subscriptions):
            moment = last_digest_moment(sub, now)
            local_date = moment.astimezone(ZoneInfo(sub.timezone)).date()
            if await self._digest_done(sub, moment, local_date):
                continue
            if now - moment > grace:
                log.info("digest for subscription %d (%s/%s) on %s was missed by %s, beyond the %s grace "
                         "period; skipped", sub.id, sub.platform, sub.channel, local_date, now - moment,
                         grace)
                continue
            if await enqueue_digest(self.store, self.outbox, sub, now=now, local_date=local_date,
                                    compose=self.compose):
                log.info("sending the digest missed at %s for subscription %d", moment.isoformat(), sub.id)
                caught += 1
        return caught

    async def _digest_done(self, sub: Subscription, moment: datetime, local_date: date) -> bool:
        if await self.store.run(outbox_q.has_key, digest_key(sub.id, local_date)):
            return True
        created = await self.store.run(_created_at, sub.id)
        return created is not None and created > moment  # subscribed after that morning's digest time

    async def check_reminders(self) -> int:
        """Enqueue every deadline reminder due now, per active subscription (keys make it once each)."""
        now = self.clock()
        added = 0
        lists: dict[date, list[DeadlineView]] = {}
        for sub in await self.store.run(sub_q.active_subscriptions):
            now_local = now.astimezone(ZoneInfo(sub.timezone))
            if now_local.date() not in lists:
                lists[now_local.date()] = await self.store.run(
                    deadline_q.list_deadlines, now_local.date(),
                    until=now_local.date() + timedelta(days=max(self.options.reminder_lead_days, default=0)))
            hour, _minute = parse_hhmm(sub.digest_time)
            due = reminders_due(lists[now_local.date()], now_local=now_local,
                                lead_days=self.options.reminder_lead_days, send_hour=hour)
            for deadline, lead in due:
                key = f"reminder:{sub.id}:{reminder_key(deadline, lead).removeprefix('reminder:')}"
                message = reminder_message(deadline, now_local.date())
                added += await self.outbox.enqueue(key, target_of(sub), message, subscription_id=sub.id)
        return added

    async def alert_logged_changes(self) -> int:
        """Alert the deadline changes logged since the last call (kept in the store, so none is lost to a
        crash between an ingest and its alerts); returns how many messages were queued."""
        async with self._alert_lock:  # the feed and seed loops both call this; one batch at a time
            seen = int(await self.store.run(kv_q.get, ALERTS_SEEN_KEY) or 0)
            logged = await self.store.run(deadline_q.changes_after, seen)
            if not logged:
                return 0
            added = await self.enqueue_alerts(change for _id, change in logged)
            # Recorded after the enqueue: a crash in between re-reads the same changes, whose keys dedupe.
            await self.store.run(kv_q.put, ALERTS_SEEN_KEY, str(logged[-1][0]))
            return added

    async def enqueue_alerts(self, changes: Iterable[DeadlineChange]) -> int:
        """One alert per active subscription for the new, moved or cancelled deadlines of one cycle that
        were found at least `alert_min_confidence` surely, on a date a report states (not counted from its day).

        A cycle that finds many deadlines at once (a first ingest, a backlog) sends one message listing
        them, not a flood of one message each.
        """
        changes = [change for change in changes
                   if change.confidence >= self.options.alert_min_confidence and not change.counted]
        if not changes:
            return 0
        subs = await self.store.run(sub_q.active_subscriptions)
        message = alert_message(changes[0]) if len(changes) == 1 else alerts_message(changes)
        keys = sorted(_change_key(change) for change in changes)
        suffix = keys[0] if len(keys) == 1 else "batch:" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:16]
        added = 0
        for sub in subs:
            added += await self.outbox.enqueue(f"alert:{sub.id}:{suffix}", target_of(sub), message,
                                               subscription_id=sub.id)
        return added


def reminder_message(deadline: DeadlineView, today: date) -> Message:
    """A short reminder for one deadline, with its countdown."""
    left = countdown(deadline, today)
    return Message(kind="reminder", title=f"Reminder: {deadline.what} — {left}",
                   text=f"{deadline.what}: {left} ({date_label(deadline)})", deadlines=(deadline,), as_of=today)


def alert_message(change: DeadlineChange) -> Message:
    """What changed about one deadline, in one line."""
    new = _dates(change.new_start, change.new_end)
    if change.kind == "new":
        title, text = f"New deadline: {change.what}", f"{change.what}: {new}"
    elif change.kind == "cancelled":
        title = f"Cancelled: {change.what}"
        text = f"{change.what} (was {_dates(change.old_start, change.old_end)})"
    else:
        title = f"Deadline moved: {change.what}"
        text = f"{change.what}: now {new} (was {_dates(change.old_start, change.old_end)})"
    return Message(kind="alert", title=title, text=text)


def alerts_message(changes: list[DeadlineChange], *, shown: int = 10) -> Message:
    """Several deadline changes in one message: one line each, the rest counted."""
    lines = [alert_message(change).text for change in changes[:shown]]
    if len(changes) > shown:
        lines.append(f"… and {len(changes) - shown} more (see `/uschina deadlines`)")
    counts = Counter(change.kind for change in changes)
    title = "Deadlines: " + ", ".join(f"{n} {_KIND_WORDS[kind]}" for kind, n in sorted(counts.items()))
    return Message(kind="alert", title=title, text="\n".join(lines), lines=tuple(lines))


ALERTS_SEEN_KEY = "alerts:last-change-id"
_KIND_WORDS = {"new": "new", "changed": "moved", "cancelled": "cancelled"}


def _change_key(change: DeadlineChange) -> str:
    start = change.new_start.isoformat() if change.new_start else "tbd"
    return f"{change.deadline_id}:{change.kind}:{start}"


def _dates(start: date | None, end: date | None) -> str:
    if start is None:
        return "date TBD"
    return f"{start}–{end}" if end and end != start else str(start)


def _created_at(db: sqlite_utils.Database, subscription_id: int) -> datetime | None:
    row = db.execute("SELECT created_at FROM subscriptions WHERE id = ?", [subscription_id]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
