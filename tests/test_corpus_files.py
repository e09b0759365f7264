"""Every labelled passage, in the corpus and waiting in corpus/incoming/, has the shape LABELLING.md gives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus.schema import problems, read

CORPUS = Path(__file__).parent.parent / "corpus"
FILES = sorted([*(CORPUS / "passages").glob("*.jsonl"), *(CORPUS / "incoming").glob("*.jsonl")])


def test_there_are_corpus_files() -> None:
    assert len([f for f in FILES if f.parent.name == "passages"]) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_passage_has_the_labelled_shape(path: Path) -> None:
    wrong = [f"line {n} ({case.get('id')}): {p}" for n, case in read(path) for p in problems(case)]
    assert not wrong, "\n".join(wrong[:20])


def test_passage_ids_are_unique_across_every_file() -> None:
    ids = Counter(case["id"] for path in FILES for _, case in read(path))
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("case", [
    {"deadlines": [{"what": "x", "status": "upcomming", "date_start": "2025-01-01", "date_end": "2025-01-01",
                    "granularity": "day", "evidence": "x"}]},
    {"deadlines": [{"what": "x", "status": "past", "date_start": "2025-01-01", "date_end": "2025-01-07",
                    "granularity": "day", "evidence": "x"}]},
    {"deadlines": [{"what": "x", "status": "upcoming", "date_start": None, "date_end": None,
                    "granularity": "month", "evidence": "x"}]},
    {"published": "July 3"},
    {"event": "truce-extended"},
])
def test_a_broken_passage_is_named_for_what_breaks(case: dict[str, object]) -> None:
    good = {"id": "x-001", "event": "2025-01-01-x", "url": "u", "publisher": "p", "published": "2025-01-01",
            "published_inferred": False, "title": "", "text": "t", "relevant": True, "ambiguous": False,
            "deadlines": [], "note": ""}
    assert problems(good) == []
    assert len(problems({**good, **case})) == 1
