"""The shape every labelled passage must have (LABELLING.md), checked line by line.

A passage that breaks it would be scored wrongly without a word (a "day" that spans a week, a status spelled
"upcomming"), so `tests/test_corpus_files.py` runs this over every file, those waiting in `incoming/` too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

FIELDS = frozenset({"id", "event", "url", "publisher", "published", "published_inferred", "title", "text",
                    "relevant", "ambiguous", "deadlines", "note"})
DEADLINE_FIELDS = frozenset({"what", "status", "date_start", "date_end", "granularity", "evidence"})
STATUSES = frozenset({"upcoming", "past", "hypothetical", "cancelled"})
GRANULARITIES = frozenset({"day", "range", "month", "quarter", "year", "unknown"})
_EVENT = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+")


def problems(case: dict[str, Any]) -> list[str]:
    """What is wrong with one labelled passage; [] when nothing is."""
    found = [f"missing {name}" for name in sorted(FIELDS - set(case))]
    found += [f"unknown field {name}" for name in sorted(set(case) - FIELDS)]
    if not _EVENT.fullmatch(str(case.get("event", ""))):
        found.append(f"event id {case.get('event')!r} is not YYYY-MM-DD-slug")
    if not _is_date(case.get("published")):
        found.append(f"published {case.get('published')!r} is not a date")
    if not isinstance(case.get("relevant"), bool) or not isinstance(case.get("ambiguous"), bool):
        found.append("relevant and ambiguous must be true or false")
    for deadline in case.get("deadlines", []):
        found += [f"deadline {deadline.get('what')!r}: {p}" for p in _deadline_problems(deadline)]
    return found


def _deadline_problems(deadline: dict[str, Any]) -> Iterator[str]:
    if set(deadline) != DEADLINE_FIELDS:
        yield f"fields {sorted(set(deadline) ^ DEADLINE_FIELDS)} missing or unknown"
    if deadline.get("status") not in STATUSES:
        yield f"status {deadline.get('status')!r}"
    granularity = deadline.get("granularity")
    if granularity not in GRANULARITIES:
        yield f"granularity {granularity!r}"
    start, end = deadline.get("date_start"), deadline.get("date_end")
    if start is None or end is None:
        if start is not None or end is not None or granularity != "unknown":
            yield "an undated deadline has both dates null and granularity unknown"
        return
    if not (_is_date(start) and _is_date(end)):
        yield f"dates {start!r}..{end!r} are not ISO days"
    elif granularity == "unknown" or date.fromisoformat(start) > date.fromisoformat(end):
        yield f"dates {start}..{end} do not fit granularity {granularity}"
    elif granularity == "day" and start != end:
        yield f"a day from {start} to {end}"


def _is_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10


def read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, passage) for each non-empty line of a corpus file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            yield number, json.loads(line)
