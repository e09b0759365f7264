"""News phrasings Duckling misses or reads too narrowly: fuzzy windows, durations and "the same date"."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from bot.analysis.cues import MONTH_NAMES, WEEKDAY_NAME, case_blind, contains_any
from bot.analysis.deadlines.timeparse import TimeSpan, add_months, month_end

_LATER_THIS = re.compile(r"\blater (?:this|in the|that|in that) (month|year)\b", re.I)
# "earlier this month", "earlier in October" (said in October): the part of the window already gone.
_EARLIER_THIS = re.compile(r"\bearlier (?:this|in the|that) (week|month|year)\b|"
                           r"\bearlier in (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b", re.I)
_COMING = re.compile(r"\b(?:in )?the (?:coming|next (?:few|several)) (days|weeks|months)\b", re.I)
# "scheduled within the next month", "over the next week or so", "in the next two weeks": a span that rolls from
# the day of the report, not the calendar's next month or week ("next month" alone is that whole month, and so,
# most often, is "in the next month"; "during the next year" is the calendar year, as the labels read them).
_ROLLING = re.compile(r"\b(?:(?:within|over|in|during) the (?:next|coming) (\d{1,2}|two|three|four|five|six) "
                      r"(day|week|month)s|(?:within|over) the (?:next|coming) (day|week|month))\b(?: or (?:so|two))?",
                      re.I)
# "just days before a summit between Trump and Xi", "two months before Trump is set to visit Beijing": the event
# comes that long after the news the sentence tells, which is about the day of the report. (Not "a day before the
# April 9 deadline": a date stated with the event is read as itself.)
_BEFORE_EVENT = re.compile(
    r"\b(?:(?:just|only|mere|barely)\s+)?(?:(less than a|less than one|a few|a couple of|several|\d{1,2}|one|two|"
    r"three|four|five|six|seven|ten|a|an)\s+)?(days?|weeks?|months?)\s+(?:before|ahead of)\s+"
    r"(?=(?:(?!\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)[\w’'-]+\s+){0,8}?"
    r"(?:(?:is|are)\s+(?:set|due|scheduled|expected|slated)\s+to|trip|visit|summit|meeting|talks)\b)", re.I)
_STATED_DAY = re.compile(r"\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b|"
                         rf"(?i:{WEEKDAY_NAME})\b)")
_VAGUE_COUNTS = frozenset({"a few", "a couple of", "several"})
_QUARTER = re.compile(r"\b(?:in |by )?(?:the )?Q([1-4])(?: of)?(?: (20\d\d))?\b")
_HALF = re.compile(
    r"\b(?:in |by )?(?:the )?(?:H([12])|(first|second) half)(?: of)?(?: (?:the year|this year|(next) year|"
    r"(20\d\d)))?\b",
    re.I,
)
_PART_OF_YEAR = re.compile(
    r"\b(early|mid|late|(?:the )?early part of|(?:the )?middle of|(?:the )?latter part of)[- ]?(?:the )?"
    r"(?:(next|this|the) year|(20\d\d))\b", re.I)
_PART_MONTHS = {"early": (1, 4), "mid": (5, 4), "late": (9, 4), "early part of": (1, 4),
                "middle of": (5, 4), "latter part of": (9, 4)}
# "late next month", "in the middle of this month": the month's thirds, as the labelling rules read them.
_PART_OF_MONTH = re.compile(
    r"\b(early|mid|late|(?:the |around the )?(?:beginning|middle|end) of)[- ]?(next|this) month\b", re.I)
_MONTH_THIRDS = {"early": (1, 10), "beginning of": (1, 10), "mid": (11, 20), "middle of": (11, 20),
                 "late": (21, 31), "end of": (21, 31)}
# "mid-December", "late Aug. 2026": read here so both time engines agree (and "until mid-December" keeps
# its third of the month).
_THIRD_OF_MONTH = re.compile(
    r"\b(early|mid|late)[- ]?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:,? (20\d\d))?\b", re.I)
# "the first week of April" (days 1-7, not the week from its first Monday), "the last week of March" (its last seven)
_WEEK_OF_MONTH = re.compile(
    r"\b(first|second|third|fourth|last|final) week (?:of|in) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.?(?:,? (20\d\d))?\b", re.I)
_WEEK_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3}
# "until the end of November (this year)": the last day of the month is the day something ends.
_UNTIL_MONTH_END = re.compile(
    r"\b(?:until|till|through) (?:the )?end of (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
    r"(?:,? (this|next) year|,? (20\d\d))?\b", re.I)
# "within days", "in the weeks ahead": soon, without a number.
_SOON = re.compile(r"\b(?:within|in a matter of) (days|weeks|months)\b|\bin the (days|weeks|months) ahead\b",
                   re.I)
_YEAR_END = re.compile(
    r"\b(?:(?:by|before|at|toward|towards|until) )?(?:the )?(?:year[- ]end|end of (?:the |this )?year|"
    r"end of (20\d\d))\b", re.I)
_COMING_DAYS = {"days": 7, "weeks": 28, "months": 91}

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "eighteen": 18,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "a couple of": 2,
}
_NUMBER = (r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|thirty|sixty|ninety|"
           r"a couple of|an?)")
# A year written out ("2026"), not a number of tons
EXPLICIT_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ABOUT = r"(?:about |around |approximately |roughly |nearly |some )?"
DURATION = re.compile(
    # "accept comments on the rule for 60 days before it comes to a final version": a length, where "60 days
    # before the hearing" is an offset back from a day
    rf"\bfor {_ABOUT}(?:an? )?(?:period of )?{_NUMBER}[- ](?:(?:calendar|business|working) )?(day|week|month|year)s?"
    r"(?= before (?:it|they|its|their|the|a|an)\b)|"
    # "for 90 days", "within ten calendar days", "for an initial period of 90 days"
    # "would last one year" (not "the last 90 days", which is past)
    rf"\b(?:(?:for|by|another|additional|further|within|in|(?<!the )(?<!over )(?<!past )lasts?|lasting|takes?|"
    rf"taking) {_ABOUT}"
    r"(?:an? )?(?:(?:further|additional|initial|extra) )?"
    rf"(?:period of )?{_NUMBER}[- ](?:(?:calendar|business|working) )?"
    rf"(day|week|month|year)s?\b(?! (?:ago|earlier|before))|"
    # "give the two economies three more months to resolve their differences"
    rf"{_NUMBER} more (day|week|month|year)s?\b|"
    # "starting 45 days from now", "a week from tomorrow": a length from the report, as "in 45 days" is
    rf"{_NUMBER}[- ](?:(?:calendar|business|working) )?(day|week|month|year)s? (?:starting )?"
    r"from (?:now|today|tomorrow)\b|"
    # "effective 30 days after signing", "45 days after Trump signed it": a length from a signing the item
    # reports, on its day or the day before (not "after the agreement is signed" or "after the date of
    # enactment": a law or deal still to pass has no day yet, and counting from the report misses by weeks;
    # AFTER_ENACTMENT reads the latter from a signing day the item states)
    rf"{_NUMBER}[- ](?:(?:calendar|business) )?(day|week|month|year)s? (?:after|following|from|upon) "
    r"(?:(?:its |the )?signing\b|(?:\w+ ){1,2}signed (?:it|the (?:order|law|bill|deal|agreement))\b)|"
    # "a 90-day suspension", "the 75-day extension", "a 30-day comment period"
    rf"{_NUMBER}[- ](day|week|month|year)(?:-long)? "
    r"(?:\w+ ){0,2}"
    r"(?:truce|suspension|pause|reprieve|reduction|extension|halt|exemption|waiver|delay|window|freeze|"
    r"review|study|investigation|probe|comment period|period|grace period|deadline|moratorium|plan|countdown|"
    r"detente|deal|agreement|arrangement|accord|"
    r"licen[cs]e|exclusions?|safeguard|lowering|cut|rollback|ceasefire|standstill|respite|deferral|"
    r"postponement|timeline|time ?frame|transition))",
    re.I,
)
# "five years after the date of enactment", "180 days after enactment of the legislation", "three years from the
# enactment date", "five years from passage of the legislation": a length from a law's enactment, which runs from
# a day only when the item states the day the law was signed
AFTER_ENACTMENT = re.compile(
    rf"\b{_NUMBER}[- ](?:(?:calendar|business) )?(day|week|month|year)s? (?:after|from|following) "
    r"(?:the )?(?:date of (?:enactment|passage)|enactment(?: date)?|passage)\b", re.I)
# "in the next four to six weeks", "30 to 45 days": a length known only within bounds
DURATION_RANGE = re.compile(
    rf"\b(?:(?:in|within|for|over|by) (?:the )?(?:next |coming )?{_ABOUT})?{_NUMBER} (?:to|or|-|–) {_NUMBER}[- ]"
    r"(day|week|month)s?\b(?! (?:ago|earlier|before))", re.I)
# "will have 10 days to surrender", "given 72 hours to leave" (hours rounded up to days), "gave ByteDance 90
# days to divest"
TIME_TO_ACT = re.compile(rf"\b(?:have|has|had|gave|given|gives?|giving|get|gets|got)(?: [\w'’.-]+){{0,8}}? {_NUMBER} "
                         r"(?:(?:calendar|business) )?(day|week|month|year|hour)s? to\b", re.I)
SAME_DATE = re.compile(r"\b(?:on |from |starting )?the same (?:date|day)\b", re.I)
# "arrive on February 5 and hold talks the following day": the day after the last date read, not after the report
NEXT_DAY = re.compile(r"\b(?:on )?the (?:following|next) day\b", re.I)


class Lengths(NamedTuple):
    """The stated lengths of a sentence: DURATION_RANGE's, DURATION's and TIME_TO_ACT's matches."""

    ranges: tuple[re.Match[str], ...]
    durations: tuple[re.Match[str], ...]
    to_act: tuple[re.Match[str], ...]


