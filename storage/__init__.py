"""SQLite storage: schema, migrations and an async facade over typed queries."""

from storage.db import open_database
from storage.store import Store

__all__ = ["Store", "open_database"]
