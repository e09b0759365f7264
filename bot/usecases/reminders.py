"""Which deadline reminders are due now, and the key each is sent under. Pure functions (the countdown
wording is `bot.domain.when`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from bot.domain.models import DeadlineView

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
