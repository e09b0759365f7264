"""The `waiting_reports` table: items judged not relevant that may yet be read as a US–China story's report.

An outlet's "From May 2, parcels lose duty-free entry" names neither side; it is the report of a US–China
story only beside that story's other reports, which may come after it. Its full text waits here for a story
window (`keep`), so the cycle reads it when the story comes, whichever arrived first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.domain.models import Relevance
from storage.queries.params import in_chunks
from storage.queries.timestamps import to_iso


@dataclass(frozen=True)
class WaitingReport:
    """A stored item not judged relevant, with what reading it as a story's report needs."""

    item_id: str
    title: str
    text: str
    published: datetime
    relevance: Relevance
    signature: str  # the story signature, as JSON


def keep(db: sqlite_utils.Database, report: WaitingReport, *, now: datetime) -> None:
    """Keep (or replace) the item's text and signature until it is read as a report or its window ends."""
    db.execute(
        "INSERT INTO waiting_reports (item_id, title, text, published, relevance_score, reasons, signature, "
        "stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET "
        "title = excluded.title, text = excluded.text, published = excluded.published, "
        "relevance_score = excluded.relevance_score, reasons = excluded.reasons, signature = excluded.signature, "
        "stored_at = excluded.stored_at",
        [report.item_id, report.title, report.text, to_iso(report.published), report.relevance.score,
         json.dumps(list(report.relevance.reasons)), report.signature, to_iso(now)],
    )


def by_ids(db: sqlite_utils.Database, item_ids: Sequence[str]) -> list[WaitingReport]:
    """The waiting reports among `item_ids`, in that order."""
    found: dict[str, WaitingReport] = {}
    for chunk, marks in in_chunks(item_ids):
        rows = db.execute(f"{_SELECT} WHERE item_id IN ({marks})", chunk).fetchall()
        found.update((row[0], _report(row)) for row in rows)
    return [found[item_id] for item_id in item_ids if item_id in found]


def signatures_between(db: sqlite_utils.Database, since: datetime, until: datetime
                       ) -> list[tuple[str, datetime, str]]:
    """(item id, published, signature JSON) of the waiting reports published from `since` to `until`."""
    rows = db.execute("SELECT item_id, published, signature FROM waiting_reports WHERE published BETWEEN ? AND ?",
                      [to_iso(since), to_iso(until)]).fetchall()
    return [(item_id, datetime.fromisoformat(published), signature) for item_id, published, signature in rows]


def stories_to_sweep(db: sqlite_utils.Database, story_ids: Sequence[str]) -> list[str]:
    """Those of `story_ids` whose earlier waiting reports were not yet read against them."""
    return [row[0] for chunk, marks in in_chunks(story_ids)
            for row in db.execute(f"SELECT id FROM stories WHERE reports_swept = 0 AND id IN ({marks})", chunk)]


def mark_swept(db: sqlite_utils.Database, story_id: str) -> None:
    """The story's earlier waiting reports were read against it."""
    db.execute("UPDATE stories SET reports_swept = 1 WHERE id = ?", [story_id])


def forget(db: sqlite_utils.Database, item_ids: Sequence[str]) -> None:
    """Stop waiting on these items (read as reports, or now relevant)."""
    for chunk, marks in in_chunks(item_ids):
        db.execute(f"DELETE FROM waiting_reports WHERE item_id IN ({marks})", chunk)


def forget_stored_before(db: sqlite_utils.Database, before: datetime) -> int:
    """Stop waiting on the items kept before `before`; returns how many."""
    return db.execute("DELETE FROM waiting_reports WHERE stored_at < ?", [to_iso(before)]).rowcount


_SELECT = "SELECT item_id, title, text, published, relevance_score, reasons, signature FROM waiting_reports"


def _report(row: tuple) -> WaitingReport:
    item_id, title, text, published, score, reasons, signature = row
    relevance = Relevance(relevant=False, score=score, reasons=tuple(json.loads(reasons)))
    return WaitingReport(item_id, title, text, datetime.fromisoformat(published), relevance, signature)
