"""The fast feed path equals feedparser (after normalization) wherever it answers, and declines the rest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.feedgen import build_feed, feed_specs
from bot.domain.models import RawEntry
from bot.ingest.fastparse import fast_parse
from bot.ingest.normalize import normalize
from bot.ingest.parse import parse_feed, parse_with_feedparser
from tests.fakes.feed_server import CONTENT_TYPES, FIXTURES

URL = "https://feeds.example.com/feed.xml"
FETCHED = datetime(2025, 7, 11, 9, 0, tzinfo=UTC)
CONTENT = "http://purl.org/rss/1.0/modules/content/"


def _rss(items: str, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (f'{decl}\n<rss version="2.0" xmlns:content="{CONTENT}"><channel><title>Edge &amp; Co</title>'
            f"<link>https://edge.example.com/</link>{items}</channel></rss>").encode()


EDGE_CASES = {
    "entities-in-title": _rss("<item><title>A &amp; B &lt;i&gt;x&lt;/i&gt; &#8212; C</title><guid>e1</guid>"
                              "<link>https://e.example.com/1</link><pubDate>Tue, 08 Jul 2025 10:00:00 EST"
                              "</pubDate><description>plain &amp; simple</description></item>"),
    "relative-link": _rss("<item><title>Rel</title><guid>e2</guid><link>/story/2?utm_source=x</link>"
                          "<pubDate>Wed, 09 Jul 2025 23:59:59 +0800</pubDate>"
                          "<description>x</description></item>"),
    "content-encoded-wins": _rss(
        "<item><title>CE</title><guid>e3</guid><link>https://e.example.com/3</link>"
        "<pubDate>Thu, 10 Jul 2025 08:00:00 GMT</pubDate><description>short</description>"
        "<content:encoded><![CDATA[<p>Full <b>text</b></p><style>p{}</style><p>Two</p>]]>"
        "</content:encoded></item>"),
    "script-in-content": _rss("<item><title>S</title><guid>e9</guid><link>https://e.example.com/9</link>"
                              "<description>&lt;p&gt;x&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>"
                              "</item>"),
    "guid-equals-link": _rss("<item><title>G</title><guid>https://e.example.com/4</guid>"
                             "<link>https://e.example.com/4</link><description>d</description></item>"),
    "no-dates-at-all": _rss("<item><title>N</title><guid>e5</guid><description>&lt;p&gt;a&lt;/p&gt;"
                            "&lt;p&gt;b&lt;/p&gt;</description></item>"),
    "cdata-html-description": _rss(
        "<item><title><![CDATA[Cdata <em>title</em>]]></title><guid>e6</guid>"
        "<pubDate>Fri, 11 Jul 2025 06:00:00 -0400</pubDate><description><![CDATA[<div><p>One &amp; two</p>"
        "<ul><li>three</li><li>four</li></ul><iframe src='x'></iframe><br/>five</div>]]>"
        "</description></item>"),
    "atom-summary-only": (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>At</title>'
        b"<id>urn:f</id><updated>2025-07-11T00:00:00Z</updated><entry><title type='html'>A &amp;lt;b&amp;gt;"
        b"</title><id>urn:e7</id><link href='https://e.example.com/7'/><published>2025-07-10T01:02:03+02:00"
        b"</published><updated>2025-07-10T05:00:00Z</updated><summary type='html'>&lt;p&gt;S1&lt;/p&gt;"
        b"&lt;p&gt;S2&lt;/p&gt;</summary></entry></feed>"),
    "atom-xhtml-content": (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>X</title>'
        b"<id>urn:f</id><updated>2025-07-11T00:00:00Z</updated><entry><title>X1</title><id>urn:e8</id>"
        b"<updated>2025-07-09T10:00:00Z</updated><content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
        b"<p>Para <b>one</b></p><p>Para two</p></div></content></entry></feed>"),
}


def _bodies() -> list[tuple[str, bytes, str | None]]:
    cases: list[tuple[str, bytes, str | None]] = [
        (path.name, path.read_bytes(), CONTENT_TYPES.get(path.name, "application/rss+xml"))
        for path in sorted(FIXTURES.iterdir())
    ]
    cases += [(f"generated-{spec.index}", build_feed(spec), None) for spec in feed_specs(6, 12)]
    cases += [(name, body, "application/rss+xml") for name, body in EDGE_CASES.items()]
    return cases


def _normalized(entry: RawEntry) -> tuple:
    item = normalize(entry, source_name="s", source_kind="outlet", fetched_at=FETCHED)
    return (item.id, item.url, item.guid, item.title, item.text, item.published, item.published_from,
            item.source_name, item.content_hash)


def _case_id(value: object) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize(("name", "body", "content_type"), _bodies(), ids=_case_id)
def test_fast_path_equals_feedparser(name: str, body: bytes, content_type: str | None) -> None:
    fast = fast_parse(body, url=URL, content_type=content_type)
    reference = parse_with_feedparser(body, url=URL, content_type=content_type)
    if fast is None:
        return  # declined: parse_feed uses feedparser, which the other parse tests cover
    assert fast.title == reference.title
    assert [_normalized(e) for e in fast.entries] == [_normalized(e) for e in reference.entries]
    # Raw fields that normalization does not rewrite are equal as parsed.
    for mine, theirs in zip(fast.entries, reference.entries, strict=True):
        assert (mine.guid, mine.url, mine.published, mine.source_name) == (
            theirs.guid, theirs.url, theirs.published, theirs.source_name)


def test_fast_path_takes_plain_feeds_and_declines_odd_ones() -> None:
    taken = {name for name, body, ctype in _bodies() if fast_parse(body, url=URL, content_type=ctype)}
    assert {"atom.xml", "generated-0", "generated-2", "entities-in-title", "content-encoded-wins",
            "atom-summary-only"} <= taken
    for declined in ("html-descriptions.xml", "script-in-content", "billion-laughs.xml", "bozo.xml",
                     "gb2312.xml", "iso-8859-1.xml", "wrong-charset.xml",
                     "not-a-feed.html"):
        assert declined not in taken, declined


def test_declines_other_http_charset_and_missing_guid_ambiguity() -> None:
    plain = EDGE_CASES["entities-in-title"]
    assert fast_parse(plain, url=URL, content_type="application/rss+xml; charset=iso-8859-1") is None
    no_guid = _rss("<item><title>T</title><link>https://e.example.com/9</link><description>d</description>"
                   "</item><item><title>U</title><guid>https://e.example.com/10</guid>"
                   "<link>https://e.example.com/10</link></item>")
    assert fast_parse(no_guid, url=URL) is None
    assert parse_feed(no_guid, url=URL).entries[0].guid is None  # the reference path answered


def test_parse_feed_uses_the_fast_path_result() -> None:
    body = build_feed(feed_specs(1, 5)[0])
    assert parse_feed(body, url=URL).entries == fast_parse(body, url=URL).entries  # type: ignore[union-attr]
