"""Time expressions without Duckling: for platforms where its native wheel does not install.

A regular expression finds the phrases a news sentence states dates in (a month with or without its day
and year, a weekday, "next week", a year, "early August", a quarter), and `dateparser` resolves each one
from the reference date. The results have the shape of Duckling's (`body`, `start`, `value` with `value`
and `grain`, or an interval's `from`/`to`), so timeparse applies the same rules to either engine's output.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser

from bot.analysis.cues import MONTH, WEEKDAY_NAME

_MONTH = rf"{MONTH}\.?"
_WEEKDAY = WEEKDAY_NAME
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_PREFIX = r"(?:(?:by|until|till|through|on|in|from|before|after|since|at) )?"

# One alternative per shape, longest first, so "Aug. 30, 2025" is read whole rather than as "Aug.".
_PHRASE = re.compile(
    r"(?<![\w.])" + _PREFIX + r"(?:"
    + rf"(?P<part>early|mid|late)[- ](?P<pmonth>{_MONTH})(?: (?P<pyear>{_YEAR}))?"
    + rf"|(?P<quarter>(?:the )?(?:first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?(?: {_YEAR})?|q[1-4]"
    + rf"(?: {_YEAR})?)"
    # "March 31-April 2", "Jan. 7-8, 2019": a range of days written as one phrase
    + rf"|(?P<first>{_MONTH} {_DAY})\s?[-–]\s?(?P<last>(?:{_MONTH} )?{_DAY})(?P<ryear>,? {_YEAR})?"
    + rf"|(?:{_WEEKDAY},? )?{_MONTH} {_DAY}(?:,? {_YEAR})?"
    + rf"|(?:{_WEEKDAY},? )?(?:the )?{_DAY}(?: of)? {_MONTH}(?:,? {_YEAR})?"
    + rf"|{_MONTH}(?:,? {_YEAR})?"
    + r"|\d{4}-\d\d-\d\d"
    + rf"|(?:(?:next|this|last) )?{_WEEKDAY}"
    + r"|(?:next|this|last|the coming) (?:week|month|year)"
    + r"|today|tomorrow|yesterday|tonight"
    + rf"|{_YEAR}"
    + r")(?![\w])",
    re.IGNORECASE,
)
_QUARTER_NUMBER = {"first": 1, "1st": 1, "q1": 1, "second": 2, "2nd": 2, "q2": 2,
                   "third": 3, "3rd": 3, "q3": 3, "fourth": 4, "4th": 4, "q4": 4}
_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
_PERIOD_GRAIN = {"day": "day", "time": "day", "week": "week", "month": "month", "year": "year"}


_BEFORE = re.compile(r"^before ", re.I)


def parse(text: str, reference: date) -> list[dict[str, Any]]:
    """The time expressions in `text`, resolved from `reference`, in Duckling's result shape."""
    found = []
    for match in _PHRASE.finditer(text):
        if _LOWERCASE_WORD.fullmatch(_core(match.group())):
            continue  # "may", "march": a verb; a month is written with a capital
        value = _resolve(match, reference)
        if value is not None and _BEFORE.match(match.group()) and value.get("type") == "value":
            # "before Aug. 12", "before July": Duckling's interval up to that day or month, left open
            value = {"type": "interval", "to": {"value": value["value"], "grain": value["grain"]}}
        if value is not None:
            found.append({"body": match.group(), "start": match.start(), "end": match.end(), "value": value})
    return _join_ranges(text, found)


# "from Sunday until Nov. 27, 2026", "from May 1 to May 3": one interval, as Duckling reads it.
_RANGE_GAP = re.compile(r"\s+(?:to\s+)?", re.I)
_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
_RANGE_END = re.compile(r"^(?:until|till|through|to)\b", re.I)


