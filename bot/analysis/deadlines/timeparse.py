"""Time expressions in a sentence, resolved against a reference date by Duckling or, where Duckling does not
install, by the pure-Python fallback (timeparse_fallback).

Duckling's native wheel exists for x86-64 Linux only. `USCHINA_TIME_PARSER` chooses the engine:
`duckling`, `fallback`, or unset for Duckling when it imports and the fallback otherwise. Both engines return
Duckling's result shape, so the rules below apply to either.

Duckling's tz database is loaded once, lazily: from the `tzdata` package when installed (slim images),
else from /usr/share/zoneinfo.
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Literal

from bot.analysis.cues import WEEKDAY_NAME, case_blind, contains_any
from bot.domain.models import Granularity

Engine = Literal["duckling", "fallback"]
ENGINE_VARIABLE = "USCHINA_TIME_PARSER"


@dataclass(frozen=True)
class TimeSpan:
    """A resolved time expression: where it is in the text and the days it covers (end inclusive)."""

    body: str
    pos: int
    end_pos: int
    start: date
    end: date
    granularity: Granularity


# "by/until/through Aug. 30" names the day something ends, not a window from today.
_BY_DAY = re.compile(r"^(?:by|until|till|through) (?!the end|end|year)", re.I)
_BEFORE_DAY = re.compile(r"^before (?!the end|end|year)", re.I)


@dataclass(frozen=True)
class _Duckling:
    time_zones: Any
    locale: Any
    dims: Any


def _zoneinfo_dir() -> str:
    try:
        folder = importlib.resources.files("tzdata") / "zoneinfo"
        if folder.is_dir():
            return str(folder)
    except ModuleNotFoundError:
        pass
    return "/usr/share/zoneinfo"


@cache
def engine() -> Engine:
    """The engine this process uses: `USCHINA_TIME_PARSER` if set, else Duckling when it is installed."""
    chosen = os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if chosen in ("duckling", "fallback"):
        return chosen  # type: ignore[return-value]
    if chosen:
        raise ValueError(f"{ENGINE_VARIABLE} must be duckling or fallback, not {chosen!r}")
    return "duckling" if importlib.util.find_spec("duckling") is not None else "fallback"


@cache
def _duckling() -> _Duckling:
    import duckling

    lang = duckling.parse_lang("EN")
    return _Duckling(
        time_zones=duckling.load_time_zones(_zoneinfo_dir()),
        locale=duckling.default_locale_lang(lang),
        dims=duckling.parse_dimensions(["time"]),
    )


# Words without which Duckling finds no time expression; checking for them first skips most sentences,
# and Duckling is the costliest step of the analysis. Months are the forms Duckling reads ("Sept.", "Aug"),
# not any word that starts like one ("Marco", "Mayor", "Decision"), which only widened its windows.
_MAYBE_TIME = re.compile(
    r"\d|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?!\w)"
    rf"|\b{WEEKDAY_NAME}|\b(?:today|tomorrow|tonight|yesterday|weeks?|weekends?|"
    r"months?|years?|quarters?|days?|noon|midnight|morning|afternoon|evening|night|spring|summer|autumn|"
    r"fall|winter|christmas|easter|thanksgiving|hours?|decades?)\b",
    re.IGNORECASE,
)


# Words a time expression or a length needs one of beyond `_MAYBE_TIME`'s: "in the second half", "the same date".
_ALSO_TIME = re.compile(r"\b(?:half|date)\b", re.IGNORECASE)


# Besides a digit, the two regexes above need one of these words (in `case_blind`'s lower case): a sentence
# without a digit and without them is told apart by substring tests, far cheaper than the regexes.
_TIME_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "day", "tomorrow",
               "week", "month", "year", "quarter", "noon", "night", "morning", "evening", "spring", "summer", "autumn",
               "fall", "winter", "christmas", "easter", "thanksgiving", "hour", "half", "date")
_DIGIT = re.compile(r"\d")


def may_hold_a_time(text: str) -> bool:
    """Whether `text` has a word any time expression or stated length needs (a digit, a month, a weekday, a
    unit of time...); about half a news item's sentences have none and need no closer look."""
    if _DIGIT.search(text) is not None:
        return True  # as `_MAYBE_TIME` finds
    if not contains_any(case_blind(text), _TIME_WORDS):
        return False
    return _MAYBE_TIME.search(text) is not None or _ALSO_TIME.search(text) is not None


# Duckling's cost grows faster than the text, and a time expression is short: it reads only the stretch
# of words around each time word (merged where they touch), a few times cheaper than the whole sentence.
_CONTEXT_CHARS = 48


