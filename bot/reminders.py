"""Which deadline reminders are due now, and how far away a deadline is, in words. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.models import DeadlineView

_REMINDABLE = ("upcoming", "due")


def reminders_due(
    deadlines: Sequence[DeadlineView],
    *,
    now_local: datetime,
    lead_days: Sequence[int] = (7, 1, 0),
    send_hour: int = 8,
) -> list[tuple[DeadlineView, int]]:
    """(deadline, lead) pairs whose reminder moment, start - lead at `send_hour` local, is today and passed.

    Only today's moments count, so a caller running hourly (or restarted later the same day) gets each
    reminder; the outbox key from `reminder_key` keeps it to one send.
    """
    if now_local.tzinfo is None:
        raise ValueError("now_local must be an aware datetime in the channel's time zone")
    today = now_local.date()
    due = []
    for deadline in deadlines:
        if deadline.start is None or deadline.status not in _REMINDABLE or deadline.start < today:
            continue
        for lead in sorted(set(lead_days), reverse=True):
            moment = datetime.combine(
                deadline.start - timedelta(days=lead), time(send_hour), now_local.tzinfo
            )
            if moment.date() == today and moment <= now_local:
                due.append((deadline, lead))
    return due


def reminder_key(deadline: DeadlineView, lead: int) -> str:
    """The outbox idempotency key of one reminder; a moved deadline gets fresh keys."""
    start = deadline.start.isoformat() if deadline.start else "tbd"
    return f"reminder:{deadline.id}:{start}:{lead}"


def format_countdown(deadline: DeadlineView, today: date) -> str:
    """ "in 12 days", "tomorrow", "today", "in 3–17 days (early Aug)", "date TBD" or "3 days ago"."""
    if deadline.start is None:
        return "date TBD"
    end = deadline.end or deadline.start
    if deadline.granularity == "day" or end == deadline.start:
        return _days_phrase((deadline.start - today).days)
    first, last = (deadline.start - today).days, (end - today).days
    label = window_label(deadline.start, end, deadline.granularity)
    if last < 0:
        return f"{_days_phrase(last)} ({label})"
    if first <= 0:
        return f"under way, ends {_days_phrase(last)} ({label})"
    return f"in {first}–{last} days ({label})"


def _days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def window_label(start: date, end: date, granularity: str) -> str:
    """A short name for a date window: "early Aug", "Aug 2025", "Q3 2025", or "Aug 3–17"."""
    month = f"{start:%b}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if granularity == "month":
        return f"{month} {start.year}"
    if start.month == end.month and (start.day, end.day) in ((1, 10), (11, 20)):
        return f"{'early' if start.day == 1 else 'mid'} {month}"
    if start.month == end.month and start.day == 21 and (end + timedelta(days=1)).day == 1:
        return f"late {month}"
    if start.month == end.month:
        return f"{month} {start.day}–{end.day}"
    return f"{month} {start.day}–{end:%b} {end.day}"
