"""Per-item analysis: relevance on every item; summary, deadlines and story signature only on relevant ones.

Relevance, deadline extraction and the offline summary are pure and CPU-bound (Duckling holds the GIL), so
a batch can run them in worker processes (`workers`); other summarizers (an LLM) stay here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.analysis.cluster import StorySignature, story_signature
from bot.analysis.deadlines import extract_deadlines
from bot.analysis.relevance import assess_relevance
from bot.analysis.summarize import ExtractiveSummarizer, Summarizer, summarize_text
from bot.domain.models import Analysis, DeadlineMention, Relevance
from bot.pipeline.workers import WorkerPool


@dataclass(frozen=True)
class Judgement:
    """What the pure stages found for one item; `summary` is None when the summarizer runs elsewhere."""

    relevance: Relevance
    deadlines: tuple[DeadlineMention, ...] = ()
    signature: StorySignature | None = None
    summary: str | None = None


@dataclass(frozen=True)
class SummaryLimits:
    """The offline summarizer's settings, so a worker process can summarize too."""

    max_sentences: int
    max_chars: int


def judge(title: str, text: str, published: date, threshold: float, watch_terms: Sequence[str] = (),
          mute_terms: Sequence[str] = (), summary: SummaryLimits | None = None) -> Judgement:
    """Relevance of one item and, when relevant, its deadlines dated from `published`, its story signature
    and (when `summary` is given) its offline summary."""
    relevance = assess_relevance(title, text, threshold=threshold, watch_terms=watch_terms,
                                 mute_terms=mute_terms)
    if not relevance.relevant:
        return Judgement(relevance)
    deadlines = tuple(extract_deadlines(text, published, title=title))
    signature = story_signature(title, text, (d.start for d in deadlines if d.start is not None))
    if summary is None:
        return Judgement(relevance, deadlines, signature)
    return Judgement(relevance, deadlines, signature, summarize_text(
        title, text, max_sentences=summary.max_sentences, max_chars=summary.max_chars))


def judge_batch(docs: Sequence[tuple[str, str, date]], threshold: float,
                summary: SummaryLimits | None = None) -> list[Judgement]:
    """`judge` over many (title, text, published) documents: one round trip to a worker process."""
    return [judge(title, text, published, threshold, summary=summary) for title, text, published in docs]


def prepare_worker() -> None:
    """Load what a worker process needs before its first feed: the parsers and every analysis stage's
    lazy tables (Duckling's time zones among them), by judging one short relevant item."""
    import bot.ingest.parse  # noqa: F401  (feeds are parsed in the workers too)

    judge("US and China extend tariff truce", "Washington and Beijing agreed on Friday to extend the tariff "
          "truce until Nov. 10.", date(2025, 8, 11), threshold=0.5, summary=SummaryLimits(3, 400))


class Analyzer:
    """Runs the analysis stages with one summarizer and one relevance threshold."""

    def __init__(self, *, summarizer: Summarizer, threshold: float = 0.5,
                 workers: WorkerPool | None = None) -> None:
        self.summarizer = summarizer
        self.threshold = threshold
        self.workers = workers
        # The offline summarizer is pure CPU: it runs with the other stages, in the workers when there are.
        self._local_summary = (SummaryLimits(summarizer.max_sentences, summarizer.max_chars)
                               if isinstance(summarizer, ExtractiveSummarizer) else None)

    async def analyze(self, title: str, text: str, published: date, *,
                      watch_terms: Sequence[str] = (), mute_terms: Sequence[str] = ()) -> Analysis:
        """Judge, and for relevant items summarize and extract deadlines dated from `published`."""
        judgement = judge(title, text, published, self.threshold, watch_terms, mute_terms, self._local_summary)
        return await self._complete(title, text, judgement)

    async def analyze_batch(self, docs: Sequence[tuple[str, str, date]]) -> list[Analysis]:
        """`analyze` for many (title, text, published) documents, judged in the workers when there are some."""
        if self.workers is None or not docs:
            judgements = judge_batch(docs, self.threshold, self._local_summary)
        else:
            judgements = await self.workers.run(judge_batch, list(docs), self.threshold, self._local_summary)
        return [await self._complete(title, text, judgement)
                for (title, text, _published), judgement in zip(docs, judgements, strict=True)]

    async def _complete(self, title: str, text: str, judgement: Judgement) -> Analysis:
        if not judgement.relevance.relevant:
            return Analysis(relevance=judgement.relevance, summary="")
        summary = judgement.summary
        if summary is None:
            summary = await self.summarizer.summarize(title, text)
        return Analysis(relevance=judgement.relevance, summary=summary, deadlines=judgement.deadlines,
                        signature=judgement.signature)