def parse_times(text: str, reference: date) -> list[TimeSpan]:
    """All non-latent time expressions in `text`, as Duckling resolves them from `reference`."""
    found: list[TimeSpan] = []
    # Words that are no part of a date, blanked so positions in `text` hold: an ordinal before a date counts
    # rounds ("the second Dec. 15", which Duckling reads as Dec. 2), as does one before a noun ("next week
    # for the first high-level talks", read as the 1st); a number before a hyphened noun counts things ("the
    # 21-member group", read as the 21st); "the day of the hearing" is that day, not today; the digits
    # of a web address are no year ("federalregister.gov/2022-02536.pdf"); and an amount of money is no day
    # ("$200 next month", which Duckling reads as June 1).
    text = _blank_time_zones(_blank_what_is_no_date(text))
    for start, end in _time_windows(text):
        found += [replace(span, pos=span.pos + start, end_pos=span.end_pos + start)
                  for span in _parse_times(text[start:end], reference)]
    return found


_NOT_A_DATE = re.compile("|".join((
    # an ordinal before a date: "the second Dec. 15"
    r"\b(?:the )?(?:first|second|third|fourth|fifth|final|last)(?= (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
    r"Nov|Dec)[a-z]*\.? \d)",
    # a web address
    r"\b(?:https?://|www\.)\S+|\S+\.(?:pdf|html?|aspx?|php)\b",
    # an ordinal before a lower-case word that is no part of a date: "for the first high-level talks"
    r"\b(?:the )?(?:first|second|third|fourth|fifth)(?= (?-i:[a-z]))(?! (?:week|weekend|half|quarter|day|month|"
    r"year|of|and|or|to|in|on|at|by|for|from|since|this|that|next|last|one|two|three|four|five|six|\d+)\b)",
    # a number before a hyphened noun: "the 21-member group"
    r"\b\d{1,3}(?=-(?-i:[a-z]{3,}))(?!-(?:day|week|month|year|hour|minute)s?\b)",
    # "the day of the hearing", "the day when", "the day before Trump takes office": that day, not today or
    # yesterday
    r"\bthe day(?= (?:of|when|before|after)\b)",
    # an amount of money: "$200 next month", and "up to" before one ("will go up to $50 after June 1")
    r"\bup to(?= [$€£¥]\s?\d)|"
    r"[$€£¥]\s?\d[\d,.]*\d|[$€£¥]\s?\d",
    # a count of people, sides or days: "a month after the two men met", "from the two-day talks" is no 2nd
    # of the month
    r"\bthe (?:two|three|four|five|six)(?=[ -](?-i:[a-z]))",
)), re.I)


# A word each kind of `_NOT_A_DATE` needs one of, in `case_blind`'s lower case: most sentences have none, and the
# substitution tries every kind at every character.
_NOT_A_DATE_WORDS = ("first", "second", "third", "fourth", "fifth", "final", "last", "http", "www.", ".pdf", ".htm",
                     ".asp", ".php", "-", "the day", "$", "€", "£", "¥", "the two", "the three", "the four",
                     "the five", "the six")


def _blank_what_is_no_date(text: str) -> str:
    lowered = case_blind(text)
    if not contains_any(lowered, _NOT_A_DATE_WORDS):
        return text
    return _NOT_A_DATE.sub(lambda m: " " * len(m.group()), text)


# A clock time's zone: Duckling reads "by March 30, 2022, 11:59 p.m. EDT" as 11:59 p.m. on the day of the report
# and drops the date. The day is the same in any zone a US or Chinese notice gives, so the zone is blanked.
_TIME_ZONE = re.compile(r"\d\s?[aApP]\.?[mM]\.?(\s+\(?(?:[ECMP][DS]?T|GMT|UTC|HKT)\b\)?)")


def _blank_time_zones(text: str) -> str:
    return _TIME_ZONE.sub(lambda m: m.group()[: m.start(1) - m.start()] + " " * len(m.group(1)), text)


def _time_windows(text: str) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for match in _MAYBE_TIME.finditer(text):
        start = text.rfind(" ", 0, max(0, match.start() - _CONTEXT_CHARS)) + 1
        end = text.find(" ", min(len(text), match.end() + _CONTEXT_CHARS))
        end = len(text) if end == -1 else end
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


@functools.lru_cache(maxsize=2048)  # the extractor asks about one sentence more than once
def _parse_times(text: str, reference: date) -> tuple[TimeSpan, ...]:
    results = _duckling_results(text, reference) if engine() == "duckling" else _fallback_results(text, reference)
    spans = (_to_span(result, reference) for result in results)
    return tuple(span for span in spans if span is not None)


def _duckling_results(text: str, reference: date) -> list[dict[str, Any]]:
    import duckling

    results: list[dict[str, Any]] = duckling.parse(text, _duckling_context(reference), _duckling().dims, False)
    return results


