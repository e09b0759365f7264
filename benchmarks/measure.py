"""The measurements: full and 304 cycles, bare parsing, command latency, digest composition, memory.

Everything runs the real code: `Runtime` with a Store file in a temporary folder and the aiohttp
FeedFetcher against a local feed server (a child process), the command layer with a CommandRequest,
and `compose_digest` against a bulk-filled store.
"""

from __future__ import annotations

import asyncio
import functools
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import feedparser

from benchmarks.bulk import add_bulk
from benchmarks.feedgen import NOW, build_feed, feed_specs
from benchmarks.server import ATOM_TYPE, RSS_TYPE, FeedServer
from bot.app.runtime import Runtime
from bot.config import Settings
from bot.ingest.parse import parse_feed
from bot.pipeline.cycle import CycleReport
from bot.ports import CommandRequest
from bot.usecases.commands import CommandContext, CommandHandler
from bot.usecases.digest import compose_digest
from storage import Store
from storage.queries import sources as source_q


@dataclass(frozen=True)
class Sizes:
    """How big a run is."""

    feeds: int = 1000
    items: int = 50
    stored: tuple[int, ...] = (10_000, 100_000)
    subscriptions: int = 1000
    command_runs: int = 200
    workers: int = os.cpu_count() or 1


class Clock:
    """A benchmark clock the harness moves between cycles."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current


def write_feeds(root: Path, sizes: Sizes) -> int:
    """Write the generated feed files under `root`; return their total size in bytes."""
    root.mkdir(parents=True, exist_ok=True)
    total = 0
    for spec in feed_specs(sizes.feeds, sizes.items):
        body = build_feed(spec)
        (root / f"{spec.index}.xml").write_bytes(body)
        total += len(body)
    return total


async def measure_cycles(work: Path, feeds_dir: Path, sizes: Sizes) -> dict:
    """A full cycle then a mostly-304 cycle through the Runtime against the local feed server."""
    clock = Clock(NOW + timedelta(hours=1))
    settings = Settings(db_path=work / "cycle.db", seeds_dir=work / "no-seeds", allow_private_feeds=True)
    with FeedServer(feeds_dir) as server:
        async with Runtime.open(settings, clock=clock, workers=sizes.workers) as runtime:
            for index in range(sizes.feeds):
                await runtime.store.run(source_q.ensure_source, server.url(index), name=f"Bench {index}",
                                        kind="outlet", now=clock())
            first = await _timed_cycle(runtime)
            clock.current += timedelta(hours=1)
            second = await _timed_cycle(runtime)
    return {"first": first, "second": second}


async def _timed_cycle(runtime: Runtime) -> tuple[float, CycleReport]:
    rows = await runtime.store.run(source_q.list_sources)
    report = CycleReport()
    cpu_before = time.process_time(), _workers_cpu_s(runtime)
    started = time.perf_counter()
    await runtime.ingestor.run_feeds(rows, report)
    wall = time.perf_counter() - started
    report.stages["cpu_main"] = time.process_time() - cpu_before[0]
    report.stages["cpu_workers"] = _workers_cpu_s(runtime) - cpu_before[1]
    return wall, report


def _workers_cpu_s(runtime: Runtime) -> float:
    """CPU seconds (user + system) the analysis worker processes have used so far, from /proc (Linux)."""
    workers = runtime.ingestor.analyzer.workers
    pids = workers.pids() if workers else []
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def measure_bare_parse(feeds_dir: Path, sizes: Sizes) -> dict[str, float]:
    """The same bytes through the cycle's parser and through feedparser, one file at a time."""
    ours = reference = 0.0
    for index in range(sizes.feeds):
        body = (feeds_dir / f"{index}.xml").read_bytes()
        kind = ATOM_TYPE if index % 3 == 2 else RSS_TYPE
        url = f"http://127.0.0.1/feed/{index}.xml"
        started = time.perf_counter()
        parse_feed(body, url=url, content_type=kind)
        ours += time.perf_counter() - started
        started = time.perf_counter()
        feedparser.parse(body, response_headers={"content-type": kind})
        reference += time.perf_counter() - started
    return {"bare_parse_s": ours, "feedparser_s": reference}


