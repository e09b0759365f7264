"""Discord rendering: limits, splitting, escaping, sources and deadline countdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import discord

from adapters.discord.render import RenderedDiscordMessage, render_message
from bot.domain.models import DeadlineView, Message, StoryView

TODAY = date(2026, 8, 1)


def story(index: int, *, title: str | None = None, summary: str = "Summary.", sources=None, url=None):
    return StoryView(
        id=f"s{index}",
        title=title or f"Story {index}: tariffs on semiconductors",
        summary=summary,
        url=url,
        sources=sources if sources is not None else (("Reuters", "wire", f"https://reuters.com/{index}"),),
        updated_at=datetime(2026, 8, 1, 6, 0, tzinfo=UTC),
        score=0.8,
    )


def deadline(
    what="Tariff pause ends", start=date(2026, 8, 13), end=None, granularity="day", status="upcoming"
):
    return DeadlineView(
        id=what,
        what=what,
        start=start,
        end=end,
        granularity=granularity,
        status=status,
        confidence=0.9,
        evidence="The pause ends on August 13.",
        sources=("https://ustr.gov/release",),
    )


def assert_within_discord_limits(rendered: list[RenderedDiscordMessage]) -> None:
    for part in rendered:
        assert part.content or part.embeds
        assert len(part.content) <= 2000
        assert len(part.embeds) <= 10
        assert sum(len(embed) for embed in part.embeds) <= 6000
        for embed in part.embeds:
            assert len(embed.title or "") <= 256
            assert len(embed.description or "") <= 4096
            assert len(embed.fields) <= 25
            assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
            assert len(embed.footer.text or "") <= 2048


def all_text(rendered: list[RenderedDiscordMessage]) -> str:
    parts = []
    for message in rendered:
        parts.append(message.content)
        for embed in message.embeds:
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


def text(value: str | None) -> str:
    """An embed attribute that must be set."""
    assert value is not None
    return value


def test_an_80_story_digest_splits_into_messages_within_every_limit():
    sources = tuple(
        (f"Outlet {n} " + "x" * 90, "outlet", f"https://news{n}.example/a/{n}") for n in range(30)
    )
    stories = tuple(
        story(i, title=f"Story {i} " + "t" * 300, summary="word " * 900, sources=sources) for i in range(80)
    )
    rendered = render_message(Message(kind="digest", text="digest", title="Morning digest", stories=stories))
    assert_within_discord_limits(rendered)
    assert len(rendered) >= 8
    titles = [text(e.title) for m in rendered for e in m.embeds]
    assert titles[0] == "Morning digest"
    assert [t.split(" ")[1] for t in titles[1:]] == [str(i) for i in range(80)]  # every story, in order


def test_long_text_is_truncated_within_limits():
    long_story = story(1, title="T" * 1000, summary="S" * 10_000)
    (rendered,) = render_message(Message(kind="summary", text="x", stories=(long_story,)))
    (embed,) = rendered.embeds
    assert len(text(embed.title)) == 256 and text(embed.title).endswith("…")
    assert text(embed.description).endswith("…") and len(text(embed.description)) <= 4096
    text_parts = render_message(Message(kind="text", text="line of text\n" * 2000))
    assert_within_discord_limits(text_parts)
    assert 1 < len(text_parts) <= 5 and text_parts[-1].content.endswith("…")


def test_feed_text_is_escaped_and_mentions_neutralized():
    hostile = story(
        1,
        title="**Big** news @everyone <@123456789012345678>",
        summary="See [click here](https://evil.example) @here <@&223456789012345678> `code`",
        sources=(("Evil [Outlet](https://evil.example) @everyone", "outlet", "javascript:alert(1)"),),
    )
    (rendered,) = render_message(Message(kind="summary", text="x", stories=(hostile,)))
    (embed,) = rendered.embeds
    assert text(embed.title).startswith(r"\*\*Big\*\* news @" + "\u200beveryone")
    assert "<@\u200b123456789012345678>" in text(embed.title)
    assert r"\[click here](https://evil.example)" in text(embed.description)
    assert "@\u200bhere" in text(embed.description) and "<@\u200b&223456789012345678>" in text(
        embed.description
    )
    assert r"\`code\`" in text(embed.description)
    sources_field = text(embed.fields[0].value)
    assert "javascript:" not in sources_field and "](" not in sources_field  # no link from a bad URL
    assert "@\u200beveryone" in sources_field


def test_embeds_name_the_story_title_url_and_sources_with_kind_labels():
    sources = (("Reuters", "wire", "https://reuters.com/a_(b)"), ("MOFCOM", "official", None))
    (rendered,) = render_message(
        Message(kind="summary", text="x", stories=(story(1, sources=sources, url="https://ex.org/s"),))
    )
    (embed,) = rendered.embeds
    assert embed.title == "Story 1: tariffs on semiconductors"
    assert embed.url == "https://ex.org/s"
    assert embed.fields[0].name == "Sources"
    assert embed.fields[0].value == "[Reuters](https://reuters.com/a_%28b%29) · wire\nMOFCOM · official"


def test_many_sources_are_cut_with_a_count_of_the_rest():
    sources = tuple((f"Outlet number {n}", "outlet", f"https://outlet{n}.example/story") for n in range(80))
    (rendered,) = render_message(Message(kind="summary", text="x", stories=(story(1, sources=sources),)))
    value = text(rendered.embeds[0].fields[0].value)
    assert len(value) <= 1024 and value.splitlines()[-1].endswith("more")
    assert value.startswith("[Outlet number 0](https://outlet0.example/story) · outlet")


def test_deadlines_render_as_fields_with_countdown_date_and_source_link():
    items = (
        deadline(),
        deadline("Entity list comments due", date(2026, 9, 1), granularity="month"),
        deadline("Summit", date(2026, 10, 1), granularity="quarter"),
        deadline("Talks resume", None, granularity="unknown", status="tbd"),
    )
    (rendered,) = render_message(Message(kind="deadlines", text="x", deadlines=items), today=TODAY)
    (embed,) = rendered.embeds
    assert embed.title == "Upcoming deadlines"
    fields = {text(f.name): text(f.value) for f in embed.fields}
    assert fields["Tariff pause ends"].startswith("**in 12 days** · Thu 13 Aug 2026 · upcoming")
    assert "[ustr.gov](https://ustr.gov/release)" in fields["Tariff pause ends"]
    assert "Sep 2026" in fields["Entity list comments due"]
    assert "Q4 2026" in fields["Summit"]
    assert fields["Talks resume"].startswith("**TBD** · date TBD")


def test_many_long_deadlines_stay_within_limits():
    items = tuple(deadline("D" * 400 + str(n), date(2026, 8, 1 + n % 28)) for n in range(120))
    items = tuple(
        DeadlineView(**{**d.__dict__, "evidence": "e" * 2000, "sources": ("https://x.example/" + "p" * 900,)})
        for d in items
    )
    rendered = render_message(Message(kind="deadlines", text="x", deadlines=items), today=TODAY)
    assert_within_discord_limits(rendered)
    assert sum(len(e.fields) for m in rendered for e in m.embeds) == 120


def test_plain_text_and_lines():
    (text,) = render_message(Message(kind="error", text="Unknown period @everyone"))
    assert text.content == "Unknown period @\u200beveryone" and text.embeds == []
    (titled,) = render_message(Message(kind="text", text="Subscribed for 08:00", title="Done"))
    assert titled.embeds[0].title == "Done" and titled.embeds[0].description == "Subscribed for 08:00"
    lines = tuple(f"https://feed{n}.example/rss_feed" for n in range(400))
    rendered = render_message(Message(kind="sources", text="x", title="Sources", lines=lines))
    assert_within_discord_limits(rendered)
    assert "https://feed399.example/rss_feed" in all_text(rendered)  # URLs are not mangled by escaping


def test_embeds_serialize_for_the_api():
    rendered = render_message(Message(kind="summary", text="x", title="Summary", stories=(story(1),)))
    payload = [embed.to_dict() for embed in rendered[0].embeds]
    assert payload[1]["timestamp"].startswith("2026-08-01T06:00:00")
    assert isinstance(rendered[0].embeds[0], discord.Embed)
