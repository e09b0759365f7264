"""Tracking deadlines across items: merging, moving, cancelling, listing with status."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlite_utils

from bot.analysis.deadlines.merge import MERGE_POLICY, confirmed_by
from bot.domain.models import DeadlineMention
from storage.db import open_database
from storage.queries.deadlines import first_deadlines, get_deadline, list_deadlines, record_mentions, story_days

NOW = datetime(2025, 8, 11, 9, 0, tzinfo=UTC)
TRUCE_AUG = DeadlineMention(
    "tariff truce expires", date(2025, 8, 12), date(2025, 8, 12), "day", 0.7, "A 90-day truce on tariffs."
)


@pytest.fixture
def db() -> Iterator[sqlite_utils.Database]:
    database = open_database(":memory:")
    yield database
    database.close()


def add_item(db: sqlite_utils.Database, item_id: str, published: date, url: str | None = None) -> None:
    db.table("items").insert(
        {
            "id": item_id,
            "source": "https://feeds.example.org/rss",
            "source_name": "Example",
            "source_kind": "outlet",
            "url": url,
            "guid": item_id,
            "title": f"Title of {item_id}",
            "text": "text",
            "published": f"{published.isoformat()}T08:00:00+00:00",
            "published_from": "feed",
            "fetched_at": NOW.isoformat(),
            "content_hash": item_id,
        }
    )


def test_same_deadline_from_two_items_is_one_with_both_sources(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 5, 12), "https://news.example.org/a")
    add_item(db, "b", date(2025, 5, 14))
    first = record_mentions(db, "a", date(2025, 5, 12), [TRUCE_AUG], NOW, policy=MERGE_POLICY)
    reprieve = DeadlineMention("90-day reprieve ends", date(2025, 8, 12), date(2025, 8, 12), "day", 0.6, "x")
    assert record_mentions(db, "b", date(2025, 5, 14), [reprieve], NOW, policy=MERGE_POLICY) == []
    assert [c.kind for c in first] == ["new"]
    (view,) = list_deadlines(db, date(2025, 6, 1))
    assert view.id == first[0].deadline_id
    assert view.sources == ("https://news.example.org/a", "Title of b")
    assert view.status == "upcoming"


def test_extension_moves_the_deadline_and_keeps_history(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 5, 12))
    add_item(db, "ext", date(2025, 8, 11))
    (new,) = record_mentions(db, "a", date(2025, 5, 12), [TRUCE_AUG], NOW, policy=MERGE_POLICY)
    extended = DeadlineMention(
        "tariff truce expires",
        date(2025, 11, 10),
        date(2025, 11, 10),
        "day",
        0.8,
        "Trump extended the tariff truce with China by 90 days.",
    )
    (change,) = record_mentions(db, "ext", date(2025, 8, 11), [extended], NOW, policy=MERGE_POLICY)
    assert (change.kind, change.deadline_id) == ("changed", new.deadline_id)
    assert (change.old_start, change.new_start) == (date(2025, 8, 12), date(2025, 11, 10))
    view = get_deadline(db, new.deadline_id, as_of=date(2025, 8, 20))
    assert view is not None
    assert (view.start, view.status) == (date(2025, 11, 10), "upcoming")
    assert view.history == (("2025-08-12", "2025-08-12", NOW.isoformat()),)


def test_an_older_item_does_not_override_a_newer_date(db: sqlite_utils.Database) -> None:
    add_item(db, "new", date(2025, 8, 11))
    add_item(db, "old", date(2025, 5, 12))
    extended = DeadlineMention(
        "tariff truce expires", date(2025, 11, 10), date(2025, 11, 10), "day", 0.8, "The truce was extended."
    )
    (created,) = record_mentions(db, "new", date(2025, 8, 11), [extended], NOW, policy=MERGE_POLICY)
    stale = DeadlineMention(
        "tariff truce expires", date(2025, 8, 12), date(2025, 8, 12), "day", 0.7, "extended"
    )
    assert record_mentions(db, "old", date(2025, 5, 12), [stale], NOW, policy=MERGE_POLICY) == []
    view = get_deadline(db, created.deadline_id, as_of=date(2025, 8, 12))
    assert view is not None and view.start == date(2025, 11, 10)
    assert len(view.sources) == 2


def test_undated_event_that_gets_a_date_is_changed(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 7, 11))
    add_item(db, "b", date(2025, 9, 20))
    summit = DeadlineMention("Trump–Xi summit", None, None, "unknown", 0.5, "an upcoming summit")
    (new,) = record_mentions(db, "a", date(2025, 7, 11), [summit], NOW, policy=MERGE_POLICY)
    assert [v.status for v in list_deadlines(db, date(2025, 7, 12))] == ["tbd"]
    dated = DeadlineMention(
        "Trump–Xi meeting", date(2025, 10, 30), date(2025, 10, 30), "day", 0.8, "in Busan"
    )
    (change,) = record_mentions(db, "b", date(2025, 9, 20), [dated], NOW, policy=MERGE_POLICY)
    assert (change.kind, change.deadline_id, change.old_start) == ("changed", new.deadline_id, None)


def test_cancellation_marks_status_and_hides_it_by_default(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 10, 1))
    add_item(db, "b", date(2025, 10, 20))
    meeting = DeadlineMention(
        "Trump–Xi meeting", date(2025, 10, 31), date(2025, 10, 31), "day", 0.8, "planned"
    )
    threat = DeadlineMention(
        "Trump–Xi meeting",
        date(2025, 10, 31),
        date(2025, 10, 31),
        "day",
        0.6,
        "Trump warned he may cancel the meeting with Xi on Oct 31.",
    )
    (new,) = record_mentions(db, "a", date(2025, 10, 1), [meeting], NOW, policy=MERGE_POLICY)
    assert record_mentions(db, "a", date(2025, 10, 1), [threat], NOW, policy=MERGE_POLICY) == []
    called_off = DeadlineMention(
        "Trump–Xi meeting", None, None, "unknown", 0.5, "The meeting was called off."
    )
    (change,) = record_mentions(db, "b", date(2025, 10, 20), [called_off], NOW, policy=MERGE_POLICY)
    assert (change.kind, change.deadline_id) == ("cancelled", new.deadline_id)
    assert list_deadlines(db, date(2025, 10, 21)) == []
    (view,) = list_deadlines(db, date(2025, 10, 21), include_all=True)
    assert view.status == "cancelled"


def test_statuses_and_order(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 7, 1))
    mentions = [
        DeadlineMention("Trump–Xi summit", None, None, "unknown", 0.5, "soon"),
        DeadlineMention(
            "new round of trade talks", date(2025, 8, 1), date(2025, 8, 10), "range", 0.6, "early Aug"
        ),
        TRUCE_AUG,
        DeadlineMention(
            "100% tariff takes effect", date(2025, 7, 20), date(2025, 7, 20), "day", 0.8, "Jul 20"
        ),
    ]
    assert len(record_mentions(db, "a", date(2025, 7, 1), mentions, NOW, policy=MERGE_POLICY)) == 4
    views = list_deadlines(db, date(2025, 8, 5))
    assert [(v.what, v.status) for v in views] == [
        ("new round of trade talks", "due"),
        ("tariff truce expires", "upcoming"),
        ("Trump–Xi summit", "tbd"),
    ]
    every = list_deadlines(db, date(2025, 8, 5), include_all=True)
    assert [v.status for v in every][0] == "past"
    assert get_deadline(db, "dl-missing") is None


def test_listing_uses_indexes(db: sqlite_utils.Database) -> None:
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT ds.deadline_id, COALESCE(i.url, i.title) FROM deadline_sources ds "
        "JOIN items i ON i.id = ds.item_id WHERE ds.deadline_id IN (?) ORDER BY i.published",
        ["x"],
    ).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "SCAN i" not in details and "SCAN items" not in details


def test_list_deadlines_until_keeps_undated_and_those_starting_by_then(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 7, 11), "https://a.example/1")
    near = DeadlineMention("trade talks begin", date(2025, 8, 1), date(2025, 8, 10), "range", 0.6, "talks")
    far = DeadlineMention("tariff truce expires", date(2025, 11, 10), date(2025, 11, 10), "day", 0.7, "truce")
    summit = DeadlineMention("Trump–Xi summit", None, None, "unknown", 0.5, "summit")
    record_mentions(db, "a", date(2025, 7, 11), [near, far, summit], NOW, policy=MERGE_POLICY)
    whats = [v.what for v in list_deadlines(db, date(2025, 7, 11), until=date(2025, 8, 1))]
    assert whats == ["trade talks begin", "Trump–Xi summit"]


def test_list_deadlines_limit_keeps_the_soonest(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 7, 11), "https://a.example/1")
    far = DeadlineMention("tariff truce expires", date(2025, 11, 10), date(2025, 11, 10), "day", 0.7, "truce")
    near = DeadlineMention("trade talks begin", date(2025, 8, 1), date(2025, 8, 10), "range", 0.6, "talks")
    summit = DeadlineMention("Trump–Xi summit", None, None, "unknown", 0.5, "summit")
    record_mentions(db, "a", date(2025, 7, 11), [far, summit, near], NOW, policy=MERGE_POLICY)
    assert [v.what for v in list_deadlines(db, date(2025, 7, 11), limit=2)] == [
        "trade talks begin", "tariff truce expires"]
    assert list_deadlines(db, date(2025, 7, 11))[-1].what == "Trump–Xi summit"


def add_deadlines(db: sqlite_utils.Database, count: int, seed: int) -> None:
    """Deadlines with shared names and dates, open and closed, undated and cancelled ones among them."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        start = date(2025, 7, 1) + timedelta(days=rng.randint(-40, 40)) if rng.random() < 0.7 else None
        end = start + timedelta(days=rng.choice([0, 3, 30])) if start and rng.random() < 0.95 else None
        rows.append({"id": f"dl-{n}", "what": rng.choice(["truce ends", "talks", "tariff"]), "topic": "t",
                     "start": start and start.isoformat(), "end": end and end.isoformat(), "granularity": "day",
                     "confidence": 0.5, "status": rng.choice(["upcoming", "upcoming", "cancelled"]),
                     "evidence": "e", "first_seen": NOW.isoformat(), "updated_at": NOW.isoformat()})
    db.table("deadlines").insert_all(rows)


