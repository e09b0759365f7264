"""Find the future US–China events and deadlines a news item mentions, dated relative to publication."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.analysis.deadlines import anchors, windows
from bot.analysis.deadlines.events import name_event, names_an_event, topic_key
from bot.analysis.deadlines.text import (
    CHINA,
    FUTURE,
    PAST,
    clause_around,
    is_ours,
    mentions_us_and_china,
    split_sentences,
)
from bot.analysis.deadlines.timeparse import TimeSpan, parse_times
from bot.models import DeadlineMention

_HEDGED = re.compile(
    r"\b(?:may|might|could|possibl[ey]|likely|expected|consider(?:ing)?|weighing|hopes?)\b", re.I
)
_REPORTED_DATE = re.compile(
    r"\b(?:said|says|told|announced|added|stated|noted|wrote|posted|met|held|earlier|since|introduced|began|"
    r"started|signed|unveiled|released|issued|published|approved|imposed|passed|launched|proposed|filed|"
    r"hosted|delivered|lifted|last)\s+(?:on\s+|in\s+)?$",
    re.I,
)
_MODAL_BEFORE = re.compile(r"\b(?:will|would|to|be|been)\s+$", re.I)
_TRAILING_PHRASE = re.compile(r"^[\s,;]*(?:with|and|plus|including|followed by)\b", re.I)
_INHERENTLY_AHEAD = re.compile(r"\b(?:next|coming|later|by|until|through)\b", re.I)
_ORDINAL_ONLY = re.compile(r"^(?:the |on the )?(?:first|second|third|fourth|\d+(?:st|nd|rd|th))$", re.I)
_VAGUE_YEAR = re.compile(r"^(?:the|a|this) year$", re.I)
# Duckling reads some bare numbers as clock times ("by 115" in "by 115%"); a date needs a calendar word.
_CALENDAR_WORD = re.compile(r"[A-Za-z]{3,}|\d{1,2}/\d{1,2}|\d{4}-\d{2}", re.I)
_NUMBER_TAIL = re.compile(
    r"^(?:[.,]\d+)?\s*(?:%|per ?cent|percent|billion|million|trillion|bn|m\b)", re.I
)
_APPROXIMATE = re.compile(r"^(?:about|around|approximately|roughly|some|nearly|almost|up to)\s+", re.I)
# "apply immediately" is now, not a date to track.
_NOW = re.compile(r"^(?:immediately|now|right now|right away|at once|currently|so far|to date)$", re.I)
# "the first visit in five years": a count of past years after a superlative, not a future date.
_SINCE_COUNT = re.compile(
    r"\b(?:first|last|only|highest|lowest|biggest|largest|worst|best|strongest|weakest|fastest|slowest|"
    r"sharpest|steepest|most|least)\b[^.;]{0,60}$",
    re.I,
)
_SPAN_OF_YEARS = re.compile(
    r"^(?:in|for) (?:more than |over |nearly |almost )?(?:\d+|\w+) (?:years|decades)$", re.I
)
# "extended the deadline by 90 days, to Sept. 17": the new date is ahead whatever the tense.
_MOVED_TO = re.compile(
    r"\b(?:extend\w*|postpone\w*|delay\w*|push\w* back|mov(?:e|ed|es))\b[^;]{0,90}\bto\s+$", re.I
)
# A measure's clock starts at its signing or release: "signed on Monday ... a 90-day review".
_ISSUED = re.compile(r"\b(?:signed|issued|released|published|announced|unveiled|approved)\b", re.I)
# A duration scoped to other countries ("paused duties on other trading partners for 90 days").
_OTHER_PARTIES = re.compile(r"\bother (?:trading partners|countries|nations|economies|partners)\b", re.I)
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b", re.I)
_STATED_START = re.compile(
    r"\b(?:starting|effective|from|beginning|begins?|takes? effect)\b[^,;]{0,20}$", re.I
)
_TRUCE_WORDS = re.compile(
    r"\b(?:truce|reprieve|pause|suspen(?:sion|d)|reduc(?:e|tion)|lower|slash|cut)", re.I
)
_TARIFF = re.compile(r"\b(?:tariffs?|duties)\b", re.I)
_TAKES_EFFECT = re.compile(r"\b(?:takes?|took|taking) effect\b", re.I)
_TRUCE_END = re.compile(
    r"\b(?:truce|reprieve|pause|suspension)\b[^.]{0,30}"
    r"\b(?:ends|expires|expiry|runs out|lapses|set to expire)\b",
    re.I,
)
_EXTEND = re.compile(r"\bextend(?:s|ed|ing)?\b|\bextension\b", re.I)
_UNDATED = re.compile(
    r"mutually (?:acceptable|agreeable|convenient) (?:date|time)|date (?:is |was |has )?(?:yet )?(?:still )?"
    r"to be (?:determined|decided|announced|set|confirmed|fixed)|"
    r"no date (?:has been|was|is|had been) (?:yet )?set|"
    r"\b(?:has been|have been|was|were) (?:cancel(?:l)?ed|called off|scrapped)\b|\bcalled off\b|"
    r"\bsome ?time (?:after that|later|soon)|\bat a later date\b|\bin due course\b|\bsoon\b|\bupcoming\b|"
    r"\bplanned\b|\bproposed\b|\bexpected to (?:meet|visit|hold|speak)\b|"
    r"\bwhen (?:conditions|circumstances|the time) (?:allow|permit|is right)s?\b|\bat an appropriate time\b",
    re.I,
)


# Only events that get scheduled are worth tracking before they have a date.
_SCHEDULED_EVENTS = frozenset({"summit", "talks", "visit", "call", "deal", "hearing"})


@dataclass(frozen=True)
class _Found:
    topic: str
    mention: DeadlineMention


def extract_deadlines(text: str, published: date, *, title: str = "") -> list[DeadlineMention]:
    """The future US–China events in `text` (with `title`), each dated relative to `published` or undated."""
    if not mentions_us_and_china(f"{title}\n{text}"):
        return []
    sentences = split_sentences(text)
    if title and not text.startswith(title):
        sentences.insert(0, title)
    found: list[_Found] = []
    context = _Context(refers_back=bool(windows.SAME_DATE.search(text)))
    for index, sentence in enumerate(sentences):
        if is_ours(sentence):
            found.extend(_from_sentence(sentence, sentences[max(0, index - 3) : index], published, context))
    return _deduplicate(_merge_adjacent_days(found))


class _Context:
    """What earlier sentences of the item resolved: "the same date" refers back to it."""

    def __init__(self, *, refers_back: bool) -> None:
        self.refers_back = refers_back  # some sentence says "the same date": every date must be read
        self.last_span: TimeSpan | None = None


def _from_sentence(sentence: str, before: list[str], published: date, context: _Context) -> list[_Found]:
    if not context.refers_back and not names_an_event(sentence):
        # A date or a duration needs an event noun in its sentence to belong to: reading the sentence's
        # dates (Duckling) would find nothing to keep. Only an undated cue can borrow an earlier event.
        return _undated(sentence, before)
    dated = _dated(sentence, published, context)
    durations = _durations(sentence, published)
    # A date that starts a measure of stated length is not an event of its own ("for a year, starting
    # Nov. 10"), and a stated end date beats one counted from the length ("by another 90 days, to Sept. 17").
    starts = {d.stated_start for d in durations}
    dated = [f for f in dated if f.mention.start not in starts or _TAKES_EFFECT.search(f.mention.evidence)]
    dated_topics = {f.topic for f in dated}
    dated += [d.found for d in durations if d.found.topic not in dated_topics]
    if not dated:
        dated = _truce_end_without_date(sentence, published)
    if dated:
        return dated
    return _undated(sentence, before)


def _dated(sentence: str, published: date, context: _Context) -> list[_Found]:
    found: list[_Found] = []
    for span in _spans(sentence, published):
        if windows.SAME_DATE.fullmatch(span.body):
            if context.last_span is None:
                continue
            span = replace(context.last_span, body=span.body, pos=span.pos, end_pos=span.end_pos)
        context.last_span = span
        mention = _mention_for(sentence, span, published)
        if mention is not None:
            found.append(mention)
    return found


def _spans(sentence: str, published: date) -> list[TimeSpan]:
    """Our windows first, then Duckling's expressions that do not overlap them, in text order."""
    spans = list(windows.fuzzy_windows(sentence, published))
    spans += [
        TimeSpan(m.group(), m.start(), m.end(), published, published, "day")
        for m in windows.SAME_DATE.finditer(sentence)
    ]
    for span in parse_times(sentence, published):
        if _not_a_date(sentence, span) or windows.DURATION.search(span.body):
            continue
        if all(span.end_pos <= s.pos or span.pos >= s.end_pos for s in spans):
            spans.append(span)
    return sorted(spans, key=lambda s: s.pos)


