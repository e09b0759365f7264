"""OPML reading and writing on the shapes common readers export, and on hostile files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest.opml import OpmlError, OpmlFeed, read_opml, write_opml

FIXTURES = Path(__file__).parent / "fixtures" / "opml"


def feeds(name: str) -> list[OpmlFeed]:
    return read_opml((FIXTURES / name).read_bytes())


def test_feedly_folders_and_escaped_titles() -> None:
    found = feeds("feedly.opml")
    assert [f.name for f in found] == ["Reuters China", "SCMP & China", "USTR Press Releases"]
    assert found[0].url == "https://feeds.example.com/reuters/china.xml" and found[0].kind is None


def test_inoreader_nested_folders_and_a_feed_at_the_top() -> None:
    assert [f.name for f in feeds("inoreader.opml")] == ["Commerce BIS", "Tariff Tracker", "Xinhua English"]


def test_netnewswire_text_only_folders_and_unicode_titles() -> None:
    names = [f.name for f in feeds("netnewswire.opml")]
    assert names == ["Sinocism", "China Digital Times", "Nikkei Asia — China"]


def test_miniflux_keeps_every_feed_outline_for_the_importer_to_judge() -> None:
    urls = [f.url for f in feeds("miniflux.opml")]
    assert len(urls) == 5 and "ftp://files.example.com/feed.xml" in urls


@pytest.mark.parametrize("name", ["billion-laughs.opml", "external-entity.opml"])
def test_a_dtd_with_entities_is_refused_without_expanding_them(name: str) -> None:
    with pytest.raises(OpmlError, match="refused: the file declares a DTD"):
        feeds(name)


@pytest.mark.parametrize("data, reason", [
    (b"<opml><body><outline", "not well-formed XML"),
    (b"<rss version='2.0'><channel/></rss>", "not OPML: the root element is <rss>"),
    (b"<opml version='2.0'><head/></opml>", "not OPML: no <body>"),
])
def test_what_is_not_opml_says_why(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason):
        read_opml(data)


def test_written_opml_reads_back_with_kinds_and_escaping() -> None:
    written = [OpmlFeed("https://a.example.com/feed?x=1&y=2", 'Wire "A" <b>', "wire"),
               OpmlFeed("https://b.example.com/rss", "B", "official")]
    document = write_opml(written, title="t", now=datetime(2025, 7, 14, 8, tzinfo=UTC))
    assert 'version="2.0"' in document and "<dateCreated>Mon, 14 Jul 2025 08:00:00 +0000</dateCreated>" in document
    assert read_opml(document.encode()) == written
