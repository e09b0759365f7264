"""What the web page shows: the deadline timeline, the latest stories and the feeds' health, read from the
store through the same queries the `/uschina` commands use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.models import DeadlineView, StoryView
from bot.ingest.netguard import redact_url
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q
from storage.queries import sources as source_q

UPCOMING_SHOWN = 40
RECENT_SHOWN = 12
UNDATED_SHOWN = 20
STORIES_SHOWN = 12
STORY_WINDOW = timedelta(days=30)
# A store whose news is older than the window (a demo on the seed folder) still shows its latest stories.
ALL_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SourceHealth:
    """One watched feed as the page shows it; `state` is ok, failing, disabled or new."""

    name: str
    kind: str
    url: str
    state: str
    health: str


@dataclass(frozen=True)
class Overview:
    """Everything on the page, as of one local date."""

    as_of: date
    now: datetime
    upcoming: tuple[DeadlineView, ...]  # due and upcoming, soonest first
    recent: tuple[DeadlineView, ...]  # ended or cancelled, oldest first
    undated: tuple[DeadlineView, ...]
    stories: tuple[StoryView, ...]  # latest updated first
    sources: tuple[SourceHealth, ...]


async def build_overview(store: Store, now: datetime, *, as_of: date | None = None) -> Overview:
    """Read the page's contents; deadlines get their status and countdown as of `as_of` (default: today)."""
    as_of = as_of or now.date()
    current = await store.run(deadline_q.first_deadlines, as_of, until=date.max, dated=UPCOMING_SHOWN,
                              undated=UNDATED_SHOWN)
    recent = await store.run(deadline_q.past_deadlines, as_of, limit=RECENT_SHOWN)
    dated = [view for view in current if view.start is not None]
    undated = [view for view in current if view.start is None]
    # Only dated deadlines can have moved; their history shows where they were before.
    dated_with_history = await store.run(deadline_q.with_history, [*reversed(recent), *dated])
    split = len(recent)
    return Overview(
        as_of=as_of, now=now,
        upcoming=tuple(dated_with_history[split:]), recent=tuple(dated_with_history[:split]),
        undated=tuple(undated), stories=tuple(await _latest_stories(store, now)),
        sources=tuple(await _source_health(store, now)),
    )


async def _latest_stories(store: Store, now: datetime) -> list[StoryView]:
    stories = await store.run(item_q.recent_stories, now - STORY_WINDOW, limit=STORIES_SHOWN)
    if not stories:
        stories = await store.run(item_q.recent_stories, ALL_TIME, limit=STORIES_SHOWN)
    return sorted(stories, key=lambda story: story.updated_at, reverse=True)


async def _source_health(store: Store, now: datetime) -> list[SourceHealth]:
    rows = await store.run(source_q.list_sources)
    # A URL with a password (from the configuration file, or an older version) is never shown.
    return [SourceHealth(name=redact_url(row.name), kind=row.kind, url=redact_url(row.url), state=_state(row),
                         health=source_q.format_source_health(row, now)) for row in rows]


def _state(row: source_q.SourceRow) -> str:
    if not row.enabled:
        return "disabled"
    if row.fail_count > 0:
        return "failing"
    return "new" if row.last_ok_at is None else "ok"
