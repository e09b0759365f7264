"""Render a platform-neutral Message as Slack Block Kit messages (pure, no I/O).

Slack's limits drive the shape: at most 50 blocks per message, 3000 characters per section, 150 per
header, and messages whose blocks are very long (~13k characters seen in practice) are rejected with
`msg_blocks_too_long`. Long digests are therefore split into several messages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.models import DeadlineView, Message, StoryView
from bot.domain.when import countdown, date_label

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3000
# Serialized blocks per message: a cap below the size at which Slack was seen to reject messages.
MAX_MESSAGE_CHARS = 12000
MAX_SUMMARY_CHARS = 1200
MAX_SOURCES_SHOWN = 8

_MENTION = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RenderedSlackMessage:
    """One chat.postMessage worth of content: plain fallback text and Block Kit blocks."""

    text: str
    blocks: list[dict[str, Any]]


def escape(text: str) -> str:
    """Escape Slack mrkdwn control characters and defuse broadcast mentions in untrusted text."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return defuse_mentions(escaped)


def defuse_mentions(text: str) -> str:
    """Insert a zero-width space after '@' in @here/@channel/@everyone so they never ping."""
    return _MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def link(url: str | None, label: str) -> str:
    """A mrkdwn link `<url|label>` for http(s) URLs; the escaped label alone otherwise."""
    safe_label = escape(label).replace("|", "¦")
    if not url or not url.lower().startswith(("http://", "https://")):
        return safe_label
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe_url}|{safe_label}>"


def render_message(message: Message, *, today: date | None = None) -> list[RenderedSlackMessage]:
    """Render `message` as one or more Slack messages, each within Slack's block and size limits.

    Countdowns count from `today`, else the message's own `as_of`; with neither, deadlines show no countdown."""
    today = today or message.as_of
    groups = _body_groups(message, today)
    chunks = _pack(groups, _header_blocks(message))
    return [
        RenderedSlackMessage(text=_fallback(message, i, len(chunks)), blocks=chunk)
        for i, chunk in enumerate(chunks)
    ]


def _header_blocks(message: Message) -> list[dict[str, Any]]:
    if not message.title:
        return []
    title = truncate(defuse_mentions(message.title), MAX_HEADER_CHARS)
    return [HeaderBlock(text=title).to_dict()]


def _body_groups(message: Message, today: date | None) -> list[list[dict[str, Any]]]:
    """Blocks grouped so that one story or deadline is never split across two messages."""
    groups = [_story_blocks(story) for story in message.stories]
    if message.stories and message.deadlines:
        groups.append([DividerBlock().to_dict()])
    groups += [_deadline_blocks(deadline, today) for deadline in message.deadlines]
    groups += [[_section(part)] for part in _split_lines(message.lines)]
    if not groups:
        groups.append([_section(escape(message.text) or " ")])
    return groups


def _section(mrkdwn: str) -> dict[str, Any]:
    text = MarkdownTextObject(text=truncate(mrkdwn, MAX_SECTION_CHARS))
    return SectionBlock(text=text).to_dict()


def _context(mrkdwn: str) -> dict[str, Any]:
    text = MarkdownTextObject(text=truncate(mrkdwn, MAX_SECTION_CHARS))
    return ContextBlock(elements=[text]).to_dict()


def _story_blocks(story: StoryView) -> list[dict[str, Any]]:
    heading = f"*{link(story.url, truncate(story.title, 300))}*"
    summary = escape(truncate(story.summary, MAX_SUMMARY_CHARS))
    blocks = [_section(f"{heading}\n{summary}" if summary else heading)]
    if story.sources:
        blocks.append(_context(_sources_line(story.sources)))
    return blocks


def _sources_line(sources: tuple[tuple[str, str, str | None], ...]) -> str:
    shown = [f"{link(url, name)} ({escape(kind)})" for name, kind, url in sources[:MAX_SOURCES_SHOWN]]
    extra = len(sources) - MAX_SOURCES_SHOWN
    suffix = f" · +{extra} more" if extra > 0 else ""
    return "Sources: " + " · ".join(shown) + suffix


def _deadline_blocks(deadline: DeadlineView, today: date | None) -> list[dict[str, Any]]:
    when = date_label(deadline) + (f" ({countdown(deadline, today)})" if today else "")
    lines = [f"*{escape(truncate(deadline.what, 300))}*", f"{when} · _{escape(deadline.status)}_"]
    if deadline.evidence:
        lines.append("> " + escape(truncate(deadline.evidence, 300)).replace("\n", " "))
    blocks = [_section("\n".join(lines))]
    if deadline.sources:
        shown = [_source_ref(ref) for ref in deadline.sources[:MAX_SOURCES_SHOWN]]
        blocks.append(_context("Sources: " + " · ".join(shown)))
    return blocks


def _source_ref(ref: str) -> str:
    if ref.lower().startswith(("http://", "https://")):
        return link(ref, truncate(ref.split("//", 1)[1].split("/", 1)[0], 80))
    return escape(truncate(ref, 120))


def _split_lines(lines: tuple[str, ...]) -> list[str]:
    """Join escaped lines into section texts of at most MAX_SECTION_CHARS each."""
    parts: list[str] = []
    current = ""
    for line in lines:
        piece = truncate(escape(line), MAX_SECTION_CHARS)
        if current and len(current) + 1 + len(piece) > MAX_SECTION_CHARS:
            parts.append(current)
            current = ""
        current = f"{current}\n{piece}" if current else piece
    if current:
        parts.append(current)
    return parts


def _size(blocks: list[dict[str, Any]]) -> int:
    return len(json.dumps(blocks, ensure_ascii=False))


def _pack(groups: list[list[dict[str, Any]]], header: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Fill messages greedily with whole groups, starting a new one at the block or size cap."""
    chunks: list[list[dict[str, Any]]] = [list(header)]
    for group in groups:
        current = chunks[-1]
        fits = len(current) + len(group) <= MAX_BLOCKS and _size(current + group) <= MAX_MESSAGE_CHARS
        if current and not fits:
            chunks.append([])
        chunks[-1].extend(group)
    return [chunk for chunk in chunks if chunk]


def _fallback(message: Message, index: int, total: int) -> str:
    """Notification text: the message text for the first part, "Title (part 2 of 3)" for the rest."""
    if index == 0:
        return truncate(escape(message.text or message.title or "uschina"), MAX_FALLBACK_CHARS)
    title = escape(message.title or message.kind)
    return truncate(f"{title} (part {index + 1} of {total})", MAX_FALLBACK_CHARS)
