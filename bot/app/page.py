"""The web page at `/`: the overview rendered to HTML by a Jinja2 template shipped in `bot/app/templates/`.

Everything is laid out on the server (the bars' positions on the timeline are percentages computed here), so
the page needs no JavaScript and no build step. Autoescaping is on for every template: titles, summaries and
feed names come from the outside world.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import jinja2

from bot.domain.models import DeadlineView
from bot.domain.when import countdown, date_label
from bot.usecases.overview import Overview

LOOK_BACK = timedelta(days=14)  # the timeline always shows a little of the past, for context
LOOK_AHEAD = timedelta(days=60)  # and at least two months ahead
MAX_TICKS = 12


@dataclass(frozen=True)
class Bar:
    """A span on the timeline's track, in percent of its width."""

    left: float
    width: float
    label: str


@dataclass(frozen=True)
class Row:
    """One dated deadline on the timeline, with where it was before it moved (`was`, oldest first)."""

    deadline: DeadlineView
    bar: Bar
    was: tuple[Bar, ...]
    date: str
    countdown: str


@dataclass(frozen=True)
class Timeline:
    """The dated deadlines placed on one axis from `first` to `last`, with month ticks and today's line."""

    recent: tuple[Row, ...]
    upcoming: tuple[Row, ...]
    ticks: tuple[Bar, ...]
    today: float


def render_page(overview: Overview) -> str:
    """The whole HTML page for `overview`."""
    return _environment().get_template("index.html").render(
        o=overview, timeline=build_timeline(overview), undated_label=_undated_label,
    )


def build_timeline(overview: Overview) -> Timeline:
    """Place the overview's dated deadlines (and their earlier dates) on one axis that includes today."""
    dated = [*overview.recent, *overview.upcoming]
    first, last = _span(overview.as_of, dated)
    place = _Axis(first, last)
    return Timeline(
        recent=tuple(_row(view, place, overview.as_of) for view in overview.recent),
        upcoming=tuple(_row(view, place, overview.as_of) for view in overview.upcoming),
        ticks=tuple(_ticks(first, last, place)),
        today=place.at(overview.as_of),
    )


@dataclass(frozen=True)
class _Axis:
    first: date
    last: date

    def at(self, day: date) -> float:
        """Where the start of `day` falls, in percent (clamped to the track)."""
        days = (self.last - self.first).days + 1
        return round(min(max((day - self.first).days / days * 100, 0.0), 100.0), 2)

    def bar(self, start: date, end: date | None, label: str) -> Bar:
        left = self.at(start)
        right = self.at((end or start) + timedelta(days=1))
        return Bar(left=left, width=round(max(right - left, 0.8), 2), label=label)


def _span(as_of: date, dated: list[DeadlineView]) -> tuple[date, date]:
    days = [as_of - LOOK_BACK, as_of + LOOK_AHEAD]
    for view in dated:
        days.extend(_dates(view.start, view.end))
        for old_start, old_end, _changed in view.history:
            days.extend(_dates(_day(old_start), _day(old_end)))
    return min(days), max(days)


def _dates(start: date | None, end: date | None) -> list[date]:
    return [day for day in (start, end) if day is not None]


def _row(view: DeadlineView, place: _Axis, as_of: date) -> Row:
    assert view.start is not None  # the timeline holds dated deadlines only
    label = date_label(view)
    return Row(deadline=view, bar=place.bar(view.start, view.end, label), was=tuple(_moves(view, place)),
               date=label, countdown=countdown(view, as_of))


def _moves(view: DeadlineView, place: _Axis) -> list[Bar]:
    """The dates a deadline had before it moved; a history entry with the current dates (a cancellation)
    is not a move."""
    bars = []
    for old_start, old_end, _changed in view.history:
        start, end = _day(old_start), _day(old_end)
        if start is None or (start, end) == (view.start, view.end):
            continue
        bars.append(place.bar(start, end, date_label(replace(view, start=start, end=end))))
    return bars


def _ticks(first: date, last: date, place: _Axis) -> list[Bar]:
    months = []
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // MAX_TICKS))  # a long span labels every second or third month
    return [Bar(left=place.at(month), width=0, label=_month_label(month, index == 0))
            for index, month in enumerate(months[::step])]


def _month_label(month: date, first: bool) -> str:
    return f"{month:%b %Y}" if first or month.month == 1 else f"{month:%b}"


def _undated_label(view: DeadlineView) -> str:
    return "cancelled" if view.status == "cancelled" else "date not set yet"


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _moment_text(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc.day} {utc:%b %Y %H:%M} UTC"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def safe_href(url: str | None) -> str | None:
    """`url` when it is a web address, else None: a feed could put `javascript:` in a link."""
    if not url:
        return None
    return url if urlsplit(url).scheme.lower() in {"http", "https"} else None


def host(url: str) -> str:
    """The host of a web address without `www.`, to label a link briefly."""
    name = urlsplit(url).hostname or url
    return name.removeprefix("www.")


@functools.cache
def _environment() -> jinja2.Environment:
    """One Jinja2 environment per process (it caches the parsed template); autoescaped."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("bot.app", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(href=safe_href, host=host, day=_day_text, moment=_moment_text)
    return env
