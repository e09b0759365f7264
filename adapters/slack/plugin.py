"""The Slack adapter's registry entry; slack-bolt is imported only when the adapter is built."""

from __future__ import annotations

from adapters.slack.config import SlackConfig, configure
from bot.ports import AdapterContext, AdapterPlugin, ChatAdapter


def build(config: SlackConfig, context: AdapterContext) -> ChatAdapter:
    """The Slack adapter; OAuth installations are kept in the bot's store."""
    from adapters.slack.app import adapter_from_config

    return adapter_from_config(config, store=context.store)


PLUGIN = AdapterPlugin(name="slack", configure=configure, build=build)