# Every match of the three has its unit right after a space or a hyphen ("90-day", "for two weeks"); most
# sentences with a date have none ("on Monday, Sept. 5"), and a substring test is far cheaper than the regexes.
_UNIT_AFTER_A_GAP = tuple(gap + unit for unit in ("day", "week", "month", "year", "hour") for gap in " -")
_NO_LENGTHS = Lengths((), (), ())


@functools.lru_cache(maxsize=256)  # read twice per sentence: to keep dates off the lengths, then as durations
def stated_lengths(sentence: str) -> Lengths:
    """The lengths `sentence` states ("four to six weeks", "for 90 days", "have 10 days to"), each kind in text
    order."""
    lowered = case_blind(sentence)
    if not contains_any(lowered, _UNIT_AFTER_A_GAP):
        return _NO_LENGTHS
    return Lengths(tuple(DURATION_RANGE.finditer(sentence)), tuple(DURATION.finditer(sentence)),
                   tuple(TIME_TO_ACT.finditer(sentence)))


def names_a_length(text: str) -> bool:
    """Whether `text` holds a match of DURATION."""
    lowered = case_blind(text)
    return contains_any(lowered, _UNIT_AFTER_A_GAP) and DURATION.search(text) is not None


def references(sentence: str) -> Iterator[re.Match[str]]:
    """The matches of SAME_DATE, then of NEXT_DAY, in `sentence`."""
    lowered = case_blind(sentence)
    yield from _found(SAME_DATE, sentence, lowered)
    yield from _found(NEXT_DAY, sentence, lowered)