def _not_a_date(sentence: str, span: TimeSpan) -> bool:
    words = _APPROXIMATE.sub("", re.sub(r"^(?:by|at|in|on|for|from|the)\s+", "", span.body, flags=re.I))
    return bool(
        _ORDINAL_ONLY.match(span.body)
        or _NOW.match(span.body)
        or _APPROXIMATE.match(span.body)
        or (_SPAN_OF_YEARS.match(span.body) and _SINCE_COUNT.search(sentence[: span.pos]))
        or _VAGUE_YEAR.match(span.body)
        or not _CALENDAR_WORD.search(words)
        or _NUMBER_TAIL.match(sentence[span.end_pos :])
    )


def _mention_for(sentence: str, span: TimeSpan, published: date) -> _Found | None:
    clause = clause_around(sentence, span.pos, span.end_pos)
    if not is_ours(_segment(sentence, span.pos)):
        return None
    if not _is_ahead(sentence, clause, span) or span.end < published:
        return None
    event = name_event(clause, clause.find(span.body), context=sentence) or name_event(sentence, span.pos)
    if event is None:
        return None
    start = max(span.start, published)
    granularity = span.granularity if start == span.start or span.granularity != "day" else "day"
    confidence = (0.85 if granularity == "day" else 0.75) - (0.2 if _HEDGED.search(clause) else 0.0)
    mention = DeadlineMention(event[1], start, span.end, granularity, round(confidence, 2), sentence)
    return _Found(topic_key(event[1]), mention)


