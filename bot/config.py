"""Settings from `uschina.toml` and the environment, validated once at start.

Precedence: command-line flags > environment > configuration file > defaults. Secrets (tokens, keys)
are read only from the environment and are kept out of `repr()` so they never reach logs.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import ConfigError
from bot.registry import configure_adapters

__all__ = ["ConfigError", "LLMConfig", "Settings", "SourceConfig", "check_timezone", "load_settings", "parse_hhmm"]

DEFAULT_CONFIG_FILE = Path(__file__).with_name("default_config.toml")
SOURCE_KINDS = ("official", "wire", "outlet", "commentary")
N = TypeVar("N", int, float)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class SourceConfig:
    url: str
    name: str
    kind: str = "outlet"
    interval_s: int = 900


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    daily_token_budget: int = 200_000


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to run; build with `load_settings()`."""

    db_path: Path = Path("data/uschina.db")
    seeds_dir: Path = Path("seeds")
    sources: tuple[SourceConfig, ...] = ()
    relevance_threshold: float = 0.5
    digest_time: str = "08:00"
    timezone: str = "UTC"
    reminder_lead_days: tuple[int, ...] = (7, 1, 0)
    digest_grace_hours: float = 2.0
    alert_min_confidence: float = 0.75
    seeds_poll_s: float = 5.0
    analysis_workers: int = 1  # processes for relevance and deadlines; 0 runs them on the event loop
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    allow_private_feeds: bool = False
    admins: frozenset[str] = frozenset()
    # Each enabled chat adapter's own settings, by name (see bot/registry.py); the console is one of them.
    adapters: Mapping[str, Any] = field(default_factory=dict)
    llm: LLMConfig | None = None
    user_agent: str = "uschina/0.1 (US-China news digest bot; self-hosted)"

    @property
    def console(self) -> bool:
        """Whether the console adapter is on (USCHINA_NO_CONSOLE turns it off)."""
        return "console" in self.adapters

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (command-line flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(env: Mapping[str, str] | None = None, config_path: str | Path | None = None) -> Settings:
    """Read the configuration file (if any) and the environment into validated Settings."""
    env = os.environ if env is None else env
    path = Path(config_path or env.get("USCHINA_CONFIG") or "uschina.toml")
    data = _read_toml(DEFAULT_CONFIG_FILE)
    if path.exists():
        data = {**data, **_read_toml(path)}
    elif config_path or env.get("USCHINA_CONFIG"):
        raise ConfigError(f"configuration file not found: {path}")
    return _build(data, env)


def parse_hhmm(value: str) -> tuple[int, int]:
    """'7:30' -> (7, 30); raises ConfigError for anything else."""
    match = _HHMM.match(value.strip())
    if not match:
        raise ConfigError(f"not a time of day (HH:MM): {value!r}")
    return int(match.group(1)), int(match.group(2))


def check_timezone(name: str) -> str:
    """Return `name` if it is an IANA time zone, else raise ConfigError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone: {name!r} (use an IANA name like Europe/Berlin)") from None
    return name


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc}") from None


def _build(data: dict[str, Any], env: Mapping[str, str]) -> Settings:
    digest_time = str(env.get("USCHINA_DIGEST_TIME") or data.get("digest_time", "08:00"))
    parse_hhmm(digest_time)
    return Settings(
        db_path=Path(env.get("USCHINA_DB") or data.get("db", "data/uschina.db")),
        seeds_dir=Path(env.get("USCHINA_SEEDS") or data.get("seeds", "seeds")),
        sources=tuple(_source(s) for s in data.get("sources", [])),
        relevance_threshold=_fraction("relevance_threshold", data.get("relevance_threshold", 0.5)),
        digest_time=digest_time,
        timezone=check_timezone(str(env.get("USCHINA_TIMEZONE") or data.get("timezone", "UTC"))),
        reminder_lead_days=tuple(int(d) for d in data.get("reminder_lead_days", (7, 1, 0))),
        digest_grace_hours=float(data.get("digest_grace_hours", 2.0)),
        alert_min_confidence=_fraction("alert_min_confidence", env.get("USCHINA_ALERT_MIN_CONFIDENCE")
                                       or data.get("alert_min_confidence", 0.75)),
        seeds_poll_s=float(data.get("seeds_poll_seconds", 5.0)),
        analysis_workers=_count("analysis_workers", env.get("USCHINA_ANALYSIS_WORKERS")
                                or data.get("analysis_workers", 1)),
        http_host=env.get("USCHINA_HTTP_HOST") or str(data.get("http_host", "127.0.0.1")),
        http_port=_port(env.get("USCHINA_HTTP_PORT") or data.get("http_port", 3000)),
        allow_private_feeds=_flag(env.get("USCHINA_ALLOW_PRIVATE_FEEDS")),
        admins=frozenset(a for a in (env.get("USCHINA_ADMINS") or "").replace(" ", "").split(",") if a),
        adapters=configure_adapters(env, data),
        llm=_llm(env, data),
    )


def _source(raw: Any) -> SourceConfig:
    if not isinstance(raw, dict) or not raw.get("url"):
        raise ConfigError(f"a [[sources]] entry needs a url: {raw!r}")
    kind = str(raw.get("kind", "outlet"))
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"source {raw['url']}: kind must be one of {', '.join(SOURCE_KINDS)}")
    return SourceConfig(
        url=str(raw["url"]), name=str(raw.get("name") or raw["url"]), kind=kind,
        interval_s=int(raw.get("interval_minutes", 15)) * 60,
    )


def _llm(env: Mapping[str, str], data: dict[str, Any]) -> LLMConfig | None:
    base_url = env.get("USCHINA_LLM_BASE_URL")
    if not base_url:
        return None
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("USCHINA_LLM_BASE_URL must be an http(s) URL")
    return LLMConfig(
        base_url=base_url.rstrip("/"), model=env.get("USCHINA_LLM_MODEL") or "gpt-4o-mini",
        api_key=env.get("USCHINA_LLM_API_KEY") or None,
        daily_token_budget=int(data.get("llm_daily_token_budget", 200_000)),
    )


def _fraction(name: str, value: Any) -> float:
    return _bounded(name, value, float, 0, 1)


def _count(name: str, value: Any) -> int:
    return _bounded(name, value, int, 0, 64)


def _port(value: Any) -> int:
    return _bounded("USCHINA_HTTP_PORT", value, int, 0, 65535, what="a port number")


def _bounded(name: str, value: Any, kind: type[N], low: N, high: N, *, what: str = "") -> N:
    """`value` as a number of `kind` within [low, high], or a ConfigError naming the setting."""
    what = what or ("a whole number" if kind is int else "a number")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be {what} between {low} and {high}, got {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