_MONTHS = tuple(name[:3] for name in MONTH_NAMES)
# "from November 10, 2025, through November 9, 2026": Duckling stops at the second month name.
_UNTIL_FULL_DATE = re.compile(
    r"\b(?:until|through|till|to) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (\d{1,2}),? (20\d\d)\b")
# "from August 20 to August 24, 2018": the year written once is both ends', and the time parser reads the range
_FROM_DAY_NO_YEAR = re.compile(
    r"\bfrom (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\s*$")


def _found(pattern: re.Pattern[str], sentence: str, lowered: str) -> Iterator[re.Match[str]]:
    """`pattern`'s matches in `sentence` (`lowered` is its `case_blind` lower case)."""
    if not contains_any(lowered, _NEEDS[pattern]):
        return iter(())
    return pattern.finditer(sentence)


def fuzzy_windows(sentence: str, published: date) -> Iterator[TimeSpan]:
    """Windows such as "later this month", "in the coming weeks", "Q3", "H2", "by year-end"."""
    lowered = case_blind(sentence)
    for m in _found(_LATER_THIS, sentence, lowered):
        end = month_end(published) if m.group(1).lower() == "month" else date(published.year, 12, 31)
        yield TimeSpan(m.group(), m.start(), m.end(), published, end, "range")
    for m in _found(_EARLIER_THIS, sentence, lowered):
        if (earlier := _earlier(m, published)) is not None:
            yield earlier
    for m in _found(_COMING, sentence, lowered):
        span_end = published + timedelta(days=_COMING_DAYS[m.group(1).lower()])
        yield TimeSpan(m.group(), m.start(), m.end(), published, span_end, "range")
    for m in _found(_ROLLING, sentence, lowered):
        yield _rolling(m, published)
    for m in _found(_BEFORE_EVENT, sentence, lowered):
        if (before := _before_event(m, published)) is not None:
            yield before
    for m in _found(_QUARTER, sentence, lowered):
        yield _period(m, published, int(m.group(1)) * 3 - 2, 3, m.group(2), "quarter")
    for m in _found(_HALF, sentence, lowered):
        first_half = m.group(1) == "1" or (m.group(2) or "").lower() == "first"
        year = str(published.year + 1) if m.group(3) else m.group(4)
        yield _period(m, published, 1 if first_half else 7, 6, year, "range")
    for m in _found(_PART_OF_YEAR, sentence, lowered):
        year = int(m.group(3)) if m.group(3) else published.year + (m.group(2).lower() == "next")
        part = " ".join(m.group(1).lower().split())
        first, months = _PART_MONTHS[part.removeprefix("the ")]
        start = date(year, first, 1)
        end = month_end(add_months(start, months - 1))
        yield TimeSpan(m.group(), m.start(), m.end(), max(start, published), end, "range")
    for m in _found(_PART_OF_MONTH, sentence, lowered):
        month = add_months(published, m.group(2).lower() == "next")
        part = " ".join(m.group(1).lower().split()).removeprefix("around ").removeprefix("the ")
        start, end = _third(month, part)
        yield TimeSpan(m.group(), m.start(), m.end(), max(start, published), end, "range")
    for m in _found(_UNTIL_MONTH_END, sentence, lowered):
        yield _month_end(m, published)
    for m in _found(_THIRD_OF_MONTH, sentence, lowered):
        yield _third_of_month(m, published)
    for m in _found(_WEEK_OF_MONTH, sentence, lowered):
        yield _week_of_month(m, published)
    for m in _found(_SOON, sentence, lowered):
        unit = (m.group(1) or m.group(2)).lower()
        yield TimeSpan(m.group(), m.start(), m.end(), published,
                       published + timedelta(days=_COMING_DAYS[unit]), "range")
    for m in _found(_UNTIL_FULL_DATE, sentence, lowered):
        if _FROM_DAY_NO_YEAR.search(sentence, 0, m.start()):
            continue
        try:
            day = date(int(m.group(3)), _MONTHS.index(m.group(1).lower()) + 1, int(m.group(2)))
        except ValueError:
            continue  # "Feb. 30": not a date
        yield TimeSpan(m.group(), m.start(), m.end(), day, day, "day")
    for m in _found(_YEAR_END, sentence, lowered):
        year = int(m.group(1)) if m.group(1) else published.year
        yield TimeSpan(m.group(), m.start(), m.end(), published, date(year, 12, 31), "range")
    for m in _found(_LISTED_YEARS, sentence, lowered):
        yield from _listed_years(m)


