"""Find the upcoming US–China events and deadlines a news item mentions, dated relative to publication.

The pipeline: candidates (every time expression and duration, `candidates.py`) -> features (tense, modality,
the governing verb, the event noun, how far ahead, `features.py`) -> the learned model's probability
(`model.py`) -> an event name from the text (`events.py`) -> one entry per event (`merge.py`).
Undated plans ("will visit at a mutually acceptable date") come from cue phrases.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from bot.analysis.cues import ENDS, MONTH_DAY, MONTH_NAMES, RELIEF, WEEKDAY, case_blind, contains_any
from bot.analysis.deadlines.candidates import Candidate, find_candidates
from bot.analysis.deadlines.events import name_event, relief_event
from bot.analysis.deadlines.features import features
from bot.analysis.deadlines.merge import near, one_per_event, width
from bot.analysis.deadlines.model import DeadlineModel, shipped_model
from bot.analysis.deadlines.text import (
    clause_around,
    for_other_partners,
    is_ours,
    leaves_china_out,
    mentions_us_and_china,
)
from bot.domain.models import DeadlineMention
from bot.domain.sentences import split_sentences

# A meeting still ahead whose day the sentence does not give: "ahead of a summit between Trump and Xi",
# "the planned meeting with Xi", "a potential in-person meeting" (with a day it is a dated one, or none).
_MEETING_AHEAD = re.compile(r"\bahead of (?:a|an|the|their|next) (?:[\w-]+ ){0,3}(?:summit|meeting|visit|trip|talks)\b|"
                            r"\b(?:potential|planned|possible|proposed|scheduled|anticipated|expected) (?:[\w-]+ ){0,2}"
                            r"(?:summit|meeting|visit|trip|talks)\b", re.I)
_SAYS_WHEN = re.compile(rf"{WEEKDAY.pattern}|{MONTH_DAY}|\b(?:{'|'.join(m for m in MONTH_NAMES if m != 'may')})\b|"
                        r"\b(?:next|this|coming|later this) (?:week|month|year|spring|summer|autumn|fall|winter)\b",
                        re.I)
_UNDATED = re.compile(
    # Every cue starts a word (or is "'ll"): saying so first lets the scan skip the middle of words, a third of
    # the cost, and keeps "no date ... set" out of "casino date".
    r"(?:(?<![\w'’])(?=\w)|(?=['’]))(?:"
    r"mutually (?:acceptable|agreeable|convenient) (?:date|time)|"
    r"date (?:for [\w\s-]{1,30} )?(?:is |was |has )?(?:yet )?(?:still )?"
    r"to be (?:determined|decided|announced|set|confirmed|fixed)|"
    r"no (?:trial |firm )?date (?:for [\w\s-]{1,30} )?(?:has (?:yet )?been|was|is|had been) (?:yet )?set|"
    r"\bsome ?time (?:after that|later|soon)|\bat a later date\b|\bin due course\b|\bsoon\b|\bupcoming\b|"
    r"\bin the near future\b|\b(?:is|are) about to\b|\bpending\b|"
    r"\b(?:plans?|planned|intends?|pledged|vowed|agreed|is set|are set|is expected|are expected|is due|are due) to "
    r"(?:visit|travel|meet|hold|host|impose|sanction|add|restrict|resume|release|issue|grant|announce|sign|"
    r"take|drop|cut|lower|reduce|roll back|seek|open|conduct|continue)\b|"
    r"\b(?:will|'ll|shall) (?:\w+ )?(?:visit|travel to|meet|hold|host|impose|sanction|add|restrict|resume|lift|remove|"
    r"approve|reduce|lower|ease|"
    r"release|issue|grant|announce|sign|take|conduct|continue|be (?:added|imposed|halved|cut|lowered|granted|"
    r"resumed|released|lifted|suspended|extended))\b|"
    # a reported change still to come: "said tariffs would be cut to 47%", "the truce is likely to be extended"
    r"\bwould (?:\w+ )?be (?:halved|cut|lowered|reduced|decreased|raised|increased|lifted|suspended|extended)\b|"
    r"\b(?:is|are) likely to be (?:extended|renewed|approved|signed|lifted|cut|lowered)\b|"
    r"\bexpects? to (?:extend|renew|sign|finali[sz]e)\b|\b(?:is|are) (?:finali[sz]ing|preparing to)\b|"
    r"\bwhen (?:conditions|circumstances|the time) (?:allow|permit|is right)s?\b|\bat an appropriate time\b|"
    # a pledge to answer a measure: the countermeasure is an event to watch for
    r"\b(?:plans?|vow(?:ed|s|ing)?|pledged?|promised?|threaten(?:ed|s)?|forced) to (?:retaliate|fire back|respond|"
    r"hit back|take (?:necessary|resolute|corresponding|retaliatory) (?:counter)?measures)|"
    r"\b(?:formulating|preparing|drawing up) (?:\w+ )?countermeasures\b|"
    r"\b(?:would|will) (?:place|put|slap|impose) sanctions\b|"
    r"\bwill (?:retaliate|fire back|hit back|"
    r"take (?:necessary|resolute|corresponding|retaliatory) (?:counter)?measures|"
    r"make corresponding adjustments)\b|\b(?:are|is) expected to (?:talk|speak|meet)\b|"
    # a government's stated next step: "said it would impose port fees", "will make a proportionate response",
    # "has proposed banning", "promised to increase purchases", "has yet to be imposed", "not yet finalized"
    r"\b(?:would|will) (?:(?!not\b|never\b)\w+ )?(?:impose|reduce|cut|lower|halve|raise (?:its |the )?(?:tariffs|"
    r"duties|levies)|resume|reciprocate|retaliate|"
    r"make (?:a )?(?:proportionate|necessary|firm) (?:response|countermeasures))\b|"
    r"\b(?:has|have) proposed (?:banning|to ban|a ban|rules?|new rules?|tariffs)\b|"
    r"\b(?:promised|pledged|committed|agreed) to (?:increase|begin|resume)\b|"
    r"\b(?:has|have) yet to (?:be )?(?:imposed|set|announced|decided|approved|finali[sz]ed)\b|"
    r"\bnot yet (?:been )?(?:finali[sz]ed|decided|approved|announced)\b|"
    r"\b(?:is|are) (?:also |now )?considering (?:sanctions|tariffs|restrictions|curbs|a ban|banning)\b|"
    r"\b(?:is|are) considering an extension\b|"
    r"\bexpects? (?:\w+ )?to (?:resume|suspend|lift|approve)\b|"
    # a meeting still ahead whose day the sentence does not give
    rf"{_MEETING_AHEAD.pattern})",
    re.I,
)
# A word each of the cues above needs one of, in `case_blind`'s lower case: more than half of the sentences hold
# none, and a substring test is far cheaper than the regex.
_UNDATED_WORDS = ("mutually", "date", "some", "due course", "soon", "upcoming", "near future", "about to", "pending",
                  "plan", "intend", "pledge", "vow", "agreed", "set to", "expect", "due to", "will", "'ll", "shall",
                  "would", "likely to be", "finali", "preparing", "when", "appropriate time", "promise", "threaten",
                  "propose", "committed", "yet to", "not yet", "considering", "ahead of", "potential", "possible",
                  "scheduled", "anticipated", "vowing", "forced to", "formulating", "drawing up")
_NOT_PLANNED = re.compile(r"\b(?:cancel\w*|called off|scrapped|postponed indefinitely|would have|if|unless)\b",
                          re.I)
# Only events that get scheduled are worth tracking before they have a date.
_SCHEDULED_EVENTS = frozenset({"summit", "talks", "visit", "call", "deal", "hearing", "tariff", "export-controls",
                               "licensing", "measure", "review", "truce", "countermeasures", "sanctions"})


def extract_deadlines(
    text: str, published: date, *, title: str = "", model: DeadlineModel | None = None, relevant: bool = False
) -> list[DeadlineMention]:
    """The upcoming US–China events in `text` (with `title`), each dated relative to `published` or undated.

    `relevant` says the item was already judged to be about US–China relations; without it, an item that
    does not name both sides has none. (A relevant item often names one: "China's commerce ministry said
    the curbs take effect on Dec. 1.")"""
    if not relevant and not mentions_us_and_china(f"{title}\n{text}"):
        return []
    sentences = split_sentences(text)
    if title and not text.startswith(title):
        sentences.insert(0, title)
    model = model or shipped_model()
    stated: list[DeadlineMention] = []
    counted: list[DeadlineMention] = []
    from_the_report: list[DeadlineMention] = []  # lengths counted from publication: their start is a guess
    ends_read: list[DeadlineMention] = []  # ends said to come just after a date ("just before ... ends")
    candidates = find_candidates(sentences, published)
    # A length's stated start is a deadline of its own ("cut tariffs for 90 days, starting May 14": the cut
    # takes effect May 14, the truce ends Aug. 12); the model judges it like any date.
    starts = {(c.index, c.anchor_day) for c in candidates if c.kind == "duration" and c.anchor == "stated"}
    doubtful_days: list[DeadlineMention] = []
    for candidate in candidates:
        if not worth_judging(candidate, published) or _told_as_before(candidate):
            continue
        probability = model.probability(features(candidate, published, candidates))
        if not model.keeps(probability, counted=candidate.counted):
            doubtful_days += _doubtful_day(candidate, published, probability)
        else:
            starts_a_length = candidate.kind == "date" and (candidate.index, candidate.span.start) in starts
            mention = _mention(candidate, published, model, probability, starts_a_length)
            if candidate.counted:
                mention = replace(mention, counted=True)
                from_the_report.append(mention)
            ends = _just_after(candidate, mention)
            (counted if candidate.kind == "duration" else stated).extend([mention, *ends])
            ends_read += ends
    # An end the item reads from its words beats one counted from the day of the report for the same relief:
    # "the talks in London produced a 90-day suspension" (begun when?) beside "talks in early August, just
    # before the tariff reprieve ends".
    read, guessed = {m.what for m in ends_read}, {id(m) for m in from_the_report}
    counted = [m for m in counted if not (m.what in read and id(m) in guessed)]
    # A date the item states beats one it lets us count ("by another 90 days, to Sept. 17"), unless it is the
    # vaguer of the two ("must leave within ten days" beside "expire before the end of the year").
    # One length counted twice ("another 75 days", "the 75-day extension") is one date.
    counted = list({(m.start, m.end): m for m in sorted(counted, key=lambda m: m.confidence)}.values())
    found = stated + [m for m in counted if not any(near(m, s) and width(s) <= width(m) for s in stated)]
    found += _days_inside_windows(doubtful_days, stated)
    dated_sentences = {m.evidence for m in found}  # a sentence that gives its date needs no undated entry
    found += [m for index, s in enumerate(sentences)
              if s not in dated_sentences and (m := _undated(s, sentences[max(0, index - 3) : index]))]
    return one_per_event(found)


def worth_judging(candidate: Candidate, published: date) -> bool:
    """Whether the model is asked about a candidate at all: it does not end before the report, and its
    sentence and clause are about the US and China, not another country or "other trading partners".
    Training asks the same question, so the model learns only from what it will judge."""
    span = candidate.span
    return not (span.end < published or not is_ours(candidate.sentence, span.pos)
                or leaves_china_out(candidate.sentence)
                or for_other_partners(clause_around(candidate.sentence, span.pos, span.end_pos)))


# "The talks in London had resulted in a 90-day suspension": a length told in the past perfect began before
# something else the item tells, not on the day of the report, so it is not counted from that day.
# (Not in `worth_judging`, which training shares: the shipped model was fitted with such lengths among those it judges.)
_PAST_PERFECT = re.compile(r"\bhad\b", re.I)


def _told_as_before(candidate: Candidate) -> bool:
    span = candidate.span
    return candidate.counted and bool(_PAST_PERFECT.search(clause_around(candidate.sentence, span.pos, span.end_pos)))


def _mention(candidate: Candidate, published: date, model: DeadlineModel, probability: float,
             starts_a_length: bool = False) -> DeadlineMention:
    """A kept candidate as a deadline: from the report's day on, named, with its calibrated confidence."""
    span = candidate.span
    start = max(span.start, published)
    granularity = span.granularity if start == span.start else "range" if start < span.end else "day"
    confidence = round(model.confidence(probability, counted=candidate.counted), 2)
    return DeadlineMention(_name(candidate, starts_a_length), start, span.end, granularity, confidence,
                           candidate.sentence)


# A day the model doubts, inside a window it keeps for the same event ("next week's forum" beside "the meeting
# on Nov. 15"), is that event's day: the window says it is ahead, the day says which.
# (Cross-validated on the corpus, a floor from 0.2 to 0.3 gains as much on both halves; 0.1 lets in wrong days.)
DOUBTFUL_FLOOR = 0.2


def _doubtful_day(candidate: Candidate, published: date, probability: float) -> list[DeadlineMention]:
    """A day still ahead that the model did not keep but does not rule out, as a mention of no confidence."""
    span = candidate.span
    if (candidate.kind != "date" or span.granularity != "day" or span.start != span.end
            or span.start <= published or probability < DOUBTFUL_FLOOR):
        return []
    return [DeadlineMention(_name(candidate), span.start, span.end, "day", 0.0, candidate.sentence)]


def _days_inside_windows(days: list[DeadlineMention], kept: list[DeadlineMention]) -> list[DeadlineMention]:
    """The doubted days that fall in a kept window of their event, as sure as that window."""
    found = []
    for day in days:
        window = next((k for k in kept if k.what == day.what and _holds(k, day) and width(k) >= 3), None)
        if window is not None:
            found.append(replace(day, confidence=window.confidence))
    return found


def _holds(window: DeadlineMention, day: DeadlineMention) -> bool:
    return (window.start is not None and window.end is not None and day.start is not None
            and window.start <= day.start <= window.end)


# "talks in early August, just before the tariff reprieve ends": the reprieve ends within days of that date.
_JUST_BEFORE = re.compile(
    r"^[^.;]{0,40}?\b(?:just|shortly|right) (?:before|ahead of) (?:the |its |their )?([\w\s-]{3,50}?) "
    r"(?:ends|expires|runs out|lapses|is due to expire|is set to expire)\b", re.I)
_DAYS_AFTER = 3


def _just_after(candidate: Candidate, mention: DeadlineMention) -> list[DeadlineMention]:
    """The event a date is said to come just before, dated in the few days after it."""
    found = _JUST_BEFORE.match(candidate.sentence[candidate.span.end_pos :])
    event = name_event(found.group(1)) if found else None
    if event is None or mention.end is None:
        return []
    start, end = mention.end + timedelta(days=1), mention.end + timedelta(days=_DAYS_AFTER)
    return [DeadlineMention(event[1], start, end, "range", mention.confidence, mention.evidence)]


def _name(candidate: Candidate, starts_a_length: bool = False) -> str:
    """What the date belongs to, worded from the clause around it (the nearest event noun first); what a
    stated length runs out on is a relief: a truce, a pause, a suspension; the day it starts is when that
    relief takes effect (a topic apart from its end, so the two never merge)."""
    sentence, span = candidate.sentence, candidate.span
    if (starts_a_length or candidate.kind == "duration") and RELIEF.search(sentence):
        return relief_event(sentence, starts=starts_a_length)
    clause = clause_around(sentence, span.pos, span.end_pos)
    if _RELIEF_ENDS_ON.search(clause[: max(0, clause.find(span.body))] + span.body.split()[0] + " "):
        # "the suspension of the export controls ends on November 10": the relief's end, told as a length's
        # end is ("for one year"), so reports of one event in either form are one tracked deadline
        return relief_event(sentence, starts=False)
    event = name_event(clause, clause.find(span.body), context=sentence) or name_event(sentence, span.pos)
    if event is not None:
        return event[1]
    words = clause.replace(span.body, " ").split()
    return " ".join(words[:10]).strip(" ,;:.") or "US–China deadline"


_RELIEF_ENDS_ON = re.compile(rf"{RELIEF.pattern}[^.;]{{0,60}}?\b(?:{ENDS}|will (?:end|expire|lapse|run out))\s+"
                             r"(?:on\s+)?$", re.I)


def _dated_meeting(cue: str, sentence: str) -> bool:
    """A meeting named ahead in a sentence that gives a day: a dated one (or a past one), not an undated plan."""
    return _MEETING_AHEAD.fullmatch(cue) is not None and _SAYS_WHEN.search(sentence) is not None


def _undated(sentence: str, before: list[str]) -> DeadlineMention | None:
    if not contains_any(case_blind(sentence), _UNDATED_WORDS):
        return None
    cue = next((m for m in _UNDATED.finditer(sentence) if not _dated_meeting(m.group(), sentence)), None)
    if cue is None or _NOT_PLANNED.search(sentence) or not is_ours(sentence):
        return None
    event = name_event(sentence, cue.start(), noun_first=False)
    for earlier in reversed(before):
        if event is not None:
            break
        event = name_event(earlier)
    if event is None or event[0] not in _SCHEDULED_EVENTS:
        return None
    return DeadlineMention(event[1], None, None, "unknown", 0.5, sentence)
