"""Measures of the analysis on a corpus part: relevance, deadlines, and one story across outlets.

Every measure runs the same functions the bot runs (`bot.analyze.judge`, `bot.analysis.cluster`), on the
passage text alone (no headline), as a feed's summary would deliver it.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.analysis.cluster import cluster_reports
from bot.analysis.relevance import DEFAULT_THRESHOLD
from bot.domain.models import DeadlineMention
from bot.pipeline.analyze import judge, judge_together
from corpus.schema import read

HERE = Path(__file__).parent
PARTS = ("tune", "test")

Interval = tuple[date, date]


TEST_SHARE = 35  # percent of events held out for the once-per-release report


def part_of(event: str) -> str:
    """"test" or "tune" for an event, fixed by a hash of its id: every report of one event is in one part,
    and the split stays put as the corpus grows."""
    bucket = int(hashlib.sha256(event.encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE else "tune"


HALVES = ("A", "B")


def half_of(event: str) -> str:
    """"A" or "B" for an event of the tuning part, fixed by a second hash: reading rules are proposed from
    half A's errors and kept only when half B, whose errors are not read, agrees (`python -m corpus check`)."""
    return HALVES[int(hashlib.sha256(f"half:{event}".encode()).hexdigest()[:8], 16) % 2]


def load(part: str) -> list[dict[str, Any]]:
    """The passages of one corpus part ("tune" or "test"), from every file in corpus/passages/."""
    cases, seen = [], set()
    for path in sorted((HERE / "passages").glob("*.jsonl")):
        for _, case in read(path):
            key = " ".join(case["text"].split())
            if key not in seen and part_of(case["event"]) == part:  # a passage found twice counts once
                seen.add(key)
                cases.append(case)
    return cases


def harmonic_mean(precision: float, recall: float) -> float:
    """F1 of a precision and a recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Counts:
    """True positives, false positives and false negatives, with the usual ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    # (confidence, right) of each dated deadline found: how well the confidence tells right from wrong
    judged: list[tuple[float, bool]] = field(default_factory=list)
    # (tp, fp, fn) of each event, where they were counted per event: what the interval is drawn from
    per_event: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def add(self, other: Counts, event: str | None = None) -> None:
        """Add `other`'s counts (to `event`'s own, when given)."""
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.misses += other.misses
        self.judged += other.judged
        for name, counts in other.per_event.items():
            self._add_to_event(name, counts)
        if event is not None:
            self._add_to_event(event, (other.tp, other.fp, other.fn))

    def _add_to_event(self, event: str, counts: tuple[int, int, int]) -> None:
        tp, fp, fn = self.per_event.get(event, (0, 0, 0))
        self.per_event[event] = (tp + counts[0], fp + counts[1], fn + counts[2])

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)

    def line(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} (tp {self.tp} fp {self.fp} fn {self.fn})"


CONFIDENCE_BANDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # the model's threshold may sit under 0.5
BOOTSTRAP_ROUNDS = 1000


def f1_interval(per_event: Iterable[tuple[int, int, int]], rounds: int = BOOTSTRAP_ROUNDS,
                seed: int = 0) -> tuple[float, float]:
    """The middle 95 % of F1 over `rounds` draws of as many events, with replacement, from these (tp, fp, fn):
    how far another set of events like these may move the measure. Events, not deadlines, are drawn because
    the parts are split by event and one event's reports succeed or fail together."""
    events = list(per_event)
    if not events:
        return 0.0, 0.0
    draw = random.Random(seed)
    scores = []
    for _ in range(rounds):
        sample = draw.choices(events, k=len(events))
        tp, fp, fn = (sum(counts[i] for counts in sample) for i in range(3))
        scores.append(Counts(tp, fp, fn).f1)
    scores.sort()
    return scores[int(0.025 * rounds)], scores[min(rounds - 1, int(0.975 * rounds))]


