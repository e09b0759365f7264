"""The contract every chat adapter (console, Slack, Discord) fulfils."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.models import Message, Target


@dataclass(frozen=True)
class CommandRequest:
    """A `/uschina ...` invocation, translated from any platform."""

    platform: str
    workspace: str  # Slack team id, Discord guild id, "" for the console
    channel: str
    user: str
    text: str  # everything after "/uschina", e.g. "summary 7d"
    is_admin: bool = False  # workspace admin / Manage Server / allow-listed


CommandHandler = Callable[[CommandRequest], Awaitable[Message]]


class DeliveryError(Exception):
    """Sending failed. `permanent` failures are not retried; `retry_after` is the platform's wait, if any."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


@runtime_checkable
class ChatAdapter(Protocol):
    """Start/stop, answer commands through the shared handler, and send messages to channels."""

    platform: str

    async def start(self, handler: CommandHandler) -> None:
        """Connect and begin routing `/uschina` commands to `handler`; returns once serving."""

    async def stop(self) -> None:
        """Disconnect cleanly."""

    async def send(self, target: Target, message: Message) -> str:
        """Post `message` to `target`; return the platform's message id or raise DeliveryError."""
        ...

    def healthy(self) -> bool:
        """True while connected (or able to send).

        An adapter without a live connection to watch may also define `async def probe() -> bool`, True
        when its platform's API answers; /healthz then asks it too (see `bot.app.Bot.health`)."""
        ...
