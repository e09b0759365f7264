"""`python -m corpus score [tune|test] [-v] | errors | train`: measure the analysis on the corpus, see why it
errs on the tuning part, or train on it."""

from __future__ import annotations

import argparse

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
    commands.add_parser("train", help="fit the deadline model on the tuning part and write it into the package")
    args = parser.parse_args()
    if args.command == "score":
        score.report(args.part, verbose=args.verbose)
    elif args.command == "errors":
        errors.report(score.load("tune"), examples=args.examples)
    else:
        train.train()


if __name__ == "__main__":
    main()
