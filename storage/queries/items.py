"""Items and stories: dedupe, insert/update, recent stories, full-text search."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.domain.models import Analysis, Item, StoryView
from storage.queries.params import in_chunks
from storage.queries.timestamps import to_iso


@dataclass(frozen=True)
class ExistingItem:
    id: str
    content_hash: str
    story_id: str | None


def find_existing(db: sqlite_utils.Database, items: Sequence[Item]) -> list[ExistingItem | None]:
    """For each item, the stored item it duplicates: by id (source + guid/path), canonical URL, then
    content hash; one query per key for the whole batch.

    A publisher that bumps an entry's date or guid without changing its content is matched by URL or hash,
    so it is never stored, or posted, twice.
    """
    by_id = _existing_by(db, "id", [item.id for item in items])
    by_url = _existing_by(db, "url", [item.url for item in items if item.url])
    by_hash = _existing_by(db, "content_hash", [item.content_hash for item in items])
    return [by_id.get(item.id) or (by_url.get(item.url) if item.url else None) or by_hash.get(item.content_hash)
            for item in items]


def _existing_by(db: sqlite_utils.Database, column: str, values: list[str]) -> dict[str, ExistingItem]:
    found: dict[str, ExistingItem] = {}
    unique = list(dict.fromkeys(values))
    for chunk, marks in in_chunks(unique):
        rows = db.execute(f"SELECT {column}, id, content_hash, story_id FROM items WHERE {column} IN ({marks})",
                          chunk).fetchall()
        for key, *existing in rows:
            found.setdefault(key, ExistingItem(*existing))
    return found



def save_item(db: sqlite_utils.Database, item: Item, analysis: Analysis, *, story_id: str | None,
              item_id: str | None = None) -> str:
    """Insert or replace the item (under `item_id` when it updates an existing one); returns its id.

    Relevant items keep their full text; the others keep their lede, which is enough for dedupe (by content
    hash), search and channel watch terms, and makes the full-text index five times cheaper to write.
    """
    relevant = analysis.relevance.relevant
    row = {
        "id": item_id or item.id, "source": item.source, "source_name": item.source_name,
        "source_kind": item.source_kind, "url": item.url, "guid": item.guid, "title": item.title,
        "text": item.text if relevant else _first_sentences(item.text, LEDE_CHARS),
        "published": to_iso(item.published), "published_from": item.published_from,
        "fetched_at": to_iso(item.fetched_at), "content_hash": item.content_hash, "path": item.path,
        "relevant": int(analysis.relevance.relevant), "relevance_score": round(analysis.relevance.score, 4),
        "reasons": json.dumps(list(analysis.relevance.reasons)), "story_id": story_id,
    }
    # Plain SQL: sqlite-utils' upsert introspects the table on every call, which dominated bulk ingest.
    db.execute(_UPSERT_ITEM, [row[column] for column in _ITEM_COLUMNS])
    return str(row["id"])


def save_as_story_report(db: sqlite_utils.Database, item_id: str, text: str, analysis: Analysis,
                         story_id: str) -> None:
    """A stored item judged not relevant, read again as a relevant story's report: relevant, in the story,
    and keeping its full text as relevant items do."""
    relevance = analysis.relevance
    db.execute("UPDATE items SET text = ?, relevant = 1, relevance_score = ?, reasons = ?, story_id = ? "
               "WHERE id = ?", [text, round(relevance.score, 4), json.dumps(list(relevance.reasons)), story_id,
                                item_id])


LEDE_CHARS = 500
# The schema's `summary` column is not written: an item is shown through its story's summary.
_ITEM_COLUMNS = ("id", "source", "source_name", "source_kind", "url", "guid", "title", "text", "published",
                 "published_from", "fetched_at", "content_hash", "path", "relevant", "relevance_score",
                 "reasons", "story_id")
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
        [to_iso(since)],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def create_story(db: sqlite_utils.Database, story_id: str, *, title: str, url: str | None, signature: str,
                 score: float, published: datetime, now: datetime) -> None:
    """A new story: `first_seen` is when the event was reported, `updated_at` when we last saw news of it."""
    db.execute(
        "INSERT INTO stories (id, title, url, signature, score, item_count, first_seen, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        [story_id, title, url, signature, score, to_iso(published), to_iso(now)],
    )


def story_documents(db: sqlite_utils.Database, story_id: str) -> list[tuple[str, str, str]]:
    """(title, text, source kind) of a story's items, official sources first, then oldest first."""
    rows = db.execute(
        "SELECT title, text, source_kind FROM items WHERE story_id = ? "
        "ORDER BY source_kind != 'official', published, rowid LIMIT 20",
        [story_id],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def set_story_signature(db: sqlite_utils.Database, story_id: str, signature: str) -> None:
    """Replace a story's signature (a report joined it)."""
    db.execute("UPDATE stories SET signature = ? WHERE id = ?", [signature, story_id])


def story_size(db: sqlite_utils.Database, story_id: str) -> int:
    """How many items a story holds."""
    return int(db.execute("SELECT count(*) FROM items WHERE story_id = ?", [story_id]).fetchone()[0])


def refresh_story(db: sqlite_utils.Database, story_id: str, *, summary: str, at: datetime) -> None:
    """Record a story's new summary, item count and best item score, and mark it updated."""
    count, score, official = db.execute(
        "SELECT count(*), coalesce(max(relevance_score), 0), coalesce(max(source_kind = 'official'), 0) "
        "FROM items WHERE story_id = ?", [story_id]
    ).fetchone()
    db.execute(
        "UPDATE stories SET summary = ?, item_count = ?, score = ?, official = ?, updated_at = max(updated_at, ?) "
        "WHERE id = ?",
        [summary, count, score, official, to_iso(at), story_id],
    )


def recent_stories(db: sqlite_utils.Database, since: datetime, *, limit: int = 10,
                   until: datetime | None = None) -> list[StoryView]:
    """Stories updated in [since, until) with an item published since `since`, the ones that matter most
    first (see `story_weight`). An archive article ingested today is not news of the last day: the
    publication date decides, not the ingest time."""
    rows = db.execute(
        "SELECT id, title, summary, url, updated_at, score, item_count, official FROM stories "
        "WHERE updated_at >= ? AND updated_at < ? AND EXISTS (SELECT 1 FROM items "
        "WHERE items.story_id = stories.id AND items.published >= ?) ORDER BY updated_at DESC LIMIT 500",
        [to_iso(since), to_iso(until) if until else "9999", to_iso(since)],
    ).fetchall()
    newest = rows[0][4] if rows else ""
    ranked = sorted(rows, key=lambda r: story_weight(r[5], r[6], bool(r[7]), r[4] >= newest[:10]), reverse=True)
    chosen = ranked[:limit]
    sources = _story_sources(db, [r[0] for r in chosen])
    return [_story_view(r, sources.get(r[0], ())) for r in chosen]


def story_weight(relevance: float, sources: int, official: bool, latest_day: bool) -> float:
    """Relevance first; more outlets, an official source and being from the latest day each add a little."""
    return relevance + 0.05 * min(max(sources - 1, 0), 4) + 0.1 * official + 0.1 * latest_day


def _story_sources(db: sqlite_utils.Database, story_ids: list[str]) -> dict[str, tuple]:
    """Each story's sources (name, kind, URL), official first then oldest (ties as stored), at most 12, in one
    query."""
    found: dict[str, dict] = {}
    marks = ",".join("?" * len(story_ids))
    rows = db.execute(
        f"SELECT story_id, source_name, source_kind, url FROM items WHERE story_id IN ({marks}) "
        "ORDER BY story_id, source_kind != 'official', published, rowid",  # items_story_order's order
        story_ids,
    ).fetchall()
    for story_id, name, kind, url in rows:
        found.setdefault(story_id, {}).setdefault((name, kind, url), None)
    return {story_id: tuple(list(sources)[:12]) for story_id, sources in found.items()}


def _story_view(row: tuple, sources: tuple) -> StoryView:
    story_id, title, summary, url, updated_at, score = row[:6]
    return StoryView(
        id=story_id, title=title, summary=summary, url=url, sources=sources,
        updated_at=datetime.fromisoformat(updated_at), score=score,
    )


def items_mentioning(db: sqlite_utils.Database, terms: Sequence[str], since: datetime, *, until: datetime,
                     limit: int = 8) -> list[StoryView]:
    """Items fetched in [since, until) and published since `since` that were not judged relevant but mention
    one of `terms` (a channel's watch terms) in the title or lede, as one-source stories. A scan of the
    window, not the search index, which holds relevant items only."""
    patterns = [re.compile(r"(?<!\w)" + re.escape(term.strip()) + r"(?!\w)", re.I)
                for term in terms[:20] if term.strip()]
    if not patterns:
        return []
    rows = db.execute(
        "SELECT id, title, text, url, fetched_at, source_name, source_kind FROM items "
        "WHERE fetched_at >= ? AND fetched_at < ? AND published >= ? AND relevant = 0 "
        "ORDER BY fetched_at DESC LIMIT 20000",
        [to_iso(since), to_iso(until), to_iso(since)],
    ).fetchall()
    found = [r for r in rows if any(p.search(r[1]) or p.search(r[2]) for p in patterns)][:limit]
    return [
        StoryView(id=f"item:{r[0]}", title=r[1], summary=_first_sentences(r[2], 300), url=r[3],
                  sources=((r[5], r[6], r[3]),), updated_at=datetime.fromisoformat(r[4]), score=0.0)
        for r in found
    ]


def _first_sentences(text: str, limit: int = 300) -> str:
    """A short excerpt: the lede a non-relevant item keeps, or what a watched item shows (items have no
    summary of their own; stories do)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("。"))
    return cut[: end + 1] if end > 80 else cut.rsplit(" ", 1)[0] + "…"


def search_items(db: sqlite_utils.Database, query: str, *, limit: int = 10) -> list[dict]:
    """Full-text search over the stored US–China items; the query is treated as plain words."""
    words = re.findall(r"\w+", query)[:12]
    if not words:
        return []
    fts_query = " ".join(f'"{w}"' for w in words)
    rows = db.execute(
        "SELECT items.id, items.title, items.url, items.source_name, items.published "
        "FROM items_fts JOIN items ON items.rowid = items_fts.rowid WHERE items_fts MATCH ? "
        "ORDER BY items.relevant DESC, items_fts.rank LIMIT ?",
        [fts_query, limit],
    ).fetchall()
    keys = ("id", "title", "url", "source_name", "published")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def count_items(db: sqlite_utils.Database) -> dict[str, int]:
    total, relevant = db.execute("SELECT count(*), coalesce(sum(relevant), 0) FROM items").fetchone()
    stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    return {"items": total, "relevant": relevant, "stories": stories}