_CONTRAST = re.compile(r";|\b(?:while|whereas|but|meanwhile)\b", re.I)


def _segment(sentence: str, position: int) -> str:
    """The stretch between contrast breaks ("the EU said ..., while Washington ...") holding `position`."""
    cuts = [0, *(m.start() for m in _CONTRAST.finditer(sentence)), len(sentence)]
    left = max(c for c in cuts if c <= position)
    right = min((c for c in cuts if c > position), default=len(sentence))
    return sentence[left:right]


def _is_ahead(sentence: str, clause: str, span: TimeSpan) -> bool:
    """Whether the expression dates something still to come, judged from the words around it."""
    before = sentence[max(0, span.pos - 40) : span.pos]
    reported = _REPORTED_DATE.search(before)
    if reported and not _MODAL_BEFORE.search(before[: reported.start()]):
        return False
    if _INHERENTLY_AHEAD.search(span.body) and not PAST.search(span.body):
        return True
    if _WEEKDAY.search(span.body) and _past_action(clause) and not _STRONG_FUTURE.search(clause):
        return False  # "Trump extended the truce ... on Monday": this week's news, not a date ahead
    if _MOVED_TO.search(sentence[max(0, span.pos - 100) : span.pos]):
        return True
    rest = clause.replace(span.body, " ")
    if _TRAILING_PHRASE.match(rest) and not (FUTURE.search(rest) or PAST.search(rest)):
        rest = sentence.replace(
            span.body, " "
        )  # a verbless clause ("with a hearing on ...") takes the sentence's
    return bool(FUTURE.search(rest)) and not (PAST.search(rest) and not re.search(r"\bwill\b", rest))


