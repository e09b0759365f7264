"""The command line's tools, through the real `uschina` entry point: OPML import and export, `--json`,
the ingest progress bar on a terminal, help with examples, titles cut to the terminal and `--version`."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app.cli import main
from tests.e2e.conftest import run_cli, seeds_folder
from tests.fakes.feed_server import FeedServer

ROOT = Path(__file__).parents[2]
OPML = ROOT / "tests" / "fixtures" / "opml"
SUBCOMMANDS = ["run", "ingest", "analyze", "summary", "deadlines", "sources", "digest"]


@pytest.fixture
def db(cli_db: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("USCHINA_SEEDS", str(cli_db.parent / "no-seeds"))
    monkeypatch.delenv("COLUMNS", raising=False)
    return str(cli_db)


def listed(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, object]]:
    code, out, _ = run_cli(capsys, "sources", "list", "--json", "--db", db)
    assert code == 0
    rows: list[dict[str, object]] = json.loads(out)
    return rows


# OPML

@pytest.mark.parametrize("name, expected", [
    ("feedly.opml", ["Reuters China", "SCMP & China", "USTR Press Releases"]),
    ("inoreader.opml", ["Commerce BIS", "Tariff Tracker", "Xinhua English"]),
    ("netnewswire.opml", ["Sinocism", "China Digital Times", "Nikkei Asia — China"]),
])
def test_import_adds_every_feed_of_a_readers_export(name: str, expected: list[str], db: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "sources", "import", str(OPML / name), "--db", db)
    assert code == 0 and err == "", err
    assert out.startswith(f"imported {len(expected)} of {len(expected)} feeds")
    assert [row["name"] for row in listed(capsys, db)] == expected


def test_import_reports_duplicates_and_bad_urls_one_line_each_and_adds_the_rest(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "sources", "import", str(OPML / "feedly.opml"), "--db", db)[0] == 0
    code, out, err = run_cli(capsys, "sources", "import", str(OPML / "miniflux.opml"), "--db", db)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert lines[0].startswith("skipped ftp://files.example.com/feed.xml: refused: only http and https")
    assert lines[1].startswith("skipped https://***@private.example.com/feed: refused") and "secret" not in err
    assert lines[2] == "skipped https://feeds.example.com/reuters/china.xml: already watching it"
    assert out.strip() == f"imported 2 of 5 feeds from {OPML / 'miniflux.opml'}; 1 already watched; 2 refused"
    names = [row["name"] for row in listed(capsys, db)]
    assert names[-2:] == ["Foreign Ministry Spokesperson", "State Department Briefings"] and len(names) == 5


def test_a_hostile_opml_is_one_line_and_adds_nothing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("billion-laughs.opml", "external-entity.opml"):
        code, out, err = run_cli(capsys, "sources", "import", str(OPML / name), "--db", db)
        assert code == 1 and out == ""
        assert err.startswith("uschina: ") and "refused: the file declares a DTD" in err and err.count("\n") == 1
    assert listed(capsys, db) == []


def test_import_without_a_file_is_a_usage_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "sources", "import", "--db", db)
    assert code == 2 and err == "uschina: sources import needs an OPML file\n"
    code, _, err = run_cli(capsys, "sources", "import", str(OPML / "missing.opml"), "--db", db)
    assert code == 1 and err.startswith("uschina: cannot read") and err.count("\n") == 1


def test_export_then_import_into_a_fresh_database_gives_the_same_sources(
        tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "sources", "import", str(OPML / "inoreader.opml"), "--db", db)
    run_cli(capsys, "sources", "add", "https://wire.example.com/feed", "--name", "A wire", "--kind", "wire", "--db", db)
    code, document, _ = run_cli(capsys, "sources", "export", "--db", db)
    assert code == 0 and document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    exported = tmp_path / "out.opml"
    code, out, _ = run_cli(capsys, "sources", "export", "--output", str(exported), "--db", db)
    assert code == 0 and out == f"wrote 4 sources to {exported}\n"

    fresh = str(tmp_path / "fresh.db")
    code, out, err = run_cli(capsys, "sources", "import", str(exported), "--db", fresh)
    assert code == 0 and err == "" and out.startswith("imported 4 of 4 feeds")

    def same(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return [(row["url"], row["name"], row["kind"]) for row in rows]

    assert same(listed(capsys, fresh)) == same(listed(capsys, db))
    assert ("https://wire.example.com/feed", "A wire", "wire") in same(listed(capsys, fresh))


# --json

def test_sources_list_as_json(db: str, threaded_feeds: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    url = threaded_feeds.url("/feeds/outlet-a-truce.xml")
    run_cli(capsys, "sources", "add", url, "--name", "Harbor Wire", "--db", db)
    (row,) = listed(capsys, db)
    assert row["url"] == url and row["name"] == "Harbor Wire" and row["kind"] == "outlet"
    assert row["enabled"] is True and row["health"] == "not fetched yet" and row["fail_count"] == 0


def test_ingest_report_as_json(db: str, threaded_feeds: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    urls = [threaded_feeds.url("/feeds/outlet-a-truce.xml"), threaded_feeds.url("/status/404")]
    code, out, err = run_cli(capsys, "ingest", "--feed", urls[0], "--feed", urls[1], "--json", "--db", db)
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["feeds"] == 2 and report["feed_errors"] == 1 and report["new_items"] >= 1
    assert len(report["errors"]) == 1 and "404" in report["errors"][0]
    assert {"relevant", "new_stories", "deadline_changes", "warnings"} <= set(report)


def test_digest_dry_run_as_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "ingest", "--seeds", str(ROOT / "seeds"), "--db", db)  # the sample the README runs on
    time.sleep(1.1)  # a digest covers news seen before its second (timestamps are whole seconds)
    code, out, _ = run_cli(capsys, "digest", "--dry-run", "--since", "3650d", "--json", "--db", db)
    digest = json.loads(out)
    assert code == 0 and digest["title"] and digest["text"]
    assert digest["stories"] and "Wang Yi" in digest["stories"][0]["summary"]
    assert {"what", "start", "end", "status", "evidence"} <= set(digest["deadlines"][0])
    code, _, err = run_cli(capsys, "digest", "--send", "--json", "--db", db)
    assert code == 2 and err == "uschina: --json goes with --dry-run\n"


# Help, width, version

@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_help_has_a_description_and_an_example(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 6, out
    assert "\nexamples:\n  uschina " + command in out


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"uschina {importlib.metadata.version('uschina')}\n"


def test_titles_are_cut_to_the_terminal_width(tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "ingest", "--seeds", str(seeds_folder(tmp_path)), "--db", db)
    long_name = "A very long source name that goes on and on " * 3
    run_cli(capsys, "sources", "add", "https://long.example.com/feed", "--name", long_name, "--db", db)
    whole = run_cli(capsys, "summary", "--since", "3650d", "--db", db)[1]
    title = next(line for line in whole.splitlines() if line.startswith("* "))
    assert len(title) > 40 and long_name.strip() in run_cli(capsys, "sources", "list", "--db", db)[1]  # a pipe: whole

    monkeypatch.setenv("COLUMNS", "40")
    cut = run_cli(capsys, "summary", "--since", "3650d", "--db", db)[1]
    assert title[:39].rstrip() + "…" in cut.splitlines()
    line = run_cli(capsys, "sources", "list", "--db", db)[1].splitlines()[0]
    assert line.startswith("A very long…") and line.endswith("https://long.example.com/feed: not fetched yet")


# The progress bar, through a process on a real terminal

def ingest_process(tmp_path: Path, urls: list[str], *, stderr_terminal: bool) -> tuple[int, str, str]:
    (tmp_path / "proc.toml").write_text("sources = []\n", encoding="utf-8")
    env = {**os.environ, "USCHINA_CONFIG": str(tmp_path / "proc.toml"), "USCHINA_ANALYSIS_WORKERS": "0",
           "USCHINA_ALLOW_PRIVATE_FEEDS": "1", "USCHINA_SEEDS": str(tmp_path / "none"), "COLUMNS": "100"}
    args = [sys.executable, "-m", "bot", "--log-level", "warning", "ingest", "--db", str(tmp_path / "p.db")]
    args += [part for url in urls for part in ("--feed", url)]
    if not stderr_terminal:
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout, done.stderr
    leader, follower = os.openpty()
    try:
        done = subprocess.run(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=follower, text=True,
                              timeout=60)
        os.close(follower)
        return done.returncode, done.stdout, _drain(leader)
    finally:
        os.close(leader)


def _drain(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_ingest_draws_a_progress_bar_on_a_terminal_only(tmp_path: Path, threaded_feeds: FeedServer) -> None:
    urls = [threaded_feeds.url("/feeds/outlet-a-truce.xml"), threaded_feeds.url("/feeds/outlet-b-truce.xml"),
            threaded_feeds.url("/status/404")]
    code, out, terminal = ingest_process(tmp_path, urls, stderr_terminal=True)
    assert code == 0, terminal
    assert "fetching feeds" in terminal and "3/3" in terminal
    assert "feeds: 3 checked" in out and "fetching" not in out

    code, out, piped = ingest_process(tmp_path, urls, stderr_terminal=False)
    assert code == 0 and "fetching feeds" not in piped and "3/3" not in piped
    assert piped.startswith("error: ") and "\x1b" not in piped
