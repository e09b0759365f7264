"""Train the deadline model on the tuning part only, and write it into the package.

Each candidate the extractor reads (`find_candidates`) in a relevant tuning passage is labelled by whether it
matches one of the passage's upcoming gold deadlines (the scorer's own rule). A logistic regression
(scikit-learn) weighs the candidates' named features; its strength (C) and the probability from which a
candidate is kept are chosen by cross-validation grouped by event, so no event is both trained and judged.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from importlib.resources import files
from typing import Any

from bot.analysis.cluster import LEDE_SENTENCES, TERM_WEIGHTS_FILE, term_rarity
from bot.analysis.deadlines.candidates import find_candidates
from bot.analysis.deadlines.extract import extract_deadlines, worth_judging
from bot.analysis.deadlines.features import features
from bot.analysis.deadlines.model import MODEL_FILE, DeadlineModel, Scaling, log_odds, shipped_model
from bot.domain.sentences import split_sentences
from corpus.score import (
    HALVES,
    Counts,
    expected_intervals,
    half_of,
    load,
    match_mentions,
    matches,
    published_on,
)

C_VALUES = (0.3, 1.0, 3.0)
THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(11))
# A length counted from the day of the report is a guess at its start ("agreed to pause ... for one year",
# told a week after it began); how much surer than a stated date the model must be of one is chosen the same
# way, after C and the threshold.
COUNTED_RAISES = tuple(round(0.05 * i, 2) for i in range(7))
MIN_COUNT = 3
# Cross-validated: four alerts in five right at least, and as many deadlines found as that allows (a missed
# deadline is the other complaint). The model fitted on all of the tuning part is a little surer.
MIN_PRECISION = 0.80
# A length read from a deadline's own words whose end falls this close to it is that deadline with a start the
# text does not give ("agreed to pause ... for one year", counted by the labels from the day it took effect).
# It is an upcoming deadline all the same: the model judges whether one is, the start is read elsewhere, and
# labelling it "no" taught the model that lengths in agreements are not deadlines.
START_SLACK_DAYS = 14
# F1 differences smaller than this are noise between folds; among settings that close to the best, the surer
# one (higher cross-validated precision) is chosen, since a wrong alert costs more trust than a late one.
F1_TOLERANCE = 0.005


def candidate_rows(case: dict[str, Any]) -> list[tuple[dict[str, float], int]]:
    """(features, label) for every candidate the extractor would judge in one passage.

    A candidate is positive when its dates match an upcoming gold deadline whose evidence it is read from;
    a date elsewhere that happens to overlap ("bought soybeans this week" beside "this week's summit")
    is not. A length read from a deadline's evidence is positive when its end is within START_SLACK_DAYS.
    """
    published = published_on(case)
    gold = _upcoming_with_evidence(case)
    rows = []
    candidates = find_candidates(split_sentences(case["text"]), published)
    for candidate in candidates:
        span = candidate.span
        if not worth_judging(candidate, published):
            continue
        guess = (max(span.start, published), span.end)
        label = any(matches(truth, guess) and _same_words(evidence, candidate.sentence) for truth, evidence in gold)
        if candidate.kind == "duration" and not label:
            label = any(_same_words(evidence, candidate.sentence) and _days_apart(truth, guess) <= START_SLACK_DAYS
                        for truth, evidence in gold)
        rows.append((features(candidate, published, candidates), int(label)))
    return rows


def _days_apart(a: tuple[date, date], b: tuple[date, date]) -> int:
    """Days between two intervals (0 when they overlap)."""
    return max((b[0] - a[1]).days, (a[0] - b[1]).days, 0)


def _upcoming_with_evidence(case: dict[str, Any]) -> list[tuple[tuple[date, date], str]]:
    intervals = expected_intervals(case)
    evidence = [d.get("evidence", "") for d in case["deadlines"] if d["status"] == "upcoming" and d["date_start"]]
    return list(zip(intervals, evidence, strict=True)) if case["relevant"] else []


def _same_words(evidence: str, sentence: str) -> bool:
    """The gold evidence is (part of) this sentence, or the sentence part of the evidence."""
    evidence, sentence = " ".join(evidence.split()).lower(), " ".join(sentence.split()).lower()
    return bool(evidence) and (evidence in sentence or sentence in evidence or evidence[:40] in sentence)


def fit(cases: Sequence[dict[str, Any]], c: float, threshold: float,
        counted_threshold: float | None = None) -> DeadlineModel:
    """A model fitted on the candidates of `cases`."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [row for case in cases if case["relevant"] for row in candidate_rows(case)]
    # A feature seen on fewer than MIN_COUNT candidates (a rare pair of readings) is noise to fit.
    seen = Counter(name for row in rows for name in row[0])
    rows = [({k: v for k, v in row[0].items() if seen[k] >= MIN_COUNT}, row[1]) for row in rows]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([r[0] for r in rows])
    y = [r[1] for r in rows]
    regression = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(vectorizer.feature_names_, regression.coef_[0],
                                                             strict=True) if abs(w) > 1e-4}
    return DeadlineModel(weights, round(float(regression.intercept_[0]), 4), threshold, c, counted_threshold)


