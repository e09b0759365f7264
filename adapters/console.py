"""The console adapter: digests, reminders and alerts on stdout; `/uschina ...` typed on stdin."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import date
from typing import TextIO

from adapters.base import CommandHandler, CommandRequest
from bot.models import Message, Target
from bot.when import countdown, date_label

log = logging.getLogger(__name__)


def render_text(message: Message, *, today: date | None = None) -> str:
    """Plain text for a terminal: title, stories with their sources, deadlines with countdowns."""
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

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()

    async def send(self, target: Target, message: Message) -> str:
        today = self.today() if self.today else None
        self.out.write(render_text(message, today=today))
        self.out.flush()
        self._sent += 1
        return f"console-{self._sent}"

    def healthy(self) -> bool:
        return True

    async def _read_commands(self, handler: CommandHandler) -> None:
        assert self.commands_in is not None
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, self.commands_in.readline)
            if not line:
                return
            text = line.strip().removeprefix("/uschina").strip()
            if text:
                request = CommandRequest(platform="console", workspace="", channel="console", user="local",
                                         text=text, is_admin=True)
                await self.send(Target("console", "console"), await handler(request))
