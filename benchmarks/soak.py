"""`python -m benchmarks.soak --minutes 30`: the real `uschina run` against good and hostile feeds.

A local feed server (in this process) serves good feeds that publish a new item every so often and keep
only their latest entries, as real feeds do, next to hostile ones: an HTML page, JSON, random bytes, an
empty body, broken XML, a slow server, 429 with Retry-After, a body over the size cap and a gzip bomb.
Meanwhile the seeds folder churns: files added, edited and removed, with bad ones among them (aliases in
front matter, binary, oversize, GBK text, a symlink out of the folder). The bot's resident memory (and
its workers') is sampled every 30 s. At the end new items stop, the bot is given time to catch up, and
every good item ever served must be in its database.

Prints a table (minute -> MB) and ends with one JSON line; `--json-out FILE` also writes the JSON there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import web

SAMPLE_S = 30
GOOD_FEEDS = 6
FEED_WINDOW = 15  # entries a good feed keeps; older ones fall off, as on real feeds
PUBLISH_EVERY_S = 20  # each good feed publishes one item this often
POLL_MINUTES = 1  # how often the bot is told to fetch the good feeds
RETRY_AFTER_S = 600
HOSTILE = ("html", "json", "random", "empty", "broken", "truncated", "slow", "429", "503-date", "huge",
           "bomb")
US = ["Treasury Secretary Scott Bessent", "Secretary of State Marco Rubio", "the Commerce Department",
      "U.S. Trade Representative Jamieson Greer"]
CN = ["Vice Premier He Lifeng", "Foreign Minister Wang Yi", "China's Ministry of Commerce", "Beijing"]
TOPICS = ["tariffs on Chinese goods", "export controls on advanced chips", "rare earth export licences",
          "the tariff truce", "sanctions on Chinese refiners", "fentanyl cooperation"]
PLAIN = ["The city council approved a new bus route", "A local bakery won a regional prize",
         "The football club signed a young striker", "The art museum extended its opening hours"]


@dataclass
class GoodFeed:
    """A feed that publishes one item every `PUBLISH_EVERY_S` and serves its latest `FEED_WINDOW`."""

    index: int
    started: float
    stop_at: float | None = None
    served: set[str] = field(default_factory=set)  # every guid this feed has ever put in a response

    def count(self, now: float) -> int:
        until = min(now, self.stop_at) if self.stop_at else now
        return 1 + int((until - self.started) // PUBLISH_EVERY_S)

    def body(self, now: float) -> tuple[bytes, str]:
        total = self.count(now)
        numbers = range(max(0, total - FEED_WINDOW), total)
        entries = "".join(self._entry(n) for n in reversed(numbers))
        self.served.update(self.guid(n) for n in numbers)
        xml = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Soak {self.index}'
               f"</title><link>http://soak.example/{self.index}</link>{entries}</channel></rss>")
        return xml.encode("utf-8"), f'"{self.index}-{total}"'

    def guid(self, n: int) -> str:
        return f"soak-{self.index}-{n}"

    def _entry(self, n: int) -> str:
        rng = random.Random(self.index * 100_000 + n)
        published = datetime.fromtimestamp(self.started + n * PUBLISH_EVERY_S, tz=UTC)
        if rng.random() < 0.3:
            title = f"{rng.choice(US)} and {rng.choice(CN)} discuss {rng.choice(TOPICS)} (report {n})"
            text = (f"{title}. {rng.choice(US)} said talks with {rng.choice(CN)} on {rng.choice(TOPICS)} "
                    f"would resume in early August, before the truce expires. Item {self.guid(n)}.")
        else:
            title = f"{rng.choice(PLAIN)} (note {self.index}-{n})"
            text = f"{title}. Residents welcomed the news on Tuesday. Item {self.guid(n)}."
        return (f"<item><title>{title}</title><link>http://soak.example/{self.index}/{n}</link>"
                f"<guid isPermaLink=\"false\">{self.guid(n)}</guid><pubDate>{format_datetime(published)}"
                f"</pubDate><description>{text}</description></item>")


class FeedServer:
    """The good and hostile feeds over HTTP on 127.0.0.1; counts requests per route."""

    def __init__(self) -> None:
        now = time.time()
        self.good = [GoodFeed(i, now) for i in range(GOOD_FEEDS)]
        self.hits: dict[str, int] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/good/{n}", self._good)
        app.router.add_get("/bad/{kind}", self._bad)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def urls(self) -> list[tuple[str, str]]:
        base = f"http://127.0.0.1:{self.port}"
        return ([(f"{base}/good/{i}", f"good {i}") for i in range(GOOD_FEEDS)]
                + [(f"{base}/bad/{kind}", f"hostile {kind}") for kind in HOSTILE])

    def stop_publishing(self) -> None:
        for feed in self.good:
            feed.stop_at = time.time()

    async def _good(self, request: web.Request) -> web.Response:
        feed = self.good[int(request.match_info["n"])]
        self._hit(f"good/{feed.index}")
        body, etag = feed.body(time.time())
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def _bad(self, request: web.Request) -> web.StreamResponse:
        kind = request.match_info["kind"]
        self._hit(kind)
        rss = "application/rss+xml"
        if kind == "html":
            return web.Response(text="<!doctype html><html><body><p>Welcome!</p></body></html>",
                                content_type="text/html")
        if kind == "json":
            return web.json_response({"error": "feed moved", "items": []})
        if kind == "random":
            return web.Response(body=os.urandom(50_000), headers={"Content-Type": rss})
        if kind == "empty":
            return web.Response(body=b"", headers={"Content-Type": rss})
        if kind == "broken":
            return web.Response(body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>',
                                headers={"Content-Type": rss})
        if kind == "truncated":  # recoverable: a good entry, then the body is cut off
            body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>cut</title><item><title>Cut '
                    'feed item</title><link>http://soak.example/cut/1</link><guid>cut-1</guid><description>'
                    'A complete entry before the break.</description></item><item><title>Half')
            return web.Response(body=body.encode(), headers={"Content-Type": rss})
        if kind == "slow":
            await asyncio.sleep(60)
            return web.Response(body=b"", headers={"Content-Type": rss})
        if kind == "429":
            return web.Response(status=429, headers={"Retry-After": str(RETRY_AFTER_S)})
        if kind == "503-date":
            when = datetime.now(UTC) + timedelta(seconds=RETRY_AFTER_S)
            return web.Response(status=503, headers={"Retry-After": format_datetime(when, usegmt=True)})
        if kind == "huge":
            return await self._huge(request)
        if kind == "bomb":
            return web.Response(body=_bomb(), headers={"Content-Type": rss, "Content-Encoding": "gzip"})
        raise web.HTTPNotFound()

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<!-- " + b"x" * 65_000 + b" -->"
        try:
            for _ in range(1000):  # 65 MB, far over the 10 MB cap
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the bot hung up at the cap, as it should
        return response

    def _hit(self, name: str) -> None:
        self.hits[name] = self.hits.get(name, 0) + 1


_BOMB: bytes | None = None


def _bomb() -> bytes:
    """About 50 KB of gzip that inflates to 50 MB of zeros (computed once)."""
    global _BOMB
    if _BOMB is None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1024 * 1024)
        _BOMB = b"".join(compressor.compress(block) for _ in range(50)) + compressor.flush()
    return _BOMB


BILLION_LAUGHS = (
    "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "title: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n---\nThe US and China met in Geneva.\n"
)


class SeedChurn:
    """Adds, edits and removes seed files, bad ones among them."""

    def __init__(self, folder: Path, outside: Path) -> None:
        self.folder = folder
        self.outside = outside
        self.rng = random.Random(11)
        self.step = 0
        self.counts = {"added": 0, "edited": 0, "removed": 0, "bad": 0}

    def once(self) -> None:
        self.step += 1
        files = sorted(p for p in self.folder.iterdir() if p.name.startswith("note-"))
        roll = self.rng.random()
        if files and roll < 0.25:
            self.rng.choice(files).unlink()
            self.counts["removed"] += 1
        elif files and roll < 0.5:
            path = self.rng.choice(files)
            path.write_text(path.read_text(encoding="utf-8") + f"\nUpdate {self.step}.\n", encoding="utf-8")
            self.counts["edited"] += 1
        else:
            self._add_good()
        if self.step % 5 == 0:
            self._add_bad()

    def _add_good(self) -> None:
        path = self.folder / f"note-{self.step}.md"
        topic = self.rng.choice(TOPICS)
        path.write_text(f"---\ntitle: Note {self.step} on {topic}\npublished: {datetime.now(UTC).date()}\n---\n"
                        f"{self.rng.choice(US)} met {self.rng.choice(CN)} to discuss {topic}. Note {self.step}.\n",
                        encoding="utf-8")
        self.counts["added"] += 1

    def _add_bad(self) -> None:
        kind = (self.step // 5) % 5
        name = self.folder / f"bad-{self.step}"
        if kind == 0:
            name.with_suffix(".md").write_text(BILLION_LAUGHS, encoding="utf-8")
        elif kind == 1:
            name.with_suffix(".txt").write_bytes(os.urandom(4096))
        elif kind == 2:
            with name.with_suffix(".txt").open("wb") as handle:  # sparse: 6 MB, over the 5 MB cap
                handle.truncate(6 * 1024 * 1024)
        elif kind == 3:
            text = "美国和中国就关税休战达成协议。财政部长贝森特表示，谈判将继续进行。" * 20
            name.with_suffix(".txt").write_bytes(text.encode("gbk"))
        else:
            target = self.outside / f"secret-{self.step}.txt"
            target.write_text("outside the seeds folder\n", encoding="utf-8")
            name.with_suffix(".txt").symlink_to(target)
        self.counts["bad"] += 1
        for old in sorted(self.folder.glob("bad-*"))[:-10]:  # keep the folder small
            old.unlink()


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory of `pid` and of its children together, in MB (from /proc)."""
    own = _rss_kb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return own / 1024, (own + sum(_rss_kb(k) for k in kids)) / 1024


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, server: FeedServer) -> None:
    lines = ["seeds_poll_seconds = 2", "analysis_workers = 1"]
    for url, name in server.urls():
        lines += ["[[sources]]", f"url = {json.dumps(url)}", f"name = {json.dumps(name)}",
                  f"interval_minutes = {POLL_MINUTES}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_bot(work: Path, config: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "USCHINA_CONFIG": str(config), "USCHINA_DB": str(work / "soak.db"),
           "USCHINA_SEEDS": str(work / "seeds"), "USCHINA_HTTP_PORT": str(port),
           "USCHINA_ALLOW_PRIVATE_FEEDS": "1", "USCHINA_NO_CONSOLE": "1"}
    for secret in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "DISCORD_TOKEN", "USCHINA_LLM_BASE_URL"):
        env.pop(secret, None)
    log = (work / "bot.log").open("wb")
    uschina = Path(sys.executable).parent / "uschina"  # the installed console script, as users run it
    return subprocess.Popen([str(uschina), "run"], cwd=work, env=env,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def stored_guids(db_path: Path) -> set[str]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT guid FROM items WHERE guid IS NOT NULL")}


def source_health(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT name, enabled, fail_count, last_error, next_attempt_at FROM sources "
                            "ORDER BY id").fetchall()
    return {name: {"enabled": bool(enabled), "fails": fails, "error": error, "next": next_at}
            for name, enabled, fails, error, next_at in rows}


async def soak(minutes: float, work: Path) -> dict[str, Any]:
    server = FeedServer()
    await server.start()
    (work / "seeds").mkdir(parents=True, exist_ok=True)
    (work / "outside").mkdir(exist_ok=True)
    config = work / "uschina.toml"
    write_config(config, server)
    churn = SeedChurn(work / "seeds", work / "outside")
    for _ in range(10):
        churn.once()
    bot = start_bot(work, config, free_port())
    curve: list[tuple[float, float, float]] = []
    started = time.monotonic()
    deadline = started + minutes * 60
    next_sample = started
    try:
        while time.monotonic() < deadline:
            if bot.poll() is not None:
                raise RuntimeError(f"uschina run exited early with {bot.returncode}; see {work / 'bot.log'}")
            if time.monotonic() >= next_sample:
                curve.append(((time.monotonic() - started) / 60, *rss_mb(bot.pid)))
                print(f"{curve[-1][0]:5.1f} min  bot {curve[-1][1]:6.1f} MB  with workers {curve[-1][2]:6.1f} MB",
                      flush=True)
                next_sample += SAMPLE_S
            await asyncio.to_thread(churn.once)
            await asyncio.sleep(10)
        server.stop_publishing()
        served = set().union(*(feed.served for feed in server.good))
        missing = await _catch_up(work / "soak.db", server, bot)
        curve.append(((time.monotonic() - started) / 60, *rss_mb(bot.pid)))
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            bot.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
        await server.close()
    served = set().union(*(feed.served for feed in server.good))
    published = sum(feed.count(time.time()) for feed in server.good)
    return {
        "minutes": minutes, "good_items_published": published, "good_items_served": len(served),
        "good_items_missing": len(missing), "missing_sample": sorted(missing)[:10],
        "rss_curve": [{"minute": round(m, 1), "bot_mb": round(b, 1), "with_workers_mb": round(t, 1)}
                      for m, b, t in curve],
        "hostile_requests": {kind: server.hits.get(kind, 0) for kind in HOSTILE},
        "good_requests": sum(v for k, v in server.hits.items() if k.startswith("good/")),
        "seeds": churn.counts, "sources": source_health(work / "soak.db"), "exit_code": bot.returncode,
    }


async def _catch_up(db_path: Path, server: FeedServer, bot: subprocess.Popen[bytes]) -> set[str]:
    """Wait (up to 3 poll intervals and ticks) until every served good item is stored; what is missing."""
    limit = time.monotonic() + 3 * (POLL_MINUTES * 60 + 60)
    while True:
        served = set().union(*(feed.served for feed in server.good))
        # Items published before the stop but not yet served count too: the next fetch serves them.
        for feed in server.good:
            served.update(feed.guid(n) for n in range(feed.count(time.time())))
        missing = served - await asyncio.to_thread(stored_guids, db_path)
        if not missing or time.monotonic() > limit or bot.poll() is not None:
            return missing
        await asyncio.sleep(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30, help="how long to run (default 30)")
    parser.add_argument("--workdir", type=Path, help="keep the database, seeds and bot log here")
    parser.add_argument("--json-out", type=Path, help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="uschina-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"soak: {args.minutes:g} min in {work}", flush=True)
    report = asyncio.run(soak(args.minutes, work))
    print("\nminute  bot MB  with workers MB")
    for point in report["rss_curve"]:
        print(f"{point['minute']:6.1f}  {point['bot_mb']:6.1f}  {point['with_workers_mb']:6.1f}")
    print(f"good items: {report['good_items_published']} published, {report['good_items_served']} served, "
          f"{report['good_items_missing']} missing")
    line = json.dumps(report)
    if args.json_out:
        args.json_out.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0 if report["good_items_missing"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
