"""Step 3 of deadline extraction: how likely a candidate is an upcoming US–China deadline.

A logistic regression over the named features of `features.py`, trained with scikit-learn on the tuning
part of the repository's corpus (`python -m corpus train`) and shipped as plain weights in `model.json`:
scoring is one dot product, so the bot and its worker processes need neither scikit-learn nor its memory.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

MODEL_FILE = "model.json"


# Platt scaling of a kept candidate's probability: (slope, offset) on its log-odds.
Scaling = tuple[float, float]


@dataclass(frozen=True)
class DeadlineModel:
    """Weights per feature name, an intercept, the probability from which a candidate is kept, the
    regularisation strength (C) it was fitted with, the probability from which a length counted from the
    day of the report is kept (its start is a guess, so it may need more; the threshold when not given), and
    how a kept one's probability becomes the share of such deadlines found right (`confidence`)."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    strength: float = 1.0
    counted_threshold: float | None = None
    # "stated" and "counted" (a length counted from the report): fitted on the cross-validated deadlines of
    # the tuning part, after merging, so a confidence of 0.7 means about seven in ten such were right.
    calibration: dict[str, Scaling] | None = None

    def keeps(self, probability: float, counted: bool = False) -> bool:
        """Whether a candidate of this probability is kept (`counted`: a length counted from the report)."""
        floor = self.counted_threshold if counted and self.counted_threshold is not None else self.threshold
        return probability >= floor

    def probability(self, feature_values: dict[str, float]) -> float:
        """P(upcoming deadline) for one candidate's features."""
        z = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in feature_values.items())
        return sigmoid(z)

    def confidence(self, probability: float, counted: bool = False) -> float:
        """How sure a kept deadline is: the probability, calibrated where the model carries a calibration."""
        scaling = (self.calibration or {}).get("counted" if counted else "stated")
        if scaling is None:
            return probability
        slope, offset = scaling
        return sigmoid(slope * log_odds(probability) + offset)

    def to_json(self) -> dict[str, Any]:
        """The shape `model.json` stores."""
        counted = {} if self.counted_threshold is None else {"counted_threshold": self.counted_threshold}
        calibration = {} if self.calibration is None else {
            "calibration": {kind: list(scaling) for kind, scaling in sorted(self.calibration.items())}}
        return {"intercept": self.intercept, "threshold": self.threshold, "strength": self.strength, **counted,
                **calibration, "weights": dict(sorted(self.weights.items()))}


def sigmoid(z: float) -> float:
    """The probability of log-odds `z`."""
    return 1.0 / (1.0 + math.exp(-z))


def log_odds(probability: float, floor: float = 1e-6) -> float:
    """The log-odds of a probability kept `floor` away from 0 and 1."""
    p = min(max(probability, floor), 1 - floor)
    return math.log(p / (1 - p))


@cache
def shipped_model() -> DeadlineModel:
    """The model that ships in the package."""
    data = json.loads(files("bot.analysis.deadlines").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    calibration = {str(kind): (float(slope), float(offset))
                   for kind, (slope, offset) in data.get("calibration", {}).items()}
    return DeadlineModel({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]),
                         float(data["threshold"]), float(data.get("strength", 1.0)),
                         None if data.get("counted_threshold") is None else float(data["counted_threshold"]),
                         calibration or None)
