from __future__ import annotations

import asyncio
import codecs
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest.seeds import SeedError, SeedWatcher, read_seed_file, scan_seeds, sniff_text, title_from_text

NOW = datetime(2025, 7, 20, 9, 0, tzinfo=UTC)
MTIME = datetime(2025, 7, 18, 6, 30, tzinfo=UTC)


def write(root: Path, name: str, content: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


def read(root: Path, name: str, content: str | bytes):
    return read_seed_file(write(root, name, content), root=root, now=NOW)


def test_front_matter_sets_title_date_source_and_url(tmp_path: Path) -> None:
    entry = read(
        tmp_path,
        "trade/truce.md",
        "---\ntitle: Tariff truce extended\npublished: 2025-07-11T08:00:00+08:00\nsource: Reuters\n"
        "url: https://www.example.com/truce\n---\n# Another heading\n\nBody text.\n",
    )
    assert entry.title == "Tariff truce extended"
    assert entry.published == datetime(2025, 7, 11, 0, 0, tzinfo=UTC)
    assert entry.published_from == "front_matter"
    assert entry.source_name == "Reuters" and entry.url == "https://www.example.com/truce"
    assert entry.guid == "seed:trade/truce.md" and entry.path == "trade/truce.md"
    assert entry.source == "seeds"
    assert entry.content.startswith("# Another heading")


def test_front_matter_date_only_means_noon_utc(tmp_path: Path) -> None:
    entry = read(tmp_path, "a.md", "---\npublished: 2025-07-11\n---\nText.\n")
    assert entry.published == datetime(2025, 7, 11, 12, 0, tzinfo=UTC)


def test_front_matter_naive_datetime_is_utc(tmp_path: Path) -> None:
    entry = read(tmp_path, "a.md", "---\npublished: '2025-07-11 15:45'\n---\nText.\n")
    assert entry.published == datetime(2025, 7, 11, 15, 45, tzinfo=UTC)


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    entry = read(tmp_path, "a.md", "\n\n# Chip export rule tightened\n\nThe rule covers more parts.\n")
    assert entry.title == "Chip export rule tightened"


def test_html_title_and_h1(tmp_path: Path) -> None:
    with_title = read(
        tmp_path,
        "a.html",
        "<html><head><title>Page title</title></head><body><h1>H1</h1><p>x</p></body></html>",
    )
    only_h1 = read(tmp_path, "b.htm", "<body><h1>Heading  one</h1><p>Body</p></body>")
    assert with_title.title == "Page title" and only_h1.title == "Heading one"
    assert "<p>" in with_title.content  # HTML is kept; normalize turns it into text


def test_dateline_first_line_is_not_the_title(tmp_path: Path) -> None:
    entry = read(
        tmp_path,
        "kl.txt",
        "Kuala Lumpur —\n"
        "The United States and China agreed to extend their tariff truce. Talks resume in August.\n",
    )
    assert entry.title == "The United States and China agreed to extend their tariff truce."


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "KUALA LUMPUR — Officials met on Friday to discuss rare earths. More followed.",
            "Officials met on Friday to discuss rare earths.",
        ),
        (
            "July 11, 2025\nBy Jane Doe\nBeijing responds to new port fees\n",
            "Beijing responds to new port fees",
        ),
        ("U.S. Treasury sanctions three refiners", "U.S. Treasury sanctions three refiners"),
        # the one sentence splitter: "U.S." inside a sentence ends nothing, and a wire's dateline is no title
        (
            "The U.S. will lower tariffs on imports from China to 10%, effective immediately, U.S. President "
            "Donald Trump told reporters. The fees are suspended.",
            "The U.S. will lower tariffs on imports from China to 10%, effective immediately, U.S. President "
            "Donald Trump told reporters.",
        ),
        (
            "WASHINGTON, October 30. /TASS/. U.S. President Donald Trump and Chinese President Xi Jinping met.",
            "U.S. President Donald Trump and Chinese President Xi Jinping met.",
        ),
        ("US-China Trade Truce Extended To November 10", "US-China Trade Truce Extended To November 10"),
        ("", ""),
    ],
)
def test_title_from_text(text: str, title: str) -> None:
    assert title_from_text(text) == title


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ("Washington, July 11, 2025 — Officials said.", datetime(2025, 7, 11, 12, tzinfo=UTC)),
        ("Posted 2025-07-09\nText", datetime(2025, 7, 9, 12, tzinfo=UTC)),
        ("11 July 2025\nText", datetime(2025, 7, 11, 12, tzinfo=UTC)),
        ("Sept. 3, 2024: text", datetime(2024, 9, 3, 12, tzinfo=UTC)),
    ],
)
def test_date_stated_in_the_text(tmp_path: Path, top: str, expected: datetime) -> None:
    entry = read(tmp_path, "a.txt", f"Headline here\n{top}\n")
    assert (entry.published, entry.published_from) == (expected, "text")


