"""A small table of well-known US–China measures with fixed dates.

News often states a measure's length ("a 90-day suspension") without its start. When the publication date
falls while one of these measures runs, its known end date is a better answer than publication + N days.
Sources: the Geneva joint statement (12 May 2025; reduced tariffs in force from 14 May for 90 days) and the
executive order of 11 Aug 2025 extending that suspension by 90 days to 10 Nov 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class KnownMeasure:
    """A measure that runs from `start` for `days` days; news about it appears from `announced`."""

    name: str
    announced: date
    start: date
    days: int
    extension: bool  # True when it prolongs an earlier measure (news says "extend")

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)


KNOWN_MEASURES: tuple[KnownMeasure, ...] = (
    KnownMeasure("Geneva tariff truce", date(2025, 5, 12), date(2025, 5, 14), 90, extension=False),
    KnownMeasure("tariff truce extension", date(2025, 8, 11), date(2025, 8, 12), 90, extension=True),
)


def running_truce(published: date, *, days: int | None, extension: bool) -> KnownMeasure | None:
    """The known tariff truce running at `published` that matches the stated length and wording, if any."""
    candidates = [
        m
        for m in KNOWN_MEASURES
        if m.announced - timedelta(days=3) <= published <= m.end and (days is None or days == m.days)
    ]
    preferred = [m for m in candidates if m.extension == extension] or candidates
    return preferred[0] if preferred else None