@functools.lru_cache(maxsize=64)  # a cycle's items were published on a few days
def _duckling_context(reference: date) -> Any:
    """Duckling's context for noon UTC on `reference`: built once per day, not once per call."""
    import duckling

    loaded = _duckling()
    epoch = int(datetime(reference.year, reference.month, reference.day, 12, tzinfo=UTC).timestamp())
    return duckling.Context(duckling.parse_ref_time(loaded.time_zones, "UTC", epoch), loaded.locale)


def _fallback_results(text: str, reference: date) -> list[dict[str, Any]]:
    from bot.analysis.deadlines import timeparse_fallback

    return timeparse_fallback.parse(text, reference)


def _day(value: dict[str, Any]) -> date:
    return date.fromisoformat(value["value"][:10])


def _to_span(result: dict[str, Any], reference: date) -> TimeSpan | None:
    try:
        return _read_span(result, reference)
    except ValueError:  # a year Python's dates cannot hold ("through 9999" read as up to year 10000)
        return None


def _read_span(result: dict[str, Any], reference: date) -> TimeSpan | None:
    value = result["value"]
    if value.get("type") == "interval":
        bounds = _interval(value, reference)
    elif "value" in value:
        bounds = _grain_bounds(_day(value), value.get("grain", "day"))
    else:
        bounds = None
    if bounds is None:
        return None
    start, end, granularity = bounds
    body = result["body"].rstrip(" ,;:.")
    last_year = _TO_A_YEAR.search(body)
    if value.get("type") == "interval" and "to" not in value and last_year and int(last_year.group(1)) > start.year:
        # "from 2026 to 2030": Duckling keeps only the start
        end, granularity = date(int(last_year.group(1)), 12, 31), "range"
    by_day = _BY_DAY.match(body)
    if by_day and "to" in value:
        # "by Aug. 30" is a deadline on that day, not a window from today (Duckling's exclusive end);
        # "until June 2027" / "through 2028" end in that month or year; "until mid-December" in its middle
        # third, which only a reading of the words after "until" gives.
        start, end, granularity = _grain_bounds(_day(value["to"]), value["to"].get("grain", "day"))
        rest = body[by_day.end() :]
        whole = [span for span in _parse_times(rest, reference) if span.pos == 0 and span.body == rest]
        if whole and whole[0].start <= start <= whole[0].end:
            start, end, granularity = whole[0].start, whole[0].end, whole[0].granularity
    elif _BEFORE_DAY.match(body) and "to" in value and value["to"].get("grain", "day") == "day":
        # "arrive before June 1": the cutoff is June 1 (or the day before, by the letter), not a window
        # from today
        end = _day(value["to"])
        start, granularity = end - timedelta(days=1), "range"
    elif _RUNS_UNTIL.search(body) and (end - start).days > _LONGEST_EVENT_DAYS:
        # "from Sunday until Nov. 27, 2026": a measure in force until a day; that day is what ends.
        start, granularity = end, "day"
    if _BARE_WEEKDAY.fullmatch(body) and start == end == reference + timedelta(days=7):
        # News names the day of the week for the next seven days, the publication day included: "will hear
        # arguments on Friday" in a Friday story is that Friday, where Duckling reads the next one.
        start = end = reference
    elif _NEXT_WEEKDAY.fullmatch(body) and start == end and (start - reference).days > 7:
        # "will meet next Thursday" said on a Monday: the coming Thursday, as the pure-Python parser reads it
        # (Duckling takes the Thursday of next week)
        start = end = start - timedelta(days=7)
    return TimeSpan(body, result["start"], result["start"] + len(body), start, end, granularity)


_TO_A_YEAR = re.compile(r"\b(?:to|until|till|through|-|–)\s*((?:19|20)\d\d)$", re.I)
_RUNS_UNTIL = re.compile(r"\b(?:until|till|through)\b", re.I)
_LONGEST_EVENT_DAYS = 31  # talks, visits and summits last days; a longer "from ... until" is a measure in force
_BARE_WEEKDAY = re.compile(rf"(?:on |from |starting |since |effective |beginning )?{WEEKDAY_NAME}", re.I)
_NEXT_WEEKDAY = re.compile(rf"(?:on )?next {WEEKDAY_NAME}", re.I)


def _interval(value: dict[str, Any], reference: date) -> tuple[date, date, Granularity] | None:
    start = _day(value["from"]) if "from" in value else reference
    if "to" not in value:
        return start, start, "day"
    # Duckling's interval end is exclusive.
    end = _day(value["to"]) - timedelta(days=1)
    if end <= start:
        return start, start, "day"
    return start, end, "range"


def _grain_bounds(day: date, grain: str) -> tuple[date, date, Granularity]:
    if grain == "week":
        return day, day + timedelta(days=6), "range"
    if grain == "month":
        return day, month_end(day), "month"
    if grain == "quarter":
        return day, month_end(add_months(day, 2)), "quarter"
    if grain == "year":
        return day, date(day.year, 12, 31), "range"
    return day, day, "day"


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return add_months(day, 1) - timedelta(days=1)
