"""Compatibility name for `bot.domain.models`, kept because `bot/analysis/` still imports it from here."""

from __future__ import annotations

from bot.domain.models import (
    Analysis,
    DeadlineMention,
    DeadlineView,
    Granularity,
    Item,
    Message,
    PublishedFrom,
    RawEntry,
    Relevance,
    SourceKind,
    StoryView,
    Target,
)

__all__ = [
    "Analysis", "DeadlineMention", "DeadlineView", "Granularity", "Item", "Message", "PublishedFrom", "RawEntry",
    "Relevance", "SourceKind", "StoryView", "Target",
]
