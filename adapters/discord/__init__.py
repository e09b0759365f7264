"""Discord adapter: discord.py client with the `/uschina` command group, and the embed renderer."""

from __future__ import annotations

from adapters.discord.client import DiscordAdapter
from adapters.discord.render import RenderedDiscordMessage, render_message

__all__ = ["DiscordAdapter", "RenderedDiscordMessage", "render_message"]
