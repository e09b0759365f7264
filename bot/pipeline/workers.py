"""Worker processes for the CPU-bound stages (parsing, relevance, deadlines, offline summaries).

A worker that dies (killed for memory, crashed in a C extension) breaks a `ProcessPoolExecutor` for good;
this pool starts a fresh one and retries the call once, so one bad moment never stops ingestion. The other
way round, a worker whose bot process was killed (`kill -9`, the OOM killer) exits at once instead of
waiting forever for calls that will never come.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class WorkerPool:
    """`size` worker processes, started with spawn (the bot process already runs threads).

    `prepare` runs once in each new worker (imports, lazy tables), so no call pays a worker's start-up.
    """

    def __init__(self, size: int, *, prepare: Callable[[], None] | None = None) -> None:
        self.size = size
        self._prepare = prepare
        self._pool = self._new_pool()

    async def start(self) -> None:
        """Start every worker now and wait until each is prepared, instead of on the first calls."""
        # The executor spawns a process for a call that finds no idle worker, so `size` calls in flight
        # together start them all; a worker runs `prepare` before its first call, so a call it answers
        # proves it ready. The first one up may answer them all: ask again until every worker has.
        ready: set[int] = set()
        for _attempt in range(100):
            ready.update(await asyncio.gather(*(self.run(_ready) for _ in range(self.size))))
            if len(ready) >= self.size:
                return

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a worker; `fn` and its arguments must pickle."""
        call = functools.partial(fn, *args, **kwargs)
        pool = self._pool
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, call)
        except BrokenProcessPool:
            self._replace(pool)
            return await loop.run_in_executor(self._pool, call)

    def pids(self) -> list[int]:
        """The worker processes' ids (for measurements)."""
        return [process.pid for process in getattr(self._pool, "_processes", {}).values()]

    def shutdown(self) -> None:
        """Stop the workers, dropping queued calls."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:  # concurrent callers saw the same break: replace it once
            log.warning("an analysis worker died; starting %d new worker(s)", self.size)
            broken.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.size, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self._prepare,))


def _start_worker(prepare: Callable[[], None] | None) -> None:
    """Runs first in every worker: ignore Ctrl-C, watch the bot process, then prepare."""
    # Ctrl-C on a terminal reaches the whole process group; the bot process shuts down and the workers go
    # with it, so an idle worker must not die of it with a traceback of its own. (Duckling's runtime used to
    # hide this by installing its own SIGINT handler, which the pure-Python time parser does not.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), name="parent-watch",
                         daemon=True).start()
    if prepare is not None:
        prepare()


def _exit_with_parent(sentinel: int) -> None:
    # A worker blocks on its call queue, and holds that queue's write end itself, so it never sees the bot
    # process go: the parent's sentinel becomes ready when the parent's end of the spawn pipe closes.
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _ready() -> int:
    """A call that proves its worker is up: its process id, after a pause that lets the others answer."""
    time.sleep(0.01)
    return os.getpid()
