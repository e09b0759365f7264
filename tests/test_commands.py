"""The shared /uschina command layer, against a real store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest

from bot.analysis.deadlines import extract_deadlines
from bot.analysis.deadlines.merge import MERGE_POLICY
from bot.config import Settings
from bot.domain.models import Analysis, Relevance
from bot.ports import CommandRequest
from bot.usecases.commands import CommandContext, CommandHandler
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q
from storage.queries import sources as source_q
from storage.queries import subscriptions as sub_q
from tests.conftest import FakeClock
from tests.test_items_queries import make_item

TALKS = ("Commerce Secretary Howard Lutnick said a new round of US-China trade talks is expected to begin "
         "in early August.")


def request(text: str, *, admin: bool = False, user: str = "U1") -> CommandRequest:
    return CommandRequest(platform="slack", workspace="T1", channel="C1", user=user, text=text, is_admin=admin)


@pytest.fixture
def changed() -> list[int]:
    return []


@pytest.fixture
def handler(store: Store, clock: FakeClock, changed: list[int]) -> CommandHandler:
    async def on_change() -> None:
        changed.append(1)

    settings = Settings(timezone="America/New_York", admins=frozenset({"UADMIN"}))
    return CommandHandler(CommandContext(store=store, now=clock, settings=settings,
                                         on_subscriptions_changed=on_change))


async def seed_story(store: Store, clock: FakeClock) -> None:
    item = make_item(text=TALKS, published=clock())
    analysis = Analysis(Relevance(True, 0.9, ("US actor: Lutnick",)),
                        deadlines=tuple(extract_deadlines(TALKS, date(2025, 7, 11))))
    await store.run(item_q.create_story, "s1", title=item.title, url=item.url, signature="{}", score=0.9,
                    published=clock(), now=clock())
    await store.run(item_q.save_item, item, analysis, story_id="s1")
    await store.run(item_q.refresh_story, "s1", summary=TALKS, at=clock())
    await store.run(deadline_q.record_mentions, item.id, date(2025, 7, 11), analysis.deadlines, clock(),
                    policy=MERGE_POLICY)


async def test_summary_lists_recent_stories(handler: CommandHandler, store: Store, clock: FakeClock) -> None:
    await seed_story(store, clock)
    reply = await handler(request("summary"))
    assert reply.kind == "summary" and [s.id for s in reply.stories] == ["s1"]
    assert "Lutnick" in reply.stories[0].summary
    clock.advance(days=2)
    assert (await handler(request("summary 24h"))).stories == ()
    assert [s.id for s in (await handler(request("summary 7d"))).stories] == ["s1"]


async def test_deadlines_as_of_date_lists_early_august_talks(handler: CommandHandler, store: Store,
                                                             clock: FakeClock) -> None:
    await seed_story(store, clock)
    reply = await handler(request("deadlines 2025-07-11"))
    talks = [d for d in reply.deadlines if d.start and d.start.month == 8]
    assert talks and talks[0].granularity == "range" and talks[0].start is not None
    assert talks[0].start >= date(2025, 8, 1)
    assert "talks" in talks[0].what
    assert (await handler(request("deadlines 2025-09-30"))).deadlines == ()
    assert (await handler(request("deadlines all 2025-09-30"))).deadlines[0].status == "past"


async def test_subscribe_then_change_time_and_unsubscribe(handler: CommandHandler, store: Store,
                                                          changed: list[int]) -> None:
    refused = await handler(request("subscribe"))
    assert refused.kind == "error" and "admins" in refused.text
    assert changed == []
    reply = await handler(request("subscribe", admin=True))
    assert "08:00 (America/New_York)" in reply.text
    await handler(request("digest-time 07:30 Asia/Shanghai", user="UADMIN"))
    sub = await store.run(sub_q.get_subscription, platform="slack", workspace="T1", channel="C1")
    assert sub is not None and (sub.digest_time, sub.timezone, sub.active) == ("07:30", "Asia/Shanghai", True)
    assert "Unsubscribed" in (await handler(request("unsubscribe", admin=True))).text
    assert "not subscribed" in (await handler(request("unsubscribe", admin=True))).text
    assert len(changed) == 4  # every change reschedules without a restart


@pytest.mark.parametrize(("text", "expected"), [
    ("frobnicate", "Unknown command"),
    ("summary 7x", "not a duration"),
    ("deadlines tomorrow", "Not a date"),
    ("subscribe 25:00", "not a time of day"),
    ("subscribe 08:00 Mars/Olympus", "unknown time zone"),
    ("digest-time", "Give a time"),
    ("digest-time 09:00", "not subscribed"),
    ("sources add", "Use `sources list`"),
    ("search", "Give words"),
    ('summary "unbalanced', "not a duration"),
])
async def test_bad_input_gets_a_usage_reply(handler: CommandHandler, text: str, expected: str) -> None:
    reply = await handler(request(text, admin=True))
    assert reply.kind == "error" and expected.lower() in reply.text.lower()
    assert "Traceback" not in reply.text and "Usage" in reply.text


async def test_sources_add_needs_an_admin_and_a_public_address(handler: CommandHandler) -> None:
    refused = await handler(request("sources add https://example.org/feed.xml"))
    assert "admins" in refused.text
    private = await handler(request("sources add http://169.254.169.254/latest", admin=True))
    assert private.text.startswith("Refused: ") and private.text.lower().count("refused") == 1
    added = await handler(request("sources add <https://example.org/feed.xml|example>", user="UADMIN"))
    assert "Watching https://example.org/feed.xml" in added.text
    again = await handler(request("sources add https://example.org/feed.xml", admin=True))
    assert "Already watching" in again.text
    listed = await handler(request("sources"))
    assert any("https://example.org/feed.xml" in line for line in listed.lines)
    assert "Removed" in (await handler(request("sources remove https://example.org/feed.xml", admin=True))).text


async def test_a_url_with_credentials_never_reaches_chat(handler: CommandHandler, store: Store,
                                                       clock: FakeClock) -> None:
    secret_url = "https://reader:hunter2@intranet.example.org/feed.xml"  # stored by an older version, say
    await store.run(source_q.add_source, secret_url, name=secret_url, kind="outlet", now=clock())
    replies = [await handler(request("sources")),
               await handler(request("sources add https://bob:hunter2@example.org/feed.xml", admin=True)),
               await handler(request(f"sources remove {secret_url}", admin=True)),
               await handler(request(f"sources remove {secret_url}", admin=True))]
    assert "intranet.example.org" in replies[0].text and "Removed" in replies[2].text
    assert all("hunter2" not in reply.text + "".join(reply.lines) for reply in replies)
    assert "credentials" in replies[1].text


async def test_a_starter_source_removed_from_chat_is_not_added_back(handler: CommandHandler, store: Store,
                                                                   clock: FakeClock) -> None:
    starter = "https://www.state.gov/rss-feed/press-releases/feed/"

    async def start_up() -> object:  # what every start does with the configuration file's sources
        return await store.run(source_q.ensure_configured_source, starter, name="State", kind="official",
                               now=clock())

    assert await start_up() is not None
    assert "Removed" in (await handler(request(f"sources remove {starter}", admin=True))).text
    assert await start_up() is None
    assert starter not in (await handler(request("sources"))).text
    assert "Watching" in (await handler(request(f"sources add {starter}", admin=True))).text
    assert await start_up() is not None  # added back on purpose


async def test_search_finds_stored_items(handler: CommandHandler, store: Store, clock: FakeClock) -> None:
    await seed_story(store, clock)
    reply = await handler(request("search lutnick talks"))
    assert reply.kind == "search" and "Rubio meets Wang Yi" in reply.text
    assert "Nothing stored" in (await handler(request("search zebra"))).text


async def test_help_lists_every_subcommand(handler: CommandHandler) -> None:
    reply = await handler(request("help"))
    for name in ("summary", "deadlines", "subscribe", "unsubscribe", "digest-time", "sources", "search"):
        assert any(line.startswith(f"/uschina {name}") for line in reply.lines)
    assert (await handler(request(""))).kind == "help"


async def test_internal_error_is_logged_not_shown(handler: CommandHandler, store: Store) -> None:
    await store.close()  # the database is gone: an internal failure, not bad input
    reply = await handler(request("summary"))
    assert reply.kind == "error" and "logged" in reply.text


async def test_watch_and_mute_terms_per_channel(handler: CommandHandler, store: Store) -> None:
    assert "not subscribed" in (await handler(request("watch"))).text
    await handler(request("subscribe", admin=True))
    assert "admins" in (await handler(request("watch gallium"))).text
    await handler(request("watch rare earths", admin=True))
    await handler(request("watch Rare Earths", admin=True))  # no duplicate, case-insensitive
    await handler(request("mute @everyone <!channel>", admin=True))
    await handler(request("mute sports", admin=True))
    reply = await handler(request("mute remove @everyone <!channel>", admin=True))
    assert reply.lines == ("watch: rare earths", "mute: sports")
    sub = await store.run(sub_q.get_subscription, platform="slack", workspace="T1", channel="C1")
    assert sub is not None and sub.watch_terms == ("rare earths",) and sub.mute_terms == ("sports",)
    assert (await handler(request("mute ;;;", admin=True))).kind == "error"


async def test_the_platform_is_asked_about_admins_only_for_commands_that_need_one(handler: CommandHandler) -> None:
    asked: list[str] = []

    def asking(answer: bool) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            asked.append("asked")
            return answer
        return check

    def lazy(text: str, answer: bool, user: str = "U1") -> CommandRequest:
        return CommandRequest("slack", "T1", "C1", user, text, check_admin=asking(answer))

    assert (await handler(lazy("summary 7d", True))).kind == "summary"
    assert asked == []
    assert "admins" in (await handler(lazy("subscribe", False))).text
    assert "Subscribed" in (await handler(lazy("subscribe", True))).text
    assert "Unsubscribed" in (await handler(lazy("unsubscribe", False, user="UADMIN"))).text  # allow-list first
    assert asked == ["asked", "asked"]
