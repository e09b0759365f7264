"""Compose the morning digest: the stories since the last digest and the deadlines ahead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

import sqlite_utils

from bot.analysis.relevance import first_matching_term
from bot.domain.models import DeadlineView, Message, StoryView
from bot.usecases import timeline
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q

DIGEST_STORIES = 8
DEADLINE_HORIZON = timedelta(days=21)
DIGEST_DATED = 15  # the horizon's soonest dated deadlines
DIGEST_UNDATED = 3  # and the first still without a date (a summit "at a mutually acceptable date")


async def compose_digest(store: Store, *, since: datetime, now: datetime, today: date,
                         watch_terms: Sequence[str] = (), mute_terms: Sequence[str] = (),
                         picture: bool = True) -> Message:
    """The digest for news seen in [since, now) and deadlines within three weeks of `today`, with a
    timeline picture of the next six weeks' deadlines attached when `picture` (and there is one to draw).

    A channel's mute terms drop the stories that mention them; its watch terms add items that mention them
    even when they fell below the relevance threshold for everyone else.
    """
    stories, deadlines, ahead = await store.run(_digest_rows, since, now, today, watch_terms)
    stories = [s for s in stories if first_matching_term(mute_terms, s.title, s.summary) is None]
    message = digest_message(stories[:DIGEST_STORIES], deadlines, today=today)
    if not picture:
        return message
    # The text above is complete on its own: the picture is None when nothing is dated or drawing failed.
    return replace(message, attachment=await timeline.timeline_attachment(ahead, today=today))


def _digest_rows(db: sqlite_utils.Database, since: datetime, now: datetime, today: date,
                 watch_terms: Sequence[str]) -> tuple[list[StoryView], list[DeadlineView], list[DeadlineView]]:
    """Everything a digest reads, in one trip to the database thread: the stories, the deadlines its text
    lists, and the dated ones its picture draws."""
    stories = item_q.recent_stories(db, since, until=now, limit=DIGEST_STORIES * 2)
    if watch_terms:
        seen = {s.id for s in stories}
        watched = item_q.items_mentioning(db, watch_terms, since, until=now, limit=DIGEST_STORIES)
        stories += [s for s in watched if s.id not in seen]
    deadlines = deadline_q.first_deadlines(db, today, until=today + DEADLINE_HORIZON, dated=DIGEST_DATED,
                                           undated=DIGEST_UNDATED)
    ahead = deadline_q.first_deadlines(db, today, until=today + timeline.HORIZON, dated=timeline.MAX_ROWS,
                                       undated=0)
    return stories, deadlines, ahead


def digest_message(stories: list[StoryView], deadlines: list[DeadlineView], *, today: date) -> Message:
    """A platform-neutral digest Message with a readable plain-text fallback."""
    title = f"US–China morning digest, {today:%a %d %b %Y}"
    parts = [f"• {s.title} ({_source_names(s)})\n  {s.summary}" for s in stories]
    if not stories:
        parts.append("No new US–China stories since the last digest.")
    if deadlines:
        parts.append("Deadlines ahead:")
        parts.extend(f"• {d.what}: {d.start or 'date TBD'}" + (f"–{d.end}" if d.end and d.end != d.start else "")
                     for d in deadlines)
    return Message(kind="digest", title=title, text="\n".join(parts), stories=tuple(stories),
                   deadlines=tuple(deadlines), as_of=today)


def _source_names(story: StoryView) -> str:
    names = list(dict.fromkeys(name for name, _kind, _url in story.sources))
    return ", ".join(names[:4]) + (f" +{len(names) - 4}" if len(names) > 4 else "")
