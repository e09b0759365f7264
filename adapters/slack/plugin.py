"""The Slack adapter's registry entry; slack-bolt is imported only when the adapter is built."""

from __future__ import annotations

from adapters.slack.config import SlackConfig, configure
from bot.ports import AdapterContext, AdapterPlugin, ChatAdapter


def build(config: SlackConfig, context: AdapterContext) -> ChatAdapter:
    """The Slack adapter; OAuth installations are kept in the bot's store."""
    from adapters.slack.app import adapter_from_config

    return adapter_from_config(config, store=context.store, workspace_removed=context.workspace_removed)


# Bot, user and refresh tokens (xoxb-, xoxp-, xoxe-...) and app-level tokens (xapp-).
SECRET_PATTERNS = (r"xox[abposre]-[A-Za-z0-9-]+", r"xapp-[A-Za-z0-9-]+")

PLUGIN = AdapterPlugin(name="slack", configure=configure, build=build, secret_patterns=SECRET_PATTERNS)