# A clause reporting what someone did: a past-tense verb not governed by an auxiliary or "to".
_PAST_VERB = re.compile(
    r"(?<!\bto )(?<!\bbe )(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!\bwill )"
    r"\b(?:\w{3,}ed|said|told|met|held|spoke|took|made|sent|won|gave|struck)\b",
    re.I,
)
_STRONG_FUTURE = re.compile(
    r"\b(?:will|would|shall|(?:is|are) (?:expected|set|due|scheduled|slated|poised|likely|going) to|"
    r"plans? to|to be held|takes? effect|next)\b",
    re.I,
)
_NOT_PAST_ED = frozenset({"expected", "scheduled", "planned", "proposed", "slated", "delayed", "needed", "based",
                          "related", "tied", "aimed", "limited", "united", "red", "bed", "need", "speed", "indeed"})


def _past_action(clause: str) -> bool:
    return any(m.group().lower() not in _NOT_PAST_ED for m in _PAST_VERB.finditer(clause))


@dataclass(frozen=True)
class _Duration:
    found: _Found
    stated_start: date | None  # the date in the sentence the measure is counted from, if any


def _durations(sentence: str, published: date) -> list[_Duration]:
    found = []
    for match in windows.DURATION.finditer(sentence):
        if _not_our_duration(sentence, match):
            continue
        days, _ = windows.duration_after(match, published)
        start, confidence, stated = _measure_start(sentence, match, published)
        known = _known_truce(sentence, published, days)
        if known is not None:
            end, confidence = known.end, 0.7
        else:
            end = windows.duration_after(match, start)[1]
        if end < published:
            continue
        what = _measure_name(sentence, match)
        if what is None:
            continue
        mention = DeadlineMention(what, end, end, "day", confidence, sentence)
        found.append(_Duration(_Found(topic_key(what), mention), stated))
    return found


def _not_our_duration(sentence: str, match: re.Match[str]) -> bool:
    """A duration about other countries, or a count of past years ("the first trip in five years")."""
    clause = clause_around(sentence, match.start(), match.end())
    if _OTHER_PARTIES.search(clause) and not CHINA.search(clause):
        return True
    if _time_until(match) and match.group().lower().startswith("in "):
        idiom = _SPAN_OF_YEARS.match(match.group()) and _SINCE_COUNT.search(sentence[: match.start()])
        return bool(idiom) or not FUTURE.search(sentence.replace(match.group(), " "))
    return False


def _time_until(match: re.Match[str]) -> bool:
    """ "in 30 days" / "within six months" time a step; "in a 90-day suspension" names a measure's length."""
    text = match.group().lower()
    return text.startswith(("in ", "within ")) and not re.match(r"(?:in|within) an? ", text)


# Events a duration can end: "for 90 days" measures a suspension; "in/within 30 days" times any step.
_TIMED_EVENTS = frozenset(
    {"truce", "measure", "export-controls", "licensing", "tariff", "comments", "review", "deadline",
     "hearing"}
)


def _measure_name(sentence: str, match: re.Match[str]) -> str | None:
    """What ends when a duration runs out: a tariff truce, a suspension, a review, or nothing we know."""
    if _TARIFF.search(sentence) and _TRUCE_WORDS.search(sentence):
        return "tariff truce expires"
    until_event = _time_until(match)
    # "a 90-day review" names its own event; "for 90 days" leaves it to the sentence.
    event = name_event(match.group()) or name_event(
        sentence, match.start() if until_event else None, noun_first=False
    )
    if event is None:
        return None
    allowed = _TIMED_EVENTS if until_event else {"truce", "review", "comments"}
    return event[1] if event[0] in allowed else None


