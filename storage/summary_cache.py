"""The LLM summarizer's cache and token budget, kept in the database so they survive restarts."""

from __future__ import annotations

from storage.queries import kv
from storage.store import Store


class StoreSummaryCache:
    """A SummaryCache in the database's `kv` table, so cache and budget survive restarts."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, key: str) -> str | None:
        """The value under `key`, or None."""
        return await self.store.run(kv.get, key)

    async def put(self, key: str, value: str) -> None:
        """Store `value` under `key`."""
        await self.store.run(kv.put, key, value)
