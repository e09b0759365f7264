"""The `uschina` command line end to end: seeds, feeds over real HTTP, summary and deadlines as JSON."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.app.cli import main
from tests.e2e.conftest import run_cli, seeds_folder
from tests.fakes.feed_server import FeedServer

ROOT = Path(__file__).parents[2]


def test_seed_article_to_summary_and_deadlines(tmp_path: Path, cli_db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = seeds_folder(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    code, out, err = run_cli(capsys, "ingest", "--seeds", str(folder), "--db", str(cli_db))
    assert code == 0, err
    assert "1 new" in out and "2 skipped" in out
    assert err.count("error:") == 2 and "empty" in err

    code, out, _ = run_cli(capsys, "summary", "--since", "3650d", "--json", "--db", str(cli_db))  # a 2025 article
    stories = json.loads(out)
    summary = stories[0]["summary"]
    assert len(stories) == 1 and "Wang Yi" in summary and "Kuala Lumpur" in summary
    assert "summit" in summary and "Trump" in summary and "Xi" in summary
    assert len(summary) <= 500

    code, out, _ = run_cli(capsys, "deadlines", "--as-of", "2025-07-11", "--json", "--db", str(cli_db))
    deadlines = json.loads(out)
    assert {"what", "start", "end", "granularity", "status", "confidence", "evidence", "sources"} <= set(deadlines[0])
    talks = [d for d in deadlines if d["start"] and "2025-08-01" <= d["start"] <= d["end"] <= "2025-08-15"]
    assert talks and talks[0]["granularity"] == "range"
    summit = [d for d in deadlines if d["granularity"] == "unknown" and d["start"] is None]
    assert summit and any(word in summit[0]["what"].lower() for word in ("summit", "meeting"))
    truce = [d for d in deadlines if "truce" in d["what"] or "reprieve" in d["what"]]
    # "just before the temporary tariff reprieve ends": within days after early August
    assert truce and truce[0]["start"] <= "2025-08-12" <= truce[0]["end"] and truce[0]["granularity"] == "range"
    assert all(d["start"] is None or d["start"] >= "2025-07-11" for d in deadlines)

    code, out, _ = run_cli(capsys, "deadlines", "--as-of", "2025-07-11", "--ics", "--db", str(cli_db))
    assert out.startswith("BEGIN:VCALENDAR") and "DTSTART;VALUE=DATE:20250801" in out


def test_two_outlets_one_story_and_a_second_pass_is_304(cli_db: Path, threaded_feeds: FeedServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    urls = [threaded_feeds.url("/feeds/outlet-a-truce.xml"), threaded_feeds.url("/feeds/outlet-b-truce.xml")]
    for url in urls:  # watched: their validators are kept between runs
        assert run_cli(capsys, "sources", "add", url, "--db", str(cli_db))[0] == 0
    args = ["ingest", "--feed", urls[0], "--feed", urls[1], "--db", str(cli_db)]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "3 new" in out and "2 relevant, 1 new stories" in out

    code, out, _ = run_cli(capsys, "summary", "--since", "3650d", "--json", "--db", str(cli_db))
    stories = json.loads(out)
    assert len(stories) == 1
    assert {s["name"] for s in stories[0]["sources"]} == {"Harbor Wire", "Pacific Ledger"}
    assert "utm_source" not in json.dumps(stories)

    code, out, _ = run_cli(capsys, *args)
    assert "2 unchanged (304)" in out and "0 new" in out


def test_a_feed_without_validators_sending_the_same_body_is_not_parsed_again(
        cli_db: Path, threaded_feeds: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    url = threaded_feeds.url("/gzip/outlet-a-truce.xml")  # no ETag there
    assert run_cli(capsys, "sources", "add", url, "--db", str(cli_db))[0] == 0  # watched: its body hash is kept
    args = ["ingest", "--feed", url, "--db", str(cli_db)]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "0 same body as last time" in out and "items: 0 seen" not in out
    code, out, _ = run_cli(capsys, *args)
    assert "1 same body as last time" in out and "items: 0 seen" in out


def test_bad_feeds_are_reported_one_line_each(cli_db: Path, threaded_feeds: FeedServer,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    good = threaded_feeds.url("/feeds/rss2.xml")
    bad = [threaded_feeds.url("/status/404"), threaded_feeds.url("/status/500"),
           threaded_feeds.url("/feeds/not-a-feed.html"), "http://127.0.0.1:9/closed"]
    args = ["ingest", "--db", str(cli_db), "--feed", good] + [a for url in bad for a in ("--feed", url)]
    code, out, err = run_cli(capsys, *args)
    assert code == 0
    assert "3 new" in out
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4 and all(url in " ".join(errors) for url in bad)

    code, out, _ = run_cli(capsys, "sources", "list", "--db", str(cli_db))
    assert out == ""  # fetched once, not watched

    assert run_cli(capsys, "sources", "add", bad[0], "--db", str(cli_db))[0] == 0
    run_cli(capsys, "ingest", "--db", str(cli_db), "--feed", bad[0])
    code, out, _ = run_cli(capsys, "sources", "list", "--db", str(cli_db))
    assert "HTTP 404" in out and "next try" in out  # a watched source's health is kept


def test_usage_errors(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "summary", "--since", "soon", "--db", str(cli_db))[0] == 2
    assert run_cli(capsys, "sources", "add", "--db", str(cli_db))[0] == 2
    with pytest.raises(SystemExit):
        main(["deadlines", "--as-of", "July", "--db", str(cli_db)])


def test_a_body_that_is_not_a_feed_is_reported_again_on_every_fetch(
        cli_db: Path, threaded_feeds: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["ingest", "--feed", threaded_feeds.url("/gzip/not-a-feed.html"), "--db", str(cli_db)]  # no ETag there
    for _fetch in range(2):  # the same unusable bytes twice: not skipped as "the same body as last time"
        code, out, err = run_cli(capsys, *args)
        assert code == 1 and "not a feed" in err
        assert "0 same body as last time, 1 failed" in out


def one_line(err: str) -> str:
    """The single `uschina: ...` line a failure prints instead of a traceback."""
    assert err.startswith("uschina: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def run_process(tmp_path: Path, *args: str, prefix: Sequence[str] = (), config: str = "sources = []\n",
                **popen: Any) -> subprocess.CompletedProcess[bytes]:
    """`uschina ARGS` as its own process (behind `prefix`, such as unshare), on a config file of its own."""
    (tmp_path / "proc.toml").write_text(config, encoding="utf-8")
    env = {**os.environ, "USCHINA_CONFIG": str(tmp_path / "proc.toml"), "USCHINA_ANALYSIS_WORKERS": "0"}
    env.pop("USCHINA_DB", None)
    return subprocess.run([*prefix, sys.executable, "-m", "bot", *args], env=env, cwd=ROOT, timeout=60,
                          stderr=subprocess.PIPE, **{"stdout": subprocess.PIPE, **popen})


def unshare(*options: str, script: str | None = None, folder: Path | None = None) -> list[str]:
    """A command prefix running in new Linux namespaces; skips the test where they are not allowed."""
    prefix = ["unshare", *options] + (["sh", "-c", script, str(folder)] if script else [])
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode:
        pytest.skip("no unprivileged namespaces here")
    return prefix


def unprivileged() -> list[str]:
    """Run as a user that file permissions apply to (root writes read-only files regardless)."""
    return unshare("--map-user=1000", "--map-group=1000") if os.geteuid() == 0 else []


def read_only_mount(folder: Path) -> list[str]:
    """Run with `folder` mounted read-only (a private mount namespace; nothing changes outside it)."""
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return unshare("--map-root-user", "--mount", script=script, folder=folder)


STARTER = '[[sources]]\nurl = "https://example.org/starter.xml"\nname = "Starter"\n'  # not in the database yet


def test_adding_a_watched_source_again_is_one_line(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "sources", "add", "https://example.org/feed.xml", "--db", str(cli_db))[0] == 0
    code, _, err = run_cli(capsys, "sources", "add", "https://example.org/feed.xml", "--db", str(cli_db))
    assert code == 1 and one_line(err) == "uschina: already watching https://example.org/feed.xml"


def test_a_refused_url_says_refused_once(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "sources", "add", "ftp://example.org/feed", "--db", str(cli_db))
    assert code == 2 and one_line(err) == "uschina: refused: only http and https URLs are allowed, not ftp"


def test_the_http_port_in_use_is_one_line(cli_db: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for name, value in {"USCHINA_HTTP_PORT": str(port), "USCHINA_NO_CONSOLE": "1",
                            "USCHINA_ANALYSIS_WORKERS": "0", "USCHINA_SEEDS": str(cli_db.parent / "none")}.items():
            monkeypatch.setenv(name, value)
        code, _, err = run_cli(capsys, "run", "--db", str(cli_db))
    assert code == 1 and f"cannot serve HTTP on 127.0.0.1:{port}: address already in use" in one_line(err)


@pytest.mark.parametrize("damage", ["truncated", "not-sqlite", "folder"])
def test_a_database_that_cannot_be_opened_is_one_line(cli_db: Path, damage: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "sources", "add", "https://example.org/feed.xml", "--db", str(cli_db))[0] == 0
    if damage == "truncated":
        cli_db.write_bytes(cli_db.read_bytes()[:1000])
    elif damage == "not-sqlite":
        cli_db.write_text("these are my notes, not a database\n", encoding="utf-8")
    else:
        cli_db = cli_db.parent / "a-folder"
        cli_db.mkdir()
    code, _, err = run_cli(capsys, "summary", "--db", str(cli_db))
    assert code == 1 and one_line(err).startswith(f"uschina: cannot open the database {cli_db}")


def test_a_read_only_database_file_answers_summary_and_refuses_writes(tmp_path: Path, cli_db: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "ingest", "--seeds", str(seeds_folder(tmp_path)), "--db", str(cli_db))[0] == 0
    cli_db.chmod(0o444)
    done = run_process(tmp_path, "summary", "--since", "3650d", "--db", str(cli_db), prefix=unprivileged(),
                       config=STARTER)  # a configured source it cannot add: still answers
    assert done.returncode == 0 and b"Kuala Lumpur" in done.stdout, done.stderr
    done = run_process(tmp_path, "sources", "add", "https://example.org/x.xml", "--db", str(cli_db),
                       prefix=unprivileged())
    assert done.returncode == 1 and "is read-only" in one_line(done.stderr.decode())


def test_a_database_on_a_read_only_filesystem_answers_summary(tmp_path: Path, cli_db: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mounted"
    folder.mkdir()
    db = folder / "uschina.db"
    assert run_cli(capsys, "ingest", "--seeds", str(seeds_folder(tmp_path)), "--db", str(db))[0] == 0
    for command in (["summary", "--since", "3650d"], ["deadlines", "--as-of", "2025-07-11"]):
        done = run_process(tmp_path, *command, "--db", str(db), prefix=read_only_mount(folder), config=STARTER)
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
        assert b"Kuala Lumpur" in done.stdout or b"talks" in done.stdout
    done = run_process(tmp_path, "run", "--db", str(db), prefix=read_only_mount(folder))
    assert done.returncode == 1 and "is read-only" in one_line(done.stderr.decode())
    done = run_process(tmp_path, "summary", "--db", str(folder / "new.db"), prefix=read_only_mount(folder))
    assert done.returncode == 1 and "folder is read-only" in one_line(done.stderr.decode())


def test_digest_with_a_bad_since_is_a_usage_error(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "digest", "--dry-run", "--since", "99q", "--db", str(cli_db))
    assert code == 2 and one_line(err) == "uschina: not a duration: '99q' (write it like 24h, 7d or 90d)"


def test_ics_to_a_path_that_cannot_be_written_is_one_line(tmp_path: Path, cli_db: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no-such-folder" / "deadlines.ics"
    code, _, err = run_cli(capsys, "deadlines", "--ics", str(target), "--db", str(cli_db))
    assert code == 1 and one_line(err) == f"uschina: cannot write {target}: No such file or directory"


def test_output_to_a_closed_pipe_exits_quietly(tmp_path: Path, cli_db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "sources", "add", "https://example.org/feed.xml", "--db", str(cli_db))[0] == 0
    reader, writer = os.pipe()
    os.close(reader)  # like `| head` that has already read what it wanted
    try:
        done = run_process(tmp_path, "sources", "list", "--db", str(cli_db), stdout=writer)
    finally:
        os.close(writer)
    assert done.returncode == 1 and done.stderr == b""


def test_ingest_feed_fetches_once_and_does_not_watch(cli_db: Path, threaded_feeds: FeedServer,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("USCHINA_SEEDS", str(cli_db.parent / "no-seeds"))
    code, out, err = run_cli(capsys, "ingest", "--feed", threaded_feeds.url("/feeds/rss2.xml"), "--db", str(cli_db))
    assert code == 0 and "3 new" in out, err
    assert run_cli(capsys, "sources", "list", "--db", str(cli_db))[1] == ""
    code, out, _ = run_cli(capsys, "ingest", "--db", str(cli_db))  # the next cycle has nothing to fetch
    assert "feeds: 0 checked" in out


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org/feed.xml", "http://user:pw@example.org/feed.xml",
                                 "https://"])
def test_ingest_feed_refuses_what_is_not_a_feed_url(cli_db: Path, url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "ingest", "--feed", url, "--db", str(cli_db))
    assert code == 2 and out == "" and ("refused" in one_line(err) or "invalid URL" in err)
    assert ":pw@" not in err
    assert run_cli(capsys, "sources", "list", "--db", str(cli_db))[1] == ""


def test_a_removed_starter_source_stays_removed(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path(os.environ["USCHINA_CONFIG"]).write_text(STARTER, encoding="utf-8")
    starter = "https://example.org/starter.xml"
    assert starter in run_cli(capsys, "sources", "list", "--db", str(cli_db))[1]
    assert run_cli(capsys, "sources", "remove", starter, "--db", str(cli_db))[:2] == (0, f"removed {starter}\n")
    for _restart in range(2):  # every command opens the store and syncs the configured sources
        assert starter not in run_cli(capsys, "sources", "list", "--db", str(cli_db))[1]
    assert run_cli(capsys, "sources", "add", starter, "--db", str(cli_db))[0] == 0  # until added back
    assert starter in run_cli(capsys, "sources", "list", "--db", str(cli_db))[1]


def test_a_configured_feed_password_is_not_printed(cli_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    Path(os.environ["USCHINA_CONFIG"]).write_text(
        '[[sources]]\nurl = "https://reader:hunter2@example.org/feed.xml"\nname = "Intranet"\n', encoding="utf-8")
    monkeypatch.setenv("USCHINA_SEEDS", str(cli_db.parent / "no-seeds"))
    code, _, err = run_cli(capsys, "ingest", "--db", str(cli_db))
    assert code == 1 and "error: https://***@example.org/feed.xml: refused: credentials" in err
    assert "hunter2" not in err
