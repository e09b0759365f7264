from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime

from bot.ingest.parse import entry_to_raw, parse_feed
from tests.fakes.feed_server import CONTENT_TYPES, FIXTURES


def parse_fixture(name: str, content_type: str | None = None):
    body = (FIXTURES / name).read_bytes()
    return parse_feed(
        body,
        url=f"https://feeds.example.com/{name}",
        content_type=content_type or CONTENT_TYPES.get(name, "application/rss+xml"),
    )


def test_rss2_entries_map_to_raw_entries() -> None:
    feed = parse_fixture("rss2.xml")
    assert feed.error is None and feed.bozo is None
    assert feed.title == "Trade Desk Wire"
    first, second, third = feed.entries
    assert first.guid == "tdw-001"
    assert first.url == "https://wire.example.com/2025/07/entity-list"
    assert first.title == "Commerce adds 12 Chinese firms to Entity List"
    assert first.published == datetime(2025, 7, 11, 14, 30, tzinfo=UTC)
    assert first.published_from == "feed" and first.source_name == "Trade Desk Wire"
    assert first.source == "https://feeds.example.com/rss2.xml"
    assert "utm_source=rss" in (second.url or "")  # canonicalization is normalize's job, not the parser's
    assert third.published is None and third.guid is None


def test_atom_prefers_content_and_uses_updated_date() -> None:
    feed = parse_fixture("atom.xml")
    first, second = feed.entries
    assert first.guid == "tag:policy.example.org,2025:1"
    assert "<b>advanced</b>" in first.content and "Short summary" not in first.content
    assert first.published == datetime(2025, 7, 9, 8, 15, tzinfo=UTC)
    assert second.content == "Only a summary here."
    assert second.url == "https://feeds.example.com/relative/path"  # relative link resolved against the feed


def test_gb2312_declared_in_xml_declaration_is_decoded() -> None:
    feed = parse_fixture("gb2312.xml")
    assert feed.bozo is None
    assert feed.title == "中美经贸新闻"
    (entry,) = feed.entries
    assert entry.title == "美国宣布对中国商品加征关税"
    assert entry.guid == "cn-1"  # a plain guid stays as written
    assert "关税" in entry.content
    assert entry.published == datetime(2025, 7, 11, 0, 0, tzinfo=UTC)


def test_iso_8859_1_declared_in_xml_declaration_is_decoded() -> None:
    (entry,) = parse_fixture("iso-8859-1.xml").entries
    assert entry.title == "Café talks in Genève: négociations"


def test_charset_from_http_header_is_honoured() -> None:
    body = (FIXTURES / "iso-8859-1.xml").read_bytes().replace(b' encoding="iso-8859-1"', b"")
    feed = parse_feed(body, url="https://fr.example.com/rss", content_type="text/xml; charset=iso-8859-1")
    assert feed.bozo is None
    assert feed.entries[0].title == "Café talks in Genève: négociations"


def test_wrong_charset_still_recovers_the_entry() -> None:
    feed = parse_fixture("wrong-charset.xml")
    assert feed.bozo is not None and "windows-1252" in feed.bozo
    assert feed.error is None
    assert feed.entries[0].title == "“Tariff truce” worth €200bn, officials say"


def test_malformed_feed_is_bozo_but_yields_entries() -> None:
    feed = parse_fixture("bozo.xml")
    assert feed.bozo is not None and feed.error is None
    assert [e.url for e in feed.entries] == ["https://sloppy.example.com/1", "https://sloppy.example.com/2"]
    assert feed.entries[0].title == "Trade & tariffs: first item"


def test_html_descriptions_are_passed_through_as_html() -> None:
    (entry,) = parse_fixture("html-descriptions.xml").entries
    assert "<p>First paragraph" in entry.content
    assert "alert(" not in entry.content  # feedparser's sanitizer already drops scripts


def test_billion_laughs_does_not_expand() -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        feed = parse_fixture("billion-laughs.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 1.0
    assert peak < 20 * 1024 * 1024
    assert len(feed.title) < 10_000
    assert all(len(e.title) < 10_000 and len(e.content) < 10_000 for e in feed.entries)


def test_html_page_is_not_a_feed() -> None:
    feed = parse_fixture("not-a-feed.html")
    assert feed.entries == []
    assert feed.error is not None and feed.error.startswith("not a feed:")


def test_empty_and_garbage_bodies_are_not_feeds() -> None:
    assert parse_feed(b"", url="https://x.example/").error == "not a feed: empty body"
    garbage = parse_feed(
        b"\x00\xff\x10 binary junk", url="https://x.example/", content_type="application/xml"
    )
    assert garbage.entries == [] and garbage.error is not None and garbage.error.startswith("not a feed:")


def test_entry_to_raw_handles_missing_fields() -> None:
    raw = entry_to_raw({"title": "  Only a title  "}, source="https://x.example/feed", feed_title=None)
    assert raw.title == "Only a title"
    assert (raw.guid, raw.url, raw.content, raw.published, raw.source_name) == (None, None, "", None, None)
