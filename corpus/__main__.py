"""`python -m corpus score [tune|test] [-v] | errors [--half A] | check | train`: measure the analysis on the
corpus, see why it errs on the tuning part, check a change on the half of it whose errors were not read, or
train on it."""

from __future__ import annotations

import argparse

from bot.analysis.deadlines.model import shipped_model
from corpus import errors, score, train


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    scoring = commands.add_parser("score", help="print every measure on a part")
    scoring.add_argument("part", choices=score.PARTS, nargs="?", default="tune")
    scoring.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    # Only the tuning part: reading the test part's errors would make it one more part tuned on.
    why = commands.add_parser("errors", help="the deadline finder's misses and extras on the tuning part, by cause")
    why.add_argument("--examples", type=int, default=3, help="examples shown per cause")
    # Half B's errors are not read: it checks what half A's errors proposed.
    why.add_argument("--half", choices=score.HALVES[:1], help="only the events of half A of the tuning part")
    checking = commands.add_parser("check", help="cross-validated deadlines on each half of the tuning part")
    checking.add_argument("--c", type=float, help="the model's strength C (default: the shipped model's)")
    checking.add_argument("--counted", type=float,
                          help="the floor for lengths counted from the report (default: the shipped model's)")
    commands.add_parser("train", help="fit the deadline model on the tuning part and write it into the package")
    args = parser.parse_args()
    if args.command == "score":
        score.report(args.part, verbose=args.verbose)
    elif args.command == "errors":
        cases = [c for c in score.load("tune") if args.half in (None, score.half_of(c["event"]))]
        errors.report(cases, examples=args.examples)
    elif args.command == "check":
        shipped = shipped_model()
        c = shipped.strength if args.c is None else args.c
        counted = shipped.counted_threshold if args.counted is None else args.counted
        floors = f"threshold {shipped.threshold}, counted lengths {counted or shipped.threshold}"
        for half, counts in train.check(score.load("tune"), c, shipped.threshold, counted).items():
            print(f"tune half {half}, cross-validated (C={c}, {floors}): {counts.line()}")
            print(f"  right by confidence: {score.calibration(counts.judged)}")
    else:
        train.train()


if __name__ == "__main__":
    main()
