"""The console adapter: digests, reminders and alerts on stdout; `/uschina ...` typed on stdin."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import logging
import os
import sys
from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import date
from typing import Any, TextIO

from bot.domain.models import Message, Target
from bot.domain.when import countdown, date_label
from bot.ports import AdapterContext, AdapterPlugin, CommandHandler, CommandRequest

log = logging.getLogger(__name__)


def render_text(message: Message, *, today: date | None = None) -> str:
    """Plain text for a terminal: title, stories with their sources, deadlines with countdowns (from `today`,
    else the message's own `as_of`)."""
    today = today or message.as_of
    lines = [f"== {message.title} ==" if message.title else ""]
    for story in message.stories:
        sources = ", ".join(f"{name} [{kind}]" for name, kind, _url in story.sources)
        lines += [f"* {story.title}", f"  {story.summary}", f"  sources: {sources}"]
        if story.url:
            lines.append(f"  {story.url}")
    for deadline in message.deadlines:
        left = f" ({countdown(deadline, today)})" if today and deadline.start else ""
        lines.append(f"- {deadline.what}: {date_label(deadline)}{left} [{deadline.status}]")
    if not message.stories and not message.deadlines:
        lines.append(message.text)
    return "\n".join(line for line in lines if line) + "\n"


class ConsoleAdapter:
    """Prints messages to `out`; reads commands from `commands_in` when it is interactive."""

    platform = "console"

    def __init__(self, *, out: TextIO | None = None, commands_in: TextIO | None = None,
                 today: Callable[[], date] | None = None) -> None:
        self.out = out or sys.stdout
        self.commands_in = commands_in
        self.today = today
        self._reader: asyncio.Task[None] | None = None
        self._sent = 0

    async def start(self, handler: CommandHandler) -> None:
        if self.commands_in is not None:
            self.out.write("uschina console: type a command such as `summary 7d`, `deadlines all` or `help`.\n")
            self._reader = asyncio.create_task(self._read_commands(handler))

    async def open_for_sending(self) -> None:
        """Nothing to open: printing needs no connection, and no commands are read."""

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def send(self, target: Target, message: Message) -> str:
        # A message composed for a channel's date counts down from that date, not from the terminal's.
        today = message.as_of or (self.today() if self.today else None)
        self.out.write(render_text(message, today=today))
        self.out.flush()
        self._sent += 1
        return f"console-{self._sent}"

    def healthy(self) -> bool:
        return True

    async def _read_commands(self, handler: CommandHandler) -> None:
        # aclosing: a cancel that lands while a command runs still takes the reader off the loop.
        async with contextlib.aclosing(_lines(self.commands_in)) as lines:
            async for line in lines:
                await self._answer(handler, line)

    async def _answer(self, handler: CommandHandler, line: str) -> None:
        text = line.strip().removeprefix("/uschina").strip()
        if text:
            request = CommandRequest(platform="console", workspace="", channel="console", user="local",
                                     text=text, is_admin=True)
            await self.send(Target("console", "console"), await handler(request))


async def _lines(stream: TextIO | None) -> AsyncGenerator[str, None]:
    """The lines typed on `stream`, read without a thread when it is a terminal or a pipe.

    A thread blocked in `readline()` cannot be cancelled: it kept `uschina run` alive after Ctrl-C until
    someone pressed Enter. A reader on the event loop is dropped the moment the task is cancelled.
    """
    assert stream is not None
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    try:
        fd = stream.fileno()
        loop.add_reader(fd, lambda: chunks.put_nowait(_read_chunk(fd)))
    except (OSError, ValueError, io.UnsupportedOperation):
        # In-memory text and regular files: the loop cannot watch them, and reading them never blocks.
        while line := stream.readline():
            yield line
        return
    try:
        async for line in _split_lines(chunks):
            yield line
    finally:
        loop.remove_reader(fd)


async def _split_lines(chunks: asyncio.Queue[bytes]) -> AsyncGenerator[str, None]:
    """UTF-8 lines from the byte chunks in `chunks`; an empty chunk is the end of input."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    while chunk := await chunks.get():
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _read_chunk(fd: int) -> bytes:
    """One read from a descriptor the loop reported ready, so it does not block (a terminal in line mode
    is ready once a whole line was typed)."""
    try:
        return os.read(fd, 4096)
    except OSError:  # the terminal went away (EIO): the same as the end of input
        return b""


def configure(env: Mapping[str, str], file: Mapping[str, Any]) -> dict[str, Any] | None:
    """The console is on unless USCHINA_NO_CONSOLE is set; it has no other settings."""
    off = (env.get("USCHINA_NO_CONSOLE") or "").strip().lower() in {"1", "true", "yes", "on"}
    return None if off else {}


def build(config: dict[str, Any], context: AdapterContext) -> ConsoleAdapter:
    """Print to stdout; read commands only when someone is there to type them (not under Docker or CI)."""
    return ConsoleAdapter(commands_in=sys.stdin if sys.stdin.isatty() else None, today=context.today)


PLUGIN = AdapterPlugin(name="console", configure=configure, build=build)
