"""Reminder timing in the channel's time zone, and countdown wording."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import DeadlineView
from bot.usecases.reminders import reminder_key, reminders_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


def view(
    start: date | None,
    end: date | None = None,
    *,
    status: str = "upcoming",
    gran: str = "day",
    deadline_id: str = "dl-1",
) -> DeadlineView:
    return DeadlineView(deadline_id, "tariff truce expires", start, end or start, gran, status, 0.8, "e", ())  # type: ignore[arg-type]


def test_lead_day_reminder_is_due_after_send_hour_on_that_day() -> None:
    truce = view(date(2025, 8, 12))
    week_before = datetime(2025, 8, 5, 7, 59, tzinfo=SHANGHAI)
    assert reminders_due([truce], now_local=week_before) == []
    assert reminders_due([truce], now_local=week_before.replace(hour=8)) == [(truce, 7)]
    # A restart later the same day still gets it; the next day does not.
    assert reminders_due([truce], now_local=week_before.replace(hour=22)) == [(truce, 7)]
    assert reminders_due([truce], now_local=datetime(2025, 8, 6, 9, tzinfo=SHANGHAI)) == []
    assert reminders_due([truce], now_local=datetime(2025, 8, 11, 9, tzinfo=SHANGHAI)) == [(truce, 1)]
    assert reminders_due([truce], now_local=datetime(2025, 8, 12, 9, tzinfo=SHANGHAI)) == [(truce, 0)]


def test_ranges_remind_against_start_and_others_never() -> None:
    talks = view(date(2025, 8, 1), date(2025, 8, 10), gran="range", status="due")
    now = datetime(2025, 8, 1, 8, 30, tzinfo=SHANGHAI)
    assert reminders_due([talks], now_local=now) == [(talks, 0)]
    assert reminders_due([talks], now_local=datetime(2025, 8, 5, 9, tzinfo=SHANGHAI)) == []
    skipped = [
        view(None, status="tbd", deadline_id="a"),
        view(date(2025, 8, 1), status="cancelled", deadline_id="b"),
        view(date(2025, 7, 31), status="past", deadline_id="c"),
    ]
    assert reminders_due(skipped, now_local=now) == []


def test_custom_leads_hour_and_naive_time_rejected() -> None:
    truce = view(date(2025, 8, 12))
    now = datetime(2025, 8, 9, 17, tzinfo=SHANGHAI)
    assert reminders_due([truce], now_local=now, lead_days=(3,), send_hour=18) == []
    assert reminders_due([truce], now_local=now.replace(hour=18), lead_days=(3,), send_hour=18) == [
        (truce, 3)
    ]
    with pytest.raises(ValueError):
        reminders_due([truce], now_local=datetime(2025, 8, 9, 18))


def test_reminder_key_changes_when_the_deadline_moves() -> None:
    assert reminder_key(view(date(2025, 8, 12)), 7) == "reminder:dl-1:2025-08-12:7"
    assert reminder_key(view(date(2025, 11, 10)), 7) == "reminder:dl-1:2025-11-10:7"
