"""Feed health tells the truth: bodies that are not feeds fail with their reason and back off, Retry-After is
honoured, broken XML is reported, GBK labelled UTF-8 is read as Chinese, and a disabled feed can come back.
Every feed is fetched over real HTTP from the local feed server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import pytest_asyncio
import sqlite_utils

from bot.analysis.summarize import ExtractiveSummarizer
from bot.app.cli import main
from bot.config import Settings
from bot.ingest.feeds import FeedFetcher, make_session
from bot.pipeline.analyze import Analyzer
from bot.pipeline.cycle import CycleReport, Ingestor
from bot.ports import CommandRequest
from bot.usecases.commands import CommandContext, CommandHandler
from storage import Store
from storage.db import open_database
from storage.queries import sources as source_q
from tests.conftest import FakeClock
from tests.fakes.feed_server import CHINESE_TITLE, FeedServer

NOT_A_FEED = {
    "html": "not a feed: an HTML page",
    "json": "not a feed: JSON that is not a JSON Feed",
    "random": "not a feed: binary data",
    "empty": "not a feed: empty body",
    "broken": "not a feed: broken XML: ",
}


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FeedServer]:
    srv = await FeedServer().start()
    yield srv
    await srv.close()


@pytest_asyncio.fixture
async def ingestor(store: Store, clock: FakeClock) -> AsyncIterator[Ingestor]:
    async with make_session(True, "uschina-test/1.0") as session:
        summarizer = ExtractiveSummarizer()
        yield Ingestor(store=store, analyzer=Analyzer(), summarizer=summarizer, clock=clock,
                       fetcher=FeedFetcher(session, user_agent="uschina-test/1.0", allow_private=True))


async def cycle(ingestor: Ingestor, store: Store, url: str) -> tuple[CycleReport, source_q.SourceRow]:
    """One cycle over `url` (added as a source if new); the report and the source's row after it."""
    row = await store.run(source_q.ensure_source, url, name="Feed", kind="outlet", now=ingestor.clock())
    report = CycleReport()
    await ingestor.run_feeds([row], report)
    after = await store.run(source_q.get_source, row.id)
    assert after is not None
    return report, after


@pytest.mark.parametrize("kind", sorted(NOT_A_FEED))
async def test_a_body_that_is_not_a_feed_fails_with_its_reason_and_backs_off(
        kind: str, server: FeedServer, ingestor: Ingestor, store: Store, clock: FakeClock) -> None:
    report, row = await cycle(ingestor, store, server.url(f"/body/{kind}"))
    assert report.feed_errors == 1 and NOT_A_FEED[kind] in report.errors[0]
    assert row.fail_count == 1 and row.last_error is not None and row.last_error.startswith(NOT_A_FEED[kind])
    assert row.next_attempt_at == clock() + timedelta(minutes=5)
    assert source_q.format_source_health(row, clock()).startswith(f"failing (1): {NOT_A_FEED[kind]}")

    clock.advance(minutes=5)
    _report, row = await cycle(ingestor, store, server.url(f"/body/{kind}"))  # the same body again
    assert row.fail_count == 2 and row.next_attempt_at == clock() + timedelta(minutes=10)


async def test_broken_xml_keeps_the_recovered_items_and_says_so(
        server: FeedServer, ingestor: Ingestor, store: Store, clock: FakeClock) -> None:
    report, row = await cycle(ingestor, store, server.url("/body/truncated"))
    assert report.new_items >= 2 and report.feed_errors == 0  # whole entries, and maybe the cut one
    assert len(report.warnings) == 1 and "broken XML" in report.warnings[0]
    health = source_q.format_source_health(row, clock())
    assert health.startswith("ok, fetched just now; warning: broken XML") and "entries recovered" in health
    assert row.body_hash is None  # read again next time: the publisher may fix it


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_in_seconds_sets_the_next_attempt(
        status: int, server: FeedServer, ingestor: Ingestor, store: Store, clock: FakeClock) -> None:
    _report, row = await cycle(ingestor, store, server.url(f"/status/{status}?retry_after=7200"))
    assert row.fail_count == 1 and row.next_attempt_at == clock() + timedelta(hours=2)
    assert "next try in 2 h" in source_q.format_source_health(row, clock())


