"""The time parser's engines: the pure-Python fallback reads news dates the way Duckling does, and
USCHINA_TIME_PARSER chooses between them (CI runs the whole suite on each)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.analysis.deadlines import timeparse, timeparse_fallback

FRIDAY = date(2025, 7, 11)


def spans(text: str) -> list[tuple[str, date, date, str]]:
    results = timeparse_fallback.parse(text, FRIDAY)
    found = [timeparse._to_span(result, FRIDAY) for result in results]
    return [(s.body, s.start, s.end, s.granularity) for s in found if s is not None]


@pytest.mark.parametrize("text, expected", [
    ("The truce ends on Aug. 12.", [("on Aug. 12", date(2025, 8, 12), date(2025, 8, 12), "day")]),
    ("Talks are expected in early August.", [("in early August", date(2025, 8, 1), date(2025, 8, 10), "range")]),
    ("Tariffs rise by Aug. 30, 2025.", [("by Aug. 30, 2025", date(2025, 8, 30), date(2025, 8, 30), "day")]),
    ("The summit is next week.", [("next week", date(2025, 7, 14), date(2025, 7, 20), "range")]),
    ("They will hear arguments on Friday.", [("on Friday", FRIDAY, FRIDAY, "day")]),
    ("The waiver runs until June 2027.", [("until June 2027", date(2027, 6, 1), date(2027, 6, 30), "month")]),
    ("Shipments resume in the third quarter.",
     [("in the third quarter", date(2025, 7, 1), date(2025, 9, 30), "quarter")]),
    ("The suspension runs from Sunday until Nov. 27, 2026.",
     [("from Sunday until Nov. 27, 2026", date(2026, 11, 27), date(2026, 11, 27), "day")]),
    ("Trump may visit; troops march.", []),
    # ranges of days, as Duckling joins them
    ("He asked to delay his March 31-April 2 trip.",
     [("March 31-April 2", date(2026, 3, 31), date(2026, 4, 2), "range")]),
    ("Talks on Jan. 7-8, 2026 in Beijing.", [("on Jan. 7-8, 2026", date(2026, 1, 7), date(2026, 1, 8), "range")]),
    ("Hearings run Dec. 30-Jan. 2.", [("Dec. 30-Jan. 2", date(2025, 12, 30), date(2026, 1, 2), "range")]),
    ("Trading is halted between Aug. 7 and Aug. 11.",
     [("between Aug. 7 and Aug. 11", date(2025, 8, 7), date(2025, 8, 11), "range")]),
    ("The visit runs 31 March to 2 April 2026.",
     [("31 March to 2 April 2026", date(2026, 3, 31), date(2026, 4, 2), "range")]),
    ("Talks go on from Friday to Sunday.", [("from Friday to Sunday", FRIDAY, date(2025, 7, 13), "range")]),
    # "before" a day is a cutoff on it; before a month, the time up to it
    ("Trump will decide before Aug. 12.", [("before Aug. 12", date(2025, 8, 11), date(2025, 8, 12), "range")]),
    ("A deal is due before October.", [("before October", FRIDAY, date(2025, 9, 30), "range")]),
])
def test_the_fallback_reads_news_dates_like_duckling(text: str, expected: list[tuple[str, date, date, str]]) -> None:
    assert spans(text) == expected


def test_the_variable_chooses_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        for value in ("fallback", "duckling"):
            monkeypatch.setenv(timeparse.ENGINE_VARIABLE, value)
            timeparse.engine.cache_clear()
            assert timeparse.engine() == value
        monkeypatch.setenv(timeparse.ENGINE_VARIABLE, "regex")
        timeparse.engine.cache_clear()
        with pytest.raises(ValueError, match="must be duckling or fallback"):
            timeparse.engine()
    finally:
        monkeypatch.undo()
        timeparse.engine.cache_clear()


@pytest.mark.parametrize("text, day", [
    ("Members must register by Wednesday, March 30, 2022, 11:59 p.m. EDT; instructions follow.", date(2022, 3, 30)),
    ("The duties apply from 12:01 a.m. (EST) on March 4, 2022.", date(2022, 3, 4)),
    ("Comments are due by 5 pm ET on April 8, 2022.", date(2022, 4, 8)),
])
def test_a_clock_time_s_zone_does_not_hide_its_date(text: str, day: date) -> None:
    # Duckling reads "March 30, 2022, 11:59 p.m. EDT" as 11:59 p.m. on the day of the report
    found = timeparse.parse_times(text, date(2022, 3, 18))
    assert [span.start for span in found if span.start != date(2022, 3, 18)] == [day]
