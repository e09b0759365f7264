"""The outbox: every outgoing message is a row with an idempotency key before anything is sent.

Row life cycle: pending -> sending (claimed, attempts+1) -> sent | pending (retry later) | failed.
A row found in `sending` at start-up was interrupted mid-send; it becomes `sent` (verified), `pending`
(verified not sent) or `unknown` (cannot tell; not resent, see docs/delivery.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.queries.timestamps import to_iso

PENDING, SENDING, SENT, FAILED, UNKNOWN = "pending", "sending", "sent", "failed", "unknown"


@dataclass(frozen=True)
class OutboxRow:
    id: int
    idem_key: str
    subscription_id: int | None
    platform: str
    workspace: str
    channel: str
    kind: str
    payload: str
    status: str
    attempts: int
    next_attempt_at: str
    platform_message_id: str | None
    last_error: str | None


_COLUMNS = ("id, idem_key, subscription_id, platform, workspace, channel, kind, payload, status, attempts, "
            "next_attempt_at, platform_message_id, last_error")


def enqueue(db: sqlite_utils.Database, *, idem_key: str, platform: str, workspace: str, channel: str,
            kind: str, payload: str, now: datetime, subscription_id: int | None = None) -> bool:
    """Add a pending row; False (and no change) when the key is already there."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (idem_key, subscription_id, platform, workspace, channel, kind, "
        "payload, status, attempts, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        [idem_key, subscription_id, platform, workspace, channel, kind, payload, to_iso(now), to_iso(now)],
    )
    return cursor.rowcount == 1


def has_key(db: sqlite_utils.Database, idem_key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE idem_key = ?", [idem_key]).fetchone() is not None


def get_by_key(db: sqlite_utils.Database, idem_key: str) -> OutboxRow | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE idem_key = ?", [idem_key]).fetchone()
    return OutboxRow(*row) if row else None


def due_rows(db: sqlite_utils.Database, now: datetime, platforms: Collection[str],
             limit: int = 200) -> list[OutboxRow]:
    """Pending rows whose time has come, for platforms we can send to, oldest first."""
    if not platforms:
        return []
    marks = ", ".join("?" for _ in platforms)
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
        f"AND platform IN ({marks}) ORDER BY id LIMIT ?",
        [to_iso(now), *platforms, limit],
    ).fetchall()
    return [OutboxRow(*row) for row in rows]


def rows_with_status(db: sqlite_utils.Database, status: str) -> list[OutboxRow]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE status = ? ORDER BY id", [status]).fetchall()
    return [OutboxRow(*row) for row in rows]


def claim(db: sqlite_utils.Database, row_id: int, now: datetime | None = None) -> bool:
    """pending -> sending with attempts+1, in one statement; False if someone else claimed it first.

    With `now`, a claimed row's `next_attempt_at` becomes the claim time (the attempt in progress), so
    a crash recovery knows from when on to look for the message on the platform.
    """
    cursor = db.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
        "next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ? AND status = 'pending'",
        [to_iso(now) if now is not None else None, row_id],
    )
    return cursor.rowcount == 1


def mark_sent(db: sqlite_utils.Database, row_id: int, platform_message_id: str | None, now: datetime) -> None:
    db.execute(
        "UPDATE outbox SET status = 'sent', platform_message_id = ?, sent_at = ?, last_error = NULL "
        "WHERE id = ?",
        [platform_message_id, to_iso(now), row_id],
    )


def mark_retry(db: sqlite_utils.Database, row_id: int, error: str, next_attempt_at: datetime) -> None:
    db.execute(
        "UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
        [error[:500], to_iso(next_attempt_at), row_id],
    )


def mark_failed(db: sqlite_utils.Database, row_id: int, error: str) -> None:
    db.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error[:500], row_id])


def mark_unknown(db: sqlite_utils.Database, row_id: int, note: str) -> None:
    db.execute("UPDATE outbox SET status = 'unknown', last_error = ? WHERE id = ?", [note[:500], row_id])


def count_pending(db: sqlite_utils.Database) -> int:
    """Rows still to be sent (pending, or claimed and in flight) — the `uschina_deliveries_pending` gauge."""
    row = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()
    return int(row[0])


def statuses(db: sqlite_utils.Database, keys: Collection[str]) -> dict[str, str]:
    """The status of each of `keys` that is in the outbox."""
    found: dict[str, str] = {}
    for key in keys:
        row = db.execute("SELECT status FROM outbox WHERE idem_key = ?", [key]).fetchone()
        if row:
            found[key] = row[0]
    return found


def delete_finished(db: sqlite_utils.Database, before: datetime) -> int:
    """Delete sent and failed rows recorded before `before`; how many went. Their keys cannot come back: a
    digest's day, a reminder's day and an alert's change are past by then. Rows in doubt (`unknown`) stay."""
    cursor = db.execute("DELETE FROM outbox WHERE status IN (?, ?) AND created_at < ?", [SENT, FAILED, to_iso(before)])
    return int(cursor.rowcount)


def payloads_with_attachments(db: sqlite_utils.Database) -> list[str]:
    """The payloads of the rows that carry a file."""
    return [row[0] for row in db.execute("SELECT payload FROM outbox WHERE payload LIKE '%\"ref\"%'")]

