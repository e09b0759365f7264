"""Durations written like `24h`, `7d`, `90d`, `30m`, `2w`."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d{1,5})\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX = timedelta(days=3650)


def parse_duration(text: str) -> timedelta:
    """'24h' -> timedelta(hours=24); raises ValueError with a usable message otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (write it like 24h, 7d or 90d)")
    value = timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    if not timedelta(0) < value <= MAX:
        raise ValueError(f"duration out of range: {text!r}")
    return value
