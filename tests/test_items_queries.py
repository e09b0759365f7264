from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.models import Analysis, Item, Relevance
from storage import Store
from storage.queries import items as item_q
from storage.queries.params import IN_CHUNK, in_chunks

NOW = datetime(2025, 7, 11, 9, 0, tzinfo=UTC)
RELEVANT = Analysis(relevance=Relevance(True, 0.9, ("US actor: Rubio",)))


def make_item(**changes: object) -> Item:
    base = Item(
        id="i1", source="https://feed.example/rss", source_name="Example Wire", source_kind="wire",
        url="https://example.com/a", guid="g1", title="Rubio meets Wang Yi", text="Rubio met Wang Yi in Kuala Lumpur.",
        published=NOW, published_from="feed", fetched_at=NOW, content_hash="h1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_duplicate_found_by_id_url_then_hash(store: Store) -> None:
    await store.run(item_q.save_item, make_item(), RELEVANT, story_id=None)
    bumped_guid = make_item(id="i2", guid="g2")  # same URL, new guid: a publisher re-push
    new_url_same_text = make_item(id="i3", guid="g3", url="https://mirror.example/a")
    other = make_item(id="i4", guid="g4", url="https://example.com/b", content_hash="h4")
    found = await store.run(item_q.find_existing, [bumped_guid, other, new_url_same_text, make_item()])
    assert [f.id if f else None for f in found] == ["i1", None, "i1", "i1"]
    assert await store.run(item_q.find_existing, []) == []


async def test_recent_stories_name_sources_and_rank(store: Store) -> None:
    for story_id, score in (("s1", 0.6), ("s2", 0.95)):
        await store.run(item_q.create_story, story_id, title=f"story {story_id}", url=None, signature="{}",
                        score=score, published=NOW, now=NOW)
    await store.run(item_q.save_item, make_item(id="i5", guid="g5", url="https://example.com/c", content_hash="h5"),
                    RELEVANT, story_id="s1")
    await store.run(item_q.save_item, make_item(), RELEVANT, story_id="s2")
    await store.run(item_q.save_item, make_item(id="i9", url="https://gov.example/x", content_hash="h9",
                                                 source_name="State Dept", source_kind="official"),
                    RELEVANT, story_id="s2")
    await store.run(item_q.refresh_story, "s2", summary="Two sources.", at=NOW + timedelta(minutes=5))
    stories = await store.run(item_q.recent_stories, NOW - timedelta(hours=1), limit=5)
    assert [s.id for s in stories] == ["s2", "s1"]
    assert stories[0].sources[0][:2] == ("State Dept", "official")  # official sources first
    assert {name for name, _kind, _url in stories[0].sources} == {"State Dept", "Example Wire"}
    assert stories[0].summary == "Two sources."
    assert await store.run(item_q.recent_stories, NOW + timedelta(hours=1)) == []


async def test_search_treats_query_as_plain_words(store: Store) -> None:
    await store.run(item_q.save_item, make_item(), RELEVANT, story_id=None)
    hits = await store.run(item_q.search_items, 'wang "kuala*', limit=5)
    assert [h["id"] for h in hits] == ["i1"]
    # FTS operators are plain words here: "OR" must itself appear, so nothing matches
    assert await store.run(item_q.search_items, "wang OR nothing", limit=5) == []
    assert await store.run(item_q.search_items, "NEAR( ) -- ;", limit=5) == []
    assert await store.run(item_q.search_items, "", limit=5) == []


async def test_search_uses_the_fts_index(store: Store) -> None:
    plan = await store.run(lambda db: db.execute(
        "EXPLAIN QUERY PLAN SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
        "WHERE items_fts MATCH 'x'").fetchall())
    assert any("VIRTUAL TABLE" in str(row) for row in plan)


async def test_only_relevant_items_keep_their_full_text(store: Store) -> None:
    long_text = "First sentence about soybeans and weather. " + "More detail follows here. " * 60
    ignored = Analysis(relevance=Relevance(False, 0.1, ()))
    await store.run(item_q.save_item, make_item(id="n", text=long_text, content_hash="hn", url=None), ignored,
                    story_id=None)
    await store.run(item_q.save_item, make_item(id="r", text=long_text, content_hash="hr", url=None), RELEVANT,
                    story_id=None)
    texts = dict(await store.run(lambda db: db.execute("SELECT id, text FROM items").fetchall()))
    assert texts["r"] == long_text
    assert long_text.startswith(texts["n"].rstrip("…")) and len(texts["n"]) <= item_q.LEDE_CHARS + 1
    assert [h["id"] for h in await store.run(item_q.search_items, "soybeans")] == ["r"]  # index: relevant only


async def test_search_index_follows_an_items_relevance(store: Store) -> None:
    ignored = Analysis(relevance=Relevance(False, 0.1, ()))
    await store.run(item_q.save_item, make_item(), ignored, story_id=None)
    assert await store.run(item_q.search_items, "Kuala Lumpur") == []
    await store.run(item_q.save_item, make_item(), RELEVANT, story_id=None)  # re-judged on an update
    assert [h["id"] for h in await store.run(item_q.search_items, "Kuala Lumpur")] == ["i1"]
    await store.run(item_q.save_item, make_item(), ignored, story_id=None)
    assert await store.run(item_q.search_items, "Kuala Lumpur") == []
    integrity = await store.run(lambda db: db.execute(
        "INSERT INTO items_fts (items_fts) VALUES ('integrity-check')").fetchall())
    assert integrity == []


async def test_a_batch_is_stored_whole_or_not_at_all(store: Store) -> None:
    from bot.pipeline.cycle import Analysed, _save_batch

    good = Analysed(make_item(), RELEVANT, existing_id=None, story_id=None)
    orphan = Analysed(make_item(id="i2", url="https://example.com/b", content_hash="h2"), RELEVANT,
                      existing_id=None, story_id="no-such-story")  # breaks the foreign key mid-batch
    try:
        await store.run(_save_batch, [good, orphan], NOW)
    except Exception as exc:
        assert "FOREIGN KEY" in str(exc)
    else:
        raise AssertionError("the orphan item was stored")
    counts = await store.run(lambda db: db.execute("SELECT (SELECT count(*) FROM items), "
                                                   "(SELECT count(*) FROM stories)").fetchone())
    assert counts == (0, 0)


async def test_story_sources_official_first_then_oldest_then_as_stored(store: Store) -> None:
    for story_id in ("s1", "s2"):
        await store.run(item_q.create_story, story_id, title=story_id, url=None, signature="{}", score=0.9,
                        published=NOW, now=NOW)
    # (id, story, minutes after NOW, outlet, kind): i3 and i4 were published at the same moment as i2.
    for item_id, story_id, minutes, name, kind in (
            ("i1", "s1", 30, "Zeta News", "outlet"), ("i2", "s1", 10, "Beta Post", "outlet"),
            ("i3", "s1", 10, "Alpha Daily", "outlet"), ("i4", "s2", 10, "Other", "outlet"),
            ("i5", "s1", 50, "MOFCOM", "official"), ("i6", "s1", 10, "Beta Post", "outlet")):
        item = make_item(id=item_id, url=f"https://example.com/{item_id}", content_hash=item_id, source_name=name,
                         source_kind=kind, published=NOW + timedelta(minutes=minutes))
        await store.run(item_q.save_item, item, RELEVANT, story_id=story_id)
    sources = await store.run(item_q._story_sources, ["s1", "s2"])
    assert [url.rsplit("/", 1)[1] for _name, _kind, url in sources["s1"]] == ["i5", "i2", "i3", "i6", "i1"]
    assert [name for name, _kind, _url in sources["s2"]] == ["Other"]


async def test_story_sources_come_in_index_order_without_a_sort(store: Store) -> None:
    plan = await store.run(lambda db: db.execute(
        "EXPLAIN QUERY PLAN SELECT story_id, source_name, source_kind, url FROM items WHERE story_id IN (?, ?) "
        "ORDER BY story_id, source_kind != 'official', published, rowid", ["a", "b"]).fetchall())
    details = " ".join(row[-1] for row in plan)
    assert "INDEX items_story_order" in details and "TEMP B-TREE" not in details


def test_in_chunks_binds_every_value_once_within_the_bound() -> None:
    values = [f"id-{i}" for i in range(IN_CHUNK * 2 + 1)]
    chunks = list(in_chunks(values))
    assert [len(chunk) for chunk, _marks in chunks] == [IN_CHUNK, IN_CHUNK, 1]
    assert [value for chunk, _marks in chunks for value in chunk] == values
    assert all(marks.count("?") == len(chunk) for chunk, marks in chunks)
    assert list(in_chunks([])) == []
