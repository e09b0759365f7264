"""What the command line needs from the terminal: its errors, its width, JSON output and a progress bar."""

from __future__ import annotations

import json
import os
import shutil
import sys
from types import TracebackType
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

PROGRESS_MIN_FEEDS = 2  # one feed is done before a bar would be worth drawing
ELLIPSIS = "…"


class CommandLineError(Exception):
    """A one-line message for the user and the exit status: 2 for a usage error, 1 for anything else."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def print_json(value: Any) -> None:
    """`value` as indented JSON on stdout, non-ASCII kept as is."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to fit lines to: the terminal's (or `COLUMNS`) when writing to one, else None (a pipe or a
    file keeps whole lines for the programs that read them)."""
    stream = stream or sys.stdout
    if "COLUMNS" not in os.environ and not _isatty(stream):
        return None
    return shutil.get_terminal_size().columns


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def fit(text: str, width: int | None) -> str:
    """`text` cut to `width` characters with an ellipsis; unchanged when it fits or there is no width."""
    if width is None or len(text) <= width:
        return text
    return text[: max(0, width - 1)].rstrip() + ELLIPSIS


class FeedProgressBar:
    """A progress bar on stderr over the feeds of one cycle, drawn only when stderr is a terminal.

    Used as a context manager around the cycle; it implements the pipeline's FeedProgress.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        stream = stream or sys.stderr
        self._enabled = _isatty(stream)
        self._progress: Progress | None = None
        self._task: Any = None
        if self._enabled:
            console = Console(file=stream)
            self._progress = Progress(TextColumn("fetching feeds"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=console, transient=False)

    def start(self, total: int) -> None:
        """Show the bar for `total` feeds (nothing for fewer than PROGRESS_MIN_FEEDS, or off a terminal)."""
        if self._progress is not None and total >= PROGRESS_MIN_FEEDS:
            self._progress.start()
            self._task = self._progress.add_task("feeds", total=total)

    def advance(self) -> None:
        """One more feed done."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def __enter__(self) -> FeedProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.stop()
