"""Slack OAuth installations kept in the bot's SQLite database (tables from migration m002).

Each row holds the slack_sdk model as JSON, so every field slack-bolt knows round-trips unchanged.
The rows contain bot tokens: they live only in the database, never in logs.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import sqlite_utils
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.ports import StoreRunner

log = logging.getLogger(__name__)


def _key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> tuple[str, str]:
    # An org-wide install is found by its enterprise id alone, whatever workspace the request came from.
    return (enterprise_id or "", "" if is_enterprise_install else (team_id or ""))


def _to_json(model: Installation | Bot) -> str:
    return json.dumps(
        model.to_dict_for_copying(), default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)
    )


def save_installation_row(db: sqlite_utils.Database, installation: Installation) -> None:
    """Upsert the installation and its bot (sync; runs on the store thread)."""
    ent, team = _key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
    db.table("slack_installations").insert(
        {
            "enterprise_id": ent,
            "team_id": team,
            "user_id": installation.user_id,
            "installed_at": installation.installed_at,
            "data": _to_json(installation),
        },
        replace=True,
    )
    if installation.bot_token:
        save_bot_row(db, installation.to_bot())


def save_bot_row(db: sqlite_utils.Database, bot: Bot) -> None:
    """Upsert the bot installation of one workspace / org."""
    ent, team = _key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
    db.table("slack_bots").insert(
        {"enterprise_id": ent, "team_id": team, "installed_at": bot.installed_at, "data": _to_json(bot)},
        replace=True,
    )


def find_row(db: sqlite_utils.Database, table: str, where: dict[str, str]) -> dict[str, Any] | None:
    """The newest row of `table` matching `where` (column -> value), decoded from JSON."""
    clause = " AND ".join(f"{column} = ?" for column in where)
    sql = f"SELECT data FROM {table} WHERE {clause} ORDER BY installed_at DESC LIMIT 1"
    row = db.execute(sql, list(where.values())).fetchone()
    return json.loads(row[0]) if row else None


def delete_rows(db: sqlite_utils.Database, table: str, where: dict[str, str]) -> None:
    """Delete the rows of `table` matching `where`."""
    clause = " AND ".join(f"{column} = ?" for column in where)
    db.execute(f"DELETE FROM {table} WHERE {clause}", list(where.values()))
    db.conn.commit()


class SQLiteInstallationStore(AsyncInstallationStore):
    """slack-bolt's AsyncInstallationStore over the shared Store (bot and user installations)."""

    def __init__(self, store: StoreRunner) -> None:
        self._store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        """Persist an installation that just completed the OAuth flow."""
        await self._store.run(save_installation_row, installation)
        log.info(
            "slack: installed in team=%s enterprise=%s", installation.team_id, installation.enterprise_id
        )

    async def async_save_bot(self, bot: Bot) -> None:
        """Persist a bot installation (token rotation refreshes come through here)."""
        await self._store.run(save_bot_row, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """The bot installed in a workspace / org, or None."""
        ent, team = _key(enterprise_id, team_id, is_enterprise_install)
        data = await self._store.run(find_row, "slack_bots", {"enterprise_id": ent, "team_id": team})
        return Bot(**data) if data else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The user's installation when `user_id` is given, else the workspace's latest one."""
        ent, team = _key(enterprise_id, team_id, is_enterprise_install)
        where = {"enterprise_id": ent, "team_id": team} | ({"user_id": user_id} if user_id else {})
        data = await self._store.run(find_row, "slack_installations", where)
        return Installation(**data) if data else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the bot of a workspace (app uninstalled or token revoked)."""
        where = {"enterprise_id": enterprise_id or "", "team_id": team_id or ""}
        await self._store.run(delete_rows, "slack_bots", where)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget one user's installation, or all of a workspace's when `user_id` is None."""
        where = {"enterprise_id": enterprise_id or "", "team_id": team_id or ""}
        where |= {"user_id": user_id} if user_id else {}
        await self._store.run(delete_rows, "slack_installations", where)
