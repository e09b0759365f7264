"""The shared command layer over a store that fails, as a locked or vanished database would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from bot.config import Settings
from bot.usecases.commands import CommandContext, CommandHandler
from storage import Store


class FailingStore:
    """Raises `error` from every store call."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error


def failing_commands(error: Exception) -> CommandHandler:
    """The real command handler, whose every store call raises `error`."""
    return CommandHandler(CommandContext(store=cast(Store, FailingStore(error)),
                                         now=lambda: datetime(2025, 7, 11, 9, tzinfo=UTC), settings=Settings()))
