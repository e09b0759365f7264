"""/healthz marks an adapter unhealthy when its platform is unreachable, and "the last 24 hours" means
stories published in them, not archive articles ingested in them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from adapters.discord import DiscordAdapter
from adapters.slack.app import SlackAdapter
from bot.analysis.summarize import ExtractiveSummarizer
from bot.app.cli import main
from bot.app.main import Bot
from bot.app.runtime import Runtime
from bot.config import Settings
from bot.domain.models import Message, RawEntry
from bot.pipeline.analyze import Analyzer
from bot.pipeline.cycle import CycleReport, Ingestor
from bot.ports import CommandRequest
from bot.usecases.commands import CommandContext, CommandHandler
from storage import Store
from tests.conftest import FakeClock
from tests.fakes.fake_discord import GUILD_ID, FakeDiscord
from tests.fakes.fake_slack import FakeSlack

OLD_STORY = ("Treasury Secretary Steven Mnuchin and Vice Premier Liu He ended two days of trade talks in Beijing "
             "on tariffs and intellectual property, with more rounds planned in Washington.")
NEW_STORY = ("Secretary of State Marco Rubio met Foreign Minister Wang Yi in Kuala Lumpur and said both sides "
             "would prepare a summit between President Trump and President Xi.")


async def _no_commands(request: object) -> Message:
    raise AssertionError("no commands here")


async def wait_until(predicate: Callable[[], Any], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest_asyncio.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = Settings(db_path=tmp_path / "uschina.db", seeds_dir=tmp_path / "no-seeds", http_port=0)
    async with Runtime.open(settings) as opened:
        yield opened


async def healthz(bot: Bot) -> tuple[int, dict[str, bool]]:
    port = await bot.http.start() if bot.http_port is None else bot.http_port
    bot.http_port = port
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, (await response.json())["checks"]


async def test_healthz_reports_slack_unhealthy_when_its_api_is_unreachable(runtime: Runtime) -> None:
    fake = await FakeSlack().start()
    seconds = [0.0]  # the adapter's monotonic clock, moved by hand past the probe's 30 s cache
    adapter = SlackAdapter(bot_token="xoxb-test", signing_secret="secret", api_url=fake.api_url,
                           clock=lambda: seconds[0])
    await adapter.start(_no_commands)
    bot = Bot(runtime, [adapter])
    await bot.schedule.start()
    try:
        status, checks = await healthz(bot)
        assert status == 200 and checks["adapter:slack"] is True
        assert fake.calls_to("api.test")
        await fake.stop()  # Slack is gone
        seconds[0] += 10
        assert (await healthz(bot))[0] == 200  # the last answer is reused for a while
        seconds[0] += 30
        status, checks = await healthz(bot)
        assert status == 503 and checks["adapter:slack"] is False
    finally:
        bot.schedule.shutdown()
        await bot.http.stop()
        await adapter.stop()


async def test_discord_is_unhealthy_once_its_gateway_is_unreachable(discord_fake: FakeDiscord,
                                                                    runtime: Runtime) -> None:
    adapter = DiscordAdapter(token="discord-test-token", guild_ids=[int(GUILD_ID)], api_url=discord_fake.api_url,
                             gateway_url=discord_fake.gateway_url, guild_ready_timeout=0.05)
    await adapter.start(_no_commands)
    bot = Bot(runtime, [adapter])
    await bot.schedule.start()
    try:
        status, checks = await healthz(bot)
        assert status == 200 and checks["adapter:discord"] is True
        await discord_fake.stop()  # the gateway drops and nothing answers the reconnects
        await wait_until(lambda: not adapter.healthy())
        status, checks = await healthz(bot)
        assert status == 503 and checks["adapter:discord"] is False
    finally:
        bot.schedule.shutdown()
        await bot.http.stop()
        await adapter.stop()


async def test_summary_24h_leaves_out_archive_articles_ingested_today(store: Store, clock: FakeClock) -> None:
    summarizer = ExtractiveSummarizer()
    ingestor = Ingestor(store=store, analyzer=Analyzer(), summarizer=summarizer, clock=clock)
    entries = [
        RawEntry(source="https://archive.example/rss", guid="old-1", url="https://archive.example/2019/talks",
                 title="Mnuchin and Liu He end Beijing trade talks", content=OLD_STORY,
                 published=datetime(2019, 3, 29, 12, tzinfo=UTC), published_from="feed"),
        RawEntry(source="https://wire.example/rss", guid="new-1", url="https://wire.example/rubio-wang",
                 title="Rubio meets Wang Yi in Kuala Lumpur", content=NEW_STORY,
                 published=clock() - timedelta(hours=2), published_from="feed"),
    ]
    report = CycleReport()
    await ingestor.ingest_entries(entries, source_name="Wire", source_kind="wire", report=report)
    assert report.new_stories == 2  # both stored, both ingested just now
    handler = CommandHandler(CommandContext(store=store, now=clock, settings=Settings()))
    request = CommandRequest(platform="slack", workspace="T1", channel="C1", user="U1", text="summary 24h")
    reply = await handler(request)
    assert [s.title for s in reply.stories] == ["Rubio meets Wang Yi in Kuala Lumpur"]
    older = await handler(CommandRequest(platform="slack", workspace="T1", channel="C1", user="U1",
                                         text="summary 3650d"))
    assert len(older.stories) == 2  # still there for a long enough window


def test_cli_summary_since_24h_uses_the_publication_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    monkeypatch.setenv("USCHINA_CONFIG", str(config))
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    today = datetime.now(UTC).date()
    (seeds / "old.md").write_text(f"---\ntitle: Mnuchin and Liu He end talks\npublished: 2019-03-29\n---\n"
                                  f"{OLD_STORY}\n", encoding="utf-8")
    (seeds / "new.md").write_text(f"---\ntitle: Rubio meets Wang Yi\npublished: {today}\n---\n{NEW_STORY}\n",
                                  encoding="utf-8")
    db = str(tmp_path / "cli.db")
    assert main(["ingest", "--seeds", str(seeds), "--db", db]) == 0
    capsys.readouterr()
    assert main(["summary", "--since", "24h", "--json", "--db", db]) == 0
    assert [s["title"] for s in json.loads(capsys.readouterr().out)] == ["Rubio meets Wang Yi"]