async def test_retry_after_as_an_http_date_sets_the_next_attempt(
        server: FeedServer, ingestor: Ingestor, store: Store, clock: FakeClock) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=3), usegmt=True)
    _report, row = await cycle(ingestor, store, server.url(f"/status/503?retry_after={when}"))
    assert row.next_attempt_at is not None
    assert abs(row.next_attempt_at - (clock() + timedelta(hours=3))) < timedelta(seconds=60)


def test_retry_after_values() -> None:
    from bot.ingest.feeds import parse_retry_after

    now = datetime(2025, 7, 11, 9, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Fri, 11 Jul 2025 10:00:00 GMT", now=now) == 3600
    assert parse_retry_after("Fri, 11 Jul 2025 08:00:00 GMT", now=now) == 0  # already past
    assert parse_retry_after("soon", now=now) is None and parse_retry_after(None) is None


async def test_gbk_feed_labelled_utf8_is_read_as_chinese(
        server: FeedServer, ingestor: Ingestor, store: Store, clock: FakeClock) -> None:
    report, row = await cycle(ingestor, store, server.url("/body/gbk"))
    assert report.new_items == 1 and row.fail_count == 0
    assert await store.run(_titles) == [CHINESE_TITLE]  # not "ÃÀ¹úºÍÖÐ¹ú..." (windows-1252 mojibake)


def _titles(db: sqlite_utils.Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT title FROM items").fetchall()]


async def test_chat_shows_the_failure_and_admins_can_re_enable(
        server: FeedServer, ingestor: Ingestor, store: Store, clock: FakeClock) -> None:
    url = server.url("/body/html")
    for _ in range(8):  # eight failures in a row disable a feed
        _report, row = await cycle(ingestor, store, url)
        clock.advance(days=1)
    assert not row.enabled
    handler = CommandHandler(CommandContext(store=store, now=clock, settings=Settings(admins=frozenset({"UA"}))))

    def ask(text: str, user: str) -> CommandRequest:
        return CommandRequest(platform="slack", workspace="T1", channel="C1", user=user, text=text)

    listed = await handler(ask("sources", "U1"))
    assert "disabled: not a feed: an HTML page (8 failures)" in listed.text
    refused = await handler(ask(f"sources enable {url}", "U1"))
    assert refused.kind == "error"
    assert not (await store.run(source_q.get_source, row.id)).enabled  # type: ignore[union-attr]
    enabled = await handler(ask(f"sources enable <{url}>", "UA"))
    assert enabled.text.startswith("Enabled")
    assert [r.url for r in await store.run(source_q.due_sources, clock())] == [url]
    assert "not a watched source" in (await handler(ask("sources enable https://x.example/", "UA"))).text.lower()


def test_the_command_line_lists_the_failure_and_re_enables(
        threaded_feeds: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    monkeypatch.setenv("USCHINA_CONFIG", str(config))
    monkeypatch.setenv("USCHINA_ALLOW_PRIVATE_FEEDS", "1")
    monkeypatch.setenv("USCHINA_SEEDS", str(tmp_path / "no-seeds"))
    db = str(tmp_path / "cli.db")
    url = threaded_feeds.url("/body/json")
    assert main(["sources", "add", url, "--db", db]) == 0
    assert main(["ingest", "--db", db]) == 1  # the only feed gave nothing
    assert "not a feed: JSON that is not a JSON Feed" in capsys.readouterr().err
    assert main(["sources", "list", "--db", db]) == 0
    assert "failing (1): not a feed: JSON that is not a JSON Feed — next try in 5 min" in capsys.readouterr().out

    database = open_database(db)
    source_id = source_q.list_sources(database)[0].id
    for _ in range(8):
        source_q.record_fetch_error(database, source_id, now=datetime.now(UTC), error="not a feed: JSON",
                                    permanent=False)
    database.close()
    main(["sources", "list", "--db", db])
    assert "disabled: not a feed: JSON" in capsys.readouterr().out
    assert main(["sources", "enable", url, "--db", db]) == 0
    assert "enabled" in capsys.readouterr().out
    main(["sources", "list", "--db", db])
    listed = capsys.readouterr().out
    assert "disabled" not in listed and "failing" not in listed
    assert main(["sources", "enable", "https://unknown.example/rss", "--db", db]) == 1
