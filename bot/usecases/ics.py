"""Render tracked deadlines as an RFC 5545 iCalendar feed of all-day events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from bot.domain.models import DeadlineView

_PRODID = "-//uschina//deadlines//EN"


def render_ics(
    deadlines: Sequence[DeadlineView], *, now: datetime, calendar_name: str = "US–China deadlines"
) -> str:
    """A VCALENDAR with one all-day VEVENT per dated deadline; undated ones are left out."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
    ]
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for deadline in deadlines:
        if deadline.start is not None:
            lines += _event(deadline, deadline.start, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


def _event(deadline: DeadlineView, start: date, stamp: str) -> list[str]:
    last = deadline.end or start
    counted = ["About: counted from the day of a report; no report has stated the date yet.", ""] \
        if deadline.counted else []
    description = "\n".join([*counted, deadline.evidence, "", "Sources:", *deadline.sources])
    lines = [
        "BEGIN:VEVENT",
        f"UID:{deadline.id}@uschina",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        # DTEND is exclusive for all-day events.
        f"DTEND;VALUE=DATE:{last + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(deadline.what)}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    if deadline.status == "cancelled":
        lines.append("STATUS:CANCELLED")
    elif deadline.granularity != "day":
        lines.append("STATUS:TENTATIVE")
    return [*lines, "END:VEVENT"]


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold_line(line: str, limit: int = 75) -> str:
    """Fold a content line so no physical line exceeds `limit` octets, never splitting a UTF-8 character."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        budget = limit if not parts else limit - 1  # continuation lines start with one space
        if size + width > budget:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)
