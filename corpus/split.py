"""Build the two parts from the raw passage files: every passage of one event goes to the same part."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from corpus.score import HERE

TEST_SHARE = 35  # percent of events held out for the once-per-release report


def part_of(event: str) -> str:
    """"test" or "tune", fixed by a hash of the event id (stable as the corpus grows)."""
    bucket = int(hashlib.sha256(event.encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE else "tune"


def split(raw_dir: Path = HERE / "raw") -> dict[str, int]:
    """Write tune.jsonl and test.jsonl from raw/*.jsonl; returns the passage count of each part."""
    parts: dict[str, list[dict[str, Any]]] = {"tune": [], "test": []}
    seen: set[str] = set()
    for path in sorted(raw_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            key = case["text"].strip()
            if key in seen:  # the same passage found twice is one passage
                continue
            seen.add(key)
            parts[part_of(case["event"])].append(case)
    for name, cases in parts.items():
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
    return {name: len(cases) for name, cases in parts.items()}