def calibration(judged: list[tuple[float, bool]]) -> str:
    """The share of deadlines found right in each band of confidence, and the mean confidence of the right
    and the wrong ones: whether the confidence the bot shows means what it says."""
    bands = []
    for low, high in zip(CONFIDENCE_BANDS, CONFIDENCE_BANDS[1:], strict=False):
        inside = [right for confidence, right in judged if low <= confidence < high]
        if inside:
            bands.append(f"{low:.1f}–{min(high, 1.0):.1f}: {sum(inside) / len(inside):.2f} of {len(inside)}")
    right = [confidence for confidence, ok in judged if ok]
    wrong = [confidence for confidence, ok in judged if not ok]
    means = (f"mean confidence right {sum(right) / len(right):.2f}, wrong {sum(wrong) / len(wrong):.2f}, "
             f"right ranked above wrong {ranked_above(right, wrong):.2f}" if right and wrong else "")
    return "; ".join([*bands, means]) if bands else "no deadlines found"


def ranked_above(right: list[float], wrong: list[float]) -> float:
    """The chance that a right deadline's confidence is above a wrong one's, ties counting half (the area
    under the ROC curve): how well the confidence sorts, whatever its scale."""
    ordered = sorted(wrong)
    below = sum(bisect_left(ordered, c) + (bisect_right(ordered, c) - bisect_left(ordered, c)) / 2 for c in right)
    return below / (len(right) * len(wrong))


def match_mentions(truths: list[Interval], found: Sequence[DeadlineMention]
                   ) -> tuple[Counts, list[DeadlineMention], set[int]]:
    """`match_one_to_one` of the dated mentions found: the counts (with each mention's confidence and whether
    it matched), those mentions, and the indexes of the matched ones among them."""
    pairs = [(m, (m.start, m.end)) for m in found if m.start is not None and m.end is not None]
    dated = [mention for mention, _ in pairs]
    counts, used = match_one_to_one(truths, [interval for _, interval in pairs])
    counts.judged = [(m.confidence, i in used) for i, m in enumerate(dated)]
    return counts, dated, used


def expected_intervals(case: dict[str, Any]) -> list[Interval]:
    """The upcoming, dated US–China deadlines a careful reader tracks in this passage."""
    if not case["relevant"]:
        return []
    return [(date.fromisoformat(d["date_start"]), date.fromisoformat(d["date_end"]))
            for d in case["deadlines"] if d["status"] == "upcoming" and d["date_start"]]


def matches(truth: Interval, guess: Interval) -> bool:
    """The eval rule: the intervals overlap and the guess is at most 3x the truth's span + 3 days wide."""
    overlap = guess[0] <= truth[1] and truth[0] <= guess[1]
    return overlap and (guess[1] - guess[0]).days <= 3 * (truth[1] - truth[0]).days + 3


def match_one_to_one(truths: list[Interval], guesses: list[Interval]) -> tuple[Counts, set[int]]:
    """Greedy one-to-one matching, each truth taking the nearest free guess; returns counts and used guesses."""
    used: set[int] = set()
    counts = Counts()
    for truth in truths:
        free = [i for i, g in enumerate(guesses) if i not in used and matches(truth, g)]
        if free:
            used.add(min(free, key=lambda i: abs((guesses[i][0] - truth[0]).days)
                         + abs((guesses[i][1] - truth[1]).days)))
            counts.tp += 1
        else:
            counts.fn += 1
    counts.fp = len(guesses) - len(used)
    return counts, used


def published_on(case: dict[str, Any]) -> date:
    """The day a passage was published."""
    return date.fromisoformat(case["published"][:10])


Prediction = tuple[bool, tuple[DeadlineMention, ...]]
_last_read: tuple[tuple[str, ...], list[Prediction]] = ((), [])


def predicted_all(cases: Sequence[dict[str, Any]]) -> list[Prediction]:
    """What the bot's analysis says of each passage, text only, the passages read as one feed (a report that
    names neither side is read as its story's, as `uschina analyze` reads them): (relevant, deadlines).
    The last set read is remembered, as every measure of a part reads the same one."""
    global _last_read
    key = tuple(case["id"] for case in cases)
    if _last_read[0] != key:
        judgements = judge_together([("", case["text"], published_on(case)) for case in cases], DEFAULT_THRESHOLD)
        _last_read = (key, [(j.relevance.relevant, j.deadlines) for j in judgements])
    return _last_read[1]


