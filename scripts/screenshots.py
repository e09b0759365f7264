"""Screenshots of the web page for the README: `python -m scripts.screenshots [OUT_DIR]`.

Serves the page from a fresh database filled by the real ingest of the seeds folder, with the clock set to
the seed's week so its deadlines are ahead, and photographs it with headless Chromium at a phone width and
a desktop width (docs/web-phone.png, docs/web-desktop.png).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from bot.app.main import Bot
from bot.app.runtime import Runtime
from bot.config import load_settings
from bot.domain.clock import Clock
from scripts.chromium import screenshot

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_WEEK = datetime(2025, 7, 14, 9, 0, tzinfo=UTC)
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


@contextlib.asynccontextmanager
async def seeded_page(db_dir: Path, *, clock: Clock, seeds: Path = SEEDS) -> AsyncIterator[str]:
    """The bot's HTTP server on 127.0.0.1 (a free port) over a database in `db_dir` filled by ingesting
    `seeds`; yields the page's URL."""
    # The embedded defaults (starter feeds included, not fetched here), as after `uschina run`.
    settings = load_settings(env={}).with_overrides(db_path=db_dir / "uschina.db", seeds_dir=seeds, http_port=0)
    async with Runtime.open(settings, clock=clock) as runtime:
        await runtime.ingest_once(seeds=seeds)
        bot = Bot(runtime, [])
        port = await bot.http.start()
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            await bot.http.stop()


async def main(out_dir: Path) -> None:
    """Write one PNG per size in SIZES to `out_dir` (an existing folder)."""
    with tempfile.TemporaryDirectory() as db_dir:
        async with seeded_page(Path(db_dir), clock=lambda: SEED_WEEK) as url:
            for name, (width, height) in SIZES.items():
                path = out_dir / f"web-{name}.png"
                await screenshot(url, path, width=width, height=height)
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(out))
