"""The chat adapters the bot knows, by name, loaded lazily: an adapter's module (and its platform library)
is imported only to read its settings and, when they enable it, to build it."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from bot.ports import AdapterContext, AdapterPlugin, ChatAdapter

# name -> "module:attribute" of its AdapterPlugin (the same shape an entry point would have).
ADAPTERS: dict[str, str] = {
    "console": "adapters.console:PLUGIN",
    "slack": "adapters.slack.plugin:PLUGIN",
    "discord": "adapters.discord.plugin:PLUGIN",
}


def plugin(name: str) -> AdapterPlugin:
    """The registered plugin called `name` (KeyError when none is)."""
    module, _, attribute = ADAPTERS[name].partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, AdapterPlugin):
        raise TypeError(f"{ADAPTERS[name]} is not an AdapterPlugin")
    return found


def configure_adapters(env: Mapping[str, str], file: Mapping[str, Any]) -> dict[str, object]:
    """Each enabled adapter's own settings, read and validated from the environment and file, by name."""
    configured = {name: plugin(name).configure(env, file) for name in ADAPTERS}
    return {name: config for name, config in configured.items() if config is not None}


def build_adapters(configs: Mapping[str, object], context: AdapterContext) -> list[ChatAdapter]:
    """The adapters enabled in `configs`, in registry order."""
    return [plugin(name).build(configs[name], context) for name in ADAPTERS if name in configs]


def secret_patterns(names: Iterable[str] | None = None) -> tuple[str, ...]:
    """The credential shapes the adapters called `names` declare (default: every known adapter's)."""
    return tuple(pattern for name in (ADAPTERS if names is None else names)
                 for pattern in plugin(name).secret_patterns)
