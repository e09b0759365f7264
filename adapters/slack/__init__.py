"""Slack adapter: slash commands via slack-bolt, Block Kit rendering, OAuth installations.

The names below are loaded on first use, so reading the settings (`adapters.slack.config`) does not
import slack-bolt.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter, adapter_from_config, build_web_client
    from adapters.slack.render import RenderedSlackMessage, render_message

__all__ = ["RenderedSlackMessage", "SlackAdapter", "adapter_from_config", "build_web_client", "render_message"]
_HOMES = {"SlackAdapter": "app", "adapter_from_config": "app", "build_web_client": "app",
          "RenderedSlackMessage": "render", "render_message": "render"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
