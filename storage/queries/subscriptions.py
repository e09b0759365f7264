"""Channel subscriptions to the morning digest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.queries.timestamps import to_iso


@dataclass(frozen=True)
class Subscription:
    id: int
    platform: str
    workspace: str
    channel: str
    digest_time: str
    timezone: str
    active: bool
    status: str
    last_error: str | None
    watch_terms: tuple[str, ...]
    mute_terms: tuple[str, ...]
    last_digest_at: str | None


_COLUMNS = ("id, platform, workspace, channel, digest_time, timezone, active, status, last_error, "
            "watch_terms, mute_terms, last_digest_at")


def _row(row: tuple) -> Subscription:
    values = list(row)
    values[6] = bool(values[6])
    values[9] = tuple(json.loads(values[9]))
    values[10] = tuple(json.loads(values[10]))
    return Subscription(*values)


def subscribe(db: sqlite_utils.Database, *, platform: str, workspace: str, channel: str, digest_time: str,
              timezone: str, now: datetime) -> Subscription:
    """Create or re-activate the channel's subscription with this digest time and zone."""
    db.execute(
        "INSERT INTO subscriptions (platform, workspace, channel, digest_time, timezone, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, channel) DO UPDATE SET "
        "digest_time = excluded.digest_time, timezone = excluded.timezone, active = 1, status = 'ok', "
        "last_error = NULL",
        [platform, workspace, channel, digest_time, timezone, to_iso(now)],
    )
    found = get_subscription(db, platform=platform, workspace=workspace, channel=channel)
    assert found is not None
    return found


def unsubscribe(db: sqlite_utils.Database, *, platform: str, workspace: str, channel: str) -> bool:
    cursor = db.execute(
        "UPDATE subscriptions SET active = 0 WHERE platform = ? AND workspace = ? AND channel = ? AND active = 1",
        [platform, workspace, channel],
    )
    return cursor.rowcount > 0


def get_subscription(db: sqlite_utils.Database, *, platform: str, workspace: str,
                     channel: str) -> Subscription | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM subscriptions WHERE platform = ? AND workspace = ? AND channel = ?",
        [platform, workspace, channel],
    ).fetchone()
    return _row(row) if row else None


def subscription_by_id(db: sqlite_utils.Database, subscription_id: int) -> Subscription | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE id = ?", [subscription_id]).fetchone()
    return _row(row) if row else None


def active_subscriptions(db: sqlite_utils.Database, platform: str | None = None) -> list[Subscription]:
    sql = f"SELECT {_COLUMNS} FROM subscriptions WHERE active = 1"
    params: list[str] = []
    if platform:
        sql += " AND platform = ?"
        params.append(platform)
    return [_row(r) for r in db.execute(sql + " ORDER BY id", params).fetchall()]


def set_terms(db: sqlite_utils.Database, subscription_id: int, *, watch: list[str], mute: list[str]) -> None:
    db.execute(
        "UPDATE subscriptions SET watch_terms = ?, mute_terms = ? WHERE id = ?",
        [json.dumps(watch), json.dumps(mute), subscription_id],
    )


def mark_subscription_error(db: sqlite_utils.Database, subscription_id: int, error: str) -> None:
    """A permanent delivery failure (channel gone, bot removed): keep the row, show why, stop sending."""
    db.execute(
        "UPDATE subscriptions SET status = 'error', last_error = ?, active = 0 WHERE id = ?",
        [error[:300], subscription_id],
    )


def stop_workspace(db: sqlite_utils.Database, *, platform: str, workspace: str, reason: str) -> int:
    """The platform removed the bot from a whole workspace (app uninstalled, token revoked): stop every
    active subscription there, keeping the rows with the reason; returns how many were stopped."""
    cursor = db.execute(
        "UPDATE subscriptions SET status = 'error', last_error = ?, active = 0 "
        "WHERE platform = ? AND workspace = ? AND active = 1",
        [reason[:300], platform, workspace],
    )
    return cursor.rowcount


def mark_digest_sent(db: sqlite_utils.Database, subscription_id: int, at: datetime) -> None:
    db.execute("UPDATE subscriptions SET last_digest_at = ? WHERE id = ?", [to_iso(at), subscription_id])
