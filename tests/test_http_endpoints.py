"""The bot's own HTTP server: /healthz reflects the store and adapters, /metrics speaks Prometheus text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest_asyncio

from bot.app.main import Bot
from bot.app.runtime import Runtime
from bot.config import Settings
from bot.domain.models import Message, Target
from bot.ports import CommandRequest
from tests.fakes.fake_chat import FakeChat, FakeChatAdapter


async def _no_commands(request: object) -> Message:
    raise AssertionError("no commands here")


@pytest_asyncio.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Bot, FakeChatAdapter, str]]:
    chat = await FakeChat().start()
    adapter = FakeChatAdapter(chat.url)
    await adapter.start(_no_commands)
    settings = Settings(db_path=tmp_path / "uschina.db", seeds_dir=tmp_path / "no-seeds", http_port=0)
    async with Runtime.open(settings) as runtime:
        bot = Bot(runtime, [adapter])
        port = await bot.http.start()
        await bot.schedule.start()
        yield bot, adapter, f"http://127.0.0.1:{port}"
        bot.schedule.shutdown()
        await bot.http.stop()
    await adapter.stop()
    await chat.stop()


async def test_healthz_reports_store_scheduler_and_adapters(served: tuple[Bot, FakeChatAdapter, str]) -> None:
    bot, adapter, base = served
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 200
            checks = {"store": True, "scheduler": True, "adapter:fakechat": True}
            assert await response.json() == {"ok": True, "checks": checks}
        bot.schedule.shutdown()
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["checks"]["scheduler"] is False
        await bot.schedule.start()
        await adapter.stop()
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["checks"]["adapter:fakechat"] is False


async def test_metrics_exposes_the_bots_counters(served: tuple[Bot, FakeChatAdapter, str]) -> None:
    bot, _adapter, base = served
    await bot.outbox.enqueue("k1", Target("fakechat", "C1"), Message(kind="text", text="one"))
    await bot.outbox.enqueue("k2", Target("fakechat", "C2"), Message(kind="text", text="two"))
    await bot.commands.handle(CommandRequest("console", "", "console", "local", "help"))
    async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        body = await response.text()
    for name in ("uschina_items_ingested", "uschina_feed_errors", "uschina_deliveries"):
        assert f"# TYPE {name}_total counter" in body
    assert "# TYPE uschina_command_seconds histogram" in body
    assert 'uschina_command_seconds_count{command="help"}' in body
    assert "uschina_deliveries_pending 2.0" in body
    await bot.outbox.deliver_due()
    async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as response:
        body = await response.text()
    assert "uschina_deliveries_pending 0.0" in body
    assert 'uschina_deliveries_total{result="sent"}' in body
