"""SQLite storage: schema, migrations and an async facade over typed queries."""

from storage.db import DatabaseUnavailable, open_database
from storage.store import Store

__all__ = ["DatabaseUnavailable", "Store", "open_database"]