# "scheduled to increase in 2025 and 2026", "purchases for 2020", "quotas for 2026, 2027 and 2028": every year of
# a list is a date (Duckling reads the first only, and none after "for"); not "for 2020 people" nor a sum.
_LISTED_YEARS = re.compile(r"\b(in|for|during)\s+((?:19|20)\d\d(?:\s*,\s*(?:19|20)\d\d)*"
                           r"(?:,?\s+(?:and|or)\s+(?:in\s+)?(?:19|20)\d\d)?)\b(?![\s,.]*(?:\d|%|per|[mb]illion))",
                           re.I)

# A word every match of each pattern contains, in `case_blind`'s lower case: most sentences hold none of a
# pattern's words, and a substring test is far cheaper than the regex.
_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {
    _LATER_THIS: ("later",), _EARLIER_THIS: ("earl",), _COMING: ("com", "next"), _BEFORE_EVENT: ("before", "ahead of"),
    _ROLLING: ("next", "coming"), _QUARTER: ("q",), _HALF: ("half", "h1", "h2"),
    _PART_OF_YEAR: ("early", "mid", "late", "latter"),
    _PART_OF_MONTH: ("month",), _THIRD_OF_MONTH: ("early", "mid", "late"),
    _UNTIL_MONTH_END: ("end of",), _WEEK_OF_MONTH: ("week",), _SOON: ("within", "matter of", "ahead"),
    _UNTIL_FULL_DATE: ("20",), _YEAR_END: ("year", "end of"), _LISTED_YEARS: ("19", "20"),
    SAME_DATE: ("ame da",), NEXT_DAY: (" day",),
}


