"""The Slack adapter's settings: the SLACK_* variables, read and validated once at start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.errors import ConfigError

DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackConfig:
    """Validated Slack settings; secrets stay out of `repr()`."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    state_secret: str | None = field(default=None, repr=False)
    verify_delivery: bool = False  # ask OAuth installs for the history scopes (crash-safe delivery)


def configure(env: Mapping[str, str], file: Mapping[str, Any]) -> SlackConfig | None:
    """Slack settings from the environment, or None when neither a bot token nor OAuth is set."""
    token, secret = env.get("SLACK_BOT_TOKEN"), env.get("SLACK_SIGNING_SECRET")
    client_id = env.get("SLACK_CLIENT_ID")
    if not token and not client_id:
        return None
    if not secret and not env.get("SLACK_APP_TOKEN"):
        raise ConfigError("SLACK_SIGNING_SECRET is required for Slack over HTTP (or set SLACK_APP_TOKEN "
                          "for Socket Mode)")
    api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
    return SlackConfig(
        bot_token=token or "", signing_secret=secret or "", app_token=env.get("SLACK_APP_TOKEN") or None,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        client_id=client_id, client_secret=env.get("SLACK_CLIENT_SECRET"),
        state_secret=env.get("SLACK_STATE_SECRET"), verify_delivery=_flag(env.get("SLACK_VERIFY_DELIVERY")),
    )


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
