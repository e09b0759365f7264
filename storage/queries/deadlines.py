"""Tracked deadlines: merge mentions from many items into one deadline each, keep history, list them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

import sqlite_utils

from bot.domain.models import DeadlineMention, DeadlinePolicy, DeadlineView, TrackedDeadline
from storage.queries.params import in_chunks
from storage.queries.timestamps import to_iso

ChangeKind = Literal["new", "changed", "cancelled"]



@dataclass(frozen=True)
class DeadlineChange:
    """What one recorded mention did to the tracked deadlines."""

    deadline_id: str
    kind: ChangeKind
    what: str
    old_start: date | None
    old_end: date | None
    new_start: date | None
    new_end: date | None
    confidence: float = 1.0  # how sure the extraction was of the deadline now tracked
    counted: bool = False  # its dates are a length counted from the day of a report (a guess at the start)


def record_mentions(
    db: sqlite_utils.Database,
    item_id: str,
    published: date,
    mentions: Sequence[DeadlineMention],
    now: datetime,
    *,
    policy: DeadlinePolicy,
) -> list[DeadlineChange]:
    """Merge an item's mentions into the tracked deadlines by `policy` (the analysis decides what is one
    event); return the new, moved and cancelled ones."""
    changes = []
    with db.atomic():
        for mention in mentions:
            change = _record_one(db, item_id, published, mention, now, policy)
            if change is not None:
                changes.append(change)
                _log_change(db, change, now)
    return changes


def _log_change(db: sqlite_utils.Database, change: DeadlineChange, now: datetime) -> None:
    db.table("deadline_changes").insert({
        "deadline_id": change.deadline_id, "kind": change.kind, "what": change.what,
        "old_start": _iso(change.old_start), "old_end": _iso(change.old_end),
        "new_start": _iso(change.new_start), "new_end": _iso(change.new_end), "recorded_at": to_iso(now),
    })


def changes_after(db: sqlite_utils.Database, after_id: int, *, limit: int = 500) -> list[tuple[int, DeadlineChange]]:
    """Logged changes with an id above `after_id`, oldest first, as (log id, change)."""
    rows = db.execute(
        "SELECT c.id, c.deadline_id, c.kind, c.what, c.old_start, c.old_end, c.new_start, c.new_end, "
        "COALESCE(d.confidence, 1.0), COALESCE(d.counted, 0) FROM deadline_changes c "
        "LEFT JOIN deadlines d ON d.id = c.deadline_id WHERE c.id > ? ORDER BY c.id LIMIT ?",
        [after_id, limit],
    ).fetchall()
    return [(r[0], DeadlineChange(r[1], r[2], r[3], _day(r[4]), _day(r[5]), _day(r[6]), _day(r[7]), float(r[8]),
                                  bool(r[9])))
            for r in rows]


def _record_one(
    db: sqlite_utils.Database, item_id: str, published: date, mention: DeadlineMention, now: datetime,
    policy: DeadlinePolicy,
) -> DeadlineChange | None:
    topic = policy.topic(mention.what)
    existing = _find_match(db, topic, published, mention, policy)
    if existing is None:
        return None if policy.is_cancellation(mention.evidence) else _insert(db, topic, item_id, published,
                                                                             mention, now)
    _add_source(db, existing["id"], item_id, mention.evidence, now)
    if policy.is_cancellation(mention.evidence):
        # an older report never calls off what a newer one said
        older = published.isoformat() < (existing["dated_by"] or "")
        return None if older else _cancel(db, existing, item_id, published, now)
    if not policy.moves(_tracked(existing), mention, published):
        return None
    return _move(db, existing, item_id, published, mention, now)


def _find_match(
    db: sqlite_utils.Database, topic: str, published: date, mention: DeadlineMention, policy: DeadlinePolicy
) -> dict[str, Any] | None:
    rows = {r["id"]: r for r in db.query("SELECT * FROM deadlines WHERE topic = ? AND status != 'cancelled'",
                                         [topic])}
    found = policy.match(mention, [_tracked(r) for r in rows.values()], published)
    return rows[found.id] if found else None


def _tracked(row: dict[str, Any]) -> TrackedDeadline:
    return TrackedDeadline(row["id"], row["topic"], _day(row["start"]), _day(row["end"]), bool(row["counted"]),
                           _day(row["dated_by"]))


def _deadline_id(topic: str, mention: DeadlineMention, item_id: str) -> str:
    key = f"{topic}|{mention.start}|{mention.end}|{item_id}"
    return "dl-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def _insert(
    db: sqlite_utils.Database,
    topic: str,
    item_id: str,
    published: date,
    mention: DeadlineMention,
    now: datetime,
) -> DeadlineChange:
    deadline_id = _deadline_id(topic, mention, item_id)
    db.table("deadlines").insert(
        {
            "id": deadline_id,
            "what": mention.what,
            "topic": topic,
            "start": _iso(mention.start),
            "end": _iso(mention.end),
            "granularity": mention.granularity,
            "confidence": mention.confidence,
            "status": "upcoming",
            "evidence": mention.evidence,
            "first_seen": to_iso(now),
            "updated_at": to_iso(now),
            "dated_by": published.isoformat(),
            "counted": int(mention.counted),
        },
        replace=True,
    )
    _add_source(db, deadline_id, item_id, mention.evidence, now)
    return DeadlineChange(deadline_id, "new", mention.what, None, None, mention.start, mention.end,
                          mention.confidence, mention.counted)


def _move(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    item_id: str,
    published: date,
    mention: DeadlineMention,
    now: datetime,
) -> DeadlineChange:
    _history(db, row, item_id, now, new_start=_iso(mention.start), new_end=_iso(mention.end))
    db.table("deadlines").update(
        row["id"],
        {
            "start": _iso(mention.start),
            "end": _iso(mention.end),
            "granularity": mention.granularity,
            "confidence": mention.confidence,
            "evidence": mention.evidence,
            "updated_at": to_iso(now),
            "dated_by": published.isoformat(),
            "counted": int(mention.counted),
        },
    )
    return DeadlineChange(
        row["id"], "changed", row["what"], _day(row["start"]), _day(row["end"]), mention.start, mention.end,
        mention.confidence, mention.counted,
    )


def _cancel(
    db: sqlite_utils.Database, row: dict[str, Any], item_id: str, published: date, now: datetime
) -> DeadlineChange:
    _history(db, row, item_id, now, new_start=row["start"], new_end=row["end"], new_status="cancelled")
    db.table("deadlines").update(
        row["id"], {"status": "cancelled", "updated_at": to_iso(now), "dated_by": published.isoformat()}
    )
    start, end = _day(row["start"]), _day(row["end"])
    return DeadlineChange(row["id"], "cancelled", row["what"], start, end, start, end, float(row["confidence"]),
                          bool(row["counted"]))


def _history(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    item_id: str,
    now: datetime,
    *,
    new_start: str | None,
    new_end: str | None,
    new_status: str | None = None,
) -> None:
    db.table("deadline_history").insert(
        {
            "deadline_id": row["id"],
            "old_start": row["start"],
            "old_end": row["end"],
            "new_start": new_start,
            "new_end": new_end,
            "old_status": row["status"],
            "new_status": new_status or row["status"],
            "item_id": item_id,
            "changed_at": to_iso(now),
        }
    )


def _add_source(
    db: sqlite_utils.Database, deadline_id: str, item_id: str, evidence: str, now: datetime
) -> None:
    db.execute(
        "INSERT OR IGNORE INTO deadline_sources (deadline_id, item_id, evidence, seen_at)"
        " VALUES (?, ?, ?, ?)",
        [deadline_id, item_id, evidence, to_iso(now)],
    )


def story_days(db: sqlite_utils.Database, story_id: str) -> list[tuple[date, date]]:
    """(start, end) of the dated deadlines, as tracked now, that a story's reports gave."""
    rows = db.execute(
        "SELECT DISTINCT d.start, d.end FROM deadlines d JOIN deadline_sources s ON s.deadline_id = d.id "
        "JOIN items i ON i.id = s.item_id WHERE i.story_id = ? AND d.start IS NOT NULL AND d.end IS NOT NULL",
        [story_id],
    ).fetchall()
    return [(date.fromisoformat(start), date.fromisoformat(end)) for start, end in rows]


