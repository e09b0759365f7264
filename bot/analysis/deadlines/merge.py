"""Step 4 of deadline extraction: one entry per event, within an item and across items.

`one_per_event` folds what one item says twice ("Aug. 12", "the 90-day truce"); `match_tracked` is the policy
storage applies when a new report meets the deadlines already tracked: pure, and independent of the order
reports arrive in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from bot.analysis.cues import CANCELLED, HEDGE_BEFORE, MOVED
from bot.analysis.deadlines.events import KNOWN_TOPICS, topic_key
from bot.domain.models import DeadlineMention, TrackedDeadline


def one_per_event(mentions: Sequence[DeadlineMention]) -> list[DeadlineMention]:
    """Overlapping dated mentions of one topic (or of one change of tariffs, or talks and a meeting on about the
    same days), on exactly the same days (the same window, of any topic), or one inside the other in one
    sentence, are one event: keep the narrowest (the most specific), surest first; consecutive days of one event
    ("talks on Thursday and Friday") become one range; the old day of a move a sentence reports made, beside
    its new day, is dropped; an undated mention is dropped when a dated one of its
    topic, of the change of tariffs it tells, or of the officials' meeting it tells, exists, and one undated
    mention is kept of each."""
    dated = sorted((m for m in mentions if m.start is not None and m.end is not None),
                   key=lambda m: (width(m), -m.confidence))
    kept: list[DeadlineMention] = []
    for mention in dated:
        index = next((i for i, k in enumerate(kept) if _same_event(k, mention)), None)
        if index is None:
            kept.append(mention)
    kept = _without_old_ends(_join_consecutive_days(kept))
    dated_topics = {topic for m in kept for topic in _topics(m)}
    undated: dict[str, DeadlineMention] = {}
    for mention in (m for m in mentions if m.start is None):
        topic, encounter = _topics(mention)
        if not {topic, encounter} & dated_topics:
            undated.setdefault(encounter, mention)
    return sorted(kept, key=lambda m: m.start or date.max) + list(undated.values())


# Dates of two mentions this many days apart or nearer may be one event's told two ways ("by another 90 days, to
# Sept. 17" beside the 90 days counted), or by two outlets.
SAME_DATE_DAYS = 7


def near(a: DeadlineMention, b: DeadlineMention) -> bool:
    """Whether two dated mentions fall within `SAME_DATE_DAYS` of each other."""
    assert a.start and a.end and b.start and b.end
    return _days_near((a.start, a.end), (b.start, b.end))


def _days_near(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return (b[0] - a[1]).days <= SAME_DATE_DAYS and (a[0] - b[1]).days <= SAME_DATE_DAYS


def confirmed_by(mentions: Sequence[DeadlineMention], story_days: Sequence[tuple[date, date]]) -> list[DeadlineMention]:
    """The `mentions` of a day or a few (not a window like "next month", which a story's days overlap by chance)
    within a week of one of `story_days`, the days other reports of the story give: a report that does not
    name both sides is trusted for the dates its story's reports share."""
    return [m for m in mentions if m.start is not None and m.end is not None and width(m) <= CONFIRMED_WIDTH
            and any(_days_near((m.start, m.end), day) for day in story_days)]


# Chosen on the corpus' tuning part: wider windows found 4 more deadlines on each half, with 4 and 5 more false
# alarms, and let a caption's "the autumn" confirm any story with a day in it.
CONFIRMED_WIDTH = 3


# A move made, not one planned or possible ("will extend the June 19 deadline by 90 days" leaves June 19 standing
# until it does; "the deadline could be extended"); "extended an invitation" moves nothing.
_MOVED_NOW = re.compile(r"\b(?:extended|extends|extending|prolonged|postponed|postpones|postponing|delayed|delays|"
                        r"delaying|pushed|pushes|pushing|moved|moves|moving|rescheduled|deferred)\b"
                        r"(?! (?:an? |the |his |her |their )?(?:[\w-]+ ){0,2}invitation)", re.I)


def _said_plainly(cue: re.Pattern[str], evidence: str) -> bool:
    """Whether `cue` occurs with no hedge just before it ("was cancelled", not "could be cancelled if")."""
    return any(not HEDGE_BEFORE.search(evidence[: found.start()]) for found in cue.finditer(evidence))


def _without_old_ends(mentions: list[DeadlineMention]) -> list[DeadlineMention]:
    """One sentence that moves an event and names two of its days tells the old one and the new: "USTR
    extended the exclusions, currently set to end Nov. 29, pushing them to Nov. 10, 2026" tracks Nov. 10 only."""
    def superseded(old: DeadlineMention) -> bool:
        return _said_plainly(_MOVED_NOW, old.evidence) and any(
            new.evidence == old.evidence and topic_key(new.what) == topic_key(old.what)
            and new.start and old.end and new.start > old.end for new in mentions)
    return [m for m in mentions if not superseded(m)]


def width(mention: DeadlineMention) -> int:
    """Days between a dated mention's first and last day (0 for one day)."""
    assert mention.start is not None and mention.end is not None
    return (mention.end - mention.start).days


def _same_event(a: DeadlineMention, b: DeadlineMention) -> bool:
    assert a.start and a.end and b.start and b.end
    if not (a.start <= b.end and b.start <= a.end):
        return False
    topics = topic_key(a.what), topic_key(b.what)
    if _tariff_change(topics[0]) == _tariff_change(topics[1]):
        return True
    if {*topics} <= _ENCOUNTERS and _alike_widths(a, b):
        return True
    if all(_meets(topic) for topic in topics) and (_week_around(a, b) or _trip_and_summit(a, b, topics)):
        return True
    # Two measures on one day may be two events; one window named twice ("agreed to hold talks next week",
    # "will meet in person next week") is one.
    same_days = (a.start, a.end) == (b.start, b.end)
    if same_days and (a.evidence == b.evidence or a.start < a.end or not (_known(a) and _known(b))):
        return True
    # "later this year, when he hosts the APEC summit in November": one sentence telling one event twice,
    # less and more exactly.
    return a.evidence == b.evidence and (_contains(a, b) or _contains(b, a))


# "He Lifeng is set to meet US officials in London next week" and "talks scheduled between 8 and 13 June" in one
# item: people meeting on about the same days are holding the talks. (Talks on two days inside "a summit later
# this month" are talks before the summit; talks "in early August" and leaders meeting "at a mutually acceptable
# date" are two.)
_ENCOUNTERS = frozenset({"summit", "talks"})
_TARIFF_TOPICS = frozenset({"truce", "tariff"})


def _meets(topic: str) -> bool:
    return topic in _ENCOUNTERS or topic.startswith("visit")


_WEEK_DAYS = 7
_MONTH_DAYS = 31


def _trip_and_summit(a: DeadlineMention, b: DeadlineMention, topics: tuple[str, str]) -> bool:
    """ "Trump announced his intention to visit China in April" beside "a summit with Xi during the first week of
    April": a leader's trip and a summit, one inside the other within a month, are one journey."""
    wide, narrow = sorted((a, b), key=width, reverse=True)
    leaders_journey = {*topics} in ({"summit", "visit:us"}, {"summit", "visit:xi"})
    return leaders_journey and width(wide) <= _MONTH_DAYS and _contains(wide, narrow)


def _week_around(a: DeadlineMention, b: DeadlineMention) -> bool:
    """ "Sullivan will depart for China next week" beside "meetings with Wang from Aug. 27-29": a week or less
    that holds the narrower days of a meeting is those days told vaguely."""
    wide, narrow = sorted((a, b), key=width, reverse=True)
    return width(wide) <= _WEEK_DAYS and width(narrow) < width(wide) and _contains(wide, narrow)


def _topics(mention: DeadlineMention) -> tuple[str, str]:
    """A mention's topic (one for a change of tariffs, however told), and the topic it shares with every telling
    of officials meeting ("Sherman will meet Wang Yi" beside "her visit to Tianjin on July 25-26" is the dated
    visit told again); a meeting of the leaders and Xi's visit stay topics of their own (talks "in early August"
    do not date a Trump–Xi summit "at a mutually acceptable date")."""
    topic = _tariff_change(topic_key(mention.what))
    if topic in {*_ENCOUNTERS, "call"} and _LEADERS.search(mention.what):
        return topic, "leaders"
    return topic, "encounter" if topic in {*_ENCOUNTERS, "visit:us", "call"} else topic


_LEADERS = re.compile(r"\b(?:Trump|Biden|Obama|Xi)\b|\bleaders\b")


def _tariff_change(topic: str) -> str:
    """One topic for a change of tariffs, however it is told ("China will next week lower tariffs", "effective
    Feb. 14, China will halve the tariff rate"; "tariffs will fall to 30%" beside "the reductions will go into
    effect on Wednesday")."""
    return "tariff change" if topic in _TARIFF_TOPICS else topic


def _alike_widths(a: DeadlineMention, b: DeadlineMention) -> bool:
    narrow, wide = sorted((width(a), width(b)))
    return wide <= 2 * narrow + 1


def _known(mention: DeadlineMention) -> bool:
    return topic_key(mention.what) in KNOWN_TOPICS


def _contains(wide: DeadlineMention, narrow: DeadlineMention) -> bool:
    assert wide.start and wide.end and narrow.start and narrow.end
    return wide.start <= narrow.start and narrow.end <= wide.end


def _join_consecutive_days(mentions: list[DeadlineMention]) -> list[DeadlineMention]:
    out: list[DeadlineMention] = []
    for mention in sorted(mentions, key=lambda m: m.start or date.max):
        last = out[-1] if out else None
        if (last is not None and last.evidence == mention.evidence and last.end is not None
                and mention.start is not None and last.granularity in ("day", "range")
                and mention.granularity == "day" and mention.start - last.end == timedelta(days=1)
                and topic_key(last.what) == topic_key(mention.what)):
            out[-1] = replace(last, end=mention.end, granularity="range")
        else:
            out.append(mention)
    return out


# Two dated reports of one topic within this many days are the same event, reported less or more exactly.
SAME_EVENT_DAYS = 45
# A report that says the event moved may move it this far.
MOVE_DAYS = 400

def reports_a_move(evidence: str) -> bool:
    """Whether the report says its event was moved (extended, postponed, delayed...)."""
    return MOVED.search(evidence) is not None


def is_cancellation(evidence: str) -> bool:
    """A plain report that the event was called off, not "could be cancelled if ..."."""
    return _said_plainly(CANCELLED, evidence)


def match_tracked(
    mention: DeadlineMention, tracked: Sequence[TrackedDeadline], published: date
) -> TrackedDeadline | None:
    """The tracked deadline (not cancelled) this mention, published on `published`, reports on; None: new.

    Same topic. An undated report refers to the topic's nearest still-open deadline; a dated one to the
    nearest within `SAME_EVENT_DAYS`, or `MOVE_DAYS` when the report says the event moved (undated
    deadlines are near any date). Ties go to the lowest id, so the answer never depends on row order.
    """
    same = [t for t in tracked if t.topic == topic_key(mention.what)]
    if mention.start is None:
        still_open = [t for t in same if t.end is None or t.end >= published]
        return min(still_open, key=lambda t: (t.start or date.max, t.id), default=None)
    reach = MOVE_DAYS if reports_a_move(mention.evidence) else SAME_EVENT_DAYS
    near = [(distance(t, mention), t.id, t) for t in same]
    near = [entry for entry in near if entry[0] <= reach]
    return min(near, key=lambda entry: entry[:2])[2] if near else None


def moves(tracked: TrackedDeadline, mention: DeadlineMention, published: date) -> bool:
    """Whether a dated mention of a tracked deadline, published on `published`, gives it new dates.

    A date an item states beats one counted from a report's day ("through November 9, 2026" beats "for one
    year" counted from the day it was reported), whatever the order the reports came in. Between two stated
    dates the newer report wins (it may tell a change); between two counted ones the older (it was written
    nearer the start of the length). A counted date moves a stated one only when its report says the event
    moved ("extended the truce for another 90 days"). So the tracked dates, and the alerts they raise, do not
    depend on ingest order, and a later outlet's "the one-year truce" counted from its own day raises none.
    """
    if mention.start is None or (tracked.start, tracked.end) == (mention.start, mention.end):
        return False
    newer = tracked.dated_by is None or published >= tracked.dated_by
    if not mention.counted:
        return newer or tracked.counted
    if newer:
        return reports_a_move(mention.evidence)
    return tracked.counted


def distance(tracked: TrackedDeadline, mention: DeadlineMention) -> int:
    """Days between a tracked deadline and a mention: 0 when their intervals overlap or either is undated."""
    if not (tracked.start and tracked.end and mention.start and mention.end):
        return 0
    if tracked.start <= mention.end and mention.start <= tracked.end:
        return 0
    return min(abs((tracked.start - mention.end).days), abs((mention.start - tracked.end).days))


class MergePolicy:
    """The merge policy storage applies (a `DeadlinePolicy`): topics, matching, cancellations."""

    def topic(self, what: str) -> str:
        """The topic that groups reports of one event."""
        return topic_key(what)

    def match(self, mention: DeadlineMention, tracked: Sequence[TrackedDeadline],
              published: date) -> TrackedDeadline | None:
        """The tracked deadline this mention reports on, or None."""
        return match_tracked(mention, tracked, published)

    def is_cancellation(self, evidence: str) -> bool:
        """Whether the report says its event was called off."""
        return is_cancellation(evidence)

    def moves(self, tracked: TrackedDeadline, mention: DeadlineMention, published: date) -> bool:
        """Whether the mention gives the tracked deadline new dates."""
        return moves(tracked, mention, published)


MERGE_POLICY = MergePolicy()