def test_date_deep_in_the_text_or_in_the_future_falls_back_to_mtime(tmp_path: Path) -> None:
    deep = read(tmp_path, "deep.txt", "Headline\n" + "filler words " * 60 + "\nJuly 1, 2025\n")
    future = read(tmp_path, "future.txt", "Headline\nComments are due August 15, 2025.\n")
    assert (deep.published, deep.published_from) == (MTIME, "mtime")
    assert (future.published, future.published_from) == (MTIME, "mtime")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", "  \n\n", "empty.txt: empty file"),
        ("nul.txt", b"abc\x00def", "nul.txt: binary file (contains NUL bytes)"),
        ("ctl.txt", bytes(range(1, 9)) * 20, "ctl.txt: binary file (mostly control characters)"),
        ("latin.txt", "café".encode("latin-1"), "latin.txt: not UTF-8 text"),
        ("bad.md", "---\ntitle: [unclosed\n---\nBody\n", "bad.md: invalid front matter YAML"),
        ("list.md", "---\n- a\n- b\n---\nBody\n", "list.md: front matter must be a mapping"),
        (
            "date.md",
            "---\npublished: next tuesday\n---\nBody\n",
            "date.md: front matter 'published' is not a date",
        ),
        ("only.md", "---\ntitle: x\n---\n\n", "only.md: no text after the front matter"),
        ("x.pdf", "%PDF", "x.pdf: unsupported file type .pdf"),
    ],
)
def test_bad_files_raise_one_line_seed_errors(
    tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    with pytest.raises(SeedError) as caught:
        read(tmp_path, name, content)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_sniff_text_handles_boms_and_declared_charsets() -> None:
    assert sniff_text(codecs.BOM_UTF8 + "héllo".encode()) == "héllo"
    assert sniff_text(codecs.BOM_UTF16_LE + "中美".encode("utf-16-le")) == "中美"
    assert sniff_text(codecs.BOM_UTF16_BE + "中美".encode("utf-16-be")) == "中美"
    html = '<html><head><meta charset="gb2312"><title>中美</title></head></html>'
    assert sniff_text(html.encode("gb2312")) == html
    legacy = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>“quoted”</p>'
    assert sniff_text(legacy.encode("cp1252")) == legacy
    with pytest.raises(SeedError, match="unknown charset"):
        sniff_text(b'<meta charset="klingon"><p>\xff</p>')


def test_utf16_html_file_with_bom(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + "<title>关税</title><p>正文</p>".encode("utf-16-le")
    assert read(tmp_path, "cn.html", data).title == "关税"


def test_guid_is_stable_when_the_file_changes(tmp_path: Path) -> None:
    first = read(tmp_path, "story.md", "# Version one\nText.\n")
    second = read(tmp_path, "story.md", "# Version two\nMore text.\n")
    assert first.guid == second.guid == "seed:story.md"
    assert first.title != second.title


def test_scan_ignores_hidden_and_unsupported_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "A")
    write(tmp_path, "sub/b.html", "<p>B</p>")
    write(tmp_path, ".hidden.md", "H")
    write(tmp_path, ".git/c.txt", "C")
    write(tmp_path, "image.png", b"\x89PNG")
    write(tmp_path, "notes.TXT", "upper-case suffix")
    found = scan_seeds(tmp_path)
    assert sorted(found) == ["a.md", "notes.TXT", "sub/b.html"]
    assert found["a.md"] == (MTIME.timestamp(), 1)
    assert scan_seeds(tmp_path / "missing") == {}


def test_watcher_reports_new_and_changed_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "A")
    watcher = SeedWatcher(tmp_path, interval_s=0.01)
    assert watcher.poll_once() == [tmp_path / "a.md"]
    assert watcher.poll_once() == []
    write(tmp_path, "b.txt", "B")
    path_a = write(tmp_path, "a.md", "A changed")  # same mtime, new size
    assert sorted(watcher.poll_once()) == [path_a, tmp_path / "b.txt"]
    os.utime(path_a, (MTIME.timestamp() + 60, MTIME.timestamp() + 60))  # touched: same size, new mtime
    assert watcher.poll_once() == [path_a]
    (tmp_path / "b.txt").unlink()
    assert watcher.poll_once() == [] and watcher.removed == ["b.txt"]


async def test_watcher_changes_yields_batches(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "A")
    watcher = SeedWatcher(tmp_path, interval_s=0.01)
    stream = watcher.changes()
    assert await asyncio.wait_for(anext(stream), 1) == [tmp_path / "a.md"]
    write(tmp_path, "b.md", "B")
    assert await asyncio.wait_for(anext(stream), 1) == [tmp_path / "b.md"]
    await stream.aclose()