def _join_ranges(text: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    joined: list[dict[str, Any]] = []
    for result in found:
        last = joined[-1] if joined else None
        if last is not None and _is_range(text, last, result):
            joined[-1] = _range(text, last, result)
        else:
            joined.append(result)
    return joined


def _is_range(text: str, first: dict[str, Any], second: dict[str, Any]) -> bool:
    gap = text[first["end"] : second["start"]]
    if first["value"]["type"] != "value" or second["value"]["type"] != "value":
        return False
    if _BETWEEN.search(text[: first["start"]]) and gap.strip().lower() == "and":
        return True  # "between January 7 and January 11"
    two_days = first["value"]["grain"] == second["value"]["grain"] == "day"
    to_word = gap.strip().lower() == "to"
    return ((first["body"].lower().startswith("from ") or (two_days and to_word))
            and bool(_RANGE_GAP.fullmatch(gap)) and (to_word or bool(_RANGE_END.match(second["body"]))))


def _range(text: str, first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    last_day = _grain_last_day(date.fromisoformat(second["value"]["value"]), second["value"]["grain"])
    first_day = date.fromisoformat(first["value"]["value"])
    if first_day > last_day and re.search(_WEEKDAY, first["body"], re.I):
        first_day -= timedelta(days=7)  # "from Monday to Wednesday" said on a Monday: this week's
    value = {"type": "interval", "from": {"value": first_day.isoformat(), "grain": "day"},
             "to": {"value": (last_day + timedelta(days=1)).isoformat(), "grain": "day"}}  # exclusive end
    between = _BETWEEN.search(text[: first["start"]])
    start = between.start() if between else first["start"]
    return {"body": text[start : second["end"]], "start": start, "end": second["end"], "value": value}


def _grain_last_day(first: date, grain: str) -> date:
    if grain == "month":
        return first.replace(day=_month_length(first))
    if grain == "year":
        return date(first.year, 12, 31)
    if grain == "week":
        return first + timedelta(days=6)
    if grain == "quarter":
        return _grain_last_day(date(first.year + (first.month + 1) // 12, (first.month + 1) % 12 + 1, 1), "month")
    return first


_LOWERCASE_WORD = re.compile(r"[a-z]+\.?")
_LEADING_PREPOSITION = re.compile(r"^(?:by|until|till|through|on|in|from|before|after|since|at) ", re.I)


def _core(phrase: str) -> str:
    return _LEADING_PREPOSITION.sub("", phrase)


def _resolve(match: re.Match[str], reference: date) -> dict[str, Any] | None:
    if match.group("part"):
        return _month_part(match, reference)
    if match.group("quarter"):
        return _quarter(match.group("quarter"), reference)
    if match.group("first"):
        return _day_range(match, reference)
    return _dateparser_value(_core(match.group()), reference)


def _dateparser_value(phrase: str, reference: date) -> dict[str, Any] | None:
    data = _parser(reference).get_date_data(phrase.replace(".", ""))
    if data.date_obj is None:
        return None
    grain = _PERIOD_GRAIN.get(data.period or "day", "day")
    day = data.date_obj.date()
    if grain == "month":
        day = day.replace(day=1)
        if (day.year, day.month) == (reference.year + 1, reference.month) and not re.search(_YEAR, phrase):
            day = day.replace(year=reference.year)  # "March" said in March is this one, as Duckling reads it
    elif grain == "year":
        day = date(day.year, 1, 1)
    elif grain == "week":
        day -= timedelta(days=day.weekday())  # Duckling's week starts on Monday
    return {"type": "value", "value": day.isoformat(), "grain": grain}


def _day_range(match: re.Match[str], reference: date) -> dict[str, Any] | None:
    year = match.group("ryear") or ""
    first = _dateparser_value(match.group("first") + year, reference)
    last_words = match.group("last")
    if not re.match(_MONTH, last_words, re.I):
        last_words = f"{match.group('first').rsplit(' ', 1)[0]} {last_words}"  # "Jan. 7-8": the month of the first
    last = _dateparser_value(last_words + year, reference)
    if first is None or last is None:
        return None
    start, end = date.fromisoformat(first["value"]), date.fromisoformat(last["value"])
    if end < start and not year:
        end = end.replace(year=start.year + (end.month < start.month))  # "Dec. 30-Jan. 2": over the new year
    if end < start:
        return None
    return {"type": "interval", "from": {"value": start.isoformat(), "grain": "day"},
            "to": {"value": (end + timedelta(days=1)).isoformat(), "grain": "day"}}  # Duckling's end is exclusive


def _month_part(match: re.Match[str], reference: date) -> dict[str, Any] | None:
    month = _dateparser_value(match.group("pmonth") + (f" {match.group('pyear')}" if match.group("pyear") else ""),
                              reference)
    if month is None:
        return None
    first = date.fromisoformat(month["value"])
    low, high = _PART_DAYS[match.group("part").lower()]
    last = min(high, _month_length(first))
    start, end = first.replace(day=low), first.replace(day=last) + timedelta(days=1)  # Duckling's end is exclusive
    return {"type": "interval", "from": {"value": start.isoformat(), "grain": "day"},
            "to": {"value": end.isoformat(), "grain": "day"}}


def _quarter(phrase: str, reference: date) -> dict[str, Any]:
    words = phrase.lower().split()
    number = next(_QUARTER_NUMBER[w] for w in words if w in _QUARTER_NUMBER)
    year_word = next((w for w in words if re.fullmatch(_YEAR, w)), None)
    year = int(year_word) if year_word else reference.year
    start = date(year, 3 * number - 2, 1)
    if year_word is None and start + timedelta(days=92) < reference:
        start = start.replace(year=year + 1)  # an unnamed year: the next such quarter, as Duckling reads it
    return {"type": "value", "value": start.isoformat(), "grain": "quarter"}


def _month_length(first: date) -> int:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (following - first).days


@lru_cache(maxsize=64)  # one parser per reference day; a cycle has a few
def _parser(reference: date) -> DateDataParser:
    # Future dates for a bare month or weekday, as Duckling reads them; English only, skipping detection.
    base = datetime(reference.year, reference.month, reference.day, 12)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "PREFER_DAY_OF_MONTH": "first",
                "RETURN_AS_TIMEZONE_AWARE": False}
    return DateDataParser(languages=["en"], settings=settings)
