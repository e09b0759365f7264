"""Deadline extraction: future US–China events and deadlines found in news text."""

from __future__ import annotations

from bot.analysis.deadlines.events import topic_key
from bot.analysis.deadlines.extract import extract_deadlines

__all__ = ["extract_deadlines", "topic_key"]