def _rolling(m: re.Match[str], published: date) -> TimeSpan:
    """ "within the next two weeks": from the day of the report to that many days, weeks or months on."""
    written = (m.group(1) or "one").lower()
    count = int(written) if written.isdigit() else _NUMBER_WORDS[written]
    unit = (m.group(2) or m.group(3)).lower()
    if unit == "month":
        month = add_months(published, count)
        end = month.replace(day=min(published.day, month_end(month).day))
    else:
        end = published + timedelta(days=count * (7 if unit == "week" else 1))
    return TimeSpan(m.group(), m.start(), m.end(), published, end, "range")


def _listed_years(m: re.Match[str]) -> Iterator[TimeSpan]:
    """Each year of a list after "in", "for" or "during", but the first after "in" or "during" (Duckling's)."""
    for index, year in enumerate(EXPLICIT_YEAR.finditer(m.group(2))):
        if index == 0 and m.group(1).lower() != "for":
            continue
        first = m.start() if index == 0 else m.start(2) + year.start()
        value = int(year.group())
        yield TimeSpan(m.string[first : m.start(2) + year.end()], first, m.start(2) + year.end(),
                       date(value, 1, 1), date(value, 12, 31), "range")


def _third(month: date, part: str) -> tuple[date, date]:
    """The days of one third ("early", "mid", "late") of the month that starts on `month`."""
    first, last = _MONTH_THIRDS[part]
    return month.replace(day=first), month_end(month) if last == 31 else month.replace(day=last)


def _this_or_next_year(bounds: Callable[[int], tuple[date, date]], year: int | None,
                       published: date) -> tuple[date, date]:
    """`bounds` in a stated year; without one, this year's, or next year's when this year's are already gone
    (as Duckling reads "Q1" said in November, or "early July" said in late July)."""
    if year is not None:
        return bounds(year)
    start, end = bounds(published.year)
    return bounds(published.year + 1) if end < published else (start, end)


def _month_end(m: re.Match[str], published: date) -> TimeSpan:
    month = _MONTHS.index(m.group(1).lower()[:3]) + 1
    stated = (int(m.group(3)) if m.group(3) else
              published.year + (m.group(2).lower() == "next") if m.group(2) else None)
    last = _this_or_next_year(lambda year: (month_end(date(year, month, 1)),) * 2, stated, published)[1]
    return TimeSpan(m.group(), m.start(), m.end(), last, last, "day")


def _third_of_month(m: re.Match[str], published: date) -> TimeSpan:
    month = _MONTHS.index(m.group(2).lower()[:3]) + 1
    stated = int(m.group(3)) if m.group(3) else None
    start, end = _this_or_next_year(lambda year: _third(date(year, month, 1), m.group(1).lower()), stated, published)
    if stated is None:
        start = max(start, published)  # like Duckling: a third under way runs from today
    return TimeSpan(m.group(), m.start(), m.end(), start, end, "range")


def _week_of_month(m: re.Match[str], published: date) -> TimeSpan:
    month = _MONTHS.index(m.group(2).lower()[:3]) + 1
    stated = int(m.group(3)) if m.group(3) else None

    def week(year: int) -> tuple[date, date]:
        first = date(year, month, 1)
        if m.group(1).lower() in ("last", "final"):
            return month_end(first) - timedelta(days=6), month_end(first)
        start = first + timedelta(days=7 * _WEEK_ORDINALS[m.group(1).lower()])
        return start, start + timedelta(days=6)

    start, end = _this_or_next_year(week, stated, published)
    return TimeSpan(m.group(), m.start(), m.end(), start, end, "range")


def _before_event(m: re.Match[str], published: date) -> TimeSpan | None:
    """When the event after "<so long> before" comes, counted from the report: a few days for "days" or "a
    few days", up to a month for "less than a month", the day a day either side for a number of them."""
    if _STATED_DAY.search(m.string, m.end(), m.end() + 120):
        return None  # "days before a meeting between Biden and Xi on Nov. 15": the day is stated
    count, noun = (m.group(1) or "").lower(), m.group(2).lower()
    unit, plural = noun.rstrip("s"), noun.endswith("s")
    vague, under = count in ("", *_VAGUE_COUNTS), count.startswith("less than")
    if vague and unit == "day" and plural:
        first, last = published + timedelta(days=1), published + timedelta(days=7)
    elif under and unit == "month" and not plural:
        first, last = published, months_later(published, 1)
    elif vague or under:
        return None
    else:
        end = _end_after(count, unit, published)
        first, last = end - timedelta(days=1), end + timedelta(days=1)
    body = m.group().rstrip()
    return TimeSpan(body, m.start(), m.start() + len(body), first, last, "range")