async def measure_commands(work: Path, sizes: Sizes) -> dict:
    """Command latency and digest composition at each stored-item count."""
    now = NOW + timedelta(hours=1)
    store = await Store.open(work / "commands.db")
    results: dict = {}
    try:
        filled = 0
        for target in sizes.stored:
            started = time.perf_counter()
            await store.run(add_bulk, filled, target - filled, now)
            filled = target
            results[target] = {"fill_s": time.perf_counter() - started,
                               **await _command_latency(store, now, sizes.command_runs)}
        results["digest_s"] = await _digest_time(store, now, sizes.subscriptions)
    finally:
        await store.close()
    return results


async def _command_latency(store: Store, now: datetime, runs: int) -> dict[str, float]:
    context = CommandContext(store=store, now=lambda: now, settings=Settings())
    handler = CommandHandler(context)
    out = {}
    for text in ("summary", "deadlines"):
        request = CommandRequest(platform="console", workspace="", channel="bench", user="u", text=text)
        message = await handler.handle(request)
        assert message.kind != "error", message.text
        timings = await _repeat(functools.partial(handler.handle, request), runs)
        out[f"{text}_p50_ms"] = _percentile(timings, 50) * 1000
        out[f"{text}_p99_ms"] = _percentile(timings, 99) * 1000
    return out


async def _digest_time(store: Store, now: datetime, subscriptions: int) -> float:
    started = time.perf_counter()
    for n in range(subscriptions):
        # Subscriptions differ in when they last got a digest, so no two compose the same query.
        since = now - timedelta(hours=24, minutes=n % 180)
        await compose_digest(store, since=since, now=now, today=now.date())
    return time.perf_counter() - started


async def _repeat(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return timings


def _percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_child_rss_mb() -> float:
    """The largest peak of the child processes waited for (the analysis workers and the feed server)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def machine() -> dict:
    """CPU count, Python version and platform, so numbers from different machines can be compared."""
    return {"cpu_count": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()}


def run_all(work: Path, sizes: Sizes) -> dict:
    """Every measurement, as one flat dict of numbers (and machine info)."""
    feeds_dir = work / "feeds"
    feed_bytes = write_feeds(feeds_dir, sizes)
    cycles = asyncio.run(measure_cycles(work, feeds_dir, sizes))
    cycles["peak_rss_cycle_mb"] = peak_rss_mb()  # before the bulk fill for the command measurements
    bare = measure_bare_parse(feeds_dir, sizes)
    commands = asyncio.run(measure_commands(work, sizes))
    return summarize(sizes, feed_bytes, cycles, bare, commands)


def summarize(sizes: Sizes, feed_bytes: int, cycles: dict, bare: dict, commands: dict) -> dict:
    """The flat report: the keys the README documents."""
    cycle_s, report = cycles["first"]
    cycle_304_s, report_304 = cycles["second"]
    largest = commands[max(sizes.stored)]
    result = {
        "feeds": sizes.feeds, "items_per_feed": sizes.items, "feed_mb": round(feed_bytes / 2**20, 1),
        "cycle_s": cycle_s, "items_per_s": report.entries / cycle_s if cycle_s else 0.0,
        "entries": report.entries, "new_items": report.new_items, "relevant": report.relevant,
        "new_stories": report.new_stories, "deadline_changes": len(report.deadline_changes),
        "feed_errors": report.feed_errors,
        **{f"stage_{name}_s": value for name, value in sorted(report.stages.items())},
        "bare_parse_s": bare["bare_parse_s"], "feedparser_s": bare["feedparser_s"],
        "ratio": cycle_s / bare["bare_parse_s"] if bare["bare_parse_s"] else 0.0,
        "ratio_vs_feedparser": cycle_s / bare["feedparser_s"] if bare["feedparser_s"] else 0.0,
        "cycle_304_s": cycle_304_s, "not_modified_304": report_304.not_modified,
        "same_body_304": report_304.same_body,
        "command_p50_ms": max(largest["summary_p50_ms"], largest["deadlines_p50_ms"]),
        "command_p99_ms": max(largest["summary_p99_ms"], largest["deadlines_p99_ms"]),
        "digest_1000_s": commands["digest_s"] * 1000 / sizes.subscriptions,
        "digest_subscriptions": sizes.subscriptions, "digest_s": commands["digest_s"],
    }
    for stored in sizes.stored:
        for key, value in commands[stored].items():
            result[f"at_{stored}_{key}"] = value
    result["peak_rss_mb"] = peak_rss_mb()
    result["peak_rss_cycle_mb"] = cycles["peak_rss_cycle_mb"]
    result["peak_child_rss_mb"] = peak_child_rss_mb()
    result.update(machine())
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in result.items()}
