"""Feed sources: add/remove/list, which are due, and fetch bookkeeping with exponential backoff.

Timestamps are stored as ISO 8601 UTC strings with second precision ("2025-07-11T10:00:00+00:00"), one
fixed width, so SQL string comparison orders them correctly.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from storage.queries.timestamps import from_iso, to_iso

PERMANENT_DISABLE_AFTER = 3
ONE_OFF_ID = 0  # no stored source has it: SQLite row ids start at 1


class DuplicateSource(ValueError):
    """The URL is already a source."""


@dataclass(frozen=True)
class SourceRow:
    """One row of the `sources` table, with timestamps as aware UTC datetimes."""

    id: int
    url: str
    name: str
    kind: str
    enabled: bool
    interval_s: int
    etag: str | None
    last_modified: str | None
    last_fetch_at: datetime | None
    last_ok_at: datetime | None
    last_status: int | None
    last_error: str | None
    fail_count: int
    next_attempt_at: datetime | None
    disabled_reason: str | None
    added_by: str | None
    created_at: datetime
    body_hash: str | None  # sha256 of the last body ingested, for feeds that send no validators


_COLUMNS = [f.name for f in fields(SourceRow)]
_TIME_COLUMNS = {"last_fetch_at", "last_ok_at", "next_attempt_at", "created_at"}
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM sources"


def _row(values: tuple[Any, ...]) -> SourceRow:
    data = dict(zip(_COLUMNS, values, strict=True))
    for column in _TIME_COLUMNS:
        data[column] = from_iso(data[column])
    data["enabled"] = bool(data["enabled"])
    return SourceRow(**data)


def add_source(
    db: sqlite_utils.Database,
    url: str,
    *,
    name: str,
    kind: str,
    interval_s: int = 900,
    added_by: str | None = None,
    now: datetime,
) -> int:
    """Add a feed source and return its id; DuplicateSource if the URL is already there."""
    try:
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO sources (url, name, kind, interval_s, added_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [url, name, kind, interval_s, added_by, to_iso(now)],
            )
            db.execute("DELETE FROM removed_sources WHERE url = ?", [url])  # added back on purpose
    except sqlite3.IntegrityError as exc:
        raise DuplicateSource(f"already a source: {url}") from exc
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def ensure_source(
    db: sqlite_utils.Database, url: str, *, name: str, kind: str, interval_s: int = 900, now: datetime
) -> SourceRow:
    """The source with this URL, added first if it is not there yet."""
    row = find_source(db, url)
    if row is None:
        return _require(db, add_source(db, url, name=name, kind=kind, interval_s=interval_s, now=now))
    return row


def ensure_configured_source(
    db: sqlite_utils.Database, url: str, *, name: str, kind: str, interval_s: int = 900, now: datetime
) -> SourceRow | None:
    """A source from the configuration file, added if it is not there yet; None if an operator removed it
    (`sources remove`), which holds until the URL is added again."""
    if db.execute("SELECT 1 FROM removed_sources WHERE url = ?", [url]).fetchone():
        return None
    return ensure_source(db, url, name=name, kind=kind, interval_s=interval_s, now=now)


def find_source(db: sqlite_utils.Database, url: str) -> SourceRow | None:
    """The source with this URL, or None."""
    values = db.execute(f"{_SELECT} WHERE url = ?", [url]).fetchone()
    return _row(values) if values else None


def one_off_source(url: str, *, now: datetime) -> SourceRow:
    """A feed fetched once (`ingest --feed` of a URL not watched): never stored, so never fetched again."""
    return SourceRow(
        id=ONE_OFF_ID, url=url, name=url, kind="outlet", enabled=True, interval_s=0, etag=None,
        last_modified=None, last_fetch_at=None, last_ok_at=None, last_status=None, last_error=None,
        fail_count=0, next_attempt_at=None, disabled_reason=None, added_by=None, created_at=now, body_hash=None,
    )


def remove_source(db: sqlite_utils.Database, url: str, *, now: datetime | None = None) -> bool:
    """Delete the source with this URL and remember the removal (a configured source stays removed);
    False if there was none."""
    with db.atomic():
        removed = db.execute("DELETE FROM sources WHERE url = ?", [url]).rowcount > 0
        if removed:
            db.execute("INSERT OR REPLACE INTO removed_sources (url, removed_at) VALUES (?, ?)",
                       [url, to_iso(now or datetime.now(UTC))])
    return removed


def enable_source(db: sqlite_utils.Database, url: str) -> bool:
    """Re-enable a source and forget its failures (it is fetched on the next cycle); False if unknown."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE sources SET enabled = 1, disabled_reason = NULL, fail_count = 0, next_attempt_at = NULL, "
            "last_error = NULL "
            "WHERE url = ?",
            [url],
        )
    return cursor.rowcount > 0


def get_source(db: sqlite_utils.Database, source_id: int) -> SourceRow | None:
    """The source with this id, or None."""
    values = db.execute(f"{_SELECT} WHERE id = ?", [source_id]).fetchone()
    return _row(values) if values else None


