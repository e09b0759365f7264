"""Files that outbox messages carry, stored once by the SHA-256 of their bytes."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlite_utils

from storage.queries.timestamps import to_iso


def put(db: sqlite_utils.Database, data: bytes, *, now: datetime) -> str:
    """Store `data` (once, however often it is put) and return its reference."""
    ref = hashlib.sha256(data).hexdigest()
    db.execute("INSERT OR IGNORE INTO attachments (sha256, data, created_at) VALUES (?, ?, ?)",
               [ref, data, to_iso(now)])
    return ref


def get(db: sqlite_utils.Database, ref: str) -> bytes | None:
    """The bytes stored under `ref`, or None."""
    row = db.execute("SELECT data FROM attachments WHERE sha256 = ?", [ref]).fetchone()
    return bytes(row[0]) if row else None
