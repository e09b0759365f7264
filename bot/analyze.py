"""Per-item analysis: relevance on every item; summary and deadlines only on relevant ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.analysis.deadlines import extract_deadlines
from bot.analysis.relevance import assess_relevance
from bot.analysis.summarize import Summarizer
from bot.models import Analysis


class Analyzer:
    """Runs the analysis stages with one summarizer and one relevance threshold."""

    def __init__(self, *, summarizer: Summarizer, threshold: float = 0.5) -> None:
        self.summarizer = summarizer
        self.threshold = threshold

    async def analyze(self, title: str, text: str, published: date, *,
                      watch_terms: Sequence[str] = (), mute_terms: Sequence[str] = ()) -> Analysis:
        """Judge, and for relevant items summarize and extract deadlines dated from `published`."""
        relevance = assess_relevance(
            title, text, threshold=self.threshold, watch_terms=watch_terms, mute_terms=mute_terms
        )
        if not relevance.relevant:
            return Analysis(relevance=relevance, summary="")
        summary = await self.summarizer.summarize(title, text)
        deadlines = tuple(extract_deadlines(text, published, title=title))
        return Analysis(relevance=relevance, summary=summary, deadlines=deadlines)
