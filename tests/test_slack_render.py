"""Block Kit rendering: limits, splitting, escaping and deadline countdowns."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from adapters.slack.render import (
    MAX_BLOCKS,
    MAX_FALLBACK_CHARS,
    MAX_MESSAGE_CHARS,
    MAX_SECTION_CHARS,
    RenderedSlackMessage,
    escape,
    render_message,
)
from bot.domain.models import DeadlineView, Message, StoryView

TODAY = date(2026, 8, 1)


def story(n: int, *, title: str | None = None, summary: str = "Tariffs on chips rise.") -> StoryView:
    return StoryView(
        id=f"s{n}",
        title=title or f"Story number {n}",
        summary=summary,
        url=f"https://news.example/{n}",
        sources=(("Reuters", "wire", f"https://reuters.example/{n}"), ("USTR", "official", None)),
        updated_at=datetime(2026, 8, 1, tzinfo=UTC),
        score=0.8,
    )


def deadline(start: date | None, *, end: date | None = None, granularity: str = "day") -> DeadlineView:
    return DeadlineView(
        id="d1",
        what="Tariff exclusions expire",
        start=start,
        end=end,
        granularity=granularity,  # type: ignore[arg-type]
        status="upcoming" if start else "tbd",
        confidence=0.9,
        evidence="The exclusions expire on August 13.",
        sources=("https://ustr.example/notice",),
    )


def texts(blocks: list[dict]) -> list[str]:
    """Every text string inside the blocks."""
    found: list[str] = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [element["text"] for element in block.get("elements", [])]
    return found


def assert_within_limits(part: RenderedSlackMessage) -> None:
    assert 0 < len(part.blocks) <= MAX_BLOCKS
    assert len(json.dumps(part.blocks, ensure_ascii=False)) <= MAX_MESSAGE_CHARS
    assert len(part.text) <= MAX_FALLBACK_CHARS
    assert all(len(text) <= MAX_SECTION_CHARS for text in texts(part.blocks))


def test_a_digest_of_80_stories_splits_into_messages_within_limits() -> None:
    digest = Message(
        kind="digest", text="Morning digest", title="US–China digest", stories=tuple(map(story, range(80)))
    )
    parts = render_message(digest, today=TODAY)
    assert len(parts) > 1
    for part in parts:
        assert_within_limits(part)
    rendered = " ".join(" ".join(texts(p.blocks)) for p in parts)
    assert all(f"Story number {n}" in rendered for n in range(80))
    assert parts[0].blocks[0]["type"] == "header" and parts[0].text == "Morning digest"
    assert parts[1].text == f"US–China digest (part 2 of {len(parts)})"


def test_big_stories_split_by_size_not_only_by_block_count() -> None:
    digest = Message(kind="digest", text="d", stories=tuple(story(n, summary="x" * 1500) for n in range(30)))
    parts = render_message(digest, today=TODAY)
    assert len(parts) >= 4
    for part in parts:
        assert_within_limits(part)


def test_a_10000_char_summary_and_title_are_truncated_within_limits() -> None:
    message = Message(
        kind="summary", text="t" * 10_000, title="T" * 400, stories=(story(1, summary="s" * 10_000),)
    )
    (part,) = render_message(message, today=TODAY)
    assert_within_limits(part)
    assert len(part.blocks[0]["text"]["text"]) <= 150
    assert "…" in part.blocks[1]["text"]["text"]


def test_plain_text_message_of_10000_chars_is_truncated() -> None:
    (part,) = render_message(Message(kind="text", text="word " * 2000), today=TODAY)
    assert_within_limits(part)


def test_blocks_name_the_story_title_link_and_sources_with_kinds() -> None:
    (part,) = render_message(Message(kind="summary", text="s", stories=(story(7),)), today=TODAY)
    section, context = texts(part.blocks)
    assert "<https://news.example/7|Story number 7>" in section and "Tariffs on chips rise." in section
    assert "<https://reuters.example/7|Reuters> (wire)" in context and "USTR (official)" in context


def test_feed_text_is_escaped_and_broadcast_mentions_are_defused() -> None:
    evil = story(1, title="A & B <!channel> <https://evil.example|click>", summary="@here see @everyone now")
    (part,) = render_message(Message(kind="summary", text="@channel <b>", stories=(evil,)), today=TODAY)
    rendered = " ".join(texts(part.blocks)) + part.text
    assert "A &amp; B &lt;!channel&gt; &lt;https://evil.example¦click&gt;" in rendered
    assert "<!channel>" not in rendered and "<https://evil.example" not in rendered
    for word in ("@here", "@everyone", "@channel"):
        assert word not in rendered
    assert "@\u200bhere" in rendered


def test_link_urls_cannot_break_out_of_the_link() -> None:
    hostile = StoryView(
        id="x",
        title="t",
        summary="",
        url="https://a.example/?q=1&r=<2>|x",
        sources=(("n|m", "outlet", "javascript:alert(1)"),),
        updated_at=datetime(2026, 8, 1, tzinfo=UTC),
        score=0.1,
    )
    section, context = texts(render_message(Message(kind="summary", text="s", stories=(hostile,)))[0].blocks)
    assert "<https://a.example/?q=1&amp;r=%3C2%3E%7Cx|t>" in section
    assert "javascript:" not in context and "n¦m (outlet)" in context


def test_deadlines_render_with_date_countdown_and_sources() -> None:
    message = Message(
        kind="deadlines",
        text="2 deadlines",
        deadlines=(deadline(date(2026, 8, 13)), deadline(None, granularity="unknown")),
    )
    (part,) = render_message(message, today=TODAY)
    rendered = "\n".join(texts(part.blocks))
    assert "*Tariff exclusions expire*" in rendered
    assert "Thu 13 Aug 2026 (in 12 days)" in rendered and "TBD (TBD)" in rendered
    assert "<https://ustr.example/notice|ustr.example>" in rendered


def test_help_and_sources_lines_are_listed() -> None:
    lines = tuple(f"`/uschina cmd{n}` does thing {n} <escaped>" for n in range(200))
    parts = render_message(Message(kind="help", text="Commands", lines=lines, ephemeral=True), today=TODAY)
    rendered = "\n".join(t for p in parts for t in texts(p.blocks))
    assert "`/uschina cmd0` does thing 0 &lt;escaped&gt;" in rendered and "cmd199" in rendered
    for part in parts:
        assert_within_limits(part)


def test_escape_handles_ampersand_first() -> None:
    assert escape("<&>") == "&lt;&amp;&gt;"
