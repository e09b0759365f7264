"""The values that flow through the pipeline: frozen dataclasses, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

Granularity = Literal["day", "range", "month", "quarter", "unknown"]
PublishedFrom = Literal["feed", "front_matter", "text", "mtime", "fetched"]
SourceKind = Literal["official", "wire", "outlet", "commentary", "file"]


@dataclass(frozen=True)
class RawEntry:
    """One entry as a feed or seed file gave it, before normalization."""

    source: str  # the source's URL (feeds) or "seeds" (files)
    guid: str | None
    url: str | None
    title: str
    content: str  # HTML or plain text as found
    published: datetime | None  # aware UTC when known
    published_from: PublishedFrom
    path: str | None = None  # seed file path, relative to the seeds folder
    source_name: str | None = None  # an outlet name from front matter or the feed title


@dataclass(frozen=True)
class Item:
    """A normalized news item: what the store keeps and the analysis reads."""

    id: str  # stable: derived from the source and the guid/URL/path
    source: str
    source_name: str
    source_kind: SourceKind
    url: str | None  # canonical: tracking parameters and fragment removed
    guid: str | None
    title: str
    text: str  # plain text, sanitized
    published: datetime  # aware, UTC
    published_from: PublishedFrom
    fetched_at: datetime
    content_hash: str
    path: str | None = None


@dataclass(frozen=True)
class Relevance:
    """Whether an item is about US–China relations, how sure, and why."""

    relevant: bool
    score: float  # 0..1
    reasons: tuple[str, ...] = ()
    muted: bool = False  # a channel's mute term matched: kept out whatever else the item says


@dataclass(frozen=True)
class DeadlineMention:
    """An upcoming event or deadline found in one item's text."""

    what: str
    start: date | None
    end: date | None
    granularity: Granularity
    confidence: float  # 0..1
    evidence: str
    # The date was counted from the day of the report: a length whose start the item does not give ("agreed
    # to suspend the controls for one year"). A guess, which a date an item states is preferred to.
    counted: bool = False


@dataclass(frozen=True)
class Analysis:
    """Everything the analysis stages say about one item."""

    relevance: Relevance
    deadlines: tuple[DeadlineMention, ...] = ()
    # For matching reports of one story (relevant items, and those that may be a story's report): the analysis's
    # StorySignature. Typed as `object` so the domain imports nothing from the analysis; the cycle checks the
    # type where it matches stories.
    signature: object | None = None


@dataclass(frozen=True)
class Target:
    """Where a message goes: a channel on one platform."""

    platform: str  # "console", "slack", "discord"
    channel: str
    workspace: str | None = None  # Slack team id or Discord guild id


@dataclass(frozen=True)
class StoryView:
    """A story as commands and digests show it."""

    id: str
    title: str
    summary: str
    url: str | None
    sources: tuple[tuple[str, str, str | None], ...]  # (source name, kind, url)
    updated_at: datetime
    score: float


@dataclass(frozen=True)
class DeadlineView:
    """A tracked deadline as commands, digests and reminders show it."""

    id: str
    what: str
    start: date | None
    end: date | None
    granularity: Granularity
    status: str  # upcoming, due, past, cancelled, tbd
    confidence: float
    evidence: str
    sources: tuple[str, ...]  # item URLs or titles
    history: tuple[tuple[str | None, str | None, str], ...] = ()  # (old start, old end, changed at)
    counted: bool = False  # dated by counting a length from a report's day: shown as "about"


@dataclass(frozen=True)
class Attachment:
    """A file that travels with a message (the digest's timeline picture); adapters that cannot send
    files ignore it, so the message's text never depends on it."""

    filename: str  # e.g. "timeline.png"
    data: bytes
    alt: str  # a text description, for screen readers and platforms that show it
    title: str = ""


@dataclass(frozen=True)
class Message:
    """A platform-neutral outgoing message; adapters render it.

    `kind` tells the renderer what it is: "text", "summary", "deadlines", "digest", "reminder", "alert",
    "sources", "search", "help", "error".
    """

    kind: str
    text: str  # plain-text fallback, always present
    title: str | None = None
    stories: tuple[StoryView, ...] = ()
    deadlines: tuple[DeadlineView, ...] = ()
    lines: tuple[str, ...] = field(default=())  # extra plain lines (sources list, help)
    ephemeral: bool = False
    # The local date (in the channel's time zone) it was composed for: countdowns count from this day,
    # whenever and wherever the message is rendered.
    as_of: date | None = None
    # Sent after the text when the platform can take files; a failure to send it never holds the text back.
    attachment: Attachment | None = None


@dataclass(frozen=True)
class TrackedDeadline:
    """A deadline already tracked, as the merge policy sees it."""

    id: str
    topic: str
    start: date | None
    end: date | None
    counted: bool = False  # its dates were counted from the day of the report that gave them
    dated_by: date | None = None  # the publication day of that report


class DeadlinePolicy(Protocol):
    """How reports of deadlines are merged into the tracked ones: given to storage, decided by the analysis."""

    def topic(self, what: str) -> str:
        """The topic that groups reports of one event ("reprieve ends" ~ "truce expires")."""
        ...

    def match(self, mention: DeadlineMention, tracked: Sequence[TrackedDeadline],
              published: date) -> TrackedDeadline | None:
        """The tracked deadline a mention published on `published` reports on, or None for a new one."""
        ...

    def is_cancellation(self, evidence: str) -> bool:
        """Whether the report says its event was called off."""
        ...

    def moves(self, tracked: TrackedDeadline, mention: DeadlineMention, published: date) -> bool:
        """Whether a mention of a tracked deadline, published on `published`, gives it new dates."""
        ...
