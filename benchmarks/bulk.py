"""Fill a store quickly with many items, stories and deadlines shaped like what the cycle stores.

The commands and the digest are then measured against 10,000 and 100,000 stored items. Rows go in with
sqlite-utils `insert_all` on the store's thread (FTS triggers included), in one transaction per call.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

import sqlite_utils

from storage.queries.timestamps import to_iso

ITEMS_PER_STORY = 4  # a relevant story is told by a few outlets
RELEVANT_SHARE = 10  # one item in ten is about US–China
ITEMS_PER_DEADLINE = 100
HISTORY_DAYS = 90

_WORDS = ("tariff export control chip rare earth talks summit ministry commerce treasury beijing washington "
          "trade truce shipping port fees soybeans fentanyl licence entity list sanctions market city "
          "football weather museum council festival bridge volunteers season tickets station company").split()


def add_bulk(db: sqlite_utils.Database, start: int, count: int, now: datetime, *, seed: int = 11) -> None:
    """Insert items `start`..`start+count` (with their stories and deadlines) dated over 90 days."""
    rng = random.Random(seed + start)
    items, stories, deadlines, sources = [], {}, [], []
    for n in range(start, start + count):
        published = now - timedelta(minutes=rng.randint(0, HISTORY_DAYS * 24 * 60))
        relevant = n % RELEVANT_SHARE == 0
        story_id = f"bs{n // (RELEVANT_SHARE * ITEMS_PER_STORY):07d}" if relevant else None
        items.append(_item_row(rng, n, published, story_id))
        if story_id and story_id not in stories:
            stories[story_id] = _story_row(story_id, items[-1], published)
        if n % ITEMS_PER_DEADLINE == 0:
            deadlines.append(_deadline_row(rng, n, now.date()))
            sources.extend(_source_rows(rng, deadlines[-1]["id"], start, n, now))
    with db.atomic():
        db.table("stories").insert_all(stories.values(), batch_size=500)
        db.table("items").insert_all(items, batch_size=500)
        db.table("deadlines").insert_all(deadlines, batch_size=500)
        db.table("deadline_sources").insert_all(sources, batch_size=500, ignore=True)


def _item_row(rng: random.Random, n: int, published: datetime, story_id: str | None) -> dict:
    title = " ".join(rng.choices(_WORDS, k=8)).capitalize()
    text = " ".join(rng.choices(_WORDS, k=90))
    return {
        "id": f"bi{n:014d}", "source": f"https://news{n % 500}.example.com/feed",
        "source_name": f"Outlet {n % 500}", "source_kind": "outlet",
        "url": f"https://news{n % 500}.example.com/a/{n}", "guid": f"urn:bulk:{n}", "title": title,
        "text": text, "published": to_iso(published), "published_from": "feed",
        "fetched_at": to_iso(published),
        "content_hash": f"{n:064x}", "path": None, "relevant": int(story_id is not None),
        "relevance_score": 0.8 if story_id else 0.1, "reasons": json.dumps(["bulk"]) if story_id else "[]",
        "summary": text[:300] if story_id else "", "story_id": story_id,
    }


def _story_row(story_id: str, item: dict, published: datetime) -> dict:
    return {
        "id": story_id, "title": item["title"], "summary": item["summary"], "url": item["url"],
        "signature": json.dumps({"terms": {}, "actors": []}), "score": item["relevance_score"],
        "item_count": ITEMS_PER_STORY, "first_seen": to_iso(published), "updated_at": to_iso(published),
    }


def _deadline_row(rng: random.Random, n: int, today: date) -> dict:
    start = today + timedelta(days=rng.randint(-60, 120))
    dated = rng.random() < 0.85
    return {
        "id": f"bd{n:012d}", "what": f"Deadline {n}: {' '.join(rng.choices(_WORDS, k=4))}",
        "topic": f"topic-{n % 97}", "start": start.isoformat() if dated else None,
        "end": (start + timedelta(days=rng.choice([0, 0, 2, 30]))).isoformat() if dated else None,
        "granularity": "day", "confidence": 0.8, "status": "cancelled" if rng.random() < 0.05 else "upcoming",
        "evidence": "The measure takes effect then, officials said.", "first_seen": today.isoformat(),
        "updated_at": today.isoformat(), "dated_by": today.isoformat(),
    }


def _source_rows(rng: random.Random, deadline_id: str, start: int, n: int, now: datetime) -> list[dict]:
    picks = {rng.randint(start, n) for _ in range(rng.randint(1, 4))}
    return [{"deadline_id": deadline_id, "item_id": f"bi{i:014d}", "evidence": "as reported",
             "seen_at": to_iso(now)} for i in picks]
