"""Run the whole bot (bot.app.run_bot) in-process against local fakes."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.app.main import Bot, run_bot
from bot.config import DEFAULT_CONFIG_FILE, load_settings

FIXTURE_SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database path for `uschina` run in-process, on an empty configuration of its own."""
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    monkeypatch.setenv("USCHINA_CONFIG", str(config))
    monkeypatch.setenv("USCHINA_ALLOW_PRIVATE_FEEDS", "1")
    monkeypatch.delenv("USCHINA_DB", raising=False)
    return tmp_path / "cli.db"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`uschina ARGS` in-process: (exit status, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def seeds_folder(tmp_path: Path) -> Path:
    """A seeds folder holding the Kuala Lumpur article (front matter published 2025-07-11)."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(FIXTURE_SEEDS / "kuala-lumpur.md", folder / "kuala-lumpur.md")
    return folder


@asynccontextmanager
async def running_bot(tmp_path: Path, env: Mapping[str, str]) -> AsyncIterator[Bot]:
    """Start `run_bot` with the given environment (no starter feeds, HTTP on a free port); stop on exit."""
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    base = {"USCHINA_CONFIG": str(config), "USCHINA_DB": str(tmp_path / "bot.db"),
            "USCHINA_SEEDS": str(seeds_folder(tmp_path)), "USCHINA_HTTP_PORT": "0", "USCHINA_NO_CONSOLE": "1"}
    assert DEFAULT_CONFIG_FILE.exists()
    settings = load_settings(env={**base, **env})
    stop = asyncio.Event()
    ready: asyncio.Future[Bot] = asyncio.get_running_loop().create_future()

    async def on_ready(bot: Bot) -> None:
        ready.set_result(bot)

    task = asyncio.create_task(run_bot(settings, stop=stop, on_ready=on_ready))
    waiters: set[asyncio.Future[object]] = {task, ready}  # type: ignore[arg-type]
    done, _ = await asyncio.wait(waiters, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raise the start-up error
    try:
        yield ready.result()
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def wait_until(predicate: Callable[[], object], within: float = 5.0) -> object:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (result := predicate()):
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
    return result


async def settled(count: Callable[[], int], quiet: float = 0.3, within: float = 5.0) -> int:
    """Wait until `count()` has not changed for `quiet` seconds (a reply may come in more than one call, and
    under load the last one can follow the first by a while); return it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last, since = count(), loop.time()
    while loop.time() - since < quiet:
        assert loop.time() < deadline, "calls kept coming"
        await asyncio.sleep(0.02)
        if (now := count()) != last:
            last, since = now, loop.time()
    return last
