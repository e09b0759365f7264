"""Discord adapter: discord.py client with the `/uschina` command group, and the embed renderer.

The names below are loaded on first use, so reading the settings (`adapters.discord.plugin`) does not
import discord.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.discord.client import DiscordAdapter
    from adapters.discord.render import RenderedDiscordMessage, render_message

__all__ = ["DiscordAdapter", "RenderedDiscordMessage", "render_message"]
_HOMES = {"DiscordAdapter": "client", "RenderedDiscordMessage": "render", "render_message": "render"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
