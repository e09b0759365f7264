"""Delivery markers: a short reference to an outbox key, attached to every part of a scheduled post.

After a crash the outbox asks an adapter whether a message reached its channel; the Slack and Discord
adapters answer by scanning the channel's recent history for these markers (Slack message metadata, a
Discord embed footer or subtext line). A long digest is posted in parts, each marked `part/total`, so
a scan can tell "all arrived" from "some arrived" and the resend can skip the parts already there.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

# How far before the claim time a history scan starts: covers clock skew between us and the platform.
HISTORY_MARGIN = timedelta(minutes=5)
REF_LENGTH = 12  # hex characters: 48 bits, collision-free in practice per channel and short for a nonce

_MARKER = re.compile(r"uschina · ref ([0-9a-f]{12})(?: · (\d+)/(\d+))?")


def delivery_ref(idem_key: str) -> str:
    """A stable 12-character reference for `idem_key` (a hash: the key itself never reaches the chat)."""
    return hashlib.sha256(idem_key.encode()).hexdigest()[:REF_LENGTH]


def marker_text(ref: str, part: int, total: int) -> str:
    """'uschina · ref 3f9a1c2b7d4e', plus ' · 2/3' when the message has several parts."""
    return f"uschina · ref {ref}" + (f" · {part}/{total}" if total > 1 else "")


def parse_marker(text: str) -> tuple[str, int, int] | None:
    """(ref, part, total) from a text containing a marker, or None."""
    found = _MARKER.search(text)
    if found is None:
        return None
    ref, part, total = found.groups()
    return ref, int(part or 1), int(total or 1)


@dataclass
class Sighting:
    """The parts of one delivery seen in a channel's history: part number -> platform message id."""

    parts: dict[int, str] = field(default_factory=dict)
    total: int = 0

    def add(self, part: int, total: int, message_id: str) -> None:
        self.parts.setdefault(part, message_id)
        self.total = max(self.total, total)

    @property
    def complete(self) -> bool:
        return self.total > 0 and all(n in self.parts for n in range(1, self.total + 1))


def verdict(sighting: Sighting, scanned_everything: bool) -> bool | None:
    """True when every part is there; False when the whole window was scanned and parts are missing;
    None when the scan stopped early (a busy channel), since a missing part may lie beyond it."""
    if sighting.complete:
        return True
    return False if scanned_everything else None


class PartialDeliveries:
    """Parts already on the platform for keys `was_delivered` found incomplete, for the next resend."""

    def __init__(self) -> None:
        self._found: dict[str, Sighting] = {}

    def remember(self, idem_key: str, sighting: Sighting) -> None:
        if sighting.parts and not sighting.complete:
            self._found[idem_key] = sighting

    def take(self, idem_key: str, total: int) -> dict[int, str]:
        """The already-delivered parts of `idem_key` if the message still has `total` parts, else {}."""
        sighting = self._found.pop(idem_key, None)
        if sighting is None or sighting.total != total:
            return {}  # rendered differently now: parts cannot be matched, so send them all
        return sighting.parts
