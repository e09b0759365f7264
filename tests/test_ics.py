"""iCalendar rendering: structure, all-day spans, escaping and folding."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.models import DeadlineView
from bot.usecases.ics import render_ics

NOW = datetime(2025, 7, 11, 6, 30, tzinfo=UTC)


def view(deadline_id: str, what: str, start: date | None, end: date | None, **extra: object) -> DeadlineView:
    fields: dict = {
        "granularity": "day",
        "status": "upcoming",
        "confidence": 0.8,
        "evidence": "e",
        "sources": (),
    }
    fields.update(extra)
    return DeadlineView(deadline_id, what, start, end, **fields)


def unfold(ics: str) -> list[str]:
    assert ics.endswith("\r\n")
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def events(lines: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def test_dated_deadlines_become_all_day_events() -> None:
    ics = render_ics(
        [
            view("dl-1", "tariff truce expires", date(2025, 8, 12), date(2025, 8, 12)),
            view("dl-2", "trade talks", date(2025, 8, 1), date(2025, 8, 10), granularity="range"),
            view("dl-3", "Trump–Xi summit", None, None, granularity="unknown", status="tbd"),
        ],
        now=NOW,
    )
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    truce, talks = events(lines)
    assert truce["UID"] == "dl-1@uschina"
    assert truce["DTSTAMP"] == "20250711T063000Z"
    assert (truce["DTSTART;VALUE=DATE"], truce["DTEND;VALUE=DATE"]) == ("20250812", "20250813")
    assert (talks["DTSTART;VALUE=DATE"], talks["DTEND;VALUE=DATE"]) == ("20250801", "20250811")
    assert talks["SUMMARY"] == "trade talks"
    assert talks["STATUS"] == "TENTATIVE"


def test_uid_is_stable_across_renders() -> None:
    deadline = view("dl-7", "x", date(2025, 9, 1), date(2025, 9, 1))
    later = datetime(2025, 8, 1, tzinfo=UTC)
    first = events(unfold(render_ics([deadline], now=NOW)))[0]
    second = events(unfold(render_ics([deadline], now=later)))[0]
    assert first["UID"] == second["UID"]
    assert first["DTSTAMP"] != second["DTSTAMP"]


def test_text_is_escaped_and_long_lines_are_folded() -> None:
    evidence = "Tariffs; duties, and \\ other levies\nwill rise " + "é" * 60
    deadline = view(
        "dl-9",
        "US–China talks, round 2; Geneva",
        date(2025, 9, 1),
        date(2025, 9, 1),
        evidence=evidence,
        sources=("https://news.example.org/a", "A headline"),
    )
    ics = render_ics([deadline], now=NOW)
    for physical in ics.split("\r\n"):
        assert len(physical.encode("utf-8")) <= 75
    assert "\n" not in ics.replace("\r\n", "")
    (event,) = events(unfold(ics))
    assert event["SUMMARY"] == "US–China talks\\, round 2\\; Geneva"
    description = event["DESCRIPTION"]
    assert description.startswith("Tariffs\\; duties\\, and \\\\ other levies\\nwill rise é")
    assert description.endswith("Sources:\\nhttps://news.example.org/a\\nA headline")
    assert "é" * 60 in description


def test_a_date_counted_from_a_report_says_so_in_its_event() -> None:
    counted = view("dl-4", "suspension ends", date(2026, 10, 29), date(2026, 11, 1), granularity="range",
                   counted=True)
    (event,) = events(unfold(render_ics([counted], now=NOW)))
    assert event["DESCRIPTION"].startswith("About: counted from the day of a report")
    assert event["STATUS"] == "TENTATIVE"
    (stated,) = events(unfold(render_ics([view("dl-5", "x", date(2026, 11, 10), date(2026, 11, 10))], now=NOW)))
    assert stated["DESCRIPTION"].startswith("e")
