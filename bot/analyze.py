"""Per-item analysis: relevance on every item; summary and deadlines only on relevant ones.

Relevance and deadline extraction are pure and CPU-bound (Duckling holds the GIL), so a batch can run
them in a process pool given as `executor`; summaries stay here, since a summarizer may call an LLM.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Executor
from datetime import date

from bot.analysis.deadlines import extract_deadlines
from bot.analysis.relevance import assess_relevance
from bot.analysis.summarize import Summarizer
from bot.models import Analysis, DeadlineMention, Relevance

Judgement = tuple[Relevance, tuple[DeadlineMention, ...]]


def judge(title: str, text: str, published: date, threshold: float, watch_terms: Sequence[str] = (),
          mute_terms: Sequence[str] = ()) -> Judgement:
    """Relevance of one item and, when relevant, its deadlines dated from `published`."""
    relevance = assess_relevance(title, text, threshold=threshold, watch_terms=watch_terms,
                                 mute_terms=mute_terms)
    if not relevance.relevant:
        return relevance, ()
    return relevance, tuple(extract_deadlines(text, published, title=title))


def judge_batch(docs: Sequence[tuple[str, str, date]], threshold: float) -> list[Judgement]:
    """`judge` over many (title, text, published) documents: one round trip to a worker process."""
    return [judge(title, text, published, threshold) for title, text, published in docs]


class Analyzer:
    """Runs the analysis stages with one summarizer and one relevance threshold."""

    def __init__(self, *, summarizer: Summarizer, threshold: float = 0.5,
                 executor: Executor | None = None) -> None:
        self.summarizer = summarizer
        self.threshold = threshold
        self.executor = executor

    async def analyze(self, title: str, text: str, published: date, *,
                      watch_terms: Sequence[str] = (), mute_terms: Sequence[str] = ()) -> Analysis:
        """Judge, and for relevant items summarize and extract deadlines dated from `published`."""
        judgement = judge(title, text, published, self.threshold, watch_terms, mute_terms)
        return await self._complete(title, text, judgement)

    async def analyze_batch(self, docs: Sequence[tuple[str, str, date]]) -> list[Analysis]:
        """`analyze` for many (title, text, published) documents, judged in the executor when there is one."""
        if self.executor is None or not docs:
            judgements = judge_batch(docs, self.threshold)
        else:
            loop = asyncio.get_running_loop()
            judgements = await loop.run_in_executor(self.executor, judge_batch, list(docs), self.threshold)
        return [await self._complete(title, text, judgement)
                for (title, text, _published), judgement in zip(docs, judgements, strict=True)]

    async def _complete(self, title: str, text: str, judgement: Judgement) -> Analysis:
        relevance, deadlines = judgement
        if not relevance.relevant:
            return Analysis(relevance=relevance, summary="")
        summary = await self.summarizer.summarize(title, text)
        return Analysis(relevance=relevance, summary=summary, deadlines=deadlines)