def list_sources(db: sqlite_utils.Database) -> list[SourceRow]:
    """Every source, oldest first."""
    return [_row(values) for values in db.execute(f"{_SELECT} ORDER BY id").fetchall()]


def due_sources(db: sqlite_utils.Database, now: datetime) -> list[SourceRow]:
    """Enabled sources whose next attempt is unset or not after `now`."""
    sql = f"{_SELECT} WHERE enabled = 1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id"
    return [_row(values) for values in db.execute(sql, [to_iso(now)]).fetchall()]


def _require(db: sqlite_utils.Database, source_id: int) -> SourceRow:
    row = get_source(db, source_id)
    if row is None:
        raise KeyError(f"no source with id {source_id}")
    return row


def record_fetch_ok(
    db: sqlite_utils.Database,
    source_id: int,
    *,
    now: datetime,
    etag: str | None,
    last_modified: str | None,
    status: int | None,
    not_modified: bool,
    body_hash: str | None = None,
    warning: str | None = None,
) -> SourceRow:
    """Note a successful fetch (new body or 304): clear failures, keep validators, schedule the next one.

    `body_hash` is the hash of the body just ingested; a 304 keeps the one stored. `warning` (broken XML
    whose entries were recovered) is kept in `last_error` with no failure counted, for `sources list`."""
    row = _require(db, source_id)
    # A 304 often omits the validators; the ones we sent are still the right ones to send next time.
    new_etag = etag if etag is not None or not not_modified else row.etag
    new_modified = last_modified if last_modified is not None or not not_modified else row.last_modified
    new_hash = row.body_hash if not_modified else body_hash
    with db.atomic():
        db.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, last_fetch_at = ?, last_ok_at = ?, "
            "last_status = ?, last_error = ?, fail_count = 0, next_attempt_at = ?, body_hash = ? WHERE id = ?",
            [new_etag, new_modified, to_iso(now), to_iso(now), status, warning,
             to_iso(now + timedelta(seconds=row.interval_s)), new_hash, source_id],
        )  # fmt: skip
    return _require(db, source_id)


def backoff_delay(fail_count: int, *, base_s: float, max_s: float) -> timedelta:
    """base * 2**(fail_count - 1), capped at max."""
    exponent = min(max(fail_count - 1, 0), 32)  # the cap applies long before 2**32
    return timedelta(seconds=min(max_s, base_s * 2**exponent))


def record_fetch_error(
    db: sqlite_utils.Database,
    source_id: int,
    *,
    now: datetime,
    error: str,
    permanent: bool,
    base_backoff_s: float = 300,
    max_backoff_s: float = 86400,
    disable_after: int = 8,
    retry_after_s: float | None = None,
) -> SourceRow:
    """Note a failed fetch: back off exponentially, and disable the source after repeated failures
    (3 in a row when the error is permanent, such as 404/410, else `disable_after`).

    `retry_after_s` (a 429/503's Retry-After) puts the next attempt no sooner than the server asked,
    capped at `max_backoff_s` so a server asking for a year is still looked at daily."""
    row = _require(db, source_id)
    fail_count = row.fail_count + 1
    limit = PERMANENT_DISABLE_AFTER if permanent else disable_after
    disable = fail_count >= limit
    delay = backoff_delay(fail_count, base_s=base_backoff_s, max_s=max_backoff_s)
    if retry_after_s is not None:
        delay = max(delay, timedelta(seconds=min(retry_after_s, max_backoff_s)))
    next_attempt = now + delay
    with db.atomic():
        db.execute(
            "UPDATE sources SET last_fetch_at = ?, last_error = ?, fail_count = ?, next_attempt_at = ?, "
            "enabled = ?, disabled_reason = ? WHERE id = ?",
            [to_iso(now), error, fail_count, to_iso(next_attempt), 0 if disable else int(row.enabled),
             error if disable else row.disabled_reason, source_id],
        )  # fmt: skip
    return _require(db, source_id)


def _duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def format_source_health(row: SourceRow, now: datetime) -> str:
    """One line about a source's state: ok / failing / disabled / not fetched yet."""
    if not row.enabled:
        if row.disabled_reason:
            return f"disabled: {row.disabled_reason} ({row.fail_count} failures)"
        return "disabled"
    if row.fail_count > 0:
        when = "now"
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            when = f"in {_duration(row.next_attempt_at - now)}"
        return f"failing ({row.fail_count}): {row.last_error} — next try {when}"
    if row.last_ok_at is None:
        return "not fetched yet"
    age = now - row.last_ok_at
    health = "ok, fetched just now" if age < timedelta(minutes=1) else f"ok, fetched {_duration(age)} ago"
    # A warning is stored by the same successful fetch (last_fetch_at == last_ok_at); an error left by an
    # older failure is not one.
    warned = row.last_error and row.last_fetch_at == row.last_ok_at
    return f"{health}; warning: {row.last_error}" if warned else health