def evaluate(model: DeadlineModel, cases: Sequence[dict[str, Any]]) -> Counts:
    """End to end on gold-relevant passages: the extractor with this model, scored one-to-one."""
    total = Counts()
    for case in cases:
        if not case["relevant"]:
            continue
        found = extract_deadlines(case["text"], published_on(case), model=model,
                                  relevant=True)
        total.add(match_mentions(expected_intervals(case), found)[0])
    return total


def _folds(cases: Sequence[dict[str, Any]], k: int = 5) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    events = sorted({c["event"] for c in cases})
    fold_of = {event: i % k for i, event in enumerate(events)}
    return [([c for c in cases if fold_of[c["event"]] != f], [c for c in cases if fold_of[c["event"]] == f])
            for f in range(k)]


Fitted = list[tuple[DeadlineModel, list[dict[str, Any]]]]


def choose(cases: Sequence[dict[str, Any]],
           shipped: DeadlineModel | None = None) -> tuple[float, float, float, Counts]:
    """(C, threshold, counted threshold, cross-validated counts): C and the threshold first, the most precise
    setting whose F1 is within F1_TOLERANCE of the best F1 at precision >= MIN_PRECISION (of the best F1
    overall when none reaches that precision); then, for them, the counted lengths' threshold of the best F1 at
    that precision. A length counted from the report never alerts by itself (`Schedule.enqueue_alerts` holds it
    back, whatever its confidence), so the surer-is-better rule that guards alerts does not apply to it, and a
    truce's end found is worth more than a precision gain within the noise between folds. The `shipped`
    model's settings stand wherever they are within that noise of the choice, so a retrained model does not
    add and drop deadlines in users' channels for a difference the folds cannot tell."""
    folds = _folds(cases)
    fitted = {c: [(fit(train, c, 0.0), held) for train, held in folds] for c in C_VALUES}
    shipped_setting = None if shipped is None else (shipped.strength, shipped.threshold)
    c, threshold, _ = _pick([(c, t, _cross_validated(fitted[c], t, t)) for c in C_VALUES for t in THRESHOLDS],
                            standing=shipped_setting)
    raised = [round(threshold + r, 2) for r in COUNTED_RAISES]
    # the shipped floor for counted lengths stands only beside the shipped threshold it was chosen with
    shipped_counted = (None if shipped is None or shipped_setting != (c, threshold)
                       else (c, shipped.counted_threshold))
    _, counted, total = _pick([(c, t, _cross_validated(fitted[c], threshold, t)) for t in raised],
                              tolerance=0.0, standing=shipped_counted)
    return c, threshold, counted, total


def _cross_validated(fitted: Fitted, threshold: float, counted_threshold: float) -> Counts:
    total = Counts()
    for model, held in fitted:
        total.add(evaluate(DeadlineModel(model.weights, model.intercept, threshold, model.strength,
                                         counted_threshold), held))
    return total


def _pick(results: list[tuple[float, float, Counts]], tolerance: float = F1_TOLERANCE,
          standing: tuple[float, float | None] | None = None) -> tuple[float, float, Counts]:
    """The most precise of `results` whose F1 is within `tolerance` of the best at MIN_PRECISION; the
    `standing` (C, threshold) instead when it reaches that precision and its F1 is within F1_TOLERANCE of
    the best."""
    eligible = [r for r in results if r[2].precision >= MIN_PRECISION] or results
    best_f1 = max(r[2].f1 for r in eligible)
    kept = [r for r in eligible if r[:2] == standing and r[2].f1 >= best_f1 - F1_TOLERANCE]
    if kept:
        return kept[0]
    near = [r for r in eligible if r[2].f1 >= best_f1 - tolerance]
    return max(near, key=lambda r: (r[2].precision, r[2].f1))


