"""One wording for deadline dates and countdowns across console, Slack, Discord and reminders."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.models import DeadlineView
from bot.domain.when import countdown, date_label

TODAY = date(2025, 7, 29)


def view(start: date | None, end: date | None = None, granularity: str = "day",
         status: str = "upcoming") -> DeadlineView:
    return DeadlineView(id="d", what="talks", start=start, end=end or start, granularity=granularity,  # type: ignore[arg-type]
                        status=status, confidence=0.8, evidence="", sources=())


@pytest.mark.parametrize(("deadline", "expected"), [
    (view(date(2025, 8, 10)), "in 12 days"),
    (view(date(2025, 7, 30)), "tomorrow"),
    (view(TODAY), "today"),
    (view(date(2025, 7, 28)), "yesterday"),
    (view(date(2025, 7, 26), status="past"), "3 days ago"),
    (view(None, granularity="unknown", status="tbd"), "TBD"),
    (view(date(2025, 8, 12), status="cancelled"), "cancelled"),
    (view(date(2025, 8, 1), date(2025, 8, 10), "range"), "in 3–12 days"),
    (view(date(2025, 7, 21), date(2025, 7, 31), "range"), "under way, ends in 2 days"),
    (view(date(2025, 7, 1), date(2025, 7, 10), "range"), "19 days ago"),
])
def test_countdown(deadline: DeadlineView, expected: str) -> None:
    assert countdown(deadline, TODAY) == expected


@pytest.mark.parametrize(("deadline", "expected"), [
    (view(date(2025, 8, 12)), "Tue 12 Aug 2025"),
    (view(date(2025, 8, 1), date(2025, 8, 10), "range"), "early Aug 2025"),
    (view(date(2025, 8, 11), date(2025, 8, 20), "range"), "mid Aug 2025"),
    (view(date(2025, 8, 21), date(2025, 8, 31), "range"), "late Aug 2025"),
    (view(date(2025, 8, 3), date(2025, 8, 17), "range"), "3–17 Aug 2025"),
    (view(date(2025, 7, 28), date(2025, 8, 3), "range"), "28 Jul – 3 Aug 2025"),
    # a window across a new year says both years ("purchases through 2028", counted from January 2026)
    (view(date(2026, 1, 1), date(2028, 12, 31), "range"), "1 Jan 2026 – 31 Dec 2028"),
    (view(date(2025, 12, 29), date(2026, 1, 4), "range"), "29 Dec 2025 – 4 Jan 2026"),
    (view(date(2026, 4, 1), date(2026, 4, 30), "month"), "Apr 2026"),
    (view(date(2025, 7, 1), date(2025, 9, 30), "quarter"), "Q3 2025"),
    (view(None, granularity="unknown", status="tbd"), "date TBD"),
    (replace(view(date(2026, 10, 29), date(2026, 11, 1), "range"), counted=True), "about 29 Oct – 1 Nov 2026"),
])
def test_date_label(deadline: DeadlineView, expected: str) -> None:
    assert date_label(deadline) == expected
