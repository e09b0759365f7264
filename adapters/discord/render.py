"""Turn a platform-neutral Message into Discord messages (content + embeds) within Discord's limits.

Pure functions: no I/O, no client. Everything that came from a feed or a user (titles, summaries, source
names, lines) is markdown-escaped and has its mentions neutralized; masked links are built only from the
URLs our own source records carry, never from feed text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlsplit

import discord

from bot.domain.models import DeadlineView, Message, StoryView
from bot.domain.when import countdown, date_label

# Discord's documented limits (developers/resources/message.mdx, "Embed Limits" and Create Message).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBEDS_PER_MESSAGE = 10
EMBED_CHARS_PER_MESSAGE = 6000
# Room kept in every message for a delivery marker (adapters.markers, ~40 characters) added when sending.
MARKER_RESERVE = 64
EMBED_BUDGET = EMBED_CHARS_PER_MESSAGE - MARKER_RESERVE

# A plain-text answer longer than this many messages is cut: feed text must never turn into a flood.
MAX_TEXT_MESSAGES = 5
STORY_SUMMARY_LIMIT = 1500  # keeps a story readable and lets several share one message
ACCENT = discord.Colour(0x2B6CB0)

_UNSAFE_LINK_CHARS = re.compile(r"[\s()<>\[\]]")


@dataclass
class RenderedDiscordMessage:
    """One Discord message: `content` (≤2000 characters) and up to 10 embeds (≤6000 characters in all)."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)


def render_message(message: Message, *, today: date | None = None) -> list[RenderedDiscordMessage]:
    """Render `message` as one or more Discord messages, each within every Discord limit.

    Countdowns count from `today`, else the message's own `as_of`; with neither, deadlines show no countdown."""
    embeds = [
        *_header_embeds(message),
        *(story_embed(story) for story in message.stories),
        *deadline_embeds(message.deadlines, today or message.as_of),
        *lines_embeds(message.lines),
    ]
    if not embeds:
        text = safe_text(message.text) or "Nothing to show."  # Discord rejects an empty message
        chunks = split_text(text, CONTENT_LIMIT - MARKER_RESERVE)
        return [RenderedDiscordMessage(content=chunk) for chunk in chunks]
    return [RenderedDiscordMessage(embeds=group) for group in pack_embeds(embeds)]


def safe_text(text: str) -> str:
    """Escape markdown and neutralize @everyone/@here/user/role mentions in untrusted text."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = CONTENT_LIMIT, max_parts: int = MAX_TEXT_MESSAGES) -> list[str]:
    """Split `text` at line breaks into chunks of at most `limit`; at most `max_parts` chunks."""
    chunks: list[str] = []
    current = ""
    for line in text.strip().splitlines() or [""]:
        for piece in _hard_wrap(line, limit):
            if current and len(current) + 1 + len(piece) > limit:
                chunks.append(current)
                current = piece
            else:
                current = f"{current}\n{piece}" if current else piece
    chunks.append(current)
    if len(chunks) > max_parts:
        chunks = chunks[:max_parts]
        chunks[-1] = chunks[-1][: limit - 1] + "…"
    return chunks


def _hard_wrap(line: str, limit: int) -> Iterator[str]:
    for start in range(0, max(len(line), 1), limit):
        yield line[start : start + limit]


def _header_embeds(message: Message) -> list[discord.Embed]:
    has_body = bool(message.stories or message.deadlines or message.lines)
    if not message.title:
        return []
    embed = discord.Embed(title=truncate(safe_text(message.title), TITLE_LIMIT), colour=ACCENT)
    if not has_body:  # the text is the fallback for the structured parts, so show it only when alone
        embed.description = truncate(safe_text(message.text), DESCRIPTION_LIMIT)
    return [embed]


def story_embed(story: StoryView) -> discord.Embed:
    """One story: linked title, summary, its sources (name + kind label) and when it was updated."""
    embed = discord.Embed(
        title=truncate(safe_text(story.title), TITLE_LIMIT),
        url=_http_url(story.url),
        description=truncate(safe_text(story.summary), STORY_SUMMARY_LIMIT),
        colour=ACCENT,
        timestamp=story.updated_at,
    )
    if story.sources:
        embed.add_field(name="Sources", value=sources_value(story.sources), inline=False)
    return embed


def sources_value(sources: Iterable[tuple[str, str, str | None]]) -> str:
    """'[Reuters](url) · wire' lines, dropping whole entries (with a '+N more' note) past the field limit."""
    entries = [_source_entry(name, kind, url) for name, kind, url in sources]
    return _join_within(entries, FIELD_VALUE_LIMIT, separator="\n")


def _source_entry(name: str, kind: str, url: str | None) -> str:
    label = truncate(safe_text(name.replace("[", "(").replace("]", ")")), 100) or "source"
    link = masked_link(label, url)
    return f"{link} · {safe_text(kind)}" if kind else link


def masked_link(label: str, url: str | None) -> str:
    """`[label](url)` for an http(s) URL from our own records; just the label otherwise."""
    safe_url = _http_url(url)
    if safe_url is None:
        return label
    return f"[{label}]({safe_url})"


def _http_url(url: str | None) -> str | None:
    """The URL with link-breaking characters percent-encoded, or None unless it is http(s) with a host."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return _UNSAFE_LINK_CHARS.sub(lambda m: quote(m.group(0)), url.strip())


