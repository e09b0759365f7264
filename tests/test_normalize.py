from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.models import RawEntry
from bot.ingest.normalize import (
    canonical_url,
    clean_text,
    content_hash,
    html_to_text,
    item_id,
    normalize,
    sanitize_for_chat,
)
from bot.ingest.parse import parse_feed
from tests.fakes.feed_server import FIXTURES

ZWJ = "\u200d"
FETCHED = datetime(2025, 7, 12, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a/b?z=1&a=2#top", "https://example.com/a/b?a=2&z=1"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        (
            "https://n.example.com/s?utm_source=rss&utm_medium=x&fbclid=1&gclid=2&mc_cid=3&mc_eid=4&id=9",
            "https://n.example.com/s?id=9",
        ),
        (
            "https://n.example.com/s?xtor=RSS-1&ref=tw&cmpid=a&ocid=b&sr_share=c&smid=d&at_medium=e",
            "https://n.example.com/s",
        ),
        ("https://n.example.com/s?q=a%20b&empty=", "https://n.example.com/s?empty=&q=a+b"),
        ("https://n.example.com/Case/Path", "https://n.example.com/Case/Path"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_of_nothing_is_none() -> None:
    assert canonical_url(None) is None and canonical_url("  ") is None


def test_html_to_text_keeps_paragraphs_and_drops_code() -> None:
    markup = (
        "<h2>Heading</h2><p>First &amp; <b>bold</b>&nbsp;text.</p><script>var x = 1;</script>"
        "<style>p{}</style><iframe src='x'>frame</iframe>"
        "<p>Line one<br>line two</p><ul><li>a</li><li>b</li></ul>"
    )
    assert html_to_text(markup) == "Heading\n\nFirst & bold text.\n\nLine one\nline two\n\na\n\nb"


def test_html_to_text_drops_picture_captions() -> None:
    markup = ('<figure><img src="a.jpg" alt="photo"/><figcaption>File photo. Reuters</figcaption></figure>'
              "<p>Washington and Beijing extended the truce.</p>")
    assert html_to_text(markup) == "Washington and Beijing extended the truce."


def test_html_to_text_removes_invisible_and_control_characters() -> None:
    assert html_to_text("<p>Zero\u200bwidth\u202e and\x07 bell\ufeff</p>") == "Zerowidth and bell"


def test_html_to_text_of_plain_text_decodes_entities() -> None:
    assert html_to_text("AT&amp;T   and\n\n\nmore") == "AT&T and\n\nmore"
    assert html_to_text("") == ""


def test_clean_text_collapses_whitespace_inside_lines() -> None:
    assert clean_text("  a \t b  \r\n\r\n\r\n c ") == "a b\n\nc"


@pytest.mark.parametrize(
    ("text", "neutralized"),
    [
        ("ping @everyone now", f"ping @{ZWJ}everyone now"),
        ("@here", f"@{ZWJ}here"),
        ("@Channel", f"@{ZWJ}Channel"),
        ("<!channel>", f"<{ZWJ}!channel>"),
        ("<!here>", f"<{ZWJ}!here>"),
        ("<@U123ABC>", f"<{ZWJ}@U123ABC>"),
        ("<#C0123|general>", f"<{ZWJ}#C0123|general>"),
        ("<@&987654321>", f"<{ZWJ}@&987654321>"),
        ("<@!12345>", f"<{ZWJ}@!12345>"),
        ("<http://evil.example|Official notice>", "Official notice (http://evil.example)"),
        ("[click here](http://evil.example)", f"[click here]{ZWJ}(http://evil.example)"),
    ],
)
def test_sanitize_for_chat(text: str, neutralized: str) -> None:
    assert sanitize_for_chat(text) == neutralized


def test_sanitize_for_chat_leaves_ordinary_text_alone() -> None:
    text = "Email press@state.gov about tariffs > 25% (see [1])."
    assert sanitize_for_chat(text) == text


def test_content_hash_ignores_case_and_whitespace() -> None:
    assert content_hash("Tariffs  Rise", "Some\ntext") == content_hash("tariffs rise", "some   TEXT")
    assert content_hash("Tariffs rise", "a") != content_hash("Tariffs fall", "a")
    assert len(content_hash("a", "b")) == 64


def test_item_id_is_stable_and_source_scoped() -> None:
    assert item_id("s1", "k") == item_id("s1", "k")
    assert item_id("s1", "k") != item_id("s2", "k")
    assert len(item_id("s1", "k")) == 16


def raw(**overrides) -> RawEntry:
    fields = {
        "source": "https://wire.example.com/rss",
        "guid": None,
        "url": None,
        "title": "Title",
        "content": "<p>Body</p>",
        "published": None,
        "published_from": "feed",
    }
    return RawEntry(**(fields | overrides))


def test_normalize_converts_dates_to_utc() -> None:
    tz = timezone(timedelta(hours=8))
    item = normalize(
        raw(published=datetime(2025, 7, 11, 8, 0, tzinfo=tz)),
        source_name="W",
        source_kind="wire",
        fetched_at=FETCHED,
    )
    assert item.published == datetime(2025, 7, 11, 0, 0, tzinfo=UTC) and item.published_from == "feed"


def test_normalize_falls_back_to_fetched_at() -> None:
    item = normalize(raw(), source_name="W", source_kind="wire", fetched_at=FETCHED)
    assert item.published == FETCHED and item.published_from == "fetched"


def test_normalize_id_prefers_guid_then_url_then_path_then_hash() -> None:
    def make(entry: RawEntry) -> str:
        return normalize(entry, source_name="W", source_kind="wire", fetched_at=FETCHED).id

    source = "https://wire.example.com/rss"
    assert make(raw(guid="g1", url="https://a.example/x")) == item_id(source, "g1")
    assert make(raw(url="https://a.example/x?utm_source=1")) == item_id(source, "https://a.example/x")
    assert make(raw(path="a/b.md")) == item_id(source, "path:a/b.md")
    assert make(raw()) == item_id(source, "hash:" + content_hash("Title", "Body"))


def test_normalize_feed_fixture_end_to_end() -> None:
    feed = parse_feed((FIXTURES / "html-descriptions.xml").read_bytes(), url="https://markup.example.com/rss")
    (entry,) = feed.entries
    item = normalize(entry, source_name="fallback", source_kind="outlet", fetched_at=FETCHED)
    assert item.title == "Chip & tariff roundup"  # feedparser hands titles over HTML-escaped
    assert item.text.startswith("First paragraph about AT&T and Huawei.\n\nSecond paragraph")
    assert "alert" not in item.text and "ads.example.com" not in item.text
    assert item.url == "https://markup.example.com/roundup"
    assert item.source_name == "Markup Daily" and item.source_kind == "outlet"
    assert f"@{ZWJ}everyone" in sanitize_for_chat(item.text)
    assert f"<{ZWJ}!here>" in sanitize_for_chat(item.text)


def test_normalize_gives_untitled_entries_a_title() -> None:
    item = normalize(raw(title="  "), source_name="W", source_kind="wire", fetched_at=FETCHED)
    assert item.title == "(untitled)"
