"""An optional LLM summarizer over any OpenAI-compatible `/chat/completions` endpoint.

OpenAI, Ollama, vLLM and llama.cpp all speak this API. Summaries are cached by content hash, requests are
bounded by a timeout and a daily token budget, and any failure falls back to the offline summarizer with a
one-line warning (never containing the API key): a broken model must never stop the digest.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from bot.analysis.summarize import Summarizer
from bot.domain.sentences import split_sentences

log = logging.getLogger(__name__)

PROMPT_VERSION = 1
MAX_CHARS = 500
MAX_INPUT_CHARS = 6000  # per request; a lede and a few paragraphs carry the story
MAX_OUTPUT_TOKENS = 200
SYSTEM_PROMPT = (
    "You summarize news about US–China relations. Write at most 3 sentences and at most 500 characters, "
    "in English even when the article is in another language. Use only facts stated in the article; "
    "no opinions, no speculation, no preamble. Name the actors, what happened, and any date that matters."
)


class SummaryCache(Protocol):
    """Async string storage for cached summaries and token counts."""

    async def get(self, key: str) -> str | None:
        """The value under `key`, or None."""
        ...

    async def put(self, key: str, value: str) -> None:
        """Store `value` under `key`."""
        ...


class MemorySummaryCache:
    """A SummaryCache in a dict (tests, one-off runs)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        """The value under `key`, or None."""
        return self.values.get(key)

    async def put(self, key: str, value: str) -> None:
        """Store `value` under `key`."""
        self.values[key] = value


class LLMError(Exception):
    """The model gave no usable summary; the message is safe to log."""


class LLMSummarizer:
    """Summarizer backed by a chat-completions endpoint, falling back to `fallback` on any failure."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        session: aiohttp.ClientSession,
        cache: SummaryCache,
        fallback: Summarizer,
        daily_token_budget: int = 200_000,
        timeout_s: float = 20,
        now: Callable[[], datetime],
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._api_key = api_key
        self.session = session
        self.cache = cache
        self.fallback = fallback
        self.daily_token_budget = daily_token_budget
        self.timeout_s = timeout_s
        self.now = now
        self._budget_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"LLMSummarizer(url={self.url!r}, model={self.model!r})"  # never the key

    async def summarize(self, title: str, text: str) -> str:
        """Summarize one item; the extractive summary on any failure."""
        article = f"Headline: {title}\n\n{text}"
        return await self._summarize(article, lambda: self.fallback.summarize(title, text))

    async def summarize_story(self, docs: Sequence[tuple[str, str]]) -> str:
        """Summarize several sources of one story; the extractive summary on any failure."""
        share = MAX_INPUT_CHARS // max(1, len(docs))
        article = "\n\n".join(f"Source {i + 1} headline: {t}\n{x[:share]}" for i, (t, x) in enumerate(docs))
        return await self._summarize(article, lambda: self.fallback.summarize_story(docs))

    async def _summarize(self, article: str, fallback: Callable[[], Any]) -> str:
        article = article[:MAX_INPUT_CHARS]
        digest = hashlib.sha256(f"{PROMPT_VERSION}\0{self.model}\0{article}".encode()).hexdigest()
        key = f"llm:summary:{digest}"
        cached = await self.cache.get(key)
        if cached:
            return cached
        try:
            summary = await self._complete(article)
        except Exception as exc:  # any failure: the digest goes on with the offline summary
            log.warning("LLM summary failed (%s); using the extractive summary", self._safe(exc))
            return str(await fallback())
        await self.cache.put(key, summary)
        return summary

    async def _complete(self, article: str) -> str:
        estimate = len(SYSTEM_PROMPT + article) // 4 + MAX_OUTPUT_TOKENS
        await self._reserve(estimate)
        payload = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": article},
            ],
            "max_tokens": MAX_OUTPUT_TOKENS,
            "temperature": 0.2,
        }
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with self.session.post(self.url, json=payload, headers=headers, timeout=timeout) as response:
            if response.status != 200:
                raise LLMError(f"HTTP {response.status} from the model endpoint")
            body = await response.json(content_type=None)
        used = _total_tokens(body)
        if used is not None:
            await self._add_tokens(used - estimate)
        return _clean_answer(body)

    async def _reserve(self, tokens: int) -> None:
        """Count `tokens` against today's budget, or refuse when they do not fit."""
        async with self._budget_lock:
            key = self._budget_key()
            spent = int(await self.cache.get(key) or 0)
            if spent + tokens > self.daily_token_budget:
                raise LLMError(f"daily token budget of {self.daily_token_budget} reached")
            await self.cache.put(key, str(spent + tokens))

    async def _add_tokens(self, delta: int) -> None:
        async with self._budget_lock:
            key = self._budget_key()
            spent = int(await self.cache.get(key) or 0)
            await self.cache.put(key, str(max(0, spent + delta)))

    def _budget_key(self) -> str:
        return f"llm:tokens:{self.now().date().isoformat()}"

    def _safe(self, exc: BaseException) -> str:
        """A one-line description of a failure with the API key scrubbed."""
        if isinstance(exc, TimeoutError):
            text = f"timed out after {self.timeout_s:g}s"
        elif isinstance(exc, LLMError):
            text = str(exc)
        else:
            text = f"{type(exc).__name__}: {exc}"
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return " ".join(text.split())[:200]


def _total_tokens(body: Any) -> int | None:
    try:
        return int(body["usage"]["total_tokens"])
    except (KeyError, TypeError, ValueError):
        return None


def _clean_answer(body: Any) -> str:
    """The answer text, trimmed to whole sentences within MAX_CHARS; LLMError when there is none."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMError("response without choices[0].message.content") from None
    if not isinstance(content, str) or not content.strip():
        raise LLMError("empty answer")
    text = " ".join(content.split())
    if len(text) <= MAX_CHARS:
        return text
    kept = ""
    for sentence in split_sentences(text)[:3]:
        if len(kept) + len(sentence) + 1 > MAX_CHARS:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or text[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"

