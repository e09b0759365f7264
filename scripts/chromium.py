"""Drive the system's headless Chromium (Debian's `chromium` package) from asyncio: dump a page's DOM after
it rendered, or take a screenshot at a given window size. No browser download, no driver: the binary only."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

TIMEOUT_S = 30.0
# Quiet, offline, throwaway: no sandbox (CI runs as root), no GPU, no background traffic, a fresh profile.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
)


def find_chromium() -> str | None:
    """The Chromium executable on PATH (`chromium`, else `chromium-browser`), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


async def dump_dom(url: str) -> str:
    """The page's DOM as Chromium serializes it after loading `url`."""
    return (await _run("--dump-dom", url)).decode("utf-8", "replace")


async def screenshot(url: str, path: Path, *, width: int, height: int) -> None:
    """Save a PNG of `url` in a `width`×`height` window to `path`."""
    target = await asyncio.to_thread(path.resolve)  # chromium resolves a relative path from elsewhere
    await _run(f"--screenshot={target}", f"--window-size={width},{height}", url)
    if not await asyncio.to_thread(target.is_file):
        raise RuntimeError(f"chromium wrote no screenshot to {path}")


async def _run(*args: str) -> bytes:
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="uschina-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            binary, *FLAGS, f"--user-data-dir={profile}", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    if process.returncode != 0:
        raise RuntimeError(f"chromium exited {process.returncode}: {err.decode(errors='replace')[-500:]}")
    return out
