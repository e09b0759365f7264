"""A real HTTP server on 127.0.0.1 serving feed fixtures and misbehaving endpoints, for fetcher tests.

Routes:
  /feeds/{name}       a fixture file, with ETag/Last-Modified; 304 when the client's validators match
  /gzip/{name}        a fixture file sent with Content-Encoding: gzip
  /status/{code}      an empty response with that status (?retry_after=V adds a Retry-After header)
  /body/{kind}        a 200 whose body is not a usable feed: html, json, random, empty, broken, truncated
                      (two good entries, then cut off), gbk (a Chinese feed in GBK labelled UTF-8)
  /slow?delay=S       waits S seconds before answering
  /trickle           sends one byte every 0.1 s, never finishing
  /big?size=N         N bytes streamed without a Content-Length
  /gzip-bomb          about 50 KB on the wire that inflates to 50 MB of zeros
  /loop/{n}           redirects to /loop/{n+1} forever
  /redirect?to=URL    redirects to URL
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import random
import socket
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
ETAG = '"feed-v1"'
LAST_MODIFIED = "Fri, 11 Jul 2025 10:00:00 GMT"
CONTENT_TYPES = {
    "atom.xml": "application/atom+xml",
    "gb2312.xml": "application/xml",  # no charset: the XML declaration says gb2312
    "iso-8859-1.xml": "application/rss+xml",
    "wrong-charset.xml": "application/rss+xml; charset=utf-8",  # a lie: the bytes are windows-1252
    "not-a-feed.html": "text/html; charset=utf-8",
}
BOMB_SIZE = 50 * 1024 * 1024
_RSS = "application/rss+xml"
_TRUNCATED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title>'
    "<item><title>First whole item</title><link>https://cut.example/1</link><guid>cut-1</guid>"
    "<description>Complete.</description></item>"
    "<item><title>Second whole item</title><link>https://cut.example/2</link><guid>cut-2</guid>"
    "<description>Complete too.</description></item><item><title>Half"
)
CHINESE_TITLE = "美国和中国就关税休战达成协议"
_GBK_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>中美新闻</title><item>'
    f"<title>{CHINESE_TITLE}</title><link>https://cn.example/1</link><guid>cn-1</guid>"
    "<description>财政部长贝森特表示，谈判将在吉隆坡继续进行。</description></item></channel></rss>"
)
# (body, content type) of each /body/{kind}
HOSTILE_BODIES: dict[str, tuple[bytes, str]] = {
    "html": (b"<!doctype html><html><head><title>Welcome</title></head><body><p>Hi</p></body></html>",
             "text/html; charset=utf-8"),
    "json": (b'{"error": "feed moved", "items": []}', "application/json"),
    "random": (random.Random(7).randbytes(20_000), _RSS),
    "empty": (b"", _RSS),
    "broken": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut before any item</title>', _RSS),
    "truncated": (_TRUNCATED.encode("utf-8"), _RSS),
    "gbk": (_GBK_FEED.encode("gbk"), "application/rss+xml; charset=utf-8"),
}


@functools.cache
def gzip_bomb() -> bytes:
    """50 MB of zeros, gzip-compressed (computed once per test session)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(BOMB_SIZE // len(block))]
    return b"".join(parts) + compressor.flush()


@dataclass
class FeedServer:
    """Serves the routes above; `requests` records (path, headers) for every request received."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base_url: str = ""
    port: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> FeedServer:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/feeds/{name}", self._feed)
        app.router.add_get("/gzip/{name}", self._gzipped)
        app.router.add_get("/status/{code}", self._status)
        app.router.add_get("/body/{kind}", self._body)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/big", self._big)
        app.router.add_get("/trickle", self._trickle)
        app.router.add_get("/gzip-bomb", self._bomb)
        app.router.add_get("/loop/{n}", self._loop)
        app.router.add_get("/redirect", self._redirect)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return self.base_url + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.path_qs, dict(request.headers)))
        return await handler(request)

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = FIXTURES / name
        if not path.is_file():
            raise web.HTTPNotFound()
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if (
            request.headers.get("If-None-Match") == ETAG
            or request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers=validators)
        content_type = CONTENT_TYPES.get(name, "application/rss+xml")
        return web.Response(body=path.read_bytes(), headers={**validators, "Content-Type": content_type})

    async def _gzipped(self, request: web.Request) -> web.Response:
        body = gzip.compress((FIXTURES / request.match_info["name"]).read_bytes())
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
        return web.Response(body=body, headers=headers)

    async def _status(self, request: web.Request) -> web.Response:
        retry_after = request.query.get("retry_after")
        headers = {"Retry-After": retry_after} if retry_after else {}
        return web.Response(status=int(request.match_info["code"]), text="", headers=headers)

    async def _body(self, request: web.Request) -> web.Response:
        body, content_type = HOSTILE_BODIES[request.match_info["kind"]]
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("delay", "5")))
        return web.Response(body=(FIXTURES / "rss2.xml").read_bytes())

    async def _big(self, request: web.Request) -> web.StreamResponse:
        size = int(request.query["size"])
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < size:
                await response.write(chunk[: size - sent])
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up once it had enough: that is the point of the test
        return response

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        try:
            for _ in range(600):
                await response.write(b" ")
                await asyncio.sleep(0.1)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    async def _bomb(self, request: web.Request) -> web.Response:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
        return web.Response(body=gzip_bomb(), headers=headers)

    async def _loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop/{int(request.match_info['n']) + 1}")

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])


class StaticResolver(AbstractResolver):
    """A DNS stand-in mapping names to fixed addresses, so tests can make a name 'resolve' anywhere."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"unknown host {host}")
        address = self.table[host]
        inet = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            ResolveResult(
                hostname=host, host=address, port=port, family=inet, proto=0, flags=socket.AI_NUMERICHOST
            )
        ]

    async def close(self) -> None:
        return None


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
