"""Step 1 of deadline extraction: every time expression and duration a sentence holds, as dated candidates.

A candidate is only a reading of the words ("early August" = Aug 1-10, "for 90 days from Nov. 10" = Nov 10
next year); whether it is an upcoming US–China deadline is decided later, from its features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from bot.analysis.cues import ENDED, ENDS, MOVED, WEEKDAY, WEEKDAY_NAME
from bot.analysis.deadlines import windows
from bot.analysis.deadlines.text import clause_around, clause_bounds
from bot.analysis.deadlines.timeparse import TimeSpan, may_hold_a_time, parse_times

Anchor = Literal["", "stated", "issued", "published"]

# Duckling reads some bare numbers as clock times ("by 115" in "by 115%"); a date needs a calendar word.
_CALENDAR_WORD = re.compile(r"[A-Za-z]{3,}|\d{1,2}/\d{1,2}|\d{4}-\d{2}|\b(?:19|20)\d\d\b", re.I)
_NUMBER_TAIL = re.compile(r"^(?:[.,]\d+)?\s*(?:%|per ?cent|percent|billion|million|trillion|bn|m\b)", re.I)
_APPROXIMATE = re.compile(r"^(?:about|around|approximately|roughly|some|nearly|almost|up to)\s+", re.I)
# "the second", "by the two (countries)": a day of the month with no month is not how news writes a date
_ORDINAL_ONLY = re.compile(r"^(?:(?:by|on|at|in) )?(?:the )?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
                           r"ninth|tenth|eleventh|twelfth|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                           r"twelve|\d+(?:st|nd|rd|th))$", re.I)
_VAGUE_YEAR = re.compile(r"^(?:the|a|this) year$", re.I)
# "in the coming years", "over the next few years": some years, none in particular (a time parser reads the next
# calendar year, or the three after this one)
_SOME_YEARS_AHEAD = re.compile(r"^(?:(?:in|over|during|within) )?(?:the )?(?:coming|next (?:few|several|couple of)|"
                               r"following few) years$", re.I)
# A bare season is a date only after a word that makes it one ("in the fall", "this spring", "early fall"):
# "tariffs will fall to 30%", "could fall under", "the Winter Olympics", "his summer executive order" are not.
_BARE_SEASON = re.compile(r"^(?:spring|summer|fall|autumn|winter)$", re.I)
_SEASON_MARKER = re.compile(r"\b(?:the|this|next|last|early|late|mid|in|by|until|till|through|before|after|"
                            r"since|during|from)[\s-]+$", re.I)
# A month cut to three letters with nothing else is a name's part ("Admiral Dong Jun", "Mar-a-Lago"): news
# writes "Jan." with its period, or a day or year beside it.
_BARE_MONTH_ABBREVIATION = re.compile(r"^(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)$", re.I)
# "a summit in the sun", "sat down for two days of talks": news writes a weekday out in full
_BARE_WEEKDAY_ABBREVIATION = re.compile(r"^(?:on )?(?:sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)\.?$", re.I)
# "China's lunar New Year holiday" is not January 1.
_LUNAR = re.compile(r"\b(?:lunar|chinese)\s+$", re.I)
# "apply immediately" is now, not a date to track.
_NOW = re.compile(r"^(?:immediately|now|right now|right away|at once|currently|so far|to date)$", re.I)
_PAST_SPAN = re.compile(r"\b(?:ago|last|yesterday|earlier|previous|past)\b", re.I)
# Counts of past time, not dates: "in more than five years", "for decades".
_SPAN_OF_YEARS = re.compile(
    r"^(?:in|for|over) (?:more than |over |nearly |almost )?(?:\d+|\w+) (?:years|decades)$", re.I)
# A measure's clock starts at a stated date ("starting Nov. 10"), or at its signing or release.
_STATED_START = re.compile(
    r"\b(?:(?:starting|effective|from|beginning|begins?)\b[^,;]{0,20}|"
    # "will take effect at 13:01 local time on November 10, 2025": a clock time may stand between
    r"(?:takes?|took) effect\b[^,;]{0,40})$", re.I)
_OPENS_WITH_START = re.compile(r"^(?:starting|effective|from|beginning)\b", re.I)
# "until October 29", "through June 30": a day told as an end, whatever word stands before it
_OPENS_WITH_END = re.compile(r"^(?:until|till|through|thru)\b", re.I)


def _starts_at(before: str, body: str) -> bool:
    """Whether a date is where something starts: "effective Nov. 10", "From 13:01 on November 10, 2025"; not
    one told as an end ("comments from interested parties until October 29", "effective through June 30")."""
    if _OPENS_WITH_END.match(body):
        return False
    return bool(_STATED_START.search(before) or _OPENS_WITH_START.match(body) or _STATED_START.search(body + " "))


# "45 days from now" says where it starts; "another call planned in two weeks" and "must leave within ten days"
# count from the report too, never from a day the item says something takes effect ("for 90 days" may).
_FROM_NOW = re.compile(r"\bfrom (now|today|tomorrow)$", re.I)
FROM_THE_REPORT = re.compile(rf"^(?:in|within) |{_FROM_NOW.pattern}", re.I)
# the day something was issued, or agreed ("had a call on August 13 and agreed to talk again within two weeks")
_ISSUED = re.compile(r"\b(?:signed|issued|released|published|announced|unveiled|approved|agreed|ordered|"
                     r"decided|struck|reached|sealed|clinched|inked)\b", re.I)
# An extension runs on from the old end, not from a day the item says something takes effect. "Another 90
# days" is one; "its 24 percent additional tariff ... for one year" is not.
_EXTENDING = r"extend\w*|prolong\w*"
_EXTENSION = re.compile(rf"\b(?:{_EXTENDING}|extension)\b", re.I)
_ANOTHER = re.compile(r"\b(?:another|additional|further)\b", re.I)


# "the five-year development plan", "the statutory four-year review": named for a period, not a deadline
_YEARS_PLAN = re.compile(r"\byears?\b.*\b(?:plan|review)$", re.I)
# "capped at 5 voyages in a year", "twice in a month": a rate, not a length
_RATE = re.compile(r"\b(?:\d+|once|twice|times)\b[^.;,]{0,30}$", re.I)
_PER = re.compile(r"^in (?:a|one|each|every) ", re.I)
_LATER_THAT_YEAR = re.compile(r"later (?:in |that |in that )(?:the )?year", re.I)


_LATER = re.compile(r"\blater\s+$", re.I)


def _after_a_stated_date_in_its_year(sentence: str, span: TimeSpan, last: TimeSpan) -> bool:
    """A whole year said to come "later" ("later in 2026", "later next year") than a date read just before in
    that year."""
    whole_year = span.start == date(span.start.year, 1, 1) and span.end == date(span.start.year, 12, 31)
    return (whole_year and bool(_LATER.search(sentence[: span.pos]))
            and span.start <= last.end < span.end and last.start >= span.start)


@dataclass(frozen=True)
class Candidate:
    """One dated reading of a time expression or duration in sentence `index` of an item."""

    sentence: str
    index: int
    span: TimeSpan  # where the words are, and the days they cover (duration: the day it runs out)
    kind: Literal["date", "duration"]
    anchor: Anchor = ""  # a duration's start: a date stated beside it, a signing day, or publication
    anchor_day: date | None = None  # that start, for a duration

    @property
    def counted(self) -> bool:
        """A length counted from the day of the report: its start is a guess, no date the item states."""
        return self.kind == "duration" and self.anchor == "published"


def find_candidates(sentences: list[str], published: date) -> list[Candidate]:
    """Every date and duration of every sentence, each resolved against `published`."""
    found: list[Candidate] = []
    last: TimeSpan | None = None
    last_day: TimeSpan | None = None  # "on the same day" is a day: "will halve tariffs on Feb. 14, under the deal
    # signed in January ... its own reductions on the same day" is Feb. 14
    timed = [may_hold_a_time(sentence) for sentence in sentences]
    spans = [date_spans(sentence, published) if has_time else []
             for sentence, has_time in zip(sentences, timed, strict=True)]
    effective = _effective_dates(sentences, spans)
    old_ends = _old_ends(sentences, spans)
    enacted = _enactment_day(sentences, spans, published)
    for index, (sentence, dates) in enumerate(zip(sentences, spans, strict=True)):
        for span in dates:
            if index == 0 and _is_dateline(sentence, span):
                continue
            if windows.SAME_DATE.fullmatch(span.body):
                if last_day is None:
                    continue
                span = replace(last_day, body=span.body, pos=span.pos, end_pos=span.end_pos)
            elif windows.NEXT_DAY.fullmatch(span.body):
                if last is None or last.start != last.end:
                    continue
                day = last.end + timedelta(days=1)
                span = replace(span, start=day, end=day, granularity="day")
            elif last is not None and _LATER_THAT_YEAR.fullmatch(span.body) and last.end.year != span.end.year:
                # "visit Beijing in April and host Xi later in the year": the year of the date before
                year_end = date(last.end.year, 12, 31)
                start = last.start if last.end == year_end else last.end + timedelta(days=1)
                span = replace(span, start=start, end=year_end)
            elif last is not None and _after_a_stated_date_in_its_year(sentence, span, last):
                # "visit Beijing in April and host Xi later in 2026": after April, not the whole year
                span = replace(span, start=last.end + timedelta(days=1), granularity="range")
            last = span
            if span.granularity == "day":
                last_day = _as_told(sentence, span, published)
            days = [span, *windows.yearly_repeats(sentence, span)]
            found += [Candidate(sentence, index, day, "date") for day in days]
        if timed[index]:
            elsewhere = [day for at, day in effective if at != index]  # its own sentence's were read already
            found += _durations(sentence, index, published, dates, elsewhere, old_ends, enacted)
    return found


# "customs authorities on Tuesday announced the suspension ..., effective the same day": a weekday told with a
# verb of what was done is this week's past day, and "the same day" is that one
_DONE_AFTER = re.compile(r"^\s*(?:announced|said|unveiled|issued|imposed|published|released|ordered|signed|"
                         r"decided|added|suspended|approved)\b", re.I)


def _as_told(sentence: str, span: TimeSpan, published: date) -> TimeSpan:
    if not (WEEKDAY.fullmatch(span.body.removeprefix("on ").removeprefix("On ")) and span.start > published
            and _DONE_AFTER.match(sentence[span.end_pos :])):
        return span
    day = _latest_such_day(span, published)
    return replace(span, start=day, end=day)


# "BEIJING, Nov. 15 (Xinhua) --", "21st April 2024 – (Washington)", "Beijing October 21 2024:": the place and day
# a wire report was filed, which is the day of publication and never an event's.
_DATELINE_BEFORE = re.compile(r"^\s*(?:(?!(?i:effective|from|starting|beginning|by|on|until|through|before|after|"
                              r"since|in|as of)\b)[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2},?\s*)?$")
_DATELINE_AFTER = re.compile(r"^,?\s*(?:\([^()]{1,40}\)\s*)?(?:--|[-–—:])(?:\s|$)")


def _is_dateline(sentence: str, span: TimeSpan) -> bool:
    return bool(_DATELINE_BEFORE.match(sentence[: span.pos]) and _DATELINE_AFTER.match(sentence[span.end_pos :]))


def _effective_dates(sentences: list[str], spans: list[list[TimeSpan]]) -> list[tuple[int, date]]:
    """(sentence index, day) of each day the item says something takes effect ("effective May 14", "from Nov.
    10"): where a length is stated in another sentence ("for 90 days"), it runs from one of them."""
    return [(index, span.start) for index, (sentence, found) in enumerate(zip(sentences, spans, strict=True))
            for span in found
            if span.granularity == "day" and _starts_at(sentence[: span.pos], span.body)]


# "The current pause was to end Aug. 12", "is set to expire on June 19", "The original date of compliance was for
# September 25, 2020": the day something ends, which an extension told elsewhere in the item runs on from.
_ENDS_ON = re.compile(rf"\b(?:{ENDS}|{ENDED})\s+(?:on\s+)?$|"
                      r"\b(?:original|initial|previous|current|old)\s+(?:[\w-]+\s+){0,3}"
                      r"(?:date|deadline|expiry|expiration)\b[^,;]{0,30}$", re.I)


def _old_ends(sentences: list[str], spans: list[list[TimeSpan]]) -> list[date]:
    """Each day the item says something ends on: where an extension is told without a start, it runs from one."""
    return [span.start for sentence, found in zip(sentences, spans, strict=True) for span in found
            if span.granularity == "day" and _ENDS_ON.search(sentence[: span.pos])]


# "On December 23, 2022, President Biden signed into law the ... Act", "the law, enacted on April 24"
_ENACTED = re.compile(r"\b(?:signed into law|enacted|became law|signed (?:the |a )?(?:\w+ ){0,3}(?:bill|law|act|"
                      r"legislation)\b)", re.I)


def _enactment_day(sentences: list[str], spans: list[list[TimeSpan]], published: date) -> date | None:
    """The one day the item says a law was signed or enacted (none when it gives none, or two): a length
    "after the date of enactment" runs from it."""
    days = [span.start for sentence, found in zip(sentences, spans, strict=True) if _ENACTED.search(sentence)
            for span in found
            if span.granularity == "day" and span.start <= published
            and _ENACTED.search(clause_around(sentence, span.pos, span.end_pos))]
    return days[-1] if len(set(days)) == 1 else None


def date_spans(sentence: str, published: date) -> list[TimeSpan]:
    """Our windows first, then Duckling's expressions that do not overlap them, in text order."""
    spans: list[TimeSpan] = []
    for window in sorted(windows.fuzzy_windows(sentence, published), key=lambda s: s.pos - s.end_pos):
        if not any(_overlap(window, s) for s in spans):
            spans.append(window)  # the longest reading of overlapping windows
    # "the same date" and "the following day" refer back to the last date read; find_candidates resolves them.
    spans += [TimeSpan(m.group(), m.start(), m.end(), published, published, "day")
              for m in windows.references(sentence)]
    # "four to six" in "four to six weeks" and "by six" in "extended by six months" are lengths, not clock times
    stated = windows.stated_lengths(sentence)
    lengths = [(m.start(), m.end()) for m in (*stated.ranges, *stated.durations)]
    for found in parse_times(sentence, published):
        for whole in _moved_from_to(sentence, _year_of_a_range(found), published):
            span = _start_of_a_length(whole, published)
            if (_not_a_date(sentence, span) or windows.names_a_length(span.body)
                    or any(a < span.end_pos and span.pos < b for a, b in lengths)):
                continue
            clash = min((s.pos for s in spans if _overlap(span, s)), default=None)
            kept = span if clash is None else _before(sentence, span, clash, published)
            if kept is not None:
                spans.append(kept)
    ordered = sorted((_as_last_seen(span, sentence, published) for span in spans), key=lambda s: s.pos)
    return _two_days_as_one(sentence, ordered)


# "talks on Thursday and Friday", "in Geneva on May 10 and 11": two days running are one event's days, not two
# events. The time parser reads the weekdays apart, and of "May 10 and 11" only the first. Told to the day, the
# two stay of granularity "day" (a fixed date, not a window).
_AND = r"(?:and|&|-|–)"
_DAYS_JOINED = re.compile(rf"^\s*(?:{_AND}|to|through)\s*$", re.I)
_AND_NEXT_DAY = re.compile(rf"\s*{_AND}\s*(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:%|per|[-–]?\s*(?:day|week|"
                           r"month|year|hour)|[mb]illion|\d|[,.]\d))", re.I)
_DAY_AND = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*{_AND}\s*$", re.I)
_DAY_FIRST = re.compile(r"^(?:on\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]", re.I)


def _two_days_as_one(sentence: str, spans: list[TimeSpan]) -> list[TimeSpan]:
    """`spans` with two days running, told together, read as one entry that covers both days."""
    joined: list[TimeSpan] = []
    for span in spans:
        last = joined[-1] if joined else None
        if (last is not None and last.granularity == span.granularity == "day"
                and span.start == last.end + timedelta(days=1)
                and _DAYS_JOINED.match(sentence[last.end_pos:span.pos])):
            joined[-1] = replace(last, body=sentence[last.pos:span.end_pos], end_pos=span.end_pos, end=span.end)
            continue
        joined.append(_with_the_next_day(sentence, span))
    return joined


def _with_the_next_day(sentence: str, span: TimeSpan) -> TimeSpan:
    """A day told with the number of the day before or after it ("May 10 and 11", "10 and 11 May") as the two
    days."""
    if span.granularity != "day":
        return span
    after = _AND_NEXT_DAY.match(sentence, span.end_pos)
    if after and int(after.group(1)) == span.start.day + 1:
        return replace(span, body=sentence[span.pos:after.end()], end_pos=after.end(),
                       end=span.start + timedelta(days=1))
    before = _DAY_AND.search(sentence, 0, span.pos)
    if before and _DAY_FIRST.match(span.body) and int(before.group(1)) == span.start.day - 1:
        return replace(span, body=sentence[before.start():span.end_pos], pos=before.start(),
                       start=span.start - timedelta(days=1))
    return span


# A day or month written without its year, that a time parser places this many days or more ahead, is the one
# just past: "as of September 29" told on October 1, "their meeting in South Korea at the end of October" told in
# November. News names next year's day with its year, or "next"; and a date the sentence says "will" come is
# ahead whatever its distance ("Xi will host the APEC summit in November", told in December).
_JUST_PAST_DAYS = 300
_NAMES_A_YEAR = re.compile(r"\b(?:\d{4}|next|year)\b", re.I)
_TOLD_AS_TO_COME = re.compile(r"\b(?:will|shall)\b|\w['’]ll\b", re.I)


def _as_last_seen(span: TimeSpan, sentence: str, published: date) -> TimeSpan:
    """`span` a year earlier when it is a day or month without its year read as almost a year ahead."""
    if ((span.start - published).days < _JUST_PAST_DAYS or _NAMES_A_YEAR.search(span.body)
            or _TOLD_AS_TO_COME.search(sentence, 0, span.pos)):
        return span
    return replace(span, start=windows.months_later(span.start, -12), end=windows.months_later(span.end, -12))


def _overlap(a: TimeSpan, b: TimeSpan) -> bool:
    """Whether two readings share any characters of the sentence."""
    return a.pos < b.end_pos and b.pos < a.end_pos


def _parse_at(text: str, offset: int, published: date) -> list[TimeSpan]:
    """Duckling's readings of `text`, a part of the sentence starting at `offset`, placed in the sentence."""
    return [replace(s, pos=s.pos + offset, end_pos=s.end_pos + offset) for s in parse_times(text, published)]


def _before(sentence: str, span: TimeSpan, cut: int, published: date) -> TimeSpan | None:
    """What Duckling reads in the part of `span` before `cut`, where another reading starts: "from November 10,
    2025, through November 9, 2026" is read as "from November 10, 2025, through November" beside our "through
    November 9, 2026", and its own first day is the start."""
    if cut <= span.pos:
        return None
    head = sentence[span.pos : cut]
    found = [s for s in _parse_at(head, span.pos, published) if s.end_pos <= span.pos + len(head.rstrip(" ,;"))]
    return found[0] if found else None


# "for a period of 90 days from May 14, 2025": Duckling reads the length's end as one expression; the day it
# starts on is a date of its own (the length is read apart, by `_durations`).
_LENGTH_STARTS = re.compile(r"\b(?:from|starting|beginning|effective)\s+(?=\S)", re.I)
_UNITS = re.compile(r"\b(?:days?|weeks?|months?|years?)\b", re.I)


def _start_of_a_length(span: TimeSpan, published: date) -> TimeSpan:
    start = _LENGTH_STARTS.search(span.body)
    if start is None or not _UNITS.search(span.body, 0, start.start()):
        return span
    days = _parse_at(span.body[start.start() :], span.pos + start.start(), published)
    return days[0] if days else span


def _year_of_a_range(span: TimeSpan) -> TimeSpan:
    """ "31 March to 2 April 2026": the one year written is both ends' (Duckling gives the first end the
    year before); "Dec. 1 to Jan. 31, 2026" starts in the year before it."""
    one_year_written = len(windows.EXPLICIT_YEAR.findall(span.body)) == 1
    if not one_year_written or span.start.year >= span.end.year or (span.end - span.start).days < 300:
        return span
    if (span.start.month, span.start.day) == (2, 29):
        return span
    year = span.end.year - ((span.start.month, span.start.day) > (span.end.month, span.end.day))
    return replace(span, start=span.start.replace(year=year)) if span.start.year < year else span


_FROM_TO = re.compile(r"^from (.+?) (?:to|until) (.+)$", re.I)


def _moved_from_to(sentence: str, span: TimeSpan, published: date) -> list[TimeSpan]:
    """ "postpone the increase from October 1 to October 15": two dates, the old and the new, not the
    fortnight between them."""
    parts = _FROM_TO.match(span.body)
    if parts is None or not MOVED.search(sentence[max(0, span.pos - 80) : span.pos]):
        return [span]
    out = [s for group in (1, 2) for s in _parse_at(parts.group(group), span.pos + parts.start(group), published)]
    return out or [span]


def _not_a_date(sentence: str, span: TimeSpan) -> bool:
    words = _APPROXIMATE.sub("", re.sub(r"^(?:(?:by|at|in|on|for|from|the)\s+)+", "", span.body, flags=re.I))
    return bool(
        _ORDINAL_ONLY.match(words)  # "the second", and "about four (hours)" once "about" is read past
        or _NOW.match(span.body)
        or _SPAN_OF_YEARS.match(span.body)
        or _VAGUE_YEAR.match(span.body)
        or _SOME_YEARS_AHEAD.match(span.body)
        or _BARE_MONTH_ABBREVIATION.match(span.body)
        or _BARE_WEEKDAY_ABBREVIATION.match(span.body)
        or (span.body.lower().endswith("new year") and _LUNAR.search(sentence[: span.pos]) is not None)
        or (_BARE_SEASON.match(span.body) is not None and not _SEASON_MARKER.search(sentence[: span.pos]))
        or _PAST_SPAN.search(span.body)
        or not _CALENDAR_WORD.search(words)
        or _NUMBER_TAIL.match(sentence[span.end_pos :])
        or (_COMING.match(span.body) is not None and not _TIME_PHRASE_OPENING.search(sentence[: span.pos]))
    )


# "a phone call this week, coming weeks after their meeting": "coming" is the verb; "in the coming weeks" and
# "expected in coming months" are times (a determiner or a preposition opens the phrase)
_COMING = re.compile(r"coming\s+(?:days|weeks|months|years)\b", re.I)
_TIME_PHRASE_OPENING = re.compile(r"\b(?:the|these|those|next|few|in|over|within|during|for)\s*$", re.I)


def _durations(sentence: str, index: int, published: date, dates: list[TimeSpan],
               effective: list[date], old_ends: list[date], enacted: date | None) -> list[Candidate]:
    found = _after_enactment(sentence, index, enacted)
    stated = windows.stated_lengths(sentence)
    bounded = list(stated.ranges)
    lengths = [m for m in [*stated.durations, *stated.to_act]
               if not any(r.start() < m.end() and m.start() < r.end() for r in bounded)
               and not any(c.span.pos < m.end() and m.start() < c.span.end_pos for c in found)]
    for match in [*bounded, *lengths]:
        if (_counts_past_time(sentence, match) or _lands_on_a_stated_day(sentence, match, dates)
                or _YEARS_PLAN.search(match.group())
                or (_PER.match(match.group()) and _RATE.search(sentence[: match.start()]))):
            continue
        moved = _moved_date(sentence, match, dates, published)
        if moved is not None:
            # "delay a trip in early April by about a month": the old date, that much later
            low, high = windows.length_ends(match, moved.start), windows.length_ends(match, moved.end)
            span = TimeSpan(match.group(), match.start(), match.end(), low[0], high[1], "range")
            found.append(Candidate(sentence, index, span, "duration", "stated", moved.start))
            continue
        others = [m for m in [*bounded, *lengths] if m is not match]
        start, anchor = _measure_start(sentence, match, published, dates, others)
        if anchor in ("published", "issued") and not FROM_THE_REPORT.search(match.group()):
            # "announced on Wednesday it will suspend the tariff for one year ... starting November 10": a
            # measure's period runs from the day it takes effect, said elsewhere, not from its announcement
            starts = _possible_starts(sentence, match, effective, old_ends, published)
            if starts:
                start, anchor = min(starts, key=lambda day: abs((day - published).days)), "stated"
        if anchor == "published" and _AGREEMENT.search(match.group()):
            continue
        if ((anchor == "published" and _UNDER_WAY.search(sentence[: match.start()])
                and not _TO_COME.search(sentence)) or _EXTENDED_ITSELF.search(sentence[: match.start()])):
            continue
        first, last = windows.length_ends(match, start)
        if anchor in ("published", "issued"):
            # Counted from the day of the report or the signing, the true start may be a day off before it
            # (reported the next day) or a few after (a measure takes effect days after it is agreed).
            span = TimeSpan(match.group(), match.start(), match.end(), first - timedelta(days=1),
                            last + timedelta(days=2), "range")
        else:
            span = TimeSpan(match.group(), match.start(), match.end(), first, last,
                            "day" if first == last else "range")
        found.append(Candidate(sentence, index, span, "duration", anchor, start))
    return found


def _after_enactment(sentence: str, index: int, enacted: date | None) -> list[Candidate]:
    """Lengths "after the date of enactment" of a law whose signing day the item gives, each from that day."""
    if enacted is None:
        return []
    found = []
    for match in windows.AFTER_ENACTMENT.finditer(sentence):
        first, last = windows.length_ends(match, enacted)
        span = TimeSpan(match.group(), match.start(), match.end(), first, last, "day" if first == last else "range")
        found.append(Candidate(sentence, index, span, "duration", "stated", enacted))
    return found


# "struck a 90-day deal on May 12", "agreed on Dec. 1 to a 90-day detente": a deal's length runs from a day the
# item gives; told without one, the deal is most often one struck weeks before the report
_AGREEMENT = re.compile(r"\b(?:detente|deal|agreement|arrangement|accord)$", re.I)
# "coinciding with a fragile 90-day tariff truce", "during a 90-day trade ceasefire": a period under way, begun
# on a day the item does not give, so not counted from the report
_UNDER_WAY = re.compile(r"\b(?:during|amid|amidst|coinciding with|throughout|midway through|halfway through|"
                        r"in the middle of)\s+(?:a|an|the|its|their|this)\s+(?:[\w’'-]+\s+){0,2}$", re.I)
# "agreed to extend their 90-day truce", "an extension of the 90-day pause": the length is the old period's own,
# not the extension's ("extend the truce by 90 days", "a 90-day extension" and "another 90 days" are)
_EXTENDED_ITSELF = re.compile(rf"\b(?:{_EXTENDING}|extension of)\s+(?:the|their|its|this|that)\s+"
                              r"(?:current\s+|existing\s+)?$", re.I)
# ("will accept feedback during a 60-day comment period once the rule is published" is still to come)
_TO_COME = re.compile(r"\b(?:will|would|shall|once|upon)\b|['’]ll\b", re.I)


def _possible_starts(sentence: str, match: re.Match[str], effective: list[date], old_ends: list[date],
                     published: date) -> list[date]:
    """The days, said elsewhere in the item to be when something takes effect, that a length may run from.

    An extension ("extend the suspension ... for one year", "another 90 days") runs on from the old end, not
    from a day the measure first took effect: a day still ahead is that old end as often as not ("would be
    effective from November 10"), else a day the item says something ends on. The extending word must stand
    before the length or in it: "suspend for one year a rule that extends export controls" is no extension.
    """
    if _EXTENSION.search(sentence, 0, match.end()) or _ANOTHER.search(match.group()):
        return [day for day in effective if day > published] or old_ends
    return effective


_BY = re.compile(r"^by\b", re.I)
_BARE_WEEKDAY = re.compile(rf"(?:on )?{WEEKDAY_NAME}", re.I)


def _moved_date(sentence: str, match: re.Match[str], dates: list[TimeSpan], published: date) -> TimeSpan | None:
    """The old date of something moved by a length ("postpone the trip, set for late March, by a month")."""
    if not _BY.match(match.group()):
        return None
    verbs = list(MOVED.finditer(sentence, max(0, match.start() - 120), match.start()))
    if not verbs:
        return None
    verb = verbs[-1]
    between = [s for s in dates if verb.end() <= s.pos and s.end_pos <= match.start()]
    if between:
        return between[-1]
    # "had planned to visit at the end of March, but ... asked China to delay his summit by around a month":
    # the plan's date may stand before the verb; only a date still ahead can be one moved, and a bare weekday
    # there is most often the day of a report ("said on Monday he had asked").
    earlier = [s for s in dates if s.end_pos <= verb.start() and s.end > published
               and not _BARE_WEEKDAY.fullmatch(s.body)]
    return earlier[-1] if earlier else None


# "extends the deadline another 75 days to June 19", "75 days past then, which placed the deadline on April 5",
# "that 45-day period expires on Sunday, September 20":
# the item says where the length lands, and that day is the one to read.
_LANDS_ON = re.compile(
    r"^(?:[^.;,]{0,30}?\b(?:to|until|till|through)|[^.;]{0,60}?\b(?:placing|placed|putting|puts|put|pushing|"
    rf"pushes|pushed|moving|moves|moved|setting|sets|set|{ENDS})\b"
    r"[^.;,]{0,20}?\b(?:on|to|at|for|in)|"
    # "the 90-day tariff pause ending July 9", "a 90-day truce that expires Aug. 12"
    # (not "for 90 days that were due to expire Monday", "within 10 days if they expire before ...": old dates)
    r"\s*(?:(?!(?:if|were|was|due|had|they|it)\b)[\w-]+ ){0,3}(?:that |which )?"
    rf"(?:{ENDS}))\s+(?:either\s+)?$",
    re.I)
_OWN_PREPOSITION = re.compile(r"^(?:to|until|till|through|on|in)\s", re.I)
# "within 60 days (i.e., May 21, 2018)", "for 90 days (until Aug. 12)": the day in brackets is where it lands
_IN_BRACKETS = re.compile(r"^\s*\(\s*(?:(?:i\.e\.|that is|or),?\s*)?(?:(?:by|until|till|through|to|on)\s+)?$", re.I)


# "Friday marks a 120-day deadline": the day is named before the length it ends
_IS_THE_END_OF = re.compile(r"^\s*(?:marks|is|was|will be|would be)\s+(?:the|a|an)\s+(?:end of (?:the |a |an )?)?$",
                            re.I)


def _lands_on_a_stated_day(sentence: str, match: re.Match[str], dates: list[TimeSpan]) -> bool:
    if any(span.end_pos <= match.start() and _IS_THE_END_OF.match(sentence[span.end_pos : match.start()])
           for span in dates):
        return True
    for span in dates:
        if span.pos < match.end() or span.granularity not in ("day", "range", "month"):
            continue
        between = sentence[match.end() : span.pos]
        own = _OWN_PREPOSITION.match(span.body)  # Duckling may keep "to" in "to Nov. 10"
        if _LANDS_ON.match(between + (own.group() if own else "")) or _IN_BRACKETS.match(between):
            return True
    return False


# "the first visit in five years", "the highest in a decade": a count of time gone by, not a length ahead.
# ("and last for one year" is the verb: a superlative needs its noun before the length; "most" and "least"
# need "the", since "suspend most tariffs for 90 days" is a quantity.)
_SINCE_COUNT = re.compile(
    r"\b(?:first|last|only|highest|lowest|biggest|largest|worst|best|strongest|weakest|fastest|slowest|"
    r"sharpest|steepest|(?<=\bthe )(?:most|least))\s+\w[^;]{0,60}$|"
    # "their first in six years", "the highest in a decade" ("and last for one year" is the verb)
    r"\b(?:first|only|highest|lowest|biggest|largest|worst|best)\s+$", re.I)


def _counts_past_time(sentence: str, match: re.Match[str]) -> bool:
    text = match.group().lower()
    return text.startswith(("in ", "over ", "for ")) and bool(_SINCE_COUNT.search(sentence[: match.start()]))


def _measure_start(
    sentence: str, match: re.Match[str], published: date, dates: list[TimeSpan], others: list[re.Match[str]]
) -> tuple[date, Anchor]:
    """When the measure starts: a date given with "starting/effective", its signing day, else publication.
    A date with another length between it and this one starts that other length ("pushing the ban back by 90
    days, more than the previous two 75-day delays from January and April")."""
    own = _FROM_NOW.search(match.group())
    if own:
        return published + timedelta(days=own.group(1).lower() == "tomorrow"), "published"
    outside = [s for s in dates if not (match.start() <= s.pos and s.end_pos <= match.end())
               and not _a_length_between(min(s.end_pos, match.end()), max(s.pos, match.start()), others)]
    for span in outside:
        if _starts_at(sentence[: span.pos], span.body):
            return span.start, "stated"
    # Duckling reads "30 days starting June 2" as one expression, which is not a date of its own.
    tail = sentence[match.end() :]
    for span in parse_times(tail, published):
        if (_starts_at(tail[: span.pos], span.body) and span.granularity == "day"
                and not _not_a_date(tail, span)  # "cut to 10 per cent from 125 per cent"
                and not _a_length_between(match.end(), match.end() + span.pos, others)):
            return span.start, "stated"
    # "signed an order on Friday giving 90 days", not "controls announced on Oct 9, which ..., will be
    # suspended for one year": the day something was issued starts a length in its own clause only.
    clause_start, clause_end = clause_bounds(sentence, match.start(), match.end())
    for span in outside:
        near = sentence[max(0, span.pos - 25) : span.end_pos + 12]
        in_clause = clause_start <= span.pos and span.end_pos <= clause_end
        if span.granularity == "day" and _ISSUED.search(near) and in_clause:
            return _latest_such_day(span, published), "issued"
    return published, "published"


def _a_length_between(left: int, right: int, lengths: list[re.Match[str]]) -> bool:
    """Whether one of `lengths` stands wholly between the sentence's positions `left` and `right`."""
    return any(left <= length.start() and length.end() <= right for length in lengths)


def _latest_such_day(span: TimeSpan, published: date) -> date:
    """A bare weekday in a report of what was done ("signed on Thursday") is the latest such day."""
    day = span.start
    if WEEKDAY.search(span.body) and not re.search(r"\bnext\b", span.body, re.I):
        while day > published:
            day -= timedelta(days=7)
    elif day > published and span.granularity == "day" and not re.search(r"\d{4}", span.body):
        # "struck a 90-day deal on May 12", told in June: this year's May 12, not next year's
        day = windows.months_later(day, -12)
    return min(day, published)
