"""Files that outbox messages carry, stored once by the SHA-256 of their bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime

import sqlite_utils

from storage.queries.timestamps import to_iso


def put(db: sqlite_utils.Database, data: bytes, *, now: datetime) -> str:
    """Store `data` (once, however often it is put) and return its reference."""
    ref = hashlib.sha256(data).hexdigest()
    # Put again, a file is fresh again: the pruning below never takes one a row is about to refer to.
    db.execute("INSERT INTO attachments (sha256, data, created_at) VALUES (?, ?, ?) "
               "ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at", [ref, data, to_iso(now)])
    return ref


def get(db: sqlite_utils.Database, ref: str) -> bytes | None:
    """The bytes stored under `ref`, or None."""
    row = db.execute("SELECT data FROM attachments WHERE sha256 = ?", [ref]).fetchone()
    return bytes(row[0]) if row else None


def delete_unreferenced(db: sqlite_utils.Database, keep: Collection[str], before: datetime) -> int:
    """Delete the files put before `before` that are not in `keep`; how many went."""
    stale = [row[0] for row in db.execute("SELECT sha256 FROM attachments WHERE created_at < ?", [to_iso(before)])
             if row[0] not in keep]
    for ref in stale:
        db.execute("DELETE FROM attachments WHERE sha256 = ?", [ref])
    return len(stale)