def listed_by_one_query(db: sqlite_utils.Database, as_of: date, *, include_all: bool, until: date | None,
                        limit: int | None) -> list[str]:
    """What list_deadlines lists, as one query sorting every match: dated soonest first, then undated."""
    where = "1" if include_all else f"status != 'cancelled' AND (start IS NULL OR end >= '{as_of}')"
    if until is not None:
        where += f" AND (start IS NULL OR start <= '{until}')"
    return [r[0] for r in db.execute(
        f"SELECT id FROM deadlines WHERE {where} ORDER BY start IS NULL, start, what, rowid LIMIT ?",
        [-1 if limit is None else limit])]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_list_deadlines_matches_one_sorted_query(db: sqlite_utils.Database, seed: int) -> None:
    add_deadlines(db, 60, seed)
    for as_of in (date(2025, 5, 1), date(2025, 7, 1), date(2025, 9, 1)):
        for include_all in (False, True):
            for until in (None, as_of + timedelta(days=21)):
                for limit in (None, 0, 1, 5, 30):
                    listed = list_deadlines(db, as_of, include_all=include_all, until=until, limit=limit)
                    assert [v.id for v in listed] == listed_by_one_query(
                        db, as_of, include_all=include_all, until=until, limit=limit)


def test_listing_walks_the_soonest_index_without_sorting_every_match(db: sqlite_utils.Database) -> None:
    for where in ("start IS NOT NULL AND end >= ? AND status != 'cancelled' AND start <= ? ORDER BY start, "
                  "what, rowid", "start IS NULL AND status != 'cancelled' AND ? AND ? ORDER BY what, rowid"):
        plan = db.execute(f"EXPLAIN QUERY PLAN SELECT id FROM deadlines WHERE {where} LIMIT 5", ["x", "y"])
        details = " ".join(row[-1] for row in plan)
        assert "USING INDEX deadlines_soonest" in details
        assert "TEMP B-TREE FOR ORDER BY" not in details  # at most the ties are sorted ("RIGHT PART")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_first_deadlines_are_the_soonest_dated_then_the_first_undated(db: sqlite_utils.Database,
                                                                     seed: int) -> None:
    add_deadlines(db, 60, seed)
    for as_of in (date(2025, 5, 1), date(2025, 7, 1), date(2025, 9, 1)):
        until = as_of + timedelta(days=21)
        listed = list_deadlines(db, as_of, until=until)
        for dated, undated in ((15, 3), (5, 2), (0, 1), (2, 0)):
            kept = [v for v in listed if v.start][:dated] + [v for v in listed if not v.start][:undated]
            assert first_deadlines(db, as_of, until=until, dated=dated, undated=undated) == kept


