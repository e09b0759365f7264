"""One ingest-and-analyse cycle: feeds and seed files in, items, stories and deadlines out.

The stages, in order: fetch (`_fetch`) → parse and normalize (`_parse`, or `_normalize` for seed files) →
dedupe (`_dedupe`) → judge (`_judge`) → cluster and store (`_store`, one transaction) → refresh the touched
stories' summaries (`refresh_stories`, once per cycle). Work is batched per feed; parsing and judging run in
the analysis workers (on the event loop's thread when there are none). The clock is read once per cycle:
that `now` stamps every fetch, item, story and deadline of the cycle. Each feed or file fails alone.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import sqlite_utils

from bot.analysis.cluster import (
    StorySignature,
    join_story,
    match_story,
    signature_from_json,
    signature_to_json,
    story_signature,
)
from bot.analysis.deadlines.merge import MERGE_POLICY
from bot.analysis.summarize import Summarizer
from bot.domain.clock import Clock
from bot.domain.models import Analysis, Item, RawEntry, SourceKind
from bot.ingest.feeds import FeedFetcher, FetchResult
from bot.ingest.netguard import redact_url
from bot.ingest.normalize import normalize
from bot.ingest.parse import parse_items
from bot.ingest.seeds import SeedError, read_seed_file
from bot.metrics import METRICS
from bot.pipeline.analyze import Analyzer
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q
from storage.queries import sources as source_q
from storage.queries import waiting as waiting_q

log = logging.getLogger(__name__)
T = TypeVar("T")
STORY_WINDOW = timedelta(hours=72)
SEED_BATCH = 32  # seed files analysed and stored together; at most this many bodies (5 MB each) held


@dataclass
class CycleReport:
    """What one cycle did; printed by `uschina ingest` and read by the benchmarks."""

    feeds: int = 0
    not_modified: int = 0
    same_body: int = 0  # feeds without validators that sent what they sent last time
    feed_errors: int = 0
    files: int = 0
    file_errors: int = 0
    entries: int = 0
    new_items: int = 0
    updated_items: int = 0
    duplicates: int = 0
    relevant: int = 0
    new_stories: int = 0
    deadline_changes: list[deadline_q.DeadlineChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # feeds that gave items despite a fault (broken XML)
    stages: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    stale_stories: set[str] = field(default_factory=set)  # summaries to refresh once the batches are in

    def feed_failed(self, url: str, error: str) -> None:
        """Count one feed that gave nothing this cycle, with its one-line reason."""
        self.feed_errors += 1
        METRICS.feed_errors.inc()
        self.errors.append(f"{redact_url(url)}: {error}")  # printed and logged: no password from a URL

    def lines(self) -> list[str]:
        return [
            f"feeds: {self.feeds} checked, {self.not_modified} unchanged (304), {self.same_body} same body as "
            f"last time, {self.feed_errors} failed",
            f"files: {self.files} read, {self.file_errors} skipped",
            f"items: {self.entries} seen, {self.new_items} new, {self.updated_items} updated, "
            f"{self.duplicates} duplicates; {self.relevant} relevant, {self.new_stories} new stories",
            f"deadlines: {len(self.deadline_changes)} new or changed",
        ]


class FeedProgress(Protocol):
    """Told how many feeds a cycle fetches and when each is done (the command line's progress bar)."""

    def start(self, total: int) -> None:
        """The cycle is about to fetch `total` feeds."""
        ...

    def advance(self) -> None:
        """One feed is fetched and stored, or has failed."""
        ...


@dataclass(frozen=True)
class Analysed:
    item: Item
    analysis: Analysis
    existing_id: str | None
    story_id: str | None


class Ingestor:
    """Runs ingest cycles against one store with injected fetcher, analyzer and clock."""

    def __init__(self, *, store: Store, analyzer: Analyzer, summarizer: Summarizer, clock: Clock,
                 fetcher: FeedFetcher | None = None, feeds_in_flight: int = 8) -> None:
        self.store = store
        # Bounds feeds between fetch and store, so bodies and items of a big cycle are not all held at once.
        self._in_flight = asyncio.Semaphore(feeds_in_flight)
        self.analyzer = analyzer
        self.summarizer = summarizer
        self.clock = clock
        self.fetcher = fetcher

    async def run_feeds(self, sources: Sequence[source_q.SourceRow], report: CycleReport, *,
                        now: datetime | None = None, progress: FeedProgress | None = None) -> None:
        """Fetch the given sources concurrently (the fetcher bounds concurrency) and ingest them; `now` is
        the cycle's time (default: the clock, read once here); `progress` hears of each feed done."""
        now = now or self.clock()
        if progress is not None:
            progress.start(len(sources))
        await asyncio.gather(*(self._run_feed(source, report, now, progress) for source in sources))
        await self.refresh_stories(report, now)

    async def ingest_files(self, root: Path, paths: Iterable[Path], report: CycleReport, *,
                           now: datetime | None = None) -> None:
        """Read seed files and ingest them; a bad file is reported and skipped, the others go on. Files are
        stored in batches of `SEED_BATCH`, so a folder of large files is never all in memory at once."""
        now = now or self.clock()
        entries: list[RawEntry] = []
        for path in paths:
            report.files += 1
            entry = await self._read_seed(root, path, report, now)
            if entry is not None:
                entries.append(entry)
            if len(entries) >= SEED_BATCH:
                await self.ingest_entries(entries, source_name="seeds", source_kind="file", report=report,
                                          now=now, refresh=False)
                entries = []
        await self.ingest_entries(entries, source_name="seeds", source_kind="file", report=report, now=now,
                                  refresh=False)
        await self.refresh_stories(report, now)

    async def _read_seed(self, root: Path, path: Path, report: CycleReport, now: datetime) -> RawEntry | None:
        """One seed file as an entry, or None (counted and logged) when it cannot be used."""
        try:
            return await asyncio.to_thread(read_seed_file, path, root=root, now=now)
        except Exception as exc:  # SeedError, or a bug on hostile input: either way only this file is lost
            reason = str(exc) if isinstance(exc, SeedError) else f"{type(exc).__name__}: {str(exc)[:200]}"
            report.file_errors += 1
            report.errors.append(f"{path}: {reason}")
            log.warning("seed skipped: %s: %s", path, reason)
            return None

    async def refresh_stories(self, report: CycleReport, now: datetime) -> None:
        """Re-summarize the stories the batches touched: once per story and cycle, not once per batch.

        They are stamped updated when this step runs, not at the cycle's `now`: a digest that fires while a
        long cycle stores its batches would otherwise miss a story stamped before it and saved after it,
        and the next digest's window would start after the stamp."""
        started = time.perf_counter()
        visible_at = max(now, self.clock())
        while report.stale_stories:
            await self._refresh_story(report.stale_stories.pop(), visible_at)
        report.stages["summarize"] += time.perf_counter() - started

    async def _run_feed(self, source: source_q.SourceRow, report: CycleReport, now: datetime,
                        progress: FeedProgress | None = None) -> None:
        async with self._in_flight:
            try:
                await self._fetch_and_ingest(source, report, now)
            except Exception as exc:  # a bug or a store error on one feed must not stop the others
                await self._processing_failed(source, exc, report, now)
            finally:
                if progress is not None:
                    progress.advance()

    async def _processing_failed(self, source: source_q.SourceRow, exc: Exception, report: CycleReport,
                                 now: datetime) -> None:
        """Count and log a feed whose processing raised; it is retried later with the usual backoff."""
        error = f"processing failed ({type(exc).__name__}: {str(exc)[:120]})"
        log.error("feed %s: %s", redact_url(source.url), error, exc_info=exc)
        try:
            await self._record_failure(source, error, report, now)
        except Exception as store_exc:
            log.error("feed %s: could not record the failure: %r", redact_url(source.url), store_exc)

    async def _record_failure(self, source: source_q.SourceRow, error: str, report: CycleReport, now: datetime,
                              *, permanent: bool = False, retry_after_s: float | None = None) -> None:
        """Count a failed feed and store it: backed off, disabled after repeated failures, shown in health."""
        report.feed_failed(source.url, error)
        await self._record(source_q.record_fetch_error, source, now=now, error=error, permanent=permanent,
                           retry_after_s=retry_after_s)

    async def _fetch_and_ingest(self, source: source_q.SourceRow, report: CycleReport, now: datetime) -> None:
        result = await self._fetch(source, report)
        if result.error:
            await self._record_failure(source, result.error, report, now, permanent=result.permanent,
                                       retry_after_s=result.retry_after_s)
            return
        body_hash = hashlib.sha256(result.body).hexdigest() if result.body is not None else None
        warning: str | None = None
        if result.not_modified or result.body is None:
            report.not_modified += 1
        elif body_hash == source.body_hash:
            report.same_body += 1  # the very bytes ingested last time: nothing in them can be new
        else:
            items, problem = await self._ingest_body(source, result.body, result.content_type, report, now)
            if problem and not items:
                # A body that is not a feed is a failure like a 500: backed off, shown in `sources list`,
                # and neither its hash nor its validators are kept, so it is read (and reported) again.
                log.warning("feed %s: %s", redact_url(source.url), problem)
                await self._record_failure(source, problem, report, now)
                return
            if problem:
                report.warnings.append(f"{redact_url(source.url)}: {problem}")
                body_hash = None  # read again next time: the publisher may have fixed it
            warning = problem
        await self._record(source_q.record_fetch_ok, source, now=now, etag=result.etag,
                           last_modified=result.last_modified, status=result.status,
                           not_modified=result.not_modified, body_hash=body_hash, warning=warning)

    async def _fetch(self, source: source_q.SourceRow, report: CycleReport) -> FetchResult:
        assert self.fetcher is not None, "feeds need a fetcher"
        started = time.perf_counter()
        result = await self.fetcher.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        report.stages["fetch"] += time.perf_counter() - started
        report.feeds += 1
        return result

    async def _record(self, query: Callable[..., object], source: source_q.SourceRow, **kwargs: Any) -> None:
        """Note a fetch on the source's row; a one-off feed (`ingest --feed`, not watched) has no row."""
        if source.id != source_q.ONE_OFF_ID:
            await self.store.run(query, source.id, **kwargs)

    async def _ingest_body(self, source: source_q.SourceRow, body: bytes, content_type: str | None,
                           report: CycleReport, now: datetime) -> tuple[int, str | None]:
        """Parse one feed body and ingest what it holds; returns how many items it held and the parser's
        error or warning (not a feed, broken XML), if any."""
        items, problem = await self._parse(source, body, content_type, report, now)
        if items:
            await self.ingest_items(items, report=report, now=now, refresh=False)
        return len(items), problem

    async def _parse(self, source: source_q.SourceRow, body: bytes, content_type: str | None,
                     report: CycleReport, now: datetime) -> tuple[list[Item], str | None]:
        """The feed body's entries as normalized items, and the parser's error if any."""
        kind = cast(SourceKind, source.kind)  # validated on the way in (config, CLI, commands)
        items, error, timings = await self._off_loop(
            parse_items, body, url=source.url, content_type=content_type, source_name=source.name,
            source_kind=kind, fetched_at=now)
        for stage, seconds in timings.items():
            report.stages[stage] += seconds
        return items, error

    async def _off_loop(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run CPU-bound work in the analysis workers when there are some, else here."""
        workers = self.analyzer.workers
        if workers is None:
            return fn(*args, **kwargs)
        return await workers.run(fn, *args, **kwargs)

    async def ingest_entries(self, entries: Sequence[RawEntry], *, source_name: str, source_kind: SourceKind,
                             report: CycleReport, now: datetime | None = None, refresh: bool = True) -> None:
        """Normalize, dedupe, judge, cluster and store a batch of entries from one source.

        With `refresh` False the touched stories are left in `report.stale_stories` for `refresh_stories`.
        """
        now = now or self.clock()
        items = self._normalize(entries, source_name, source_kind, report, now)
        await self.ingest_items(items, report=report, now=now, refresh=refresh)

    def _normalize(self, entries: Sequence[RawEntry], source_name: str, source_kind: SourceKind,
                   report: CycleReport, now: datetime) -> list[Item]:
        started = time.perf_counter()
        items = [normalize(e, source_name=e.source_name if source_kind == "file" and e.source_name
                           else source_name, source_kind=source_kind, fetched_at=now) for e in entries]
        report.stages["normalize"] += time.perf_counter() - started
        return items

    async def ingest_items(self, items: Sequence[Item], *, report: CycleReport, now: datetime | None = None,
                           refresh: bool = True) -> None:
        """Dedupe, judge, cluster and store a batch of normalized items from one source."""
        now = now or self.clock()
        fresh = await self._dedupe(items, report)
        if not fresh:
            return
        analysed = await self._judge(fresh, report)
        outcome = await self._store(analysed, report, now)
        report.stale_stories.update(outcome.touched_stories)
        if refresh:
            await self.refresh_stories(report, now)

    async def _dedupe(self, items: Sequence[Item], report: CycleReport
                      ) -> list[tuple[Item, item_q.ExistingItem | None]]:
        report.entries += len(items)
        started = time.perf_counter()
        fresh = await self.store.run(_fresh_items, items)
        report.duplicates += len(items) - len(fresh)
        report.stages["dedupe"] += time.perf_counter() - started
        return fresh

    async def _judge(self, fresh: Sequence[tuple[Item, item_q.ExistingItem | None]],
                     report: CycleReport) -> list[Analysed]:
        started = time.perf_counter()
        analyses = await self.analyzer.analyze_batch(
            [(item.title, item.text, item.published.date()) for item, _existing in fresh])
        analysed = [Analysed(item, analysis, existing.id if existing else None,
                             existing.story_id if existing else None)
                    for (item, existing), analysis in zip(fresh, analyses, strict=True)]
        report.stages["analyse"] += time.perf_counter() - started
        return analysed

    async def _store(self, analysed: Sequence[Analysed], report: CycleReport, now: datetime) -> _SaveOutcome:
        """Cluster the relevant items into stories and store the batch, in one transaction; then read the items
        not relevant that match a story this batch gave days to, or that this batch brought, as its reports (in
        the analysis workers), and store those."""
        started = time.perf_counter()
        outcome = await self.store.run(_save_batch, analysed, now)
        if outcome.matched:
            read = await self.analyzer.read_as_story_reports(
                [(m.waiting.relevance, m.waiting.title, m.waiting.text, m.waiting.published.date(), m.story_days)
                 for m in outcome.matched])
            reports = [(m, analysis) for m, analysis in zip(outcome.matched, read, strict=True)
                       if analysis.relevance.relevant]
            if reports:
                await self.store.run(_save_story_reports, reports, outcome, now)
        report.stages["store"] += time.perf_counter() - started
        report.new_items += sum(1 for a in analysed if a.existing_id is None)
        report.updated_items += sum(1 for a in analysed if a.existing_id is not None)
        METRICS.items_ingested.inc(len(analysed))
        report.relevant += sum(1 for a in analysed if a.analysis.relevance.relevant) + outcome.story_reports
        report.new_stories += outcome.new_stories
        report.deadline_changes.extend(outcome.changes)
        return outcome

    async def _refresh_story(self, story_id: str, now: datetime) -> None:
        docs = await self.store.run(item_q.story_documents, story_id)
        summary = await self.summarizer.summarize_story([(title, text) for title, text, _kind in docs])
        await self.store.run(item_q.refresh_story, story_id, summary=summary, at=now)


@dataclass
class _SaveOutcome:
    new_stories: int = 0
    story_reports: int = 0  # items judged not relevant, then read as a relevant story's report
    matched: list[_Matched] = field(default_factory=list)  # waiting items to read as a story's reports
    touched_stories: list[str] = field(default_factory=list)
    changes: list[deadline_q.DeadlineChange] = field(default_factory=list)


def _fresh_items(db: sqlite_utils.Database, items: Sequence[Item]
                 ) -> list[tuple[Item, item_q.ExistingItem | None]]:
    """Items that are new, or whose content changed since stored; duplicates within the batch collapse."""
    unique: list[Item] = []
    seen: set[str] = set()
    for item in items:
        keys = {item.id, item.content_hash} | ({item.url} if item.url else set())
        if not keys & seen:
            unique.append(item)
            seen |= keys
    existing = item_q.find_existing(db, unique)
    return [(item, found) for item, found in zip(unique, existing, strict=True)
            if found is None or found.content_hash != item.content_hash]


def _save_batch(db: sqlite_utils.Database, batch: Sequence[Analysed], now: datetime) -> _SaveOutcome:
    outcome = _SaveOutcome()
    candidates: list[tuple[str, StorySignature, datetime]] | None = None  # read once a batch needs them
    waiting: list[tuple[waiting_q.WaitingReport, StorySignature]] = []
    with db.atomic():
        for entry in batch:
            story_id = entry.story_id
            if story_id is None and not entry.analysis.relevance.muted:
                if candidates is None:
                    candidates = _open_stories(db, now)
                if entry.analysis.relevance.relevant:
                    story_id = _assign_story(db, entry, candidates, outcome, now)
            item_id = item_q.save_item(db, entry.item, entry.analysis, story_id=story_id,
                                       item_id=entry.existing_id)
            if _may_be_a_story_report(entry, story_id):
                waiting.append(_keep_waiting(db, entry, item_id, now))
            elif entry.existing_id is not None:
                waiting_q.forget(db, [item_id])
            _record_story_and_deadlines(db, outcome, item_id, story_id, entry.item.published.date(),
                                        entry.analysis, now)
        waiting_q.forget_stored_before(db, now - STORY_WINDOW)
        if waiting or outcome.touched_stories:
            outcome.matched = _waiting_matches(db, waiting, outcome.touched_stories, candidates, now)
    return outcome


def _may_be_a_story_report(entry: Analysed, story_id: str | None) -> bool:
    # The analysis gives a signature to an item not relevant only when it names a side or a measure.
    relevance = entry.analysis.relevance
    return (story_id is None and not relevance.relevant and not relevance.muted
            and isinstance(entry.analysis.signature, StorySignature))


def _keep_waiting(db: sqlite_utils.Database, entry: Analysed, item_id: str, now: datetime
                  ) -> tuple[waiting_q.WaitingReport, StorySignature]:
    signature = cast(StorySignature, entry.analysis.signature)
    report = waiting_q.WaitingReport(item_id, entry.item.title, entry.item.text, entry.item.published,
                                     entry.analysis.relevance, signature_to_json(signature))
    waiting_q.keep(db, report, now=now)
    return report, signature


def _record_story_and_deadlines(db: sqlite_utils.Database, outcome: _SaveOutcome, item_id: str,
                                story_id: str | None, published: date, analysis: Analysis, now: datetime) -> None:
    """Note the story a stored item touched, and merge its deadlines into the tracked ones."""
    if story_id and story_id not in outcome.touched_stories:
        outcome.touched_stories.append(story_id)
    if analysis.deadlines:
        outcome.changes.extend(deadline_q.record_mentions(
            db, item_id, published, analysis.deadlines, now, policy=MERGE_POLICY))


def _open_stories(db: sqlite_utils.Database, now: datetime) -> list[tuple[str, StorySignature, datetime]]:
    """Stories a new report may still join, newest first; a malformed stored signature is left out."""
    stories = []
    for story_id, signature, first_seen in item_q.candidate_stories(db, now - STORY_WINDOW):
        try:
            stories.append((story_id, _parsed_signature(signature), datetime.fromisoformat(first_seen)))
        except ValueError:
            log.warning("story %s: unreadable signature, not matched against", story_id)
    return stories


@functools.lru_cache(maxsize=4096)
def _parsed_signature(data: str) -> StorySignature:
    # Every batch reads the open stories' signatures; one that changed is a new key.
    return signature_from_json(data)


@dataclass(frozen=True)
class _Matched:
    """A waiting item (stored, judged not relevant) that matched a story with dated deadlines: to be read as
    its report."""

    waiting: waiting_q.WaitingReport
    story_id: str
    story_days: tuple[tuple[date, date], ...]


def _waiting_matches(db: sqlite_utils.Database, new: Sequence[tuple[waiting_q.WaitingReport, StorySignature]],
                     touched: Sequence[str], candidates: list[tuple[str, StorySignature, datetime]] | None,
                     now: datetime) -> list[_Matched]:
    """The waiting items to read as a story's report, each with the story's days: those of this batch that
    match an open story with dated deadlines; and, for a story this batch gave its first dated deadlines, the
    earlier ones that match it (read against it once: so a report is read whether it came before its story
    or after, and a story that grows does not read the same reports again). `candidates`: the open stories,
    when the batch has read them already."""
    to_sweep = set(waiting_q.stories_to_sweep(db, touched)) if touched else set()
    if not new and not to_sweep:
        return []  # (a batch of updates to stories already swept need not read the open stories)
    if candidates is None:
        candidates = _open_stories(db, now)
    # the days a story's dated deadlines span, read once per story
    days = functools.cache(lambda story_id: tuple(deadline_q.story_days(db, story_id)))
    matched = []
    for report, signature in new:
        found = match_story(signature, candidates, report.published, window=STORY_WINDOW)
        if found is not None and days(found):
            matched.append(_Matched(report, found, days(found)))
    sweep = [c for c in candidates if c[0] in to_sweep and days(c[0])]
    if sweep:
        fresh = {report.item_id for report, _signature in new}
        matched += [_Matched(report, story_id, days(story_id))
                    for report, story_id in _earlier_reports(db, sweep, fresh)]
    return matched


def _earlier_reports(db: sqlite_utils.Database, sweep: list[tuple[str, StorySignature, datetime]],
                     fresh: set[str]) -> list[tuple[waiting_q.WaitingReport, str]]:
    """The waiting items, apart from `fresh`, that match one of the `sweep` stories, with that story; the
    stories are marked swept."""
    for story_id, _signature, _seen in sweep:
        waiting_q.mark_swept(db, story_id)
    firsts = [seen for _story, _signature, seen in sweep]
    found_for: dict[str, str] = {}
    # Only the signatures are read for the whole window (the texts of those that match, after), and parsed
    # here, not through `_parsed_signature`, whose cache is for the open stories' few signatures.
    for item_id, published, stored in waiting_q.signatures_between(db, min(firsts) - STORY_WINDOW,
                                                                   max(firsts) + STORY_WINDOW):
        found = None if item_id in fresh else match_story(signature_from_json(stored), sweep, published,
                                                          window=STORY_WINDOW)
        if found is not None:
            found_for[item_id] = found
    return [(report, found_for[report.item_id]) for report in waiting_q.by_ids(db, list(found_for))]


def _save_story_reports(db: sqlite_utils.Database, reports: Sequence[tuple[_Matched, Analysis]],
                        outcome: _SaveOutcome, now: datetime) -> None:
    """Store the matched items read as their stories' reports: relevant, in the story, with their deadlines.
    They do not change what a story is made of (its signature), as they did not make it."""
    with db.atomic():
        for matched, analysis in reports:
            waiting = matched.waiting
            item_q.save_as_story_report(db, waiting.item_id, waiting.text, analysis, matched.story_id)
            waiting_q.forget(db, [waiting.item_id])
            outcome.story_reports += 1
            _record_story_and_deadlines(db, outcome, waiting.item_id, matched.story_id, waiting.published.date(),
                                        analysis, now)


def _assign_story(db: sqlite_utils.Database, entry: Analysed, candidates: list, outcome: _SaveOutcome,
                  now: datetime) -> str:
    """Attach the item to a story told by another outlet within the window, or start a new story."""
    given = entry.analysis.signature
    signature = given if isinstance(given, StorySignature) else story_signature(entry.item.title, entry.item.text)
    joined = join_story(candidates, signature, entry.item.published, lambda story: item_q.story_size(db, story),
                        window=STORY_WINDOW)
    if joined is not None:
        item_q.set_story_signature(db, joined[0], signature_to_json(joined[1]))
        return joined[0]
    story_id = uuid.uuid5(uuid.NAMESPACE_URL, "story:" + entry.item.id).hex[:16]
    item_q.create_story(db, story_id, title=entry.item.title, url=entry.item.url,
                        signature=signature_to_json(signature), score=entry.analysis.relevance.score,
                        published=entry.item.published, now=now)
    candidates.insert(0, (story_id, signature, entry.item.published))
    outcome.new_stories += 1
    return story_id