def _join_within(entries: list[str], limit: int, *, separator: str) -> str:
    """Join as many whole entries as fit in `limit`, noting how many were left out."""
    joined = separator.join(entries)
    if len(joined) <= limit:
        return joined
    for count in range(len(entries) - 1, 0, -1):
        head = separator.join(entries[:count]) + f"{separator}+{len(entries) - count} more"
        if len(head) <= limit:
            return head
    return truncate(entries[0], limit)


def deadline_embeds(deadlines: Iterable[DeadlineView], today: date | None) -> list[discord.Embed]:
    """Deadlines as fields (name: what, value: countdown, date, status, evidence, sources)."""
    fields = [
        (truncate(safe_text(d.what), FIELD_NAME_LIMIT) or "Deadline", deadline_value(d, today))
        for d in deadlines
    ]
    return fields_into_embeds(fields, title="Upcoming deadlines")


def fields_into_embeds(fields: Iterable[tuple[str, str]], *, title: str) -> list[discord.Embed]:
    """Spread fields over embeds of at most 25 fields and 6000 characters; the first embed gets `title`."""
    embeds = [discord.Embed(title=title, colour=ACCENT)]
    for name, value in fields:
        current = embeds[-1]
        full = len(current.fields) == FIELDS_PER_EMBED
        if full or len(current) + len(name) + len(value) > EMBED_BUDGET:
            current = discord.Embed(colour=ACCENT)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    return embeds if embeds[0].fields else []


def deadline_value(deadline: DeadlineView, today: date | None) -> str:
    """'**in 12 days** · 12 Aug 2026 · upcoming' plus evidence, source links and date changes."""
    left = f"**{countdown(deadline, today)}** · " if today else ""
    parts = [f"{left}{date_label(deadline)} · {safe_text(deadline.status)}"]
    if deadline.history:
        old_start, old_end, _changed = deadline.history[-1]
        parts.append(f"Moved from {old_start or 'TBD'}" + (f" – {old_end}" if old_end else ""))
    if deadline.evidence:
        parts.append(f"> {truncate(safe_text(deadline.evidence), 300)}")
    sources = [
        masked_link(_host(src) or "source", src) if _http_url(src) else truncate(safe_text(src), 120)
        for src in deadline.sources
    ]
    if sources:
        parts.append("Sources: " + ", ".join(sources))
    return _join_within(parts, FIELD_VALUE_LIMIT, separator="\n")


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def lines_embeds(lines: Iterable[str]) -> list[discord.Embed]:
    """Plain lines (help, source lists) as embed descriptions, split at line breaks."""
    text = "\n".join(safe_text(line) for line in lines)
    if not text.strip():
        return []
    chunks = split_text(text, DESCRIPTION_LIMIT, max_parts=EMBEDS_PER_MESSAGE)
    return [discord.Embed(description=chunk, colour=ACCENT) for chunk in chunks]


def pack_embeds(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages of at most 10 embeds and 6000 characters each, keeping order."""
    groups: list[list[discord.Embed]] = [[]]
    size = 0
    for embed in embeds:
        current = groups[-1]
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_BUDGET):
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += len(embed)
    return groups


def with_marker(part: RenderedDiscordMessage, marker: str) -> RenderedDiscordMessage:
    """`part` with `marker` as the last embed's footer, or as a small subtext line when it has no embeds.
    Fits: the renderer keeps MARKER_RESERVE characters free in every message."""
    marker = marker[:MARKER_RESERVE - 4]
    if not part.embeds:
        return RenderedDiscordMessage(content=f"{part.content}\n-# {marker}", embeds=[])
    embeds = [*part.embeds[:-1], part.embeds[-1].copy()]
    footer = embeds[-1].footer.text
    embeds[-1].set_footer(text=f"{footer} · {marker}" if footer else marker)
    return RenderedDiscordMessage(content=part.content, embeds=embeds)
