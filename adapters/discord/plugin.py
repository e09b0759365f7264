"""The Discord adapter's settings (DISCORD_* variables) and its registry entry; discord.py is imported only
when the adapter is built."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.errors import ConfigError
from bot.ports import AdapterContext, AdapterPlugin, ChatAdapter


@dataclass(frozen=True)
class DiscordConfig:
    """Validated Discord settings; the token stays out of `repr()`."""

    token: str = field(repr=False)
    guild_ids: tuple[int, ...] = ()
    api_url: str | None = None
    gateway_url: str | None = None
    admin_role: str | None = None


def configure(env: Mapping[str, str], file: Mapping[str, Any]) -> DiscordConfig | None:
    """Discord settings from the environment (and `discord_admin_role` in the file), or None without a token."""
    token = env.get("DISCORD_TOKEN")
    if not token:
        return None
    raw_ids = (env.get("DISCORD_GUILD_IDS") or "").replace(" ", "")
    try:
        guild_ids = tuple(int(g) for g in raw_ids.split(",") if g)
    except ValueError:
        raise ConfigError("DISCORD_GUILD_IDS must be a comma-separated list of numeric ids") from None
    return DiscordConfig(
        token=token, guild_ids=guild_ids, api_url=env.get("DISCORD_API_URL") or None,
        gateway_url=env.get("DISCORD_GATEWAY_URL") or None,
        admin_role=env.get("DISCORD_ADMIN_ROLE") or file.get("discord_admin_role"),
    )


def build(config: DiscordConfig, context: AdapterContext) -> ChatAdapter:
    """The Discord adapter (gateway for commands, REST for posts)."""
    from adapters.discord.client import DiscordAdapter

    return DiscordAdapter(token=config.token, guild_ids=config.guild_ids, api_url=config.api_url,
                          gateway_url=config.gateway_url, admin_role=config.admin_role)


# A bot token (three dot-separated base64 parts) and the `Authorization: Bot ...` header that carries it.
SECRET_PATTERNS = (r"Bot\s+[A-Za-z0-9._-]{20,}", r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")

PLUGIN = AdapterPlugin(name="discord", configure=configure, build=build, secret_patterns=SECRET_PATTERNS)
