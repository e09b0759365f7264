"""`python -m benchmarks [--feeds N] [--items N] [--stored N ...] [--subscriptions N] [--quick] [--json]`.

Prints one line per measurement; with --json the last line is the whole report as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.measure import Sizes, run_all

QUICK = Sizes(feeds=100, items=50, stored=(1_000, 10_000), subscriptions=100, command_runs=50)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--feeds", type=int, help="feeds served and fetched (default 1000)")
    parser.add_argument("--items", type=int, help="items per feed (default 50)")
    parser.add_argument("--stored", type=int, nargs="+", help="stored-item counts for command latency "
                        "(default 10000 100000)")
    parser.add_argument("--subscriptions", type=int, help="digests composed (default 1000)")
    parser.add_argument("--command-runs", type=int, help="calls per command and size (default 200)")
    parser.add_argument("--workers", type=int, help="analysis worker processes (default: CPU count; 0: none)")
    parser.add_argument("--quick", action="store_true", help="100 feeds, 1k/10k stored items, 100 digests")
    parser.add_argument("--json", action="store_true", help="end with the report as one JSON line")
    parser.add_argument("--workdir", type=Path, help="keep databases and feed files here (default: temp dir)")
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    base = QUICK if args.quick else Sizes()
    return Sizes(
        feeds=args.feeds or base.feeds, items=args.items or base.items,
        stored=tuple(sorted(args.stored)) if args.stored else base.stored,
        subscriptions=args.subscriptions or base.subscriptions,
        command_runs=args.command_runs or base.command_runs,
        workers=base.workers if args.workers is None else args.workers,
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = sizes_from(args)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report = run_all(args.workdir, sizes)
    else:
        with tempfile.TemporaryDirectory(prefix="uschina-bench-") as tmp:
            report = run_all(Path(tmp), sizes)
    for key, value in report.items():
        print(f"{key:>32}: {value}")
    if args.json:
        print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
