from __future__ import annotations

import asyncio
import time
import tracemalloc

import pytest

from bot.ingest.feeds import FeedFetcher, MiB, make_session
from bot.ingest.parse import parse_feed
from tests.fakes.feed_server import ETAG, FIXTURES, LAST_MODIFIED, FeedServer, closed_port, gzip_bomb


@pytest.fixture
async def server():
    srv = await FeedServer().start()
    yield srv
    await srv.close()


@pytest.fixture
async def fetcher():
    async with make_session(True, "uschina-test/1.0") as session:
        yield FeedFetcher(
            session,
            user_agent="uschina-test/1.0",
            allow_private=True,  # the test server is on 127.0.0.1
            connect_timeout=1,
            read_timeout=0.3,
            max_bytes=1 * MiB,
            max_redirects=3,
        )


async def test_fetch_returns_body_and_validators(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/feeds/rss2.xml"))
    assert result.ok and result.status == 200
    assert result.body == (FIXTURES / "rss2.xml").read_bytes()
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.content_type == "application/rss+xml"
    assert not result.not_modified and not result.permanent
    assert server.requests[0][1]["User-Agent"] == "uschina-test/1.0"


async def test_conditional_get_with_etag_gets_304(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/feeds/rss2.xml"), etag=ETAG)
    assert result.not_modified and result.status == 304 and result.body is None and result.error is None
    assert result.etag == ETAG
    assert server.requests[0][1]["If-None-Match"] == ETAG


async def test_conditional_get_with_last_modified_gets_304(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/feeds/rss2.xml"), last_modified=LAST_MODIFIED)
    assert result.not_modified and result.last_modified == LAST_MODIFIED
    assert server.requests[0][1]["If-Modified-Since"] == LAST_MODIFIED


async def test_stale_validators_get_the_full_body(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/feeds/rss2.xml"), etag='"old"')
    assert not result.not_modified and result.body and result.etag == ETAG


async def test_gzip_body_is_decompressed(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/gzip/atom.xml"))
    assert result.ok and result.body == (FIXTURES / "atom.xml").read_bytes()


@pytest.mark.parametrize(
    ("code", "error", "permanent"),
    [
        (404, "HTTP 404 Not Found", True),
        (410, "HTTP 410 Gone", True),
        (500, "HTTP 500 Internal Server Error", False),
        (503, "HTTP 503 Service Unavailable", False),
    ],
)
async def test_http_errors(
    server: FeedServer, fetcher: FeedFetcher, code: int, error: str, permanent: bool
) -> None:
    result = await fetcher.fetch(server.url(f"/status/{code}"))
    assert result.status == code and result.error == error and result.permanent is permanent
    assert result.body is None


async def test_slow_server_times_out(server: FeedServer, fetcher: FeedFetcher) -> None:
    started = time.monotonic()
    result = await fetcher.fetch(server.url("/slow?delay=3"))
    assert result.error == "timed out after 0.3s" and not result.permanent
    assert time.monotonic() - started < 1.5


async def test_trickling_server_hits_the_overall_deadline(server: FeedServer, fetcher: FeedFetcher) -> None:
    # Each byte arrives well within the 0.3 s read timeout; only the overall deadline (1 + 0.3 s) stops it.
    started = time.monotonic()
    result = await fetcher.fetch(server.url("/trickle"))
    assert result.error == "timed out after 1.3s"
    assert time.monotonic() - started < 2


async def test_fetched_gb2312_feed_parses_with_the_served_content_type(
    server: FeedServer, fetcher: FeedFetcher
) -> None:
    result = await fetcher.fetch(server.url("/feeds/gb2312.xml"))
    assert result.body is not None
    feed = parse_feed(result.body, url=result.url, content_type=result.content_type)
    assert feed.title == "中美经贸新闻" and feed.entries[0].guid == "cn-1"


async def test_connection_refused(fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(f"http://127.0.0.1:{closed_port()}/feed")
    assert result.error == "connection refused" and not result.permanent and result.status is None


async def test_body_over_the_limit_is_cut_off(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url(f"/big?size={5 * MiB}"))
    assert result.error == "body larger than 1 MB" and result.body is None


async def test_body_just_under_the_limit_is_kept(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url(f"/big?size={MiB}"))
    assert result.ok and result.body is not None and len(result.body) == MiB


async def test_gzip_bomb_stops_at_the_decompressed_limit(server: FeedServer, fetcher: FeedFetcher) -> None:
    assert len(gzip_bomb()) < MiB  # small on the wire: only the decompressed size can trip the limit
    tracemalloc.start()
    try:
        result = await fetcher.fetch(server.url("/gzip-bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "body larger than 1 MB"
    assert peak < 12 * MiB  # never holds the 50 MB of zeros


async def test_redirect_loop_is_cut(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/loop/0"))
    assert result.error == "too many redirects (>3)"
    assert server.paths() == ["/loop/0", "/loop/1", "/loop/2", "/loop/3"]


async def test_redirect_is_followed_and_reported(server: FeedServer, fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch(server.url("/redirect?to=/feeds/atom.xml"))
    assert result.ok and result.body == (FIXTURES / "atom.xml").read_bytes()
    assert result.final_url == server.url("/feeds/atom.xml")


async def test_invalid_url_is_a_permanent_error(fetcher: FeedFetcher) -> None:
    result = await fetcher.fetch("http://exa mple.com:80x/feed")
    assert result.error is not None and result.error.startswith("invalid URL") and result.permanent


async def test_concurrency_is_bounded(server: FeedServer) -> None:
    async with make_session(True, "ua") as session:
        fetcher = FeedFetcher(session, user_agent="ua", allow_private=True, concurrency=2, read_timeout=2)
        started = time.monotonic()
        results = await asyncio.gather(*(fetcher.fetch(server.url("/slow?delay=0.2")) for _ in range(4)))
        elapsed = time.monotonic() - started
    assert all(r.ok for r in results)
    assert elapsed >= 0.4  # two waves of two
