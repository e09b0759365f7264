"""The ingest cycle over seed files and feed entries: dedupe, updates, stories and deadline changes."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.analysis.summarize import ExtractiveSummarizer
from bot.domain.models import RawEntry, SourceKind
from bot.pipeline.analyze import Analyzer
from bot.pipeline.cycle import CycleReport, Ingestor
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q
from tests.conftest import FakeClock

SEED = Path(__file__).resolve().parents[1] / "seeds" / "2025-07-11-rubio-wang-yi-kuala-lumpur.md"
ARTICLE = """---
published: 2025-08-11
source: Harbor Wire
---
President Donald Trump extended the tariff truce with China until Nov. 10, hours before it was due to expire,
and Treasury Secretary Scott Bessent said talks with Vice Premier He Lifeng would go on.
"""


def ingestor(store: Store, clock: FakeClock) -> Ingestor:
    summarizer = ExtractiveSummarizer()
    return Ingestor(store=store, analyzer=Analyzer(), summarizer=summarizer, clock=clock)


async def count(store: Store) -> dict[str, int]:
    return await store.run(item_q.count_items)


async def test_a_changed_seed_file_updates_its_item(tmp_path: Path, store: Store, clock: FakeClock) -> None:
    path = tmp_path / "truce.md"
    path.write_text(ARTICLE, encoding="utf-8")
    first = CycleReport()
    await ingestor(store, clock).ingest_files(tmp_path, [path], first)
    assert (first.new_items, first.relevant, first.new_stories) == (1, 1, 1)
    assert [c.kind for c in first.deadline_changes] == ["new"]
    assert str(first.deadline_changes[0].new_start) == "2025-11-10"

    again = CycleReport()
    await ingestor(store, clock).ingest_files(tmp_path, [path], again)
    assert (again.new_items, again.updated_items, again.duplicates) == (0, 0, 1)

    path.write_text(ARTICLE + "Beijing said it would extend its own countermeasures pause too.\n", encoding="utf-8")
    os.utime(path, (1, 1))
    edited = CycleReport()
    await ingestor(store, clock).ingest_files(tmp_path, [path], edited)
    assert (edited.new_items, edited.updated_items) == (0, 1)
    assert await count(store) == {"items": 1, "relevant": 1, "stories": 1}


async def test_a_reposted_feed_entry_is_not_a_new_item(store: Store, clock: FakeClock) -> None:
    entry = RawEntry(source="https://feed.example/rss", guid="g-1", url="https://news.example/truce?utm_source=x",
                     title="US and China extend tariff truce", content="<p>" + ARTICLE.split("---\n")[2] + "</p>",
                     published=datetime(2025, 8, 11, 21, tzinfo=UTC), published_from="feed")
    bumped = replace(entry, guid="g-1-updated", published=datetime(2025, 8, 12, 6, tzinfo=UTC),
                     url="https://news.example/truce#comments")
    report = CycleReport()
    await ingestor(store, clock).ingest_entries([entry], source_name="Wire", source_kind="wire", report=report)
    await ingestor(store, clock).ingest_entries([bumped], source_name="Wire", source_kind="wire", report=report)
    assert (report.new_items, report.duplicates) == (1, 1)
    assert (await count(store))["items"] == 1


async def test_an_extension_moves_the_tracked_truce(tmp_path: Path, store: Store, clock: FakeClock) -> None:
    geneva = tmp_path / "geneva.md"
    geneva.write_text("---\npublished: 2025-05-12\n---\nThe US and China agreed in Geneva to cut their "
                      "reciprocal tariffs for 90 days from May 14, Treasury Secretary Scott Bessent said.\n",
                      encoding="utf-8")
    report = CycleReport()
    await ingestor(store, clock).ingest_files(tmp_path, [geneva], report)
    extension = tmp_path / "extension.md"
    extension.write_text(ARTICLE, encoding="utf-8")
    await ingestor(store, clock).ingest_files(tmp_path, [extension], report)
    # (the cut's own start, May 14, may be tracked too: it is a deadline apart from the truce's end)
    kinds = [(c.kind, c.old_start, c.new_start) for c in report.deadline_changes if "truce" in c.what]
    assert [k for k, _old, _new in kinds] == ["new", "changed"]
    assert str(kinds[1][1]) == "2025-08-12" and str(kinds[1][2]) == "2025-11-10"
    views = await store.run(deadline_q.list_deadlines, datetime(2025, 8, 12).date())
    truce = [v for v in views if "truce" in v.what]
    assert len(truce) == 1 and str(truce[0].start) == "2025-11-10" and len(truce[0].sources) == 2


async def test_an_unreadable_stored_story_signature_does_not_stop_ingest(store: Store, clock: FakeClock) -> None:
    await store.run(item_q.create_story, "broken", title="old story", url=None, signature="{not json",
                    score=0.9, published=clock(), now=clock())
    entry = RawEntry(source="https://feed.example/rss", guid="g-2", url="https://news.example/truce",
                     title="US and China extend tariff truce", content=ARTICLE.split("---\n")[2],
                     published=clock(), published_from="feed")
    report = CycleReport()
    await ingestor(store, clock).ingest_entries([entry], source_name="Wire", source_kind="wire", report=report)
    assert (report.new_items, report.relevant, report.new_stories) == (1, 1, 1)
    assert await count(store) == {"items": 1, "relevant": 1, "stories": 2}


async def test_a_feed_that_fails_in_processing_does_not_stop_the_others(store: Store, clock: FakeClock) -> None:
    from bot.ingest.feeds import FeedFetcher, make_session
    from storage.queries import sources as source_q
    from tests.fakes.feed_server import FeedServer

    server = await FeedServer().start()
    try:
        async with make_session(True, "uschina-test/1.0") as session:
            summarizer = ExtractiveSummarizer()
            fetching = Ingestor(store=store, analyzer=Analyzer(), summarizer=summarizer,
                                clock=clock, fetcher=FeedFetcher(session, user_agent="uschina-test/1.0",
                                                                 allow_private=True))
            urls = [server.url("/feeds/outlet-a-truce.xml"), server.url("/feeds/outlet-b-truce.xml")]
            rows = [await store.run(source_q.ensure_source, url, name=url, kind="outlet", now=clock())
                    for url in urls]
            await store.run(source_q.remove_source, urls[0])  # removed from chat while the cycle runs
            report = CycleReport()
            await fetching.run_feeds(rows, report)
    finally:
        await server.close()
    assert report.feed_errors == 1 and "processing failed (KeyError" in report.errors[0]
    assert report.new_items >= 1  # the other outlet's items went in
    assert [s.url for s in await store.run(source_q.list_sources)] == [urls[1]]


async def test_with_an_llm_only_stories_are_summarized_not_each_item(tmp_path: Path, clock: FakeClock) -> None:
    from bot.app.runtime import Runtime
    from bot.config import LLMConfig, Settings
    from tests.fakes.fake_llm import FakeLLM

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "truce.md").write_text(ARTICLE, encoding="utf-8")
    (seeds / "truce-again.md").write_text(ARTICLE.replace("Harbor Wire", "Bay Post")
                                             .replace("hours before", "just hours before"), encoding="utf-8")
    (seeds / "kl.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    llm = FakeLLM()
    settings = Settings(db_path=tmp_path / "uschina.db", seeds_dir=seeds,
                        llm=LLMConfig(base_url=await llm.start(), model="test-model"))
    try:
        async with Runtime.open(settings, clock=clock) as runtime:
            report = await runtime.ingest_once(seeds=seeds)
            stories = await runtime.store.run(item_q.recent_stories, clock() - timedelta(days=1))
    finally:
        await llm.stop()
    assert (report.relevant, report.new_stories) == (3, 2)
    prompts = [request["json"]["messages"][1]["content"] for request in llm.requests]
    assert len(prompts) == 2 and all(p.startswith("Source 1 headline:") for p in prompts)  # one per story
    assert [s.summary for s in stories] == [llm.answer, llm.answer]


async def test_one_cycle_reads_the_clock_once_and_stamps_stories_when_they_are_shown(
        tmp_path: Path, store: Store, clock: FakeClock) -> None:
    reads: list[datetime] = []

    def ticking() -> datetime:  # a clock that moves on every read, as a real one does
        clock.advance(seconds=1)
        reads.append(clock())
        return clock()

    paths = [tmp_path / "kl.md", tmp_path / "truce.md"]
    paths[0].write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    paths[1].write_text(ARTICLE, encoding="utf-8")
    summarizer = ExtractiveSummarizer()
    cycle = Ingestor(store=store, analyzer=Analyzer(), summarizer=summarizer, clock=ticking)
    await cycle.ingest_files(tmp_path, paths, CycleReport())
    # Once for the cycle, once when its stories are re-summarized: a digest that fired in between must
    # find them in its next window, so they are stamped when they become visible, not at the cycle's start.
    assert len(reads) == 2
    fetched = await store.run(lambda db: {r[0] for r in db.execute("SELECT fetched_at FROM items")})
    updated = await store.run(lambda db: {r[0] for r in db.execute("SELECT updated_at FROM stories")})
    assert fetched == {reads[0].isoformat()} and updated == {reads[1].isoformat()}


# One story told twice: the second outlet names neither side, only the day the first gives.
SHEIN_ORDER = ("President Donald Trump signed an order ending the duty-free de minimis exemption for low-value "
               "parcels from China and Hong Kong, effective May 2, raising costs for Shein and Temu shoppers.")
NO_SIDE_NAMED = ("From May 2, parcels worth less than $800 will no longer enter duty-free, the White House said, "
                 "closing the de minimis exemption that online retailers rely on.")


def parcel_entry(guid: str, title: str, text: str, day: int) -> RawEntry:
    return RawEntry(source="https://feed.example/rss", guid=guid, url=f"https://news.example/{guid}", title=title,
                    content=text, published=datetime(2025, 4, day, 12, tzinfo=UTC), published_from="feed")


async def tracked_parcel_story(store: Store) -> tuple[dict[str, tuple], list[tuple[str, int]]]:
    rows = {r[0]: r[1:] for r in await store.run(lambda db: db.execute(
        "SELECT guid, relevant, story_id FROM items").fetchall())}
    views = await store.run(deadline_q.list_deadlines, datetime(2025, 4, 4).date())
    return rows, [(str(v.start), len(v.sources)) for v in views if v.start]


@pytest.mark.parametrize("story_first", [True, False], ids=["story-first", "report-first"])
async def test_a_report_naming_neither_side_joins_its_story_when_it_gives_the_storys_deadline(
        store: Store, clock: FakeClock, story_first: bool) -> None:
    # Whichever outlet published first: a report that comes before its story waits for it.
    day = 4 if story_first else 2
    order = parcel_entry("order", "Trump ends de minimis for China parcels", SHEIN_ORDER, 3)
    plain = parcel_entry("plain", "Small parcels lose duty-free entry", NO_SIDE_NAMED, day)
    other_day = parcel_entry("other-day", "Small parcels lose duty-free entry later",
                             NO_SIDE_NAMED.replace("May 2", "August 29"), day)
    batches: list[tuple[list[RawEntry], str, SourceKind]] = [([order], "Wire", "wire"),
                                                             ([plain, other_day], "Daily", "outlet")]
    report = CycleReport()
    for entries, name, kind in batches if story_first else batches[::-1]:
        await ingestor(store, clock).ingest_entries(entries, source_name=name, source_kind=kind, report=report)
    assert (report.new_items, report.relevant, report.new_stories) == (3, 2, 1)
    rows, deadlines = await tracked_parcel_story(store)
    assert rows["plain"] == (1, rows["order"][1]) and rows["other-day"] == (0, None)
    assert deadlines == [("2025-05-02", 2)]
    # The report read as the story's keeps its whole text, as relevant items do, and waits no more.
    text, waiting = await store.run(lambda db: (
        db.execute("SELECT text FROM items WHERE guid = 'plain'").fetchone()[0],
        [r[0] for r in db.execute("SELECT i.guid FROM waiting_reports w JOIN items i ON i.id = w.item_id")]))
    assert text == NO_SIDE_NAMED and waiting == ["other-day"]


async def test_one_batch_gives_the_same_story_whichever_report_comes_first(tmp_path: Path,
                                                                           clock: FakeClock) -> None:
    order = parcel_entry("order", "Trump ends de minimis for China parcels", SHEIN_ORDER, 3)
    plain = parcel_entry("plain", "Small parcels lose duty-free entry", NO_SIDE_NAMED, 4)
    found = []
    for name, entries in (("story-first", [order, plain]), ("report-first", [plain, order])):
        store = await Store.open(tmp_path / f"{name}.db")
        try:
            report = CycleReport()
            await ingestor(store, clock).ingest_entries(entries, source_name="Wire", source_kind="wire",
                                                        report=report)
            rows, deadlines = await tracked_parcel_story(store)
            found.append((report.relevant, rows["plain"][0], deadlines))
        finally:
            await store.close()
    assert found[0] == found[1] == (2, 1, [("2025-05-02", 2)])


async def test_a_story_reads_its_earlier_waiting_reports_once(store: Store, clock: FakeClock) -> None:
    from bot.pipeline.cycle import _waiting_matches

    other_day = parcel_entry("other-day", "Small parcels lose duty-free entry later",
                             NO_SIDE_NAMED.replace("May 2", "August 29"), 2)
    order = parcel_entry("order", "Trump ends de minimis for China parcels", SHEIN_ORDER, 3)
    report = CycleReport()
    await ingestor(store, clock).ingest_entries([other_day], source_name="Daily", source_kind="outlet",
                                                report=report)
    await ingestor(store, clock).ingest_entries([order], source_name="Wire", source_kind="wire", report=report)
    assert report.relevant == 1  # read against May 2, which it does not give

    def matches_for_the_story(db: sqlite_utils.Database) -> list[str]:
        story = db.execute("SELECT story_id FROM items WHERE guid = 'order'").fetchone()[0]
        return [m.waiting.title for m in _waiting_matches(db, [], [story], None, clock())]

    # The story was swept when it first had a dated deadline; growing, it does not read the report again.
    assert await store.run(matches_for_the_story) == []
    waiting = await store.run(lambda db: db.execute("SELECT count(*) FROM waiting_reports").fetchone()[0])
    assert waiting == 1


async def test_a_report_waits_one_story_window(store: Store, clock: FakeClock) -> None:
    plain = parcel_entry("plain", "Small parcels lose duty-free entry", NO_SIDE_NAMED, 2)
    report = CycleReport()
    await ingestor(store, clock).ingest_entries([plain], source_name="Daily", source_kind="outlet", report=report)
    clock.advance(hours=73)
    order = parcel_entry("order", "Trump ends de minimis for China parcels", SHEIN_ORDER, 3)
    await ingestor(store, clock).ingest_entries([order], source_name="Wire", source_kind="wire", report=report)
    rows, deadlines = await tracked_parcel_story(store)
    assert rows["plain"] == (0, None) and deadlines == [("2025-05-02", 1)]
    assert await store.run(lambda db: db.execute("SELECT count(*) FROM waiting_reports").fetchone()[0]) == 0
