"""The worker pool: workers are prepared before the first call, and leave with the bot process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.pipeline.workers import WorkerPool

ROOT = Path(__file__).resolve().parents[1]

# A bot process in miniature: start a pool, say the worker's pid, then wait to be killed.
_CHILD = """
import asyncio, sys, time
from bot.pipeline.workers import WorkerPool

pool = WorkerPool(1)
asyncio.run(pool.start())
print(*pool.pids(), flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # exited, waiting for init to reap it


def test_workers_exit_when_the_bot_process_is_killed() -> None:
    child = subprocess.Popen([sys.executable, "-c", _CHILD], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout is not None
        workers = [int(pid) for pid in child.stdout.readline().split()]
        assert len(workers) == 1 and not _gone(workers[0])
        child.send_signal(signal.SIGKILL)  # no shutdown code runs: as the OOM killer would
        child.wait(timeout=10)
        deadline = time.monotonic() + 20
        while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_gone(pid) for pid in workers)
    finally:
        child.kill()
        child.wait()


def note_prepared() -> None:
    """A worker's `prepare` that leaves its process id in the file named by USCHINA_TEST_PREPARED."""
    with open(os.environ["USCHINA_TEST_PREPARED"], "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\n")


async def test_start_has_every_worker_prepared_before_the_first_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marks = tmp_path / "prepared"
    monkeypatch.setenv("USCHINA_TEST_PREPARED", str(marks))
    workers = WorkerPool(2, prepare=note_prepared)
    try:
        await workers.start()
        started = sorted(workers.pids())
        assert len(started) == 2
        assert sorted(int(line) for line in marks.read_text().split()) == started
    finally:
        workers.shutdown()
