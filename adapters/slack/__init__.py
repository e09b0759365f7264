"""Slack adapter: slash commands via slack-bolt, Block Kit rendering, OAuth installations."""

from __future__ import annotations

from adapters.slack.app import SlackAdapter, adapter_from_config, build_web_client
from adapters.slack.render import RenderedSlackMessage, render_message

__all__ = ["RenderedSlackMessage", "SlackAdapter", "adapter_from_config", "build_web_client", "render_message"]
