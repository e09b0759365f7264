"""The `uschina` command line end to end: seeds, feeds over real HTTP, summary and deadlines as JSON."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.conftest import seeds_folder
from tests.fakes.feed_server import FeedServer


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    """The fixture feed server on its own event loop thread, so the CLI can run its own loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(FeedServer().start(), loop).result(10)
    yield server
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    monkeypatch.setenv("USCHINA_CONFIG", str(config))
    monkeypatch.setenv("USCHINA_ALLOW_PRIVATE_FEEDS", "1")
    monkeypatch.delenv("USCHINA_DB", raising=False)
    return tmp_path / "cli.db"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_article_to_summary_and_deadlines(tmp_path: Path, env: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = seeds_folder(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    code, out, err = run(capsys, "ingest", "--seeds", str(folder), "--db", str(env))
    assert code == 0, err
    assert "1 new" in out and "2 skipped" in out
    assert err.count("error:") == 2 and "empty" in err

    code, out, _ = run(capsys, "summary", "--since", "3650d", "--json", "--db", str(env))  # a 2025 article
    stories = json.loads(out)
    summary = stories[0]["summary"]
    assert len(stories) == 1 and "Wang Yi" in summary and "Kuala Lumpur" in summary
    assert "summit" in summary and "Trump" in summary and "Xi" in summary
    assert len(summary) <= 500

    code, out, _ = run(capsys, "deadlines", "--as-of", "2025-07-11", "--json", "--db", str(env))
    deadlines = json.loads(out)
    assert {"what", "start", "end", "granularity", "status", "confidence", "evidence", "sources"} <= set(deadlines[0])
    talks = [d for d in deadlines if d["start"] and "2025-08-01" <= d["start"] <= d["end"] <= "2025-08-15"]
    assert talks and talks[0]["granularity"] == "range"
    summit = [d for d in deadlines if d["granularity"] == "unknown" and d["start"] is None]
    assert summit and any(word in summit[0]["what"].lower() for word in ("summit", "meeting"))
    truce = [d for d in deadlines if "truce" in d["what"] or "reprieve" in d["what"]]
    assert truce and truce[0]["start"] == "2025-08-12" and truce[0]["confidence"] < 0.9
    assert all(d["start"] is None or d["start"] >= "2025-07-11" for d in deadlines)

    code, out, _ = run(capsys, "deadlines", "--as-of", "2025-07-11", "--ics", "--db", str(env))
    assert out.startswith("BEGIN:VCALENDAR") and "DTSTART;VALUE=DATE:20250801" in out


def test_two_outlets_one_story_and_a_second_pass_is_304(env: Path, feeds: FeedServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    urls = [feeds.url("/feeds/outlet-a-truce.xml"), feeds.url("/feeds/outlet-b-truce.xml")]
    args = ["ingest", "--feed", urls[0], "--feed", urls[1], "--db", str(env)]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "3 new" in out and "2 relevant, 1 new stories" in out

    code, out, _ = run(capsys, "summary", "--since", "3650d", "--json", "--db", str(env))
    stories = json.loads(out)
    assert len(stories) == 1
    assert {s["name"] for s in stories[0]["sources"]} == {"Harbor Wire", "Pacific Ledger"}
    assert "utm_source" not in json.dumps(stories)

    code, out, _ = run(capsys, *args)
    assert "2 unchanged (304)" in out and "0 new" in out


def test_a_feed_without_validators_sending_the_same_body_is_not_parsed_again(
        env: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["ingest", "--feed", feeds.url("/gzip/outlet-a-truce.xml"), "--db", str(env)]  # no ETag there
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "0 same body as last time" in out and "items: 0 seen" not in out
    code, out, _ = run(capsys, *args)
    assert "1 same body as last time" in out and "items: 0 seen" in out


def test_bad_feeds_are_reported_one_line_each(env: Path, feeds: FeedServer,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    good = feeds.url("/feeds/rss2.xml")
    bad = [feeds.url("/status/404"), feeds.url("/status/500"), feeds.url("/feeds/not-a-feed.html"),
           "http://127.0.0.1:9/closed"]
    args = ["ingest", "--db", str(env), "--feed", good] + [a for url in bad for a in ("--feed", url)]
    code, out, err = run(capsys, *args)
    assert code == 0
    assert "3 new" in out
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4 and all(url in " ".join(errors) for url in bad)

    code, out, _ = run(capsys, "sources", "list", "--db", str(env))
    assert "HTTP 404" in out and "next try" in out


def test_usage_errors(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "summary", "--since", "soon", "--db", str(env))[0] == 2
    assert run(capsys, "sources", "add", "--db", str(env))[0] == 2
    with pytest.raises(SystemExit):
        main(["deadlines", "--as-of", "July", "--db", str(env)])


def test_a_body_that_is_not_a_feed_is_reported_again_on_every_fetch(
        env: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["ingest", "--feed", feeds.url("/gzip/not-a-feed.html"), "--db", str(env)]  # no ETag there
    for _fetch in range(2):  # the same unusable bytes twice: not skipped as "the same body as last time"
        code, out, err = run(capsys, *args)
        assert code == 1 and "not a feed" in err
        assert "0 same body as last time, 1 failed" in out
