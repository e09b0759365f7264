"""The read-only web page at `/`: the seed's deadlines on the timeline, escaping, moved deadlines, and the
page as a real headless Chromium renders it."""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from scripts.chromium import dump_dom, find_chromium, screenshot
from scripts.screenshots import SEED_WEEK, SEEDS, seeded_page

SEED_DEADLINES = ("new round of US–China trade talks begins", "tariff truce expires")
SEED_UNDATED = "US–China leaders' meeting"
HOSTILE_TITLE = "<script>alert(1)</script> Rubio and Wang Yi meet in Kuala Lumpur"
# Ingest strips tags from titles, but an escaped tag in a title is text that reads as one once unescaped.
HOSTILE_FRONT_MATTER = '"&lt;script&gt;alert(1)&lt;/script&gt; Rubio and Wang Yi meet in Kuala Lumpur"'


def _texts(tree: HTMLParser, selector: str) -> list[str]:
    return [node.text(separator=" ", strip=True) for node in tree.css(selector)]


@pytest_asyncio.fixture
async def hostile_page(tmp_path: Path) -> AsyncIterator[str]:
    """The page over the seed file retitled with a script tag."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = next(SEEDS.glob("*.md")).read_text(encoding="utf-8")
    title = text.split("title: ", 1)[1].split("\n", 1)[0]
    (seeds / "story.md").write_text(text.replace(title, HOSTILE_FRONT_MATTER), encoding="utf-8")
    async with seeded_page(tmp_path, clock=lambda: SEED_WEEK, seeds=seeds) as url:
        yield url


def _move_truce(db_path: Path) -> None:
    """Move the truce to 10 Nov as storage records a move: the new dates, and the old ones in the history."""
    with sqlite3.connect(db_path) as db:
        old_start, old_end, deadline_id = db.execute(
            "SELECT start, end, id FROM deadlines WHERE what = 'tariff truce expires'").fetchone()
        db.execute("UPDATE deadlines SET start = '2025-11-10', end = '2025-11-10', granularity = 'day' "
                   "WHERE id = ?", [deadline_id])
        db.execute("INSERT INTO deadline_history (deadline_id, old_start, old_end, new_start, new_end, old_status, "
                   "new_status, changed_at) VALUES (?, ?, ?, '2025-11-10', '2025-11-10', 'upcoming', 'upcoming', ?)",
                   [deadline_id, old_start, old_end, datetime(2025, 8, 11, tzinfo=UTC).isoformat()])


async def test_page_escapes_titles_and_shows_lanes_moves_and_links(hostile_page: str, tmp_path: Path) -> None:
    _move_truce(tmp_path / "uschina.db")
    async with aiohttp.ClientSession() as session, session.get(hostile_page) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert "script-src" not in response.headers["Content-Security-Policy"]  # no script may run at all
        body = await response.text()
    assert "<script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    tree = HTMLParser(body)
    assert any(HOSTILE_TITLE in title for title in _texts(tree, "#stories h4"))
    rows = _texts(tree, "#timeline .row")
    truce = next(row for row in rows if "tariff truce expires" in row)
    assert "Mon 10 Nov 2025" in truce and "moved from 11–13 Aug 2025" in truce
    assert len(tree.css("#timeline .row .bar.was")) == 1
    assert _texts(tree, "#timeline .lane .what strong") == [SEED_UNDATED]
    links = {node.attributes.get("href") for node in tree.css("a")}
    assert {"/deadlines.ics", "/metrics"} <= links


async def test_the_calendar_feed_keeps_past_deadlines_and_marks_cancelled_ones(tmp_path: Path) -> None:
    async with seeded_page(tmp_path, clock=lambda: datetime(2025, 9, 1, 9, tzinfo=UTC)) as url:
        with sqlite3.connect(tmp_path / "uschina.db") as db:
            db.execute("UPDATE deadlines SET status = 'cancelled' WHERE what = ?", [SEED_DEADLINES[0]])
        async with aiohttp.ClientSession() as session, session.get(f"{url}deadlines.ics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/calendar")
            calendar = (await response.text()).replace("\r\n ", "")  # unfolded
    events = {}
    for event in calendar.split("BEGIN:VEVENT")[1:]:
        lines = dict(line.split(":", 1) for line in event.split("\r\n") if ":" in line)
        events[lines["SUMMARY"]] = lines
    # Both seed deadlines are past on 1 September; one of them is called off.
    assert set(SEED_DEADLINES) <= set(events)
    assert events[SEED_DEADLINES[0]].get("STATUS") == "CANCELLED"
    assert events[SEED_DEADLINES[1]].get("STATUS") != "CANCELLED"


async def test_page_as_of_another_day_and_a_bad_date(hostile_page: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(hostile_page, params={"as_of": "2025-09-01"}) as response:
            tree = HTMLParser(await response.text())
        async with session.get(hostile_page, params={"as_of": "soon"}) as response:
            assert response.status == 400
    recent = tree.css_first("#timeline h3")
    assert recent is not None and recent.text() == "Recent"
    assert all("past" in (row.attributes.get("class") or "") for row in tree.css("#timeline .row"))


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (.ci/run installs it: "
                                                    "apt-get install -y chromium)")
async def test_chromium_shows_the_seeds_deadlines_on_the_timeline(tmp_path: Path) -> None:
    async with seeded_page(tmp_path, clock=lambda: SEED_WEEK) as url:
        dom = HTMLParser(await dump_dom(url))
        shot = tmp_path / "phone.png"
        await screenshot(url, shot, width=390, height=844)
    upcoming = _texts(dom, "#timeline .row .what")
    for what in SEED_DEADLINES:
        assert any(text.startswith(what) for text in upcoming), (what, upcoming)
    assert _texts(dom, "#timeline .lane .what strong") == [SEED_UNDATED]
    assert len(dom.css("#timeline .row .track .bar")) == len(SEED_DEADLINES)
    assert dom.css_first("#stories h4") is not None
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (390, 844)


def test_templates_ship_as_package_data() -> None:
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"app/templates/*.html"' in pyproject