def list_deadlines(
    db: sqlite_utils.Database, as_of: date, *, include_all: bool = False, until: date | None = None,
    limit: int | None = None,
) -> list[DeadlineView]:
    """Tracked deadlines with status as of `as_of`, soonest first and undated last: upcoming, due and tbd
    ones (all when `include_all`); with `until`, only those starting by then (and the undated ones); with
    `limit`, the first `limit` of them."""
    rows = _dated_rows(db, as_of, include_all=include_all, until=until, limit=limit)
    if limit is None or len(rows) < limit:
        rows += _undated_rows(db, include_all=include_all, limit=None if limit is None else limit - len(rows))
    return _views(db, rows, as_of)


def first_deadlines(db: sqlite_utils.Database, as_of: date, *, until: date, dated: int,
                    undated: int) -> list[DeadlineView]:
    """The first `dated` dated deadlines that `list_deadlines` gives up to `until`, then its first `undated`
    undated ones, however many dated ones there are. Only those get their sources looked up and a view."""
    rows = _dated_rows(db, as_of, include_all=False, until=until, limit=dated)
    return _views(db, rows + _undated_rows(db, include_all=False, limit=undated), as_of)


def _views(db: sqlite_utils.Database, rows: list[tuple], as_of: date) -> list[DeadlineView]:
    """Views of `_VIEW_COLUMNS` rows, with their sources in one query."""
    sources = _sources(db, [r[0] for r in rows])
    return [_view(row, as_of, sources.get(row[0], ())) for row in rows]


# The columns `_view` reads, in its order.
_VIEW_COLUMNS = "id, what, start, end, granularity, status, confidence, evidence, counted"


