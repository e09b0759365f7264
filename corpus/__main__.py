"""`python -m corpus score [tune|test] [-v] | train`: measure the analysis on the corpus, or train on it."""

from __future__ import annotations

import argparse

from corpus import score, train


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    scoring = commands.add_parser("score", help="print every measure on a part")
    scoring.add_argument("part", choices=score.PARTS, nargs="?", default="tune")
    scoring.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    commands.add_parser("train", help="fit the deadline model on the tuning part and write it into the package")
    args = parser.parse_args()
    if args.command == "score":
        score.report(args.part, verbose=args.verbose)
    else:
        train.train()


if __name__ == "__main__":
    main()
