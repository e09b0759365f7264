"""`uschina sources`: the watched feeds as text or JSON, and their import and export as OPML."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.terminal import CommandLineError, fit, print_json, terminal_width
from bot.ingest.netguard import check_feed_url, redact_url
from bot.ingest.opml import OpmlError, OpmlFeed, read_opml, write_opml
from storage.queries import sources as source_q

if TYPE_CHECKING:
    from bot.app.runtime import Runtime

MIN_NAME_WIDTH = 12  # a name cut shorter than this says nothing; the line wraps instead


async def list_sources(runtime: Runtime, *, as_json: bool) -> int:
    """Print every watched source with its health, one line each, or as a JSON array."""
    rows = await runtime.store.run(source_q.list_sources)
    now = runtime.clock()
    if as_json:
        print_json([_source_json(row, now) for row in rows])
        return 0
    width = terminal_width()
    for row in rows:  # nothing at all when there are none, so a script can test for empty output
        print(_source_line(row, now, width))
    return 0


def _source_line(row: source_q.SourceRow, now: Any, width: int | None) -> str:
    """`name [kind] url: health`, the name cut so the line fits the terminal; the URL is kept whole."""
    rest = f" [{row.kind}] {redact_url(row.url)}: {source_q.format_source_health(row, now)}"
    name = redact_url(row.name)
    if width is not None:
        name = fit(name, max(MIN_NAME_WIDTH, width - len(rest)))
    return name + rest


def _source_json(row: source_q.SourceRow, now: Any) -> dict[str, Any]:
    return {
        "url": redact_url(row.url), "name": redact_url(row.name), "kind": row.kind, "enabled": row.enabled,
        "health": source_q.format_source_health(row, now), "last_error": row.last_error,
        "fail_count": row.fail_count, "last_ok_at": _iso(row.last_ok_at),
        "next_attempt_at": _iso(row.next_attempt_at), "disabled_reason": row.disabled_reason,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def import_opml(runtime: Runtime, path: Path, *, kind: str) -> int:
    """Add every feed of an OPML file; a duplicate or a refused URL is one line on stderr and the rest go on.

    Exit status 0 when every feed was added or already watched, 1 when any was refused.
    """
    feeds = _read_opml_file(await _read_bytes(path), path)
    added = duplicates = refused = 0
    seen: set[str] = set()
    for feed in feeds:
        outcome = await _import_one(runtime, feed, kind=kind, seen=seen)
        added += outcome == "added"
        duplicates += outcome == "duplicate"
        refused += outcome == "refused"
    print(f"imported {added} of {len(feeds)} feeds from {path}"
          + (f"; {duplicates} already watched" if duplicates else "")
          + (f"; {refused} refused" if refused else ""))
    return 1 if refused else 0


async def _import_one(runtime: Runtime, feed: OpmlFeed, *, kind: str, seen: set[str]) -> str:
    """Add one feed; "added", "duplicate" or "refused", the last two with a line on stderr."""
    url = feed.url.strip()
    shown = redact_url(url)
    refusal = check_feed_url(url, allow_private=True)  # as `sources add`: the operator's own shell
    if refusal:
        print(f"skipped {shown}: {refusal}", file=sys.stderr)
        return "refused"
    if url in seen:
        print(f"skipped {shown}: listed twice in the file", file=sys.stderr)
        return "duplicate"
    seen.add(url)
    try:
        await runtime.store.run(source_q.add_source, url, name=feed.name or url, kind=feed.kind or kind,
                                added_by="cli:opml", now=runtime.clock())
    except source_q.DuplicateSource:
        print(f"skipped {shown}: already watching it", file=sys.stderr)
        return "duplicate"
    return "added"


def _read_opml_file(data: bytes, path: Path) -> list[OpmlFeed]:
    try:
        return read_opml(data)
    except OpmlError as exc:
        raise CommandLineError(f"{path}: {exc}") from None


async def _read_bytes(path: Path) -> bytes:
    try:
        return await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise CommandLineError(f"cannot read {path}: {exc.strerror or exc}") from None


async def export_opml(runtime: Runtime, output: Path | None) -> int:
    """Write every watched source as OPML 2.0 to `output`, or to stdout."""
    rows = await runtime.store.run(source_q.list_sources)
    feeds = [OpmlFeed(url=redact_url(row.url), name=row.name, kind=row.kind) for row in rows]
    document = write_opml(feeds, title="uschina sources", now=runtime.clock())
    if output is None:
        sys.stdout.write(document)
        return 0
    try:
        await asyncio.to_thread(output.write_text, document, encoding="utf-8")
    except OSError as exc:
        raise CommandLineError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"wrote {len(feeds)} sources to {output}")
    return 0
