"""Why the deadline finder misses or adds what it does on a corpus part: the error analysis behind each
release's changes, as one command (`python -m corpus errors`), on the tuning part by default.

Each missed deadline gets the first stage that lost it: the item was judged not relevant; no candidate reads
its dates; the model kept none of the candidates that do (with the best probability); or a kept one was
folded into another entry. Each extra entry gets what the labels say about its days: a deadline labelled
past, cancelled or hypothetical; an upcoming one within 45 days (a wrong interval); or nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.analysis.deadlines.candidates import find_candidates
from bot.analysis.deadlines.features import features
from bot.analysis.deadlines.model import DeadlineModel, shipped_model
from bot.domain.sentences import split_sentences
from corpus.score import Interval, expected_intervals, match_one_to_one, matches, predicted_all, published_on

NEAR_DAYS = 45


@dataclass(frozen=True)
class Error:
    """One miss or extra: its passage, its cause, the dates and the words it is about."""

    case_id: str
    cause: str
    interval: Interval
    words: str


def classify(cases: Sequence[dict[str, Any]]) -> list[Error]:
    """Every missed and every extra dated deadline of `cases`, each with its cause."""
    errors: list[Error] = []
    for case, (relevant, found) in zip(cases, predicted_all(cases), strict=True):
        dated = [m for m in found if m.start is not None and m.end is not None]
        guesses = [(m.start, m.end) for m in dated if m.start and m.end]
        truths = expected_intervals(case)
        _, used = match_one_to_one(truths, guesses)
        matched = {t for t in truths if any(matches(t, guesses[i]) for i in used)}
        evidence = [d.get("evidence", "") for d in case["deadlines"] if d["status"] == "upcoming" and d["date_start"]]
        for truth, words in zip(truths, evidence, strict=False):
            if truth not in matched:
                errors.append(Error(case["id"], why_missed(case, truth, relevant), truth, words))
        for i, guess in enumerate(guesses):
            if i not in used:
                errors.append(Error(case["id"], _why_extra(case, guess), guess, dated[i].evidence))
    return errors


def why_missed(case: dict[str, Any], truth: Interval, relevant: bool, model: DeadlineModel | None = None) -> str:
    """The first stage that lost a labelled deadline the finder missed (`model`: the shipped one unless given)."""
    if not relevant:
        return "missed: item judged not relevant"
    published = published_on(case)
    candidates = find_candidates(split_sentences(case["text"]), published)
    reading = [c for c in candidates
               if c.span.end >= published and matches(truth, (max(c.span.start, published), c.span.end))]
    if not reading:
        return "missed: no candidate reads its dates"
    model = model or shipped_model()
    scored = [(model.probability(features(c, published, candidates)), c.counted) for c in reading]
    if not any(model.keeps(p, counted=counted) for p, counted in scored):
        best, counted = max(scored)
        band = math.floor(best * 10) / 10
        under = " under the floor for a length counted from the report" if counted and band >= model.threshold else ""
        return f"missed: the model kept none (best p {band:.1f}-{band + 0.1:.1f}{under})"
    return "missed: folded into another entry or taken by another deadline"


def _why_extra(case: dict[str, Any], guess: Interval) -> str:
    if not case["relevant"]:
        return "extra: item labelled not relevant"
    labelled = [d for d in case["deadlines"] if d["date_start"]
                and date.fromisoformat(d["date_start"]) <= guess[1] and guess[0] <= date.fromisoformat(d["date_end"])]
    statuses = {d["status"] for d in labelled} - {"upcoming"}
    if statuses:
        return f"extra: labelled {sorted(statuses)[0]}"
    near = [t for t in expected_intervals(case)
            if abs((t[0] - guess[1]).days) <= NEAR_DAYS or abs((guess[0] - t[1]).days) <= NEAR_DAYS]
    return "extra: wrong interval (an upcoming deadline is near)" if near else "extra: no deadline labelled there"


def report(cases: list[dict[str, Any]], *, examples: int = 3) -> None:
    """Print the causes, most frequent first, each with a few examples."""
    errors = classify(cases)
    by_cause = Counter(e.cause for e in errors)
    print(f"{len(errors)} errors in {len(cases)} passages")
    for cause, count in by_cause.most_common():
        print(f"{count:5}  {cause}")
        for error in [e for e in errors if e.cause == cause][:examples]:
            start, end = error.interval
            print(f"         {error.case_id} {start}..{end} «{' '.join(error.words.split())[:100]}»")