def _measure_start(sentence: str, match: re.Match[str], published: date) -> tuple[date, float, date | None]:
    """When the measure starts: a date given with "starting/effective", its signing day, else publication."""
    # The duration itself ("takes effect in 30 days") is not its start.
    spans = [s for s in parse_times(sentence, published) if not _inside(s, match)]
    for span in spans:
        if _STATED_START.search(sentence[: span.pos]) or _STATED_START.search(span.body + " "):
            return span.start, 0.75, span.start
    for span in spans:
        near = sentence[max(0, span.pos - 25) : span.end_pos + 12]
        if span.granularity == "day" and _ISSUED.search(near):
            return _past_day(span, published), 0.7, None
    return published, 0.4, None


def _inside(span: TimeSpan, match: re.Match[str]) -> bool:
    return match.start() <= span.pos and span.end_pos <= match.end()


def _past_day(span: TimeSpan, published: date) -> date:
    """A bare weekday in a report of what was done ("signed on Thursday") is the latest such day."""
    day = span.start
    if _WEEKDAY.search(span.body) and not re.search(r"\bnext\b", span.body, re.I):
        while day > published:
            day -= timedelta(days=7)
    return day if day <= published else published


def _known_truce(sentence: str, published: date, days: int) -> anchors.KnownMeasure | None:
    if not (_TARIFF.search(sentence) and _TRUCE_WORDS.search(sentence)):
        return None
    return anchors.running_truce(published, days=days, extension=bool(_EXTEND.search(sentence)))


def _truce_end_without_date(sentence: str, published: date) -> list[_Found]:
    if not _TRUCE_END.search(sentence):
        return []
    known = anchors.running_truce(published, days=None, extension=bool(_EXTEND.search(sentence)))
    if known is None:
        return []
    mention = DeadlineMention("tariff truce expires", known.end, known.end, "day", 0.6, sentence)
    return [_Found("truce", mention)]


def _undated(sentence: str, before: list[str]) -> list[_Found]:
    cue = _UNDATED.search(sentence)
    if cue is None:
        return []
    event = name_event(sentence, cue.start(), noun_first=False)
    for earlier in reversed(before):
        if event is not None:
            break
        event = name_event(earlier)
    if event is None or event[0] not in _SCHEDULED_EVENTS:
        return []
    return [_Found(topic_key(event[1]), DeadlineMention(event[1], None, None, "unknown", 0.5, sentence))]


def _merge_adjacent_days(found: list[_Found]) -> list[_Found]:
    """One event on consecutive days of one sentence ("talks on Thursday and Friday") is one range."""
    merged: list[_Found] = []
    for f in sorted(found, key=lambda f: (f.topic, f.mention.evidence, f.mention.start or date.min)):
        last = merged[-1].mention if merged else None
        if (
            last is not None and merged[-1].topic == f.topic and last.evidence == f.mention.evidence
            and last.end is not None and f.mention.start is not None
            and last.granularity in ("day", "range") and f.mention.granularity == "day"
            and f.mention.start - last.end == timedelta(days=1)
        ):
            merged[-1] = replace(merged[-1], mention=replace(last, end=f.mention.end, granularity="range"))
        else:
            merged.append(f)
    return merged


def _deduplicate(found: list[_Found]) -> list[DeadlineMention]:
    """One mention per (topic, dates); an undated event is dropped when the same topic is dated."""
    dated_topics = {f.topic for f in found if f.mention.start is not None}
    best: dict[tuple[str, date | None, date | None], DeadlineMention] = {}
    for f in found:
        if f.mention.start is None and f.topic in dated_topics:
            continue
        key = (f.topic, f.mention.start, f.mention.end)
        if key not in best or f.mention.confidence > best[key].confidence:
            best[key] = f.mention
    return list(best.values())
