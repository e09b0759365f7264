"""LLM summarizer against a local OpenAI-compatible server: success, cache, fallbacks, budget, secrecy."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.analysis.llm import LLMSummarizer, MemorySummaryCache
from bot.analysis.summarize import ExtractiveSummarizer, summarize_text
from storage.store import Store
from storage.summary_cache import StoreSummaryCache
from tests.fakes.fake_llm import FakeLLM

API_KEY = "sk-test-secret-123456"
TITLE = "US and China extend tariff truce by 90 days"
TEXT = (
    "WASHINGTON (Reuters) - The United States and China agreed on Tuesday to extend their tariff truce by "
    "90 days after talks in Stockholm. Treasury Secretary Scott Bessent said both sides would meet again "
    "before the pause ends."
)
NOW = datetime(2025, 8, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    server = FakeLLM()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def make(fake: FakeLLM, session: aiohttp.ClientSession, **overrides: object) -> LLMSummarizer:
    options: dict = {
        "base_url": fake.base_url, "model": "test-model", "api_key": API_KEY, "session": session,
        "cache": MemorySummaryCache(), "fallback": ExtractiveSummarizer(), "timeout_s": 5, "now": lambda: NOW,
    }
    options.update(overrides)
    return LLMSummarizer(**options)


async def test_success_returns_the_model_answer(fake: FakeLLM, session: aiohttp.ClientSession) -> None:
    summary = await make(fake, session).summarize(TITLE, TEXT)
    assert summary == fake.answer
    request = fake.requests[0]["json"]
    assert request["model"] == "test-model"
    assert "3 sentences" in request["messages"][0]["content"]
    assert "English" in request["messages"][0]["content"]
    assert TITLE in request["messages"][1]["content"]


async def test_second_call_is_served_from_the_cache(fake: FakeLLM, session: aiohttp.ClientSession) -> None:
    summarizer = make(fake, session)
    first = await summarizer.summarize(TITLE, TEXT)
    second = await summarizer.summarize(TITLE, TEXT)
    assert first == second
    assert len(fake.requests) == 1


async def test_server_error_falls_back(
    fake: FakeLLM, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    fake.mode = "error500"
    with caplog.at_level(logging.WARNING, logger="bot.analysis.llm"):
        summary = await make(fake, session).summarize(TITLE, TEXT)
    assert summary == summarize_text(TITLE, TEXT)
    assert "HTTP 500" in caplog.text
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()


async def test_timeout_falls_back(
    fake: FakeLLM, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    fake.mode, fake.delay_s = "slow", 0.6
    with caplog.at_level(logging.WARNING, logger="bot.analysis.llm"):
        summary = await make(fake, session, timeout_s=0.2).summarize(TITLE, TEXT)
    assert summary == summarize_text(TITLE, TEXT)
    assert "timed out" in caplog.text


@pytest.mark.parametrize("mode", ["bad_json", "empty"])
async def test_unusable_answers_fall_back(fake: FakeLLM, session: aiohttp.ClientSession, mode: str) -> None:
    fake.mode = mode
    cache = MemorySummaryCache()
    summary = await make(fake, session, cache=cache).summarize(TITLE, TEXT)
    assert summary == summarize_text(TITLE, TEXT)
    assert not any(k.startswith("llm:summary:") for k in cache.values)  # failures are not cached


async def test_exhausted_budget_falls_back_without_a_request(
    fake: FakeLLM, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    cache = MemorySummaryCache()
    await cache.put("llm:tokens:2025-08-12", "199990")
    with caplog.at_level(logging.WARNING, logger="bot.analysis.llm"):
        summary = await make(fake, session, cache=cache).summarize(TITLE, TEXT)
    assert summary == summarize_text(TITLE, TEXT)
    assert fake.requests == []
    assert "budget" in caplog.text


async def test_tokens_are_counted_from_usage(fake: FakeLLM, session: aiohttp.ClientSession) -> None:
    cache = MemorySummaryCache()
    fake.total_tokens = 321
    await make(fake, session, cache=cache).summarize(TITLE, TEXT)
    assert cache.values["llm:tokens:2025-08-12"] == "321"


async def test_key_goes_in_the_header_but_never_in_logs(
    fake: FakeLLM, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    summarizer = make(fake, session)
    await summarizer.summarize(TITLE, TEXT)
    assert fake.requests[0]["headers"]["Authorization"] == f"Bearer {API_KEY}"
    fake.mode = "error500"
    with caplog.at_level(logging.DEBUG):
        await summarizer.summarize("another headline", TEXT)
    assert caplog.records
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(summarizer)


async def test_unreachable_endpoint_falls_back(session: aiohttp.ClientSession) -> None:
    summarizer = LLMSummarizer(
        base_url="http://127.0.0.1:9/v1", model="m", api_key=None, session=session,
        cache=MemorySummaryCache(), fallback=ExtractiveSummarizer(), timeout_s=2, now=lambda: NOW,
    )
    assert await summarizer.summarize(TITLE, TEXT) == summarize_text(TITLE, TEXT)


async def test_story_summary_and_long_answers_are_trimmed(
    fake: FakeLLM, session: aiohttp.ClientSession
) -> None:
    fake.answer = "The truce was extended. " * 40
    summary = await make(fake, session).summarize_story([(TITLE, TEXT), ("Other outlet", TEXT)])
    assert 0 < len(summary) <= 500
    assert "Source 2 headline: Other outlet" in fake.requests[0]["json"]["messages"][1]["content"]


async def test_store_cache_persists_summary_and_budget(
    fake: FakeLLM, session: aiohttp.ClientSession
) -> None:
    store = await Store.open(":memory:")
    try:
        cache = StoreSummaryCache(store)
        await make(fake, session, cache=cache).summarize(TITLE, TEXT)
        again = make(fake, session, cache=StoreSummaryCache(store))
        assert await again.summarize(TITLE, TEXT) == fake.answer
        assert len(fake.requests) == 1
        assert await cache.get("llm:tokens:2025-08-12") == str(fake.total_tokens)
    finally:
        await store.close()
