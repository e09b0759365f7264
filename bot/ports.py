"""The ports: the contract every chat adapter (console, Slack, Discord) fulfils, and what the core offers it.

Adapters import this module and `bot.domain` only; the app (`bot.app`) finds them through a registry of
`AdapterPlugin`s and hands each an `AdapterContext`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, runtime_checkable

from bot.domain.models import Message, Target


@dataclass(frozen=True)
class CommandRequest:
    """A `/uschina ...` invocation, translated from any platform."""

    platform: str
    workspace: str  # Slack team id, Discord guild id, "" for the console
    channel: str
    user: str
    text: str  # everything after "/uschina", e.g. "summary 7d"
    is_admin: bool = False  # the platform already says so (Manage Server, the console's local user)
    # Asks the platform whether the user is an admin (Slack's users.info); called only for a command that
    # needs an admin, so reading commands cost no extra request.
    check_admin: Callable[[], Awaitable[bool]] | None = field(default=None, compare=False, repr=False)


# Answers every request with a Message: a failure is logged where it happens and answered with a short error
# Message, never raised, so an adapter does not catch around it (only around its own rendering and sending).
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
        when its platform's API answers; /healthz then asks it too."""
        ...


@runtime_checkable
class SendOnlyAdapter(Protocol):
    """An adapter that can be opened just to send (a one-off `uschina digest --send`): no command routing,
    no gateway session, no command registration. `stop()` closes it."""

    async def open_for_sending(self) -> None:
        """Prepare `send()` without serving commands."""


P = ParamSpec("P")
T = TypeVar("T")


class StoreRunner(Protocol):
    """The store as an adapter may use it: run a function on the database thread (Slack OAuth
    installations keep their rows there)."""

    async def run(self, fn: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(db, *args, **kwargs)` on the database thread and return its result."""
        ...


# (platform, workspace, reason): the platform says the bot was removed from that workspace.
WorkspaceRemoved = Callable[[str, str, str], Awaitable[None]]


@dataclass(frozen=True)
class AdapterContext:
    """What the core offers an adapter it builds: the store, the local date (for countdowns), and what to
    call when the platform removes the bot from a workspace (its subscriptions stop)."""

    store: StoreRunner
    today: Callable[[], date]
    workspace_removed: WorkspaceRemoved | None = None


@dataclass(frozen=True)
class AdapterPlugin:
    """One chat adapter as the registry knows it; the adapter owns its settings.

    `configure(env, file)` reads and validates the adapter's own variables (raising
    `bot.domain.errors.ConfigError`) and returns its settings, or None when the adapter is not enabled;
    `build(settings, context)` imports the platform library only then and returns the adapter.
    `secret_patterns` are regular expressions for the platform's credentials (token shapes): the core
    redacts text that matches them before it logs or stores an error.
    """

    name: str
    configure: Callable[[Mapping[str, str], Mapping[str, Any]], object | None]
    build: Callable[[Any, AdapterContext], ChatAdapter]
    secret_patterns: tuple[str, ...] = ()
