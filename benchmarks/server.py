"""A local feed server for the benchmarks, run in its own process so it does not share our event loop.

`python -m benchmarks.server DIR` serves `DIR/<n>.xml` at `/feed/<n>.xml` on 127.0.0.1 (port chosen by the
OS, printed as the first stdout line). Nine feeds in ten send an ETag and answer a matching
If-None-Match with 304; the tenth sends no validator, so every cycle downloads it again, like many
real publishers.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from pathlib import Path

from aiohttp import web

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def has_etag(index: int) -> bool:
    """Whether feed `index` supports conditional GET."""
    return index % 10 != 0


def make_app(root: Path) -> web.Application:
    """The aiohttp application serving the feed files under `root`."""

    async def feed(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = root / f"{name}.xml"
        if not name.isdigit() or not path.is_file():
            raise web.HTTPNotFound()
        body = path.read_bytes()
        kind = ATOM_TYPE if b"http://www.w3.org/2005/Atom" in body[:300] else RSS_TYPE
        if not has_etag(int(name)):
            return web.Response(body=body, content_type=None, headers={"Content-Type": kind})
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": kind})

    app = web.Application()
    app.router.add_get("/feed/{name}.xml", feed)
    return app


async def serve(root: Path) -> None:
    """Serve until the parent closes our stdin."""
    runner = web.AppRunner(make_app(root), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(port, flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # EOF: the parent is done or gone
    await runner.cleanup()


class FeedServer:
    """Runs `python -m benchmarks.server` as a child process; use as a context manager."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> FeedServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", str(self.root)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline().strip())
        return self

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{index}.xml"

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
