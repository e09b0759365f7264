"""The seeds folder under hostile files: memory bounded before reading, front matter bounded and without
alias expansion, titles capped, one bad file never stopping the others, no symlinks out of the folder, and
GB-encoded Chinese decoded instead of refused or garbled."""

from __future__ import annotations

import os
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.analysis.summarize import ExtractiveSummarizer
from bot.ingest.seeds import SeedError, read_seed_file, scan_seeds
from bot.pipeline.analyze import Analyzer
from bot.pipeline.cycle import CycleReport, Ingestor
from storage import Store
from storage.queries import items as item_q
from tests.conftest import FakeClock

NOW = datetime(2025, 7, 20, 9, 0, tzinfo=UTC)
MAX_TITLE_CHARS = 300
CHINESE = "美国和中国就关税休战达成协议。财政部长贝森特表示，谈判将在吉隆坡继续进行。"
GOOD = "---\ntitle: Tariff truce extended\npublished: 2025-07-11\n---\nThe US and China extended the truce.\n"


def alias_bomb(levels: int) -> str:
    """Front matter whose last key expands to 9**levels strings (levels=8 is the 450-byte original)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("title: [" + ",".join([f"*a{levels - 1}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\nThe US and China met in Geneva.\n"


def read(path: Path, root: Path) -> str:
    return read_seed_file(path, root=root, now=NOW).title


def test_a_file_over_the_cap_is_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MB on paper, nothing on disk
    tracemalloc.start()
    try:
        with pytest.raises(SeedError, match="larger than 5120 KB"):
            read(big, tmp_path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # the old code read all 64 MB first


def test_front_matter_aliases_are_refused_not_expanded(tmp_path: Path) -> None:
    small = tmp_path / "small-bomb.md"
    small.write_text(alias_bomb(4), encoding="utf-8")  # 6,561 strings: harmless, still refused
    with pytest.raises(SeedError, match="anchors and aliases"):
        read(small, tmp_path)
    original = tmp_path / "billion-laughs.md"
    original.write_text(alias_bomb(8), encoding="utf-8")
    assert len(original.read_bytes()) < 600
    tracemalloc.start()
    try:
        with pytest.raises(SeedError, match="anchors and aliases"):
            read(original, tmp_path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


def test_front_matter_is_bounded_and_deep_nesting_is_an_error(tmp_path: Path) -> None:
    large = tmp_path / "large.md"
    large.write_text("---\n" + "".join(f"k{i}: {'v' * 60}\n" for i in range(400)) + "---\nText.\n",
                     encoding="utf-8")
    with pytest.raises(SeedError, match="front matter larger than 16 KB"):
        read(large, tmp_path)
    deep = tmp_path / "deep.md"
    deep.write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nText.\n", encoding="utf-8")
    with pytest.raises(SeedError, match="invalid front matter YAML"):
        read(deep, tmp_path)


def test_titles_are_capped(tmp_path: Path) -> None:
    long = tmp_path / "long.md"
    long.write_text("---\ntitle: " + "tariff " * 2000 + "\n---\nText.\n", encoding="utf-8")
    title = read(long, tmp_path)
    assert len(title) <= MAX_TITLE_CHARS + 1 and title.endswith("…")
    html = tmp_path / "long.html"
    html.write_text("<html><head><title>" + "x" * 100_000 + "</title></head><body><p>Text.</p></body></html>",
                    encoding="utf-8")
    assert len(read(html, tmp_path)) <= MAX_TITLE_CHARS + 1


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    seeds, outside = tmp_path / "seeds", tmp_path / "outside"
    seeds.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("The US and China: a private note.\n", encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "inner.txt").write_text("The US and China: another.\n", encoding="utf-8")
    (seeds / "inside.md").write_text(GOOD, encoding="utf-8")
    (seeds / "alias.md").symlink_to(seeds / "inside.md")  # a link within the folder is fine
    (seeds / "secret.txt").symlink_to(outside / "secret.txt")
    (seeds / "linked").symlink_to(outside / "folder", target_is_directory=True)
    (seeds / "loop").symlink_to(seeds, target_is_directory=True)
    assert sorted(scan_seeds(seeds)) == ["alias.md", "inside.md"]
    with pytest.raises(SeedError, match="outside the seeds folder"):
        read(seeds / "secret.txt", seeds)


GB_FILES = {
    "plain.txt": CHINESE.encode("gbk"),
    "labelled-utf8.html": f'<html><head><meta charset="utf-8"></head><body><p>{CHINESE}</p></body></html>'
    .encode("gbk"),
    "front-matter.md": f"---\ntitle: 中美贸易\n---\n{CHINESE}\n".encode("gb2312"),
    "gbk-beyond-gb2312.html": f'<html><head><meta charset="gb2312"></head><body><p>{CHINESE}镕</p></body>'
    "</html>".encode("gbk"),
}


@pytest.mark.parametrize("name", sorted(GB_FILES))
def test_gb_encoded_chinese_is_decoded(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(GB_FILES[name])
    entry = read_seed_file(path, root=tmp_path, now=NOW)
    assert CHINESE in entry.content
    assert "Ã" not in entry.title and "\ufffd" not in entry.content


def test_latin_text_that_is_not_utf8_is_still_refused_not_read_as_chinese(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Björn Müller met Chinese officials in Genève for talks on tariffs.".encode("cp1252"))
    with pytest.raises(SeedError, match="not UTF-8"):
        read(path, tmp_path)


async def test_one_bad_file_never_blocks_the_others(tmp_path: Path, store: Store, clock: FakeClock) -> None:
    files: dict[str, str | bytes] = {
        "a-bomb.md": alias_bomb(5),
        "b-deep.md": "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nText.\n",
        "c-good.md": GOOD,
        "d-binary.txt": os.urandom(2048).replace(b"\x00", b"\x01") + b"\x00",
    }
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, content in files.items():
        path = seeds / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    summarizer = ExtractiveSummarizer()
    ingestor = Ingestor(store=store, analyzer=Analyzer(), summarizer=summarizer, clock=clock)
    report = CycleReport()
    await ingestor.ingest_files(seeds, sorted(seeds.iterdir()), report)
    assert (report.files, report.file_errors, report.new_items) == (4, 3, 1)
    assert (await store.run(item_q.count_items))["items"] == 1