def _earlier(m: re.Match[str], published: date) -> TimeSpan | None:
    unit, month = (m.group(1) or "").lower(), (m.group(2) or "").lower()[:3]
    if month and _MONTHS.index(month) + 1 != published.month:
        return None  # "earlier in March" said in May: the month itself, which the time parser reads
    start = (published - timedelta(days=published.weekday()) if unit == "week"
             else date(published.year, 1, 1) if unit == "year" else published.replace(day=1))
    end = published - timedelta(days=1)
    return TimeSpan(m.group(), m.start(), m.end(), min(start, end), end, "range")


def _period(
    m: re.Match[str], published: date, first_month: int, months: int, year: str | None, granularity: str
) -> TimeSpan:
    def bounds(in_year: int) -> tuple[date, date]:
        start = date(in_year, first_month, 1)
        return start, month_end(add_months(start, months - 1))

    start, end = _this_or_next_year(bounds, int(year) if year else None, published)
    return TimeSpan(m.group(), m.start(), m.end(), start, end, granularity)  # type: ignore[arg-type]


def length_ends(match: re.Match[str], start: date) -> tuple[date, date]:
    """The first and last day a stated length counted from `start` may end on: one day for a DURATION or
    TIME_TO_ACT match ("90 days"), a range for a DURATION_RANGE ("four to six weeks")."""
    if match.re is DURATION_RANGE:
        low, high, unit = (group.lower() for group in match.groups())
        return _end_after(low, unit, start), _end_after(high, unit, start)
    number, unit = (group.lower() for group in match.groups() if group)
    end = _end_after(number, unit, start)
    return end, end


def _end_after(number: str, unit: str, start: date) -> date:
    """The day `number` `unit`s ("90", "day"; "a couple of", "week") after `start`."""
    count = int(number) if number.isdigit() else _NUMBER_WORDS[number]
    if unit == "hour":
        return start + timedelta(days=-(-count // 24))  # "72 hours to leave": the third day
    if unit in ("day", "week"):
        return start + timedelta(days=count * (7 if unit == "week" else 1))
    return months_later(start, count * (12 if unit == "year" else 1))


def months_later(start: date, months: int) -> date:
    """`start`'s day in the month `months` later (earlier, when negative) (that month's last day when it is shorter)."""
    first = add_months(start, months)
    return first.replace(day=min(start.day, month_end(first).day))


# One day in each of several years: "Jan. 1 of each of the next two years", "January 1 of the relevant years"
# (after "increases for 2025 and 2026"), "increase annually on April 17 for the subsequent three years".
_OF_EACH_OF_NEXT = re.compile(rf"^\s*(?:of|in) each of the (?:next|following|subsequent|coming) {_NUMBER} years\b",
                              re.I)
_OF_LISTED_YEARS = re.compile(r"^\s*(?:of|in) (?:the|each) (?:relevant|respective) years?\b", re.I)
_YEARLY_BEFORE = re.compile(r"\b(?:annually|each year|every year)\s+(?:on\s+)?$", re.I)
_FOR_NEXT_YEARS = re.compile(rf"^\s*(?:for|over) the (?:next|following|subsequent|coming) {_NUMBER} years\b", re.I)


_MOST_YEARS = 10  # a schedule people track; "each of the next 100 years" is not one to list day by day


def yearly_repeats(sentence: str, span: TimeSpan) -> list[TimeSpan]:
    """The same day in the other years a sentence gives it for: after `span` (its first), in the years counted
    on from it, or in each year the sentence lists before it. Empty for a date said once."""
    if span.granularity != "day" or span.start != span.end:
        return []
    after, before = sentence[span.end_pos :], sentence[: span.pos]
    counted = _OF_EACH_OF_NEXT.match(after) or (_YEARLY_BEFORE.search(before) and _FOR_NEXT_YEARS.match(after))
    if counted:
        number = counted.group(1).lower()
        count = min(int(number) if number.isdigit() else _NUMBER_WORDS[number], _MOST_YEARS)
        years = [span.start.year + k for k in range(1, count)]
    elif _OF_LISTED_YEARS.match(after):
        years = sorted({int(y) for y in EXPLICIT_YEAR.findall(before)} - {span.start.year})
    else:
        return []
    days = [months_later(span.start, 12 * (year - span.start.year)) for year in years]
    return [replace(span, start=day, end=day) for day in days]
