"""Wiring shared by the CLI and the long-running bot: store, clock, HTTP session, analysis, ingest."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.analysis.summarize import ExtractiveSummarizer, Summarizer
from bot.config import Settings
from bot.domain.clock import Clock, utcnow
from bot.ingest.feeds import FeedFetcher, make_session
from bot.ingest.seeds import scan_seeds
from bot.pipeline.analyze import Analyzer, prepare_worker
from bot.pipeline.cycle import CycleReport, FeedProgress, Ingestor
from bot.pipeline.workers import WorkerPool
from storage import Store
from storage.queries import sources as source_q


@dataclass
class Runtime:
    """Everything a command or the bot needs, built once from Settings."""

    settings: Settings
    store: Store
    clock: Clock
    session: aiohttp.ClientSession
    summarizer: Summarizer
    ingestor: Ingestor

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: Settings, *, clock: Clock = utcnow,
                   workers: int = 0) -> AsyncIterator[Runtime]:
        """Open the store and HTTP session; close both on exit.

        `workers` > 0 parses feeds and runs the pure analysis (relevance, deadlines, story signatures) in
        that many worker processes (use the CPU count for big cycles); 0 keeps it on the event loop's thread.
        """
        store = await Store.open(settings.db_path)
        session = make_session(allow_private=settings.allow_private_feeds, user_agent=settings.user_agent)
        pool = WorkerPool(workers, prepare=prepare_worker) if workers > 0 else None
        try:
            if pool is not None:
                await pool.start()
            summarizer = await build_summarizer(settings, session, store, clock)
            analyzer = Analyzer(threshold=settings.relevance_threshold, workers=pool)
            fetcher = FeedFetcher(session, user_agent=settings.user_agent,
                                  allow_private=settings.allow_private_feeds)
            ingestor = Ingestor(store=store, analyzer=analyzer, summarizer=summarizer, clock=clock,
                                fetcher=fetcher)
            runtime = cls(settings, store, clock, session, summarizer, ingestor)
            if not store.readonly:  # a read-only database still answers the commands that only read
                await runtime.sync_configured_sources()
            yield runtime
        finally:
            await session.close()
            await store.close()
            if pool is not None:
                pool.shutdown()

    async def sync_configured_sources(self) -> None:
        """Add the configuration file's sources to the store (sources added from chat stay too); one an
        operator removed is not added back."""
        now = self.clock()
        for source in self.settings.sources:
            await self.store.run(source_q.ensure_configured_source, source.url, name=source.name,
                                 kind=source.kind, interval_s=source.interval_s, now=now)

    async def ingest_once(self, *, seeds: Path | None = None, feeds: Sequence[str] = (),
                          progress: FeedProgress | None = None) -> CycleReport:
        """One cycle over the given seeds folder and feeds, or, given neither, every due source and
        the configured seeds folder. A feed that is not a watched source is fetched once, not added.
        `progress` hears how many feeds are fetched and when each is done."""
        report = CycleReport()
        now = self.clock()  # the cycle's one time
        if feeds:
            await self.ingestor.run_feeds([await self._feed_source(url, now) for url in feeds], report, now=now,
                                          progress=progress)
        if seeds is not None:
            await self.ingest_folder(seeds, report, now=now)
        if not feeds and seeds is None:
            await self.ingestor.run_feeds(await self.store.run(source_q.due_sources, now), report, now=now,
                                          progress=progress)
            if self.settings.seeds_dir.is_dir():
                await self.ingest_folder(self.settings.seeds_dir, report, now=now)
        return report

    async def _feed_source(self, url: str, now: datetime) -> source_q.SourceRow:
        """The watched source with this URL (its health is updated), else a one-off source."""
        found: source_q.SourceRow | None = await self.store.run(source_q.find_source, url)
        return found if found is not None else source_q.one_off_source(url, now=now)

    async def ingest_folder(self, root: Path, report: CycleReport, paths: Sequence[Path] | None = None, *,
                            now: datetime | None = None) -> None:
        """Ingest the seed files under `root` (all of them, or just `paths`) as a cycle at `now` (default:
        the clock's time)."""
        if not await asyncio.to_thread(root.is_dir):
            report.errors.append(f"{root}: not a folder")
            return
        if paths is None:
            paths = [root / rel for rel in sorted(await asyncio.to_thread(scan_seeds, root))]
        chosen = paths
        await self.ingestor.ingest_files(root, chosen, report, now=now)


async def build_summarizer(settings: Settings, session: aiohttp.ClientSession, store: Store,
                           clock: Clock) -> Summarizer:
    """The offline extractive summarizer, or the LLM one (falling back to it) when configured."""
    extractive = ExtractiveSummarizer()
    if settings.llm is None:
        return extractive
    from bot.analysis.llm import LLMSummarizer
    from storage.summary_cache import StoreSummaryCache

    return LLMSummarizer(
        base_url=settings.llm.base_url, model=settings.llm.model, api_key=settings.llm.api_key,
        session=session, cache=StoreSummaryCache(store), fallback=extractive,
        daily_token_budget=settings.llm.daily_token_budget, now=clock,
    )