def test_a_busy_horizon_does_not_hide_the_undated_deadlines(db: sqlite_utils.Database) -> None:
    as_of = date(2025, 7, 11)
    rows = [{"id": f"dl-{n}", "what": f"measure {n} takes effect", "topic": f"m{n}",
             "start": (as_of + timedelta(days=1 + n % 20)).isoformat(),
             "end": (as_of + timedelta(days=1 + n % 20)).isoformat(), "granularity": "day", "confidence": 0.8,
             "status": "upcoming", "evidence": "e", "first_seen": NOW.isoformat(), "updated_at": NOW.isoformat()}
            for n in range(50)]
    rows.append({**rows[0], "id": "dl-summit", "what": "Trump–Xi summit", "topic": "summit", "start": None,
                 "end": None, "granularity": "unknown", "status": "tbd"})
    db.table("deadlines").insert_all(rows)
    shown = first_deadlines(db, as_of, until=as_of + timedelta(days=21), dated=15, undated=3)
    assert len(shown) == 16 and shown[-1].what == "Trump–Xi summit" and shown[-1].start is None


def test_every_move_verb_moves_a_deadline_whatever_the_word(db: sqlite_utils.Database) -> None:
    # "prolonged" moves a deadline as "extended" does: one policy (bot.analysis.deadlines.merge) for both.
    add_item(db, "a", date(2025, 5, 12))
    add_item(db, "b", date(2025, 8, 11))
    record_mentions(db, "a", date(2025, 5, 12), [TRUCE_AUG], NOW, policy=MERGE_POLICY)
    prolonged = DeadlineMention("tariff truce expires", date(2025, 11, 10), date(2025, 11, 10), "day", 0.8,
                                "The truce was prolonged to Nov. 10.")
    (change,) = record_mentions(db, "b", date(2025, 8, 11), [prolonged], NOW, policy=MERGE_POLICY)
    assert (change.kind, change.old_start, change.new_start) == ("changed", date(2025, 8, 12), date(2025, 11, 10))


