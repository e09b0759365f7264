"""The digest's timeline picture: a PNG of the deadlines in the next weeks, drawn with matplotlib.

matplotlib is imported inside the rendering function only, so the bot's start-up and the analysis workers
(which never draw) do not pay for it. It draws on a `Figure` with the Agg canvas, never through pyplot, so
no global figure state is shared between the threads that render.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.domain.models import Attachment, DeadlineView

if TYPE_CHECKING:  # types only: the import itself stays lazy
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

HORIZON = timedelta(days=42)  # six weeks ahead
MAX_ROWS = 12  # one row per deadline; more would shrink the labels below what a chat preview shows
LABEL_CHARS = 34
FILENAME = "uschina-deadlines.png"
WIDTH_IN, DPI = 10.0, 110  # 1100 px wide: sharp in Slack's and Discord's previews, readable when opened
BASE_HEIGHT_IN, ROW_HEIGHT_IN, MIN_ROWS = 2.2, 0.42, 4  # at least 1100x430 px
FONT_SIZE = 13
VAGUE = ("month", "quarter", "unknown")  # "in August", "Q3": drawn paler, the date is not precise
COLORS = {"due": "#c0392b", "upcoming": "#1f5fa8"}
VAGUE_COLOR = "#8fb3dd"


async def timeline_attachment(deadlines: Sequence[DeadlineView], *, today: date) -> Attachment | None:
    """The picture of `deadlines` from `today` for six weeks, or None when none is dated inside that window
    or drawing failed (logged: the digest's text carries the same deadlines, so it goes out without it)."""
    shown = tuple(in_window(deadlines, today))
    if not shown:
        return None
    try:
        # Drawing takes a few tenths of a second of CPU: off the event loop. Cached, so a thousand
        # subscriptions composing the same morning's digest draw it once.
        data = await asyncio.to_thread(render_png, shown, today)
    except Exception:
        log.exception("digest: could not draw the deadline timeline; the digest goes out without it")
        return None
    return Attachment(filename=FILENAME, data=data, alt=alt_text(shown, today),
                      title=f"US–China deadlines, next {HORIZON.days // 7} weeks")


def in_window(deadlines: Sequence[DeadlineView], today: date) -> list[DeadlineView]:
    """The dated deadlines that overlap [today, today + HORIZON), soonest first, at most MAX_ROWS.
    Undated ones are left out: the digest's text lists them."""
    until = today + HORIZON
    dated = [d for d in deadlines if d.start is not None and d.start < until and (d.end or d.start) >= today
             and d.status != "cancelled"]
    return sorted(dated, key=lambda d: (d.start, d.end or d.start))[:MAX_ROWS]


def alt_text(deadlines: Sequence[DeadlineView], today: date) -> str:
    """A one-line description of the picture, for screen readers and as the upload's alt text."""
    parts = [f"{d.what} ({_span(d)})" for d in deadlines]
    return f"Timeline of deadlines from {today:%d %b %Y}: " + "; ".join(parts)


def _span(d: DeadlineView) -> str:
    end = d.end or d.start
    return f"{d.start:%d %b}" if end == d.start else f"{d.start:%d %b}–{end:%d %b}"


@functools.lru_cache(maxsize=8)
def render_png(deadlines: tuple[DeadlineView, ...], today: date) -> bytes:
    """Draw `deadlines` (dated, in the window) as PNG bytes: ranges as bars, single days as diamonds,
    today as a line. Cached per (deadlines, today)."""
    from matplotlib.figure import Figure  # lazy: see the module docstring

    rows = len(deadlines)
    fig = Figure(figsize=(WIDTH_IN, BASE_HEIGHT_IN + ROW_HEIGHT_IN * max(rows, MIN_ROWS)), dpi=DPI)
    ax = fig.add_subplot()
    window_end = today + HORIZON
    for row, deadline in enumerate(deadlines):
        _draw_deadline(ax, rows - 1 - row, deadline, today, window_end)
    _style_axes(ax, deadlines, today, window_end)
    fig.suptitle(f"US–China deadlines, next {HORIZON.days // 7} weeks (from {today:%a %d %b %Y})",
                 fontsize=FONT_SIZE + 2, fontweight="bold", x=0.01, ha="left")
    footnote = any(d.granularity in VAGUE for d in deadlines)
    if footnote:
        fig.text(0.99, 0.01, "pale, hatched: only the month or quarter is known", fontsize=FONT_SIZE - 3,
                 ha="right", va="bottom", color="#666666")
    fig.tight_layout(rect=(0, 0.05 if footnote else 0, 1, 1))
    return _png_bytes(fig)


def _draw_deadline(ax: Axes, y: int, deadline: DeadlineView, today: date, window_end: date) -> None:
    from matplotlib.dates import date2num

    assert deadline.start is not None  # in_window keeps only dated deadlines
    vague = deadline.granularity in VAGUE
    color = VAGUE_COLOR if vague else COLORS.get(deadline.status, COLORS["upcoming"])
    end = deadline.end or deadline.start
    if end == deadline.start:
        # A single day: a marker in the middle of its day.
        ax.plot([date2num(deadline.start) + 0.5], [y], marker="D", markersize=13, color=color,
                linestyle="none")
        _date_note(ax, y, deadline, date2num(deadline.start) + 1.6, date2num(window_end))
        return
    # A range: a bar over its days, clipped to the window (the axis limits hide the rest).
    start = max(deadline.start, today)
    stop = min(end + timedelta(days=1), window_end)
    ax.barh(y, date2num(stop) - date2num(start), left=date2num(start), height=0.55, color=color,
            alpha=0.75 if vague else 0.95, hatch="//" if vague else None, edgecolor=color)
    _date_note(ax, y, deadline, date2num(stop) + 0.4, date2num(window_end))


def _date_note(ax: Axes, y: int, deadline: DeadlineView, x: float, right_edge: float) -> None:
    """The date in words beside its mark, or inside the plot's right edge when the mark reaches it."""
    if x > right_edge - 5:
        ax.text(right_edge - 0.3, y + 0.32, _span(deadline), fontsize=FONT_SIZE - 2, ha="right", va="bottom",
                color="#444444")
    else:
        ax.text(x, y, _span(deadline), fontsize=FONT_SIZE - 2, va="center", color="#444444")


def _style_axes(axes: Axes, deadlines: Sequence[DeadlineView], today: date, window_end: date) -> None:
    from matplotlib.dates import DateFormatter, WeekdayLocator, date2num

    rows = len(deadlines)
    axes.set_yticks(range(rows))
    axes.set_yticklabels([_label(d.what) for d in reversed(deadlines)], fontsize=FONT_SIZE)
    axes.set_ylim(-0.7, max(rows, 1) - 0.3)
    axes.set_xlim(date2num(today), date2num(window_end))
    axes.xaxis.set_major_locator(WeekdayLocator(byweekday=0))  # a tick every Monday
    axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
    axes.tick_params(axis="x", labelsize=FONT_SIZE - 1)
    axes.grid(axis="x", color="#dddddd", linewidth=1)
    axes.set_axisbelow(True)
    axes.axvline(date2num(today) + 0.5, color="#222222", linewidth=2.5)
    axes.text(date2num(today) + 0.8, rows - 0.45, "today", fontsize=FONT_SIZE, fontweight="bold",
              va="bottom", color="#222222")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _label(what: str) -> str:
    what = " ".join(what.split())
    return what if len(what) <= LABEL_CHARS else what[: LABEL_CHARS - 1].rstrip() + "…"


def _png_bytes(fig: Figure) -> bytes:
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()