# Fewer kept deadlines of a kind than this on cross-validation leave it uncalibrated (its probability stands).
MIN_CALIBRATION_ROWS = 30


def calibrate(cases: Sequence[dict[str, Any]], c: float, threshold: float,
              counted_threshold: float) -> dict[str, Scaling]:
    """Platt scaling per kind (a stated date, a length counted from the report) of the deadlines the
    extractor keeps on cross-validation (5 folds by event), after merging: whether each was right, against
    the log-odds of its probability."""
    rows: dict[str, list[tuple[float, bool]]] = {"stated": [], "counted": []}
    for train_part, held in _folds(cases):
        model = fit(train_part, c, threshold, counted_threshold)
        for case in held:
            if not case["relevant"]:
                continue
            found = extract_deadlines(case["text"], published_on(case), model=model, relevant=True)
            _, dated, used = match_mentions(expected_intervals(case), found)
            for index, mention in enumerate(dated):
                rows["counted" if mention.counted else "stated"].append((mention.confidence, index in used))
    return {kind: platt_scaling(judged) for kind, judged in rows.items()
            if len(judged) >= MIN_CALIBRATION_ROWS and len({right for _, right in judged}) == 2}


def platt_scaling(judged: Sequence[tuple[float, bool]]) -> Scaling:
    """(slope, offset) on log-odds that turn the probabilities of `judged` into the share of them right."""
    from sklearn.linear_model import LogisticRegression

    # a confidence is rounded to two places, so 0 and 1 occur: kept a thousandth away from them
    odds = [[log_odds(p, floor=1e-3)] for p, _ in judged]
    platt = LogisticRegression(C=1e4).fit(odds, [int(right) for _, right in judged])
    slope, offset = float(platt.coef_[0][0]), float(platt.intercept_[0])
    if slope < 0:
        # Among the kept ones of a kind, a surer model was not more often right: a confidence that fell as the
        # probability rose would rank them backwards, so each gets the kind's share of right ones.
        slope, offset = 0.0, log_odds(sum(right for _, right in judged) / len(judged))
    return round(slope, 4), round(offset, 4)


def check(cases: Sequence[dict[str, Any]], c: float, threshold: float,
          counted_threshold: float | None = None) -> dict[str, Counts]:
    """Cross-validated counts (5 folds by event) of the extractor with a model of strength `c` kept from
    `threshold`, apart for each half of the tuning part: a change of rules proposed from half A's errors is
    kept when half B gains as well."""
    totals = {half: Counts() for half in HALVES}
    for train_part, held in _folds(cases):
        model = fit(train_part, c, threshold, counted_threshold)
        for half in HALVES:
            totals[half].add(evaluate(model, [case for case in held if half_of(case["event"]) == half]))
    return totals


def write_term_weights(cases: Sequence[dict[str, Any]]) -> None:
    """How rare each word is in the tuning part's headlines and ledes, for telling one story from another."""
    documents = [f"{c.get('title', '')} {' '.join(split_sentences(c['text'])[:LEDE_SENTENCES])}" for c in cases]
    target = files("bot.analysis").joinpath(TERM_WEIGHTS_FILE)
    with open(str(target), "w", encoding="utf-8") as out:
        json.dump(term_rarity(documents), out, indent=0, sort_keys=True)
        out.write("\n")
    print(f"wrote {target}")


def train() -> DeadlineModel:
    """Choose by cross-validation, fit on the whole tuning part, write `model.json` and the term weights."""
    cases = load("tune")
    write_term_weights(cases)
    c, threshold, counted, cv = choose(cases, shipped_model())
    print(f"cross-validated on tune (5 folds by event): C={c} threshold={threshold} counted lengths from "
          f"{counted}: {cv.line()}")
    calibration = calibrate(cases, c, threshold, counted)
    print(f"confidence calibrated on the cross-validated deadlines (slope, offset on log-odds): {calibration}")
    model = replace(fit(cases, c, threshold, counted), calibration=calibration or None)
    target = files("bot.analysis.deadlines").joinpath(MODEL_FILE)
    with open(str(target), "w", encoding="utf-8") as out:
        json.dump(model.to_json(), out, indent=1)
        out.write("\n")
    print(f"wrote {target}: {len(model.weights)} weights; on tune (fitted): {evaluate(model, cases).line()}")
    return model
