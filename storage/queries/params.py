"""Bound parameters for `IN (...)` lists: SQLite caps how many one statement may bind."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

IN_CHUNK = 500  # well under SQLite's bound-parameter limit


def in_chunks(values: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """`values` in chunks of at most IN_CHUNK, each with its placeholders ("?, ?, ?") for `IN (...)`."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = list(values[start:start + IN_CHUNK])
        yield chunk, ", ".join("?" * len(chunk))