def _dated_rows(db: sqlite_utils.Database, as_of: date, *, include_all: bool, until: date | None,
                limit: int | None) -> list[tuple]:
    """The dated half of a listing, soonest first (ties in the order they were stored). Dated and undated
    are two queries so that each walks the `deadlines_soonest` index in order and stops at the limit,
    instead of sorting every match."""
    where, params = "start IS NOT NULL", []
    if not include_all:
        where += " AND end >= ? AND status != 'cancelled'"
        params.append(as_of.isoformat())
    if until is not None:
        where += " AND start <= ?"
        params.append(until.isoformat())
    sql = f"SELECT {_VIEW_COLUMNS} FROM deadlines WHERE {where} ORDER BY start, what, rowid LIMIT ?"
    return db.execute(sql, [*params, -1 if limit is None else limit]).fetchall()


def _undated_rows(db: sqlite_utils.Database, *, include_all: bool, limit: int | None) -> list[tuple]:
    """The undated half of a listing (their status is tbd), by name."""
    where = "start IS NULL" + ("" if include_all else " AND status != 'cancelled'")
    sql = f"SELECT {_VIEW_COLUMNS} FROM deadlines WHERE {where} ORDER BY what, rowid LIMIT ?"
    return db.execute(sql, [-1 if limit is None else limit]).fetchall()


def get_deadline(
    db: sqlite_utils.Database, deadline_id: str, as_of: date | None = None
) -> DeadlineView | None:
    """One tracked deadline with its sources and history of date changes (status as of `as_of` or today)."""
    row = db.execute(f"SELECT {_VIEW_COLUMNS} FROM deadlines WHERE id = ?", [deadline_id]).fetchone()
    if row is None:
        return None
    history = _histories(db, [deadline_id]).get(deadline_id, ())
    sources = _sources(db, [deadline_id]).get(deadline_id, ())
    return _view(row, as_of or date.today(), sources, history)


def with_history(db: sqlite_utils.Database, views: Sequence[DeadlineView]) -> list[DeadlineView]:
    """The same views with their history of date changes filled in, in one query for all of them."""
    histories = _histories(db, [view.id for view in views])
    return [replace(view, history=histories.get(view.id, ())) for view in views]


def past_deadlines(db: sqlite_utils.Database, as_of: date, *, limit: int) -> list[DeadlineView]:
    """The `limit` dated deadlines that ended before `as_of` or were cancelled, the latest first."""
    rows = db.execute(
        f"SELECT {_VIEW_COLUMNS} FROM deadlines "
        "WHERE start IS NOT NULL AND (COALESCE(end, start) < ? OR status = 'cancelled') "
        "ORDER BY start DESC, what, rowid LIMIT ?",
        [as_of.isoformat(), limit],
    ).fetchall()
    return _views(db, rows, as_of)


HistoryEntry = tuple[str | None, str | None, str]  # (old start, old end, changed at), as DeadlineView.history


def _histories(db: sqlite_utils.Database, deadline_ids: list[str]) -> dict[str, tuple[HistoryEntry, ...]]:
    found: dict[str, list[HistoryEntry]] = {}
    for chunk, marks in in_chunks(deadline_ids):
        for deadline_id, old_start, old_end, changed_at in db.execute(
            "SELECT deadline_id, old_start, old_end, changed_at FROM deadline_history "
            f"WHERE deadline_id IN ({marks}) ORDER BY id",
            chunk,
        ):
            found.setdefault(deadline_id, []).append((old_start, old_end, changed_at))
    return {key: tuple(entries) for key, entries in found.items()}


def _sources(db: sqlite_utils.Database, deadline_ids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for chunk, marks in in_chunks(deadline_ids):
        for deadline_id, label in db.execute(
            "SELECT ds.deadline_id, COALESCE(i.url, i.title) FROM deadline_sources ds "
            f"JOIN items i ON i.id = ds.item_id WHERE ds.deadline_id IN ({marks}) ORDER BY i.published",
            chunk,
        ):
            found.setdefault(deadline_id, []).append(label)
    return {key: tuple(labels) for key, labels in found.items()}


def deadline_status(stored_status: str, start: date | None, end: date | None, as_of: date) -> str:
    """upcoming, due (as_of within start..end), past, cancelled or tbd (no date yet)."""
    if stored_status == "cancelled":
        return "cancelled"
    if start is None:
        return "tbd"
    last = end or start
    if as_of > last:
        return "past"
    return "due" if as_of >= start else "upcoming"


def _view(
    row: tuple,
    as_of: date,
    sources: tuple[str, ...],
    history: tuple[tuple[str | None, str | None, str], ...] = (),
) -> DeadlineView:
    """A DeadlineView from a row of `_VIEW_COLUMNS`."""
    deadline_id, what, start_text, end_text, granularity, status, confidence, evidence, counted = row
    start, end = _day(start_text), _day(end_text)
    return DeadlineView(
        id=deadline_id,
        what=what,
        start=start,
        end=end,
        granularity=granularity,
        status=deadline_status(status, start, end, as_of),
        confidence=confidence,
        evidence=evidence,
        sources=sources,
        history=history,
        counted=bool(counted),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