# One event, three reports: a length counted from its report's day, a stated day, a later outlet's count.
ONE_YEAR = DeadlineMention("suspension ends", date(2026, 10, 29), date(2026, 11, 1), "range", 0.7,
                           "China agreed to suspend the controls for one year.", counted=True)
STATED = DeadlineMention("suspension ends", date(2026, 11, 10), date(2026, 11, 10), "day", 0.8,
                         "The suspension ends on November 10, 2026.")
LATER_COUNT = DeadlineMention("suspension ends", date(2026, 11, 23), date(2026, 11, 26), "range", 0.6,
                              "The one-year suspension has eased pressure on manufacturers.", counted=True)
REPORTS = {"a": (date(2025, 10, 30), ONE_YEAR), "b": (date(2025, 11, 5), STATED),
           "c": (date(2025, 11, 24), LATER_COUNT)}


@pytest.mark.parametrize("order", ["abc", "acb", "bac", "bca", "cab", "cba"])
def test_a_stated_day_beats_a_count_from_a_report_in_any_order(db: sqlite_utils.Database, order: str) -> None:
    changes = []
    for item_id in order:
        published, mention = REPORTS[item_id]
        add_item(db, item_id, published)
        changes += record_mentions(db, item_id, published, [mention], NOW, policy=MERGE_POLICY)
    (view,) = list_deadlines(db, date(2025, 11, 25))
    assert (view.start, view.end, view.counted) == (date(2026, 11, 10), date(2026, 11, 10), False)
    assert len(view.sources) == 3
    if order.index("c") > order.index("b"):
        # the later outlet's own count raises no alert once the day is known
        assert LATER_COUNT.start not in [change.new_start for change in changes]


