"""How a deadline's date reads in chat: one wording for the console, Slack, Discord and reminders."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import DeadlineView


def countdown(deadline: DeadlineView, today: date) -> str:
    """ "in 12 days", "tomorrow", "today", "in 3–12 days", "under way, ends in 6 days", "3 days ago",
    "cancelled" or "TBD"."""
    if deadline.status == "cancelled":
        return "cancelled"
    if deadline.start is None or deadline.granularity == "unknown":
        return "TBD"
    end = deadline.end or deadline.start
    first, last = (deadline.start - today).days, (end - today).days
    if end == deadline.start or first > 0 and deadline.granularity == "day":
        return _days(first)
    if last < 0:
        return _days(last)
    if first <= 0:
        return f"under way, ends {_days(last)}"
    return f"in {first}–{last} days"


def date_label(deadline: DeadlineView) -> str:
    """The date at the precision known: "Tue 12 Aug 2025", "early Aug 2025", "Aug 2025", "Q3 2025",
    "3–17 Aug 2025" or "date TBD"; "about 29 Oct – 1 Nov 2026" when it was counted from a report's day (a
    length whose start no report gave)."""
    start, end = deadline.start, deadline.end or deadline.start
    if start is None or end is None or deadline.granularity == "unknown":
        return "date TBD"
    return f"about {_label(deadline, start, end)}" if deadline.counted else _label(deadline, start, end)


def _label(deadline: DeadlineView, start: date, end: date) -> str:
    if deadline.granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if deadline.granularity == "month":
        return f"{start:%b %Y}"
    if end == start:
        return f"{start:%a} {start.day} {start:%b %Y}"
    return _window(start, end)


def _window(start: date, end: date) -> str:
    if start.month == end.month and start.year == end.year:
        if (start.day, end.day) in ((1, 10), (11, 20)):
            return f"{'early' if start.day == 1 else 'mid'} {start:%b %Y}"
        if start.day == 21 and (end + timedelta(days=1)).day == 1:
            return f"late {start:%b %Y}"
        return f"{start.day}–{end.day} {start:%b %Y}"
    if start.year != end.year:  # "1 Jan 2026 – 31 Dec 2028", not a window read as within 2028
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"


def _days(days: int) -> str:
    if days in (-1, 0, 1):
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[days]
    return f"in {days} days" if days > 0 else f"{-days} days ago"
