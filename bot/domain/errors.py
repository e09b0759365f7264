"""Errors every layer may raise about its own settings."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message names it."""