@pytest.mark.parametrize("order", ["ac", "ca"])
def test_of_two_counts_the_one_reported_nearer_the_start_stands(db: sqlite_utils.Database, order: str) -> None:
    for item_id in order:
        published, mention = REPORTS[item_id]
        add_item(db, item_id, published)
        record_mentions(db, item_id, published, [mention], NOW, policy=MERGE_POLICY)
    (view,) = list_deadlines(db, date(2025, 11, 25))
    assert (view.start, view.end, view.counted) == (ONE_YEAR.start, ONE_YEAR.end, True)


def test_a_counted_report_that_says_the_event_moved_moves_a_stated_day(db: sqlite_utils.Database) -> None:
    add_item(db, "a", date(2025, 5, 12))
    add_item(db, "b", date(2025, 8, 11))
    record_mentions(db, "a", date(2025, 5, 12), [TRUCE_AUG], NOW, policy=MERGE_POLICY)
    extended = DeadlineMention("tariff truce expires", date(2025, 11, 8), date(2025, 11, 11), "range", 0.7,
                               "Trump extended the tariff truce for another 90 days.", counted=True)
    (change,) = record_mentions(db, "b", date(2025, 8, 11), [extended], NOW, policy=MERGE_POLICY)
    assert (change.kind, change.new_start) == ("changed", date(2025, 11, 8))


def test_a_storys_days_are_those_its_reports_gave_as_tracked_now(db: sqlite_utils.Database) -> None:
    db.execute("INSERT INTO stories (id, title, item_count, first_seen, updated_at) VALUES ('s', 't', 0, ?, ?)",
               [NOW.isoformat(), NOW.isoformat()])
    add_item(db, "a", date(2025, 5, 12))
    add_item(db, "elsewhere", date(2025, 5, 12))
    db.execute("UPDATE items SET story_id = 's' WHERE id = 'a'")
    undated = DeadlineMention("Trump–Xi summit", None, None, "unknown", 0.5, "at a mutually acceptable date")
    record_mentions(db, "a", date(2025, 5, 12), [TRUCE_AUG, undated], NOW, policy=MERGE_POLICY)
    other = DeadlineMention("port fees begin", date(2025, 10, 14), date(2025, 10, 14), "day", 0.8, "x")
    record_mentions(db, "elsewhere", date(2025, 5, 12), [other], NOW, policy=MERGE_POLICY)
    assert story_days(db, "s") == [(date(2025, 8, 12), date(2025, 8, 12))]
    assert story_days(db, "none") == []


@pytest.mark.parametrize(("start", "end", "kept"), [
    (date(2025, 8, 12), date(2025, 8, 12), True),
    (date(2025, 8, 19), date(2025, 8, 19), True),   # a week apart: one event told two ways
    (date(2025, 8, 20), date(2025, 8, 31), False),
    (date(2025, 8, 1), date(2025, 8, 31), False),    # a window holding the day: overlaps by chance
    (None, None, False),                             # undated: nothing to confirm
])
def test_a_mention_is_confirmed_by_a_story_day_within_a_week(start: date | None, end: date | None,
                                                               kept: bool) -> None:
    mention = DeadlineMention("truce ends", start, end, "day", 0.7, "x")
    assert confirmed_by([mention], [(date(2025, 8, 12), date(2025, 8, 12))]) == ([mention] if kept else [])