def score_relevance(cases: Sequence[dict[str, Any]]) -> Counts:
    """Relevance on the clear passages (not marked ambiguous)."""
    counts = Counts()
    for case, (guess, _) in zip(cases, predicted_all(cases), strict=True):
        if case.get("ambiguous"):
            continue
        truth = bool(case["relevant"])
        counts.tp += guess and truth
        counts.fp += guess and not truth
        counts.fn += truth and not guess
        if guess != truth:
            counts.misses.append(f"{case['id']}: {'missed' if truth else 'false alarm'}: {case['text'][:90]}")
    return counts


@dataclass
class Undated:
    """Upcoming events without a date: how many of those labelled were found, and how many were given in all
    (a given one beyond its passage's labelled count is one too many)."""

    found: int = 0
    expected: int = 0
    given: int = 0

    def line(self) -> str:
        return f"undated found {self.found}/{self.expected}, {self.given} given"


def score_deadlines(cases: Sequence[dict[str, Any]]) -> tuple[Counts, Undated]:
    """Dated deadlines (one-to-one, interval overlap), and the undated ones."""
    total, undated = Counts(), Undated()
    for case, (_, found) in zip(cases, predicted_all(cases), strict=True):
        truths = expected_intervals(case)
        counts, dated, used = match_mentions(truths, found)
        for i, mention in enumerate(dated):
            if i not in used:
                counts.misses.append(f"{case['id']}: extra {mention.start}..{mention.end} «{mention.evidence[:80]}»")
        if counts.fn:
            counts.misses.append(f"{case['id']}: missed {counts.fn} of {truths}")
        total.add(counts, event=case["event"])
        wanted = sum(1 for d in case["deadlines"] if d["status"] == "upcoming" and not d["date_start"])
        given = sum(1 for m in found if m.start is None)
        undated.given += given
        undated.expected += wanted if case["relevant"] else 0
        undated.found += min(wanted, given) if case["relevant"] else 0
    return total, undated


@dataclass(frozen=True)
class Ratios:
    """Precision and recall averaged over passages (B-cubed)."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)

    def line(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f}"


def score_clustering(cases: list[dict[str, Any]]) -> Ratios:
    """B-cubed precision and recall of the stories the bot forms from the relevant passages, in date order."""
    relevant = [c for c in cases if c["relevant"]]
    reports = []
    for case in relevant:
        published = published_on(case)
        judgement = judge(case.get("title", ""), case["text"], published, threshold=0.0)
        assert judgement.signature is not None
        reports.append((case["id"], judgement.signature, datetime.combine(published, datetime.min.time(), UTC)))
    story_of = cluster_reports(reports)
    gold = {c["id"]: c["event"] for c in relevant}
    by_story: dict[str, set[str]] = defaultdict(set)
    by_event: dict[str, set[str]] = defaultdict(set)
    for item_id, story in story_of.items():
        by_story[story].add(item_id)
        by_event[gold[item_id]].add(item_id)
    precision = sum(len(by_story[story_of[i]] & by_event[gold[i]]) / len(by_story[story_of[i]]) for i in gold)
    recall = sum(len(by_story[story_of[i]] & by_event[gold[i]]) / len(by_event[gold[i]]) for i in gold)
    return Ratios(precision / len(gold), recall / len(gold)) if gold else Ratios(0.0, 0.0)


def report(part: str, *, verbose: bool = False) -> dict[str, float]:
    """Print and return every measure on one part."""
    cases = load(part)
    relevance = score_relevance(cases)
    deadlines, undated = score_deadlines(cases)
    stories = score_clustering(cases)
    print(f"{part}: {len(cases)} passages, {len({c['event'] for c in cases})} events")
    print(f"  relevance (clear, text only)  {relevance.line()}")
    print(f"  deadlines (dated, one-to-one) {deadlines.line()}; {undated.line()}")
    low, high = f1_interval(deadlines.per_event.values())
    print(f"  deadlines F1, 95 % of {BOOTSTRAP_ROUNDS} draws of its events  {low:.3f}–{high:.3f}")
    print(f"  one story across outlets (B-cubed) {stories.line()}")
    print(f"  deadlines right by confidence   {calibration(deadlines.judged)}")
    if verbose:
        for miss in relevance.misses + deadlines.misses:
            print("   ", miss)
    return {"relevance_f1": relevance.f1, "deadlines_p": deadlines.precision, "deadlines_r": deadlines.recall,
            "deadlines_f1": deadlines.f1, "stories_f1": stories.f1}
