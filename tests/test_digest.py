"""Digest composition: stories since the last digest, channel watch/mute terms, deadlines ahead."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import Analysis, Relevance
from bot.usecases.digest import compose_digest
from storage import Store
from storage.queries import items as item_q
from tests.conftest import FakeClock
from tests.test_items_queries import make_item

RELEVANT = Analysis(Relevance(True, 0.9, ("bilateral: US-China",)))
TRUCE_SUMMARY = "Washington and Beijing extend the truce."
IGNORED = Analysis(Relevance(False, 0.1, ()))


async def stored(store: Store, clock: FakeClock) -> None:
    truce = make_item(id="t", title="US and China extend tariff truce", url="https://a.example/t",
                      content_hash="ht", fetched_at=clock())
    await store.run(item_q.create_story, "truce", title=truce.title, url=truce.url, signature="{}", score=0.9,
                    published=clock(), now=clock())
    await store.run(item_q.save_item, truce, RELEVANT, story_id="truce")
    await store.run(item_q.refresh_story, "truce", summary=TRUCE_SUMMARY, at=clock())
    gallium = make_item(id="g", title="Gallium prices jump in Rotterdam", url="https://b.example/g",
                        text="Gallium prices rose 20% as traders worried about supply.", content_hash="hg",
                        fetched_at=clock())
    await store.run(item_q.save_item, gallium, IGNORED, story_id=None)


async def test_digest_lists_recent_stories_once(store: Store, clock: FakeClock) -> None:
    await stored(store, clock)
    message = await compose_digest(store, since=clock() - timedelta(hours=1), now=clock() + timedelta(minutes=1),
                                   today=date(2025, 7, 11))
    assert [s.title for s in message.stories] == ["US and China extend tariff truce"]
    later = await compose_digest(store, since=clock() + timedelta(minutes=1), now=clock() + timedelta(days=1),
                                 today=date(2025, 7, 12))
    assert later.stories == () and "No new US–China stories" in later.text


async def test_watch_terms_add_items_and_mute_terms_drop_stories(store: Store, clock: FakeClock) -> None:
    await stored(store, clock)
    since, now, today = clock() - timedelta(hours=1), clock() + timedelta(minutes=1), date(2025, 7, 11)
    watched = await compose_digest(store, since=since, now=now, today=today, watch_terms=("gallium",))
    titles = [s.title for s in watched.stories]
    assert titles == ["US and China extend tariff truce", "Gallium prices jump in Rotterdam"]
    assert watched.stories[1].sources[0][0] == "Example Wire"
    muted = await compose_digest(store, since=since, now=now, today=today, mute_terms=("truce",))
    assert muted.stories == ()
    partial_word = await compose_digest(store, since=since, now=now, today=today, mute_terms=("tru",))
    assert len(partial_word.stories) == 1  # whole words only
