"""Open the SQLite database (WAL, foreign keys) and apply versioned migrations."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("uschina")


class DatabaseUnavailable(Exception):
    """The database cannot be opened: a folder, not a SQLite file, damaged, or read-only and out of date."""


def open_database(path: str | Path, *, readonly: bool | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, or in memory for ":memory:".

    `readonly` (default: whether the file or its filesystem refuses writes) opens it for reading only:
    nothing is written, not even the journal mode or the migrations.
    """
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        if path.is_dir():
            raise DatabaseUnavailable(f"cannot open the database {path}: it is a folder")
        if readonly is None:
            readonly = is_readonly_file(path)
        db = _open_readonly(path) if readonly else _open_file(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 30000")
    if not readonly:
        migrations.apply(db)
    elif migrations.pending(db):
        raise DatabaseUnavailable(f"the database {path} is read-only and needs an upgrade (open it writable once)")
    return db


def is_readonly_file(path: Path) -> bool:
    """True when `path` exists and this process may not write it (file permissions, read-only mount)."""
    return path.exists() and not os.access(path, os.W_OK)


def _open_file(path: Path) -> sqlite_utils.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() and not os.access(path.parent, os.W_OK):
        raise DatabaseUnavailable(f"cannot create the database {path}: its folder is read-only")
    # check_same_thread=False: the Store hands the connection to one worker thread at a time.
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    return db


def _open_readonly(path: Path) -> sqlite_utils.Database:
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # On a read-only filesystem SQLite cannot create the WAL index next to the file; nobody can
        # write there either, so the file is read as it stands.
        conn.close()
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, check_same_thread=False, timeout=30)
    return sqlite_utils.Database(conn)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'outlet',
            enabled INTEGER NOT NULL DEFAULT 1,
            interval_s INTEGER NOT NULL DEFAULT 900,
            etag TEXT,
            last_modified TEXT,
            last_fetch_at TEXT,
            last_ok_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            fail_count INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            disabled_reason TEXT,
            added_by TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            url TEXT,
            signature TEXT,
            score REAL NOT NULL DEFAULT 0,
            item_count INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX stories_updated ON stories(updated_at);
        CREATE TABLE items (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            source_name TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            url TEXT,
            guid TEXT,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            published TEXT NOT NULL,
            published_from TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            path TEXT,
            relevant INTEGER NOT NULL DEFAULT 0,
            relevance_score REAL NOT NULL DEFAULT 0,
            reasons TEXT NOT NULL DEFAULT '[]',
            summary TEXT NOT NULL DEFAULT '',
            story_id TEXT REFERENCES stories(id) ON DELETE SET NULL
        );
        CREATE INDEX items_source_guid ON items(source, guid);
        CREATE INDEX items_url ON items(url);
        CREATE INDEX items_hash ON items(content_hash);
        CREATE INDEX items_relevant_published ON items(relevant, published);
        CREATE INDEX items_story ON items(story_id);
        CREATE INDEX items_path ON items(path);
        CREATE TABLE deadlines (
            id TEXT PRIMARY KEY,
            what TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            start TEXT,
            end TEXT,
            granularity TEXT NOT NULL,
            confidence REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'upcoming',
            evidence TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX deadlines_start ON deadlines(start);
        CREATE INDEX deadlines_status ON deadlines(status);
        CREATE TABLE deadline_sources (
            deadline_id TEXT NOT NULL REFERENCES deadlines(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            evidence TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (deadline_id, item_id)
        );
        CREATE TABLE deadline_history (
            id INTEGER PRIMARY KEY,
            deadline_id TEXT NOT NULL REFERENCES deadlines(id) ON DELETE CASCADE,
            old_start TEXT,
            old_end TEXT,
            new_start TEXT,
            new_end TEXT,
            old_status TEXT,
            new_status TEXT,
            item_id TEXT,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX deadline_history_deadline ON deadline_history(deadline_id);
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            workspace TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            digest_time TEXT NOT NULL DEFAULT '08:00',
            timezone TEXT NOT NULL DEFAULT 'UTC',
            active INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'ok',
            last_error TEXT,
            watch_terms TEXT NOT NULL DEFAULT '[]',
            mute_terms TEXT NOT NULL DEFAULT '[]',
            last_digest_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (platform, workspace, channel)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            idem_key TEXT NOT NULL UNIQUE,
            subscription_id INTEGER REFERENCES subscriptions(id) ON DELETE SET NULL,
            platform TEXT NOT NULL,
            workspace TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            platform_message_id TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_status_next ON outbox(status, next_attempt_at);
        CREATE TABLE kv (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
    db.table("items").enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


@migrations()
def m002_slack_installations(db: sqlite_utils.Database) -> None:
    """OAuth installs of the Slack app, one row per workspace (bots) and per installing user."""
    db.executescript(
        """
        CREATE TABLE slack_bots (
            enterprise_id TEXT NOT NULL DEFAULT '',
            team_id TEXT NOT NULL DEFAULT '',
            installed_at REAL NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (enterprise_id, team_id)
        );
        CREATE TABLE slack_installations (
            enterprise_id TEXT NOT NULL DEFAULT '',
            team_id TEXT NOT NULL DEFAULT '',
            user_id TEXT NOT NULL,
            installed_at REAL NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (enterprise_id, team_id, user_id)
        );
        """
    )


@migrations()
def m003_deadline_tracking(db: sqlite_utils.Database) -> None:
    # dated_by: publication date of the report that set a deadline's current dates, so an older report
    # processed late cannot override a newer one. The topic index serves matching reports to deadlines.
    db.executescript(
        """
        ALTER TABLE deadlines ADD COLUMN dated_by TEXT;
        CREATE INDEX deadlines_topic ON deadlines(topic, status);
        """
    )


@migrations()
def m004_story_official(db: sqlite_utils.Database) -> None:
    # Digests put stories with an official source (a ministry, USTR, MOFCOM...) ahead of equal ones.
    db.execute("ALTER TABLE stories ADD COLUMN official INTEGER NOT NULL DEFAULT 0")


@migrations()
def m005_deadline_changes(db: sqlite_utils.Database) -> None:
    # The log of new, moved and cancelled deadlines, written in the same transaction as the change, so an
    # alert can be sent after a crash that came between the ingest and the alert.
    db.execute(
        """
        CREATE TABLE deadline_changes (
            id INTEGER PRIMARY KEY,
            deadline_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            what TEXT NOT NULL,
            old_start TEXT,
            old_end TEXT,
            new_start TEXT,
            new_end TEXT,
            recorded_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m006_search_relevant_items(db: sqlite_utils.Database) -> None:
    # The full-text index covers the US–China items only: it was most of the cost of storing an item, and
    # search is for coverage of US–China relations. Channel watch terms scan recent items instead.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS items_ai;
        DROP TRIGGER IF EXISTS items_ad;
        DROP TRIGGER IF EXISTS items_au;
        CREATE TRIGGER items_ai AFTER INSERT ON items WHEN new.relevant = 1 BEGIN
          INSERT INTO items_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items WHEN old.relevant = 1 BEGIN
          INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER items_au AFTER UPDATE ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, title, text)
            SELECT 'delete', old.rowid, old.title, old.text WHERE old.relevant = 1;
          INSERT INTO items_fts (rowid, title, text) SELECT new.rowid, new.title, new.text WHERE new.relevant = 1;
        END;
        INSERT INTO items_fts (items_fts) VALUES ('delete-all');
        INSERT INTO items_fts (rowid, title, text) SELECT rowid, title, text FROM items WHERE relevant = 1;
        CREATE INDEX IF NOT EXISTS items_fetched ON items(fetched_at);
        """
    )


@migrations()
def m007_deadlines_soonest(db: sqlite_utils.Database) -> None:
    # Listings walk this in order and stop at their limit: by start then name, with end and status in the
    # index so the deadlines already over or cancelled are skipped without reading their rows. It leads
    # with start, so it replaces the index on start alone.
    db.executescript(
        """
        CREATE INDEX deadlines_soonest ON deadlines(start, what, end, status);
        DROP INDEX deadlines_start;
        """
    )


@migrations()
def m008_items_story_order(db: sqlite_utils.Database) -> None:
    # A story's items in the order digests name their sources (official first, then oldest, then as
    # stored), so they need no sort. Only the items of a story are in it.
    db.execute(
        "CREATE INDEX items_story_order ON items(story_id, source_kind != 'official', published) "
        "WHERE story_id IS NOT NULL"
    )


@migrations()
def m009_lighter_item_indexes(db: sqlite_utils.Database) -> None:
    # Every index is written on every insert. No query reads (source, guid), (relevant, published) or path,
    # and the story-order index (story items only) serves every lookup by story.
    db.executescript(
        """
        DROP INDEX IF EXISTS items_source_guid;
        DROP INDEX IF EXISTS items_relevant_published;
        DROP INDEX IF EXISTS items_path;
        DROP INDEX IF EXISTS items_story;
        """
    )


@migrations()
def m010_source_body_hash(db: sqlite_utils.Database) -> None:
    # Many feeds send no ETag or Last-Modified: the hash of the last body ingested lets an identical body be
    # skipped without parsing it again.
    db.execute("ALTER TABLE sources ADD COLUMN body_hash TEXT")


@migrations()
def m011_removed_sources(db: sqlite_utils.Database) -> None:
    # URLs an operator removed: a source from the configuration file is not added back on the next start.
    db.execute("CREATE TABLE removed_sources (url TEXT PRIMARY KEY, removed_at TEXT NOT NULL)")


@migrations()
def m012_attachments(db: sqlite_utils.Database) -> None:
    # Files that travel with outbox messages, stored once by content hash: the morning's timeline picture
    # is the same for a thousand subscriptions, and each outbox row refers to it instead of holding a copy.
    db.execute("CREATE TABLE attachments (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL, created_at TEXT NOT NULL)")


@migrations()
def m013_deadline_counted(db: sqlite_utils.Database) -> None:
    # counted: the deadline's dates were counted from the day of the report that gave them (a length with no
    # stated start), so a later report that states the date replaces them, and one that counts again does not.
    db.execute("ALTER TABLE deadlines ADD COLUMN counted INTEGER NOT NULL DEFAULT 0")


@migrations()
def m014_waiting_reports(db: sqlite_utils.Database) -> None:
    # Items judged not relevant that may be a US–China story's report (they name a side or a measure), kept
    # whole for a story window: one that arrives before its story's first relevant report is read as that
    # story's report when the story comes, as it is when it comes after. reports_swept: the story's earlier
    # waiting reports were read against it, once, when it first had dated deadlines.
    db.executescript(
        """
        CREATE TABLE waiting_reports (
            item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            published TEXT NOT NULL,
            relevance_score REAL NOT NULL,
            reasons TEXT NOT NULL,
            signature TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
        CREATE INDEX waiting_reports_published ON waiting_reports(published);
        CREATE INDEX waiting_reports_stored ON waiting_reports(stored_at);
        ALTER TABLE stories ADD COLUMN reports_swept INTEGER NOT NULL DEFAULT 0;
        """
    )
