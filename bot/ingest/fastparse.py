"""A fast path for plain feeds: fastfeedparser on well-formed UTF-8 RSS 2.0 and Atom, or nothing.

`fast_parse` returns None whenever the body is anything but ordinary, and the caller then uses feedparser,
the reference. It gives up on: another encoding (declared in HTTP or XML), a DOCTYPE (entity tricks), scripts,
XML that expat finds not well formed, RDF/JSON/unknown roots, any parser exception, entry counts that
disagree with the markup, and entries whose guid or date it cannot vouch for. What it returns is proven
equal to feedparser's result after normalization on the test fixtures and generated feeds
(tests/test_fastparse.py). Documented differences, both erased by `normalize`: content HTML is not run
through feedparser's sanitizer (normalize drops scripts, styles and frames itself, and reads only text),
and entity/whitespace details inside HTML markup may differ.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import fastfeedparser

from bot.domain.models import RawEntry

_HEAD = 1024
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)
_UTF8 = {"utf-8", "utf8"}
_RSS_ROOT = re.compile(rb"<rss\b[^>]*\bversion\s*=\s*[\"']2\.0[\"']")
_ATOM_ROOT = re.compile(rb"<feed\b[^>]*\bxmlns\s*=\s*[\"']http://www\.w3\.org/2005/Atom[\"']")
_DATE_TAGS = (b"<pubDate", b"<dc:date", b"<published", b"<updated", b"<created", b"<issued", b"<modified")


@dataclass(frozen=True)
class FastFeed:
    """What the fast path parsed: the feed title and its entries."""

    title: str
    entries: list[RawEntry] = field(default_factory=list)


def fast_parse(body: bytes, *, url: str, content_type: str | None = None) -> FastFeed | None:
    """Parse an ordinary RSS 2.0 / Atom body quickly, or return None to leave it to feedparser."""
    kind = _plain_kind(body, content_type)
    if kind is None or not _well_formed(body):
        return None
    try:
        parsed = fastfeedparser.parse(body, include_tags=False, include_media=False, include_enclosures=False)
        return _checked(parsed, body, kind, url)
    except Exception:  # any surprise in the fast parser means: use the reference parser
        return None


def _plain_kind(body: bytes, content_type: str | None) -> str | None:
    """"rss" or "atom" for a UTF-8 body with such a root and no DOCTYPE; None otherwise."""
    head = body[:_HEAD]
    declared = _XML_ENCODING.search(head)
    charset = _CHARSET.search(content_type or "")
    if declared and declared.group(1).decode().lower() not in _UTF8:
        return None
    if charset and charset.group(1).lower() not in _UTF8:
        return None
    upper = body.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        return None
    if b"<SCRIPT" in upper or b"&LT;SCRIPT" in upper:
        return None  # entries from either path never carry scripts: feedparser's sanitizer drops them
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _RSS_ROOT.search(head):
        return "rss"
    return "atom" if _ATOM_ROOT.search(head) else None


def _well_formed(body: bytes) -> bool:
    """Strict XML well-formedness by expat (no handlers: fast); feedparser handles the sloppy ones."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


def _checked(parsed: Any, body: bytes, kind: str, url: str) -> FastFeed | None:
    entries = parsed.get("entries") or []
    if not entries or len(entries) != _count_tags(body, b"item" if kind == "rss" else b"entry"):
        return None
    all_have_ids = _count_tags(body, b"guid" if kind == "rss" else b"id") >= len(entries) + (kind == "atom")
    has_dates = any(tag in body for tag in _DATE_TAGS)
    title = _text(parsed.get("feed", {}).get("title"))
    raw = []
    for entry in entries:
        converted = _to_raw(entry, url, title, all_have_ids, has_dates)
        if converted is None:
            return None
        raw.append(converted)
    return FastFeed(title=title, entries=raw)


def _count_tags(body: bytes, name: bytes) -> int:
    return body.count(b"<" + name + b">") + body.count(b"<" + name + b" ")


def _to_raw(entry: Any, url: str, feed_title: str, all_have_ids: bool, has_dates: bool) -> RawEntry | None:
    link = _text(entry.get("link"))
    guid = _text(entry.get("id"))
    if guid and guid == link and not all_have_ids:
        return None  # fastfeedparser may have copied the link into a missing guid; feedparser leaves it None
    if guid and not link:
        return None  # feedparser takes a permalink guid as the link, unless isPermaLink="false"
    published = _date(entry.get("published")) or _date(entry.get("updated"))
    if published is None and has_dates:
        return None  # a date feedparser might read and we could not
    return RawEntry(
        source=url, guid=guid or None, url=urljoin(url, link) if link else None,
        title=_text(entry.get("title")), content=_content(entry), published=published,
        published_from="feed", source_name=feed_title or None,
    )


def _content(entry: Any) -> str:
    for content in entry.get("content") or []:
        value = _text(content.get("value"))
        if value:
            return value
    return _text(entry.get("description"))


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
