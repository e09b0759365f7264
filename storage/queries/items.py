"""Items and stories: dedupe, insert/update, recent stories, full-text search."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.models import Analysis, Item, StoryView
from storage.queries.timestamps import to_iso


@dataclass(frozen=True)
class ExistingItem:
    id: str
    content_hash: str
    story_id: str | None


iso = to_iso  # the store's one timestamp format


def find_existing(db: sqlite_utils.Database, item: Item) -> ExistingItem | None:
    """The stored item this one duplicates, by id (source + guid/path), canonical URL, then content hash.

    A publisher that bumps an entry's date or guid without changing its content is matched by URL or hash,
    so it is never stored, or posted, twice.
    """
    checks = [("id = ?", item.id)]
    if item.url:
        checks.append(("url = ?", item.url))
    checks.append(("content_hash = ?", item.content_hash))
    for where, value in checks:
        row = db.execute(f"SELECT id, content_hash, story_id FROM items WHERE {where} LIMIT 1", [value]).fetchone()
        if row:
            return ExistingItem(*row)
    return None


def save_item(db: sqlite_utils.Database, item: Item, analysis: Analysis, *, story_id: str | None,
              item_id: str | None = None) -> str:
    """Insert or replace the item (under `item_id` when it updates an existing one); returns its id."""
    row = {
        "id": item_id or item.id, "source": item.source, "source_name": item.source_name,
        "source_kind": item.source_kind, "url": item.url, "guid": item.guid, "title": item.title,
        "text": item.text, "published": iso(item.published), "published_from": item.published_from,
        "fetched_at": iso(item.fetched_at), "content_hash": item.content_hash, "path": item.path,
        "relevant": int(analysis.relevance.relevant), "relevance_score": round(analysis.relevance.score, 4),
        "reasons": json.dumps(list(analysis.relevance.reasons)), "summary": analysis.summary,
        "story_id": story_id,
    }
    # Plain SQL: sqlite-utils' upsert introspects the table on every call, which dominated bulk ingest.
    db.execute(_UPSERT_ITEM, [row[column] for column in _ITEM_COLUMNS])
    return str(row["id"])


_ITEM_COLUMNS = ("id", "source", "source_name", "source_kind", "url", "guid", "title", "text", "published",
                 "published_from", "fetched_at", "content_hash", "path", "relevant", "relevance_score",
                 "reasons", "summary", "story_id")
_UPSERT_ITEM = (
    f"INSERT INTO items ({', '.join(_ITEM_COLUMNS)}) VALUES ({', '.join('?' * len(_ITEM_COLUMNS))}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _ITEM_COLUMNS[1:])
)


def candidate_stories(db: sqlite_utils.Database, since: datetime) -> list[tuple[str, str, str]]:
    """(id, signature JSON, first_seen) of stories updated since `since`, newest first."""
    rows = db.execute(
        "SELECT id, signature, first_seen FROM stories WHERE updated_at >= ? AND signature IS NOT NULL "
        "ORDER BY updated_at DESC LIMIT 2000",
        [iso(since)],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def create_story(db: sqlite_utils.Database, story_id: str, *, title: str, url: str | None, signature: str,
                 score: float, published: datetime, now: datetime) -> None:
    """A new story: `first_seen` is when the event was reported, `updated_at` when we last saw news of it."""
    db.execute(
        "INSERT INTO stories (id, title, url, signature, score, item_count, first_seen, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        [story_id, title, url, signature, score, iso(published), iso(now)],
    )


def story_documents(db: sqlite_utils.Database, story_id: str) -> list[tuple[str, str, str]]:
    """(title, text, source kind) of a story's items, official sources first, then oldest first."""
    rows = db.execute(
        "SELECT title, text, source_kind FROM items WHERE story_id = ? "
        "ORDER BY source_kind != 'official', published LIMIT 20",
        [story_id],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def refresh_story(db: sqlite_utils.Database, story_id: str, *, summary: str, at: datetime) -> None:
    """Record a story's new summary, item count and best item score, and mark it updated."""
    count, score = db.execute(
        "SELECT count(*), coalesce(max(relevance_score), 0) FROM items WHERE story_id = ?", [story_id]
    ).fetchone()
    db.execute(
        "UPDATE stories SET summary = ?, item_count = ?, score = ?, updated_at = max(updated_at, ?) WHERE id = ?",
        [summary, count, score, iso(at), story_id],
    )


def recent_stories(db: sqlite_utils.Database, since: datetime, *, limit: int = 10,
                   until: datetime | None = None) -> list[StoryView]:
    """Stories updated in [since, until), best first: score, then number of sources, then recency."""
    rows = db.execute(
        "SELECT id, title, summary, url, updated_at, score, item_count FROM stories "
        "WHERE updated_at >= ? AND updated_at < ? ORDER BY updated_at DESC LIMIT 500",
        [iso(since), iso(until) if until else "9999"],
    ).fetchall()
    ranked = sorted(rows, key=lambda r: (round(r[5], 1), r[6], r[4]), reverse=True)[:limit]
    return [_story_view(db, r) for r in ranked]


def _story_view(db: sqlite_utils.Database, row: tuple) -> StoryView:
    story_id, title, summary, url, updated_at, score, _count = row
    sources = db.execute(
        "SELECT source_name, source_kind, url FROM items WHERE story_id = ? "
        "ORDER BY source_kind != 'official', published LIMIT 12",
        [story_id],
    ).fetchall()
    return StoryView(
        id=story_id, title=title, summary=summary, url=url,
        sources=tuple(dict.fromkeys((s[0], s[1], s[2]) for s in sources)),
        updated_at=datetime.fromisoformat(updated_at), score=score,
    )


def search_items(db: sqlite_utils.Database, query: str, *, limit: int = 10) -> list[dict]:
    """Full-text search over stored items (relevant first); the query is treated as plain words."""
    words = re.findall(r"\w+", query)[:12]
    if not words:
        return []
    fts_query = " ".join(f'"{w}"' for w in words)
    rows = db.execute(
        "SELECT items.id, items.title, items.url, items.source_name, items.published, items.summary "
        "FROM items_fts JOIN items ON items.rowid = items_fts.rowid WHERE items_fts MATCH ? "
        "ORDER BY items.relevant DESC, items_fts.rank LIMIT ?",
        [fts_query, limit],
    ).fetchall()
    keys = ("id", "title", "url", "source_name", "published", "summary")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def count_items(db: sqlite_utils.Database) -> dict[str, int]:
    total, relevant = db.execute("SELECT count(*), coalesce(sum(relevant), 0) FROM items").fetchone()
    stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    return {"items": total, "relevant": relevant, "stories": stories}
