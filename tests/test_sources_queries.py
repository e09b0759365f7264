from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

from storage.db import open_database
from storage.queries.sources import (
    DuplicateSource,
    add_source,
    backoff_delay,
    due_sources,
    enable_source,
    format_source_health,
    get_source,
    list_sources,
    record_fetch_error,
    record_fetch_ok,
    remove_source,
)

NOW = datetime(2025, 7, 11, 10, 0, tzinfo=UTC)
FEED = "https://wire.example.com/rss"


@pytest.fixture
def db() -> Iterator[sqlite_utils.Database]:
    database = open_database(":memory:")
    yield database
    database.close()


def test_add_list_and_remove(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", added_by="U1", now=NOW)
    (row,) = list_sources(db)
    assert row.id == source_id and row.url == FEED and row.name == "Wire" and row.kind == "wire"
    assert row.enabled and row.interval_s == 900 and row.added_by == "U1" and row.created_at == NOW
    assert row.fail_count == 0 and row.next_attempt_at is None
    with pytest.raises(DuplicateSource):
        add_source(db, FEED, name="Again", kind="wire", now=NOW)
    assert remove_source(db, FEED) is True
    assert remove_source(db, FEED) is False
    assert list_sources(db) == []


def test_due_sources_respects_next_attempt(db: sqlite_utils.Database) -> None:
    first = add_source(db, FEED, name="Wire", kind="wire", interval_s=600, now=NOW)
    add_source(db, "https://b.example.com/rss", name="B", kind="outlet", now=NOW)
    assert [r.id for r in due_sources(db, NOW)] == [first, first + 1]
    record_fetch_ok(db, first, now=NOW, etag='"e1"', last_modified="lm", status=200, not_modified=False)
    assert [r.id for r in due_sources(db, NOW + timedelta(minutes=9))] == [first + 1]
    assert [r.id for r in due_sources(db, NOW + timedelta(minutes=10))] == [first, first + 1]


def test_record_fetch_ok_keeps_validators_on_304(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    record_fetch_ok(
        db, source_id, now=NOW, etag='"e1"', last_modified="Fri, 11 Jul", status=200, not_modified=False
    )
    later = NOW + timedelta(minutes=15)
    row = record_fetch_ok(
        db, source_id, now=later, etag=None, last_modified=None, status=304, not_modified=True
    )
    assert (row.etag, row.last_modified, row.last_status) == ('"e1"', "Fri, 11 Jul", 304)
    assert row.last_ok_at == later and row.next_attempt_at == later + timedelta(seconds=900)


def test_error_backoff_doubles_and_is_capped(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    delays = []
    for _ in range(4):
        row = record_fetch_error(
            db, source_id, now=NOW, error="HTTP 500 Internal Server Error", permanent=False
        )
        assert row.next_attempt_at is not None
        delays.append(row.next_attempt_at - NOW)
    assert delays == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert backoff_delay(30, base_s=300, max_s=86400) == timedelta(days=1)
    assert row.enabled and row.fail_count == 4 and row.last_error == "HTTP 500 Internal Server Error"


def test_success_resets_the_failure_count(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    record_fetch_error(db, source_id, now=NOW, error="timed out after 30s", permanent=False)
    row = record_fetch_ok(
        db, source_id, now=NOW, etag=None, last_modified=None, status=200, not_modified=False
    )
    assert row.fail_count == 0 and row.last_error is None


def test_permanent_errors_disable_after_three(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    for count in (1, 2):
        row = record_fetch_error(db, source_id, now=NOW, error="HTTP 410 Gone", permanent=True)
        assert row.enabled and row.fail_count == count
    row = record_fetch_error(db, source_id, now=NOW, error="HTTP 410 Gone", permanent=True)
    assert not row.enabled and row.disabled_reason == "HTTP 410 Gone"
    assert due_sources(db, NOW + timedelta(days=30)) == []
    assert format_source_health(row, NOW) == "disabled: HTTP 410 Gone (3 failures)"


def test_transient_errors_disable_after_the_configured_count(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    for _ in range(4):
        row = record_fetch_error(
            db, source_id, now=NOW, error="connection refused", permanent=False, disable_after=5
        )
        assert row.enabled
    row = record_fetch_error(
        db, source_id, now=NOW, error="connection refused", permanent=False, disable_after=5
    )
    assert not row.enabled and row.fail_count == 5


def test_enable_source_clears_the_failure_state(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    for _ in range(3):
        record_fetch_error(db, source_id, now=NOW, error="HTTP 404 Not Found", permanent=True)
    assert enable_source(db, FEED) is True
    row = get_source(db, source_id)
    assert row is not None and row.enabled and row.fail_count == 0 and row.disabled_reason is None
    assert [r.id for r in due_sources(db, NOW)] == [source_id]
    assert enable_source(db, "https://unknown.example/rss") is False


def test_format_source_health(db: sqlite_utils.Database) -> None:
    source_id = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    assert format_source_health(list_sources(db)[0], NOW) == "not fetched yet"
    row = record_fetch_ok(
        db, source_id, now=NOW, etag=None, last_modified=None, status=200, not_modified=False
    )
    assert format_source_health(row, NOW + timedelta(seconds=20)) == "ok, fetched just now"
    assert format_source_health(row, NOW + timedelta(minutes=5)) == "ok, fetched 5 min ago"
    assert format_source_health(row, NOW + timedelta(hours=3)) == "ok, fetched 3 h ago"
    for _ in range(3):
        row = record_fetch_error(
            db, source_id, now=NOW, error="HTTP 500 Internal Server Error", permanent=False
        )
    assert (
        format_source_health(row, NOW) == "failing (3): HTTP 500 Internal Server Error — next try in 20 min"
    )
    assert format_source_health(row, NOW + timedelta(hours=1)).endswith("next try now")


def test_unknown_source_id_is_a_key_error(db: sqlite_utils.Database) -> None:
    with pytest.raises(KeyError):
        record_fetch_error(db, 999, now=NOW, error="x", permanent=False)


def test_the_body_hash_is_kept_through_a_304_and_replaced_by_a_new_body(db: sqlite_utils.Database) -> None:
    source = add_source(db, FEED, name="Wire", kind="wire", now=NOW)
    row = record_fetch_ok(db, source, now=NOW, etag=None, last_modified=None, status=200, not_modified=False,
                          body_hash="h1")
    assert row.body_hash == "h1"
    row = record_fetch_ok(db, source, now=NOW, etag=None, last_modified=None, status=304, not_modified=True)
    assert row.body_hash == "h1"
    row = record_fetch_ok(db, source, now=NOW, etag=None, last_modified=None, status=200, not_modified=False,
                          body_hash="h2")
    assert row.body_hash == "h2"
