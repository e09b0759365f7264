"""Parse feed bodies (RSS, Atom, RDF, JSON Feed) into RawEntry values.

feedparser is the reference: it honours the encoding declared in the HTTP Content-Type and in the XML
declaration, and it drops DOCTYPE entity declarations before parsing, so entity expansion ("billion
laughs") cannot run. A feed that is not well formed ("bozo") still yields whatever entries could be
recovered. feedparser is slow (~50 ms for a 100 KB feed, mostly its HTML sanitizer), so plain, well-formed
UTF-8 RSS 2.0 and Atom go through `bot.ingest.fastparse` first, which gives up on anything unusual.
"""

from __future__ import annotations

import calendar
import io
import json
import time
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.domain.models import Item, RawEntry, SourceKind
from bot.ingest.charset import feed_as_utf8
from bot.ingest.fastparse import fast_parse
from bot.ingest.normalize import normalize


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, entries, a fatal `error` (nothing usable) or a `bozo` warning;
    `warning` is set when the XML was broken but entries could be recovered."""

    title: str
    entries: list[RawEntry] = field(default_factory=list)
    error: str | None = None
    bozo: str | None = None
    warning: str | None = None


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse `body` fetched from `url`; never raises for malformed input."""
    if not body or not body.strip():
        return ParsedFeed(title="", error="not a feed: empty body")
    fast = fast_parse(body, url=url, content_type=content_type)
    if fast is not None:
        return ParsedFeed(title=fast.title, entries=fast.entries)
    body, content_type = feed_as_utf8(body, content_type)  # GB bytes labelled UTF-8: not mojibake
    return parse_with_feedparser(body, url=url, content_type=content_type)


def parse_items(body: bytes, *, url: str, content_type: str | None, source_name: str, source_kind: SourceKind,
                fetched_at: datetime) -> tuple[list[Item], str | None, dict[str, float]]:
    """Parse a feed body and normalize its entries (in a worker process when the bot has them); returns the
    items, the parser's one-line error or warning if any (a warning comes with items, an error without),
    and the seconds each step took."""
    started = time.perf_counter()
    parsed = parse_feed(body, url=url, content_type=content_type)
    parsed_at = time.perf_counter()
    items = [normalize(e, source_name=source_name, source_kind=source_kind, fetched_at=fetched_at)
             for e in parsed.entries]
    timings = {"parse": parsed_at - started, "normalize": time.perf_counter() - parsed_at}
    return items, parsed.error or parsed.warning, timings


def parse_with_feedparser(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse `body` with feedparser alone (the reference path); never raises for malformed input."""
    # No content-location: feedparser would then "resolve" plain guids like "abc-1" into URLs.
    headers = {"content-type": content_type} if content_type else {}
    try:
        # BytesIO: feedparser must never treat the body as a URL or a file name to open.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # feedparser bugs on hostile input must not stop the cycle
        return ParsedFeed(title="", error=f"not a feed: parser failed ({type(exc).__name__})")
    title = _text(parsed.feed.get("title"))
    bozo = _bozo_reason(parsed) if parsed.get("bozo") else None
    entries = [entry_to_raw(entry, source=url, feed_title=title) for entry in parsed.entries]
    if not entries and not parsed.get("version"):
        return ParsedFeed(title=title, error=f"not a feed: {_not_a_feed_reason(body, bozo)}", bozo=bozo)
    if isinstance(parsed.get("bozo_exception"), xml.sax.SAXException):
        # Not well formed (cut off, a stray '&'...). Nothing recovered: a failure like any other. Entries
        # recovered: kept (many real feeds are sloppy yet complete), with a warning that may mean some are
        # missing, so a sloppy feed is not backed off or disabled for it.
        if not entries:
            return ParsedFeed(title=title, error=f"not a feed: broken XML: {bozo}", bozo=bozo)
        warning = f"broken XML: {bozo} ({len(entries)} entries recovered)"
        return ParsedFeed(title=title, entries=entries, bozo=bozo, warning=warning)
    return ParsedFeed(title=title, entries=entries, bozo=bozo)


def _not_a_feed_reason(body: bytes, bozo: str | None) -> str:
    """What the body looks like instead of a feed, in a few words, for `sources list`."""
    head = body[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "an HTML page"
    if head[:1] in (b"{", b"["):
        try:
            json.loads(body)
        except ValueError:
            return "broken JSON"
        return "JSON that is not a JSON Feed"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            return "binary data"
    return bozo or "no feed elements found"


def _bozo_reason(parsed: Mapping[str, Any]) -> str:
    exc = parsed.get("bozo_exception")
    message = " ".join(str(exc).split()) if exc is not None else "malformed feed"
    return message[:200] or type(exc).__name__


def entry_to_raw(entry: Mapping[str, Any], *, source: str, feed_title: str | None) -> RawEntry:
    """Map one feedparser entry dict to a RawEntry (the feedparser path; the fast parser builds its own)."""
    link = _text(entry.get("link"))
    return RawEntry(
        source=source,
        guid=_text(entry.get("id")) or None,
        url=urljoin(source, link) if link else None,
        title=_text(entry.get("title")),
        content=_entry_content(entry),
        published=_entry_published(entry),
        published_from="feed",
        source_name=feed_title or None,
    )


def _entry_content(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = _text(content.get("value"))
        if value:
            return value
    return _text(entry.get("summary"))


def _entry_published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        moment = entry.get(key)
        if isinstance(moment, time.struct_time | tuple) and len(moment) >= 6:
            return struct_to_utc(moment)
    return None


def struct_to_utc(moment: time.struct_time | tuple[int, ...]) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime (None when out of range)."""
    try:
        return datetime.fromtimestamp(calendar.timegm(tuple(moment)[:6] + (0, 0, 0)), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
