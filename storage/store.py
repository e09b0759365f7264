"""An async facade over the SQLite database.

SQLite calls are short but blocking, so every query runs on one dedicated worker thread: the event loop
never blocks on disk, and writes are serialized without locks. Queries are plain sync functions taking the
`sqlite_utils.Database` as first argument (see `storage/queries/`), run with `await store.run(fn, ...)`.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import sqlite_utils

from storage.db import DatabaseUnavailable, is_readonly_file, open_database

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """Owns the database connection and the thread that uses it."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.readonly = False  # opened for reading only (a read-only file or filesystem)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="uschina-db")
        self._db: sqlite_utils.Database | None = None

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        """Open the database at `path` (":memory:" for tests) and apply migrations; a file this process
        may not write is opened read-only. Raises DatabaseUnavailable with a one-line reason."""
        store = cls(path)
        try:
            if store.path != ":memory:":
                store.readonly = await store._submit(is_readonly_file, Path(store.path))
            store._db = await store._submit(open_database, store.path, readonly=store.readonly)
        except (sqlite3.DatabaseError, OSError) as exc:
            store._executor.shutdown(wait=False)
            raise DatabaseUnavailable(f"cannot open the database {store.path}: {exc}") from exc
        except DatabaseUnavailable:
            store._executor.shutdown(wait=False)
            raise
        return store

    async def run(
        self, fn: Callable[Concatenate[sqlite_utils.Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(db, *args, **kwargs)` on the database thread and return its result."""
        db = self._db
        if db is None:
            raise RuntimeError("store is closed")
        return await self._submit(fn, db, *args, **kwargs)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            await self.run(lambda db: db.execute("SELECT 1").fetchone())
        except Exception:
            return False
        return True

    async def close(self) -> None:
        """Close the connection and stop the worker thread."""
        db, self._db = self._db, None
        if db is not None:
            await self._submit(db.close)
        self._executor.shutdown(wait=True)

    async def _submit(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
