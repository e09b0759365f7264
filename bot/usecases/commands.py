"""The `/uschina` command layer, shared by Slack, Discord and the console.

Adapters turn a platform's slash command into a `CommandRequest` whose `text` is what followed
`/uschina`; `CommandHandler.handle` parses it, talks to the store and returns a platform-neutral
`Message`. Bad input never raises: it gets a short usage reply.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import ConfigError, Settings, check_timezone, parse_hhmm
from bot.domain.durations import parse_duration
from bot.domain.models import Message
from bot.domain.policy import command_words, needs_admin
from bot.ingest.netguard import check_feed_url, redact_url
from bot.ingest.normalize import sanitize_for_chat
from bot.metrics import METRICS
from bot.ports import CommandRequest
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q
from storage.queries import sources as source_q
from storage.queries import subscriptions as sub_q

log = logging.getLogger(__name__)

USAGE = {
    "summary": "summary [24h|7d|N]: the top US–China stories of the period (or the top N)",
    "deadlines": "deadlines [all] [YYYY-MM-DD]: tracked deadlines with countdowns (all: past and cancelled too)",
    "subscribe": "subscribe [HH:MM] [Area/City]: a morning digest in this channel (admins)",
    "unsubscribe": "unsubscribe: stop this channel's digest (admins)",
    "digest-time": "digest-time HH:MM [Area/City]: change when this channel's digest arrives (admins)",
    "sources": "sources [list|add URL|remove URL|enable URL]: the feeds we watch (add/remove/enable: admins)",
    "search": "search QUERY: find stored US–China items",
    "watch": "watch [TERM | remove TERM]: always include items mentioning TERM in this channel's digest (admins)",
    "mute": "mute [TERM | remove TERM]: leave stories mentioning TERM out of this channel's digest (admins)",
    "help": "help: this list",
}
SubscriptionListener = Callable[[], Awaitable[None]]
MAX_TERMS = 20
SHOWN_DEADLINES = 30  # a chat answer lists the soonest; `uschina deadlines --json` and the calendar list all
MAX_TERM_LENGTH = 60


class CommandError(Exception):
    """Bad command input; the message is shown to the user."""


@dataclass
class CommandContext:
    """What commands need: the store, the clock, settings, and a hook to reschedule digests."""

    store: Store
    now: Callable[[], datetime]
    settings: Settings
    on_subscriptions_changed: SubscriptionListener | None = None


class CommandHandler:
    """Parses `/uschina` text and answers with a Message."""

    def __init__(self, context: CommandContext) -> None:
        self.ctx = context
        self._routes = {
            "summary": self.summary, "deadlines": self.deadlines, "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe, "digest-time": self.digest_time, "sources": self.sources,
            "search": self.search, "watch": self.watch, "mute": self.mute, "help": self.help,
        }

    async def __call__(self, request: CommandRequest) -> Message:
        return await self.handle(request)

    async def handle(self, request: CommandRequest) -> Message:
        """Answer one command; unknown or malformed input gets a usage reply, errors a short apology."""
        started = time.perf_counter()
        words = command_words(request.text)
        name = words[0].lower() if words else "help"
        route = self._routes.get(name)
        try:
            if route is None:
                raise CommandError(f"Unknown command `{name[:40]}`.")
            if needs_admin(words) and not await self._is_admin(request):
                return Message(kind="error", ephemeral=True,
                               text=f"Only workspace admins can use `{name}` (ask one, or see `help`).")
            return await route(request, words[1:])
        except CommandError as exc:
            return _usage(str(exc), name if route else None)
        except Exception:  # the one place a command's failure is caught: adapters show this answer as is
            log.exception("command %r from %s failed", name, request.platform)
            return Message(kind="error", text="Sorry, that command failed on our side; it has been logged.",
                           ephemeral=True)
        finally:
            METRICS.observe_command(name if route else "unknown", time.perf_counter() - started)

    async def summary(self, request: CommandRequest, args: list[str]) -> Message:
        period, limit = _summary_args(args)
        return await self.recent_stories(period, limit=limit)

    async def recent_stories(self, period: timedelta, *, limit: int) -> Message:
        """The `limit` top stories updated within `period` (chat's `summary`, and `uschina summary`)."""
        now = self.ctx.now()
        stories = await self.ctx.store.run(item_q.recent_stories, now - period, limit=limit)
        label = _period_label(period)
        if not stories:
            return Message(kind="summary", text=f"No US–China stories in the last {label}.",
                           title=f"US–China: last {label}")
        text = "\n\n".join(f"• {s.title}\n{s.summary}" for s in stories)
        return Message(kind="summary", text=text, title=f"US–China: top stories, last {label}",
                       stories=tuple(stories))

    async def deadlines(self, request: CommandRequest, args: list[str]) -> Message:
        include_all, as_of = False, None
        for arg in args:
            if arg.lower() == "all":
                include_all = True
            else:
                as_of = _parse_date(arg)
        as_of = as_of or await self._today(request)
        return await self.tracked_deadlines(as_of, include_all=include_all, limit=SHOWN_DEADLINES)

    async def tracked_deadlines(self, as_of: date, *, include_all: bool = False,
                                limit: int | None = None) -> Message:
        """Deadlines as of `as_of` (all of them when `limit` is None), counting down from that date
        (chat's `deadlines`, and `uschina deadlines`)."""
        views = await self.ctx.store.run(deadline_q.list_deadlines, as_of, include_all=include_all, limit=limit)
        title = f"US–China deadlines as of {as_of.isoformat()}"
        if not views:
            return Message(kind="deadlines", text="No tracked deadlines.", title=title, as_of=as_of)
        text = "\n".join(f"• {d.what}: {_when(d.start, d.end)} ({d.status})" for d in views)
        return Message(kind="deadlines", text=text, title=title, deadlines=tuple(views), as_of=as_of)

    async def subscribe(self, request: CommandRequest, args: list[str]) -> Message:
        digest_time, zone = _time_and_zone(args, self.ctx.settings.digest_time, self.ctx.settings.timezone)
        sub = await self.ctx.store.run(
            sub_q.subscribe, platform=request.platform, workspace=request.workspace,
            channel=request.channel, digest_time=digest_time, timezone=zone, now=self.ctx.now(),
        )
        await self._subscriptions_changed()
        return Message(kind="text", text=f"Subscribed: a digest here every day at {sub.digest_time} "
                                         f"({sub.timezone}), plus deadline reminders and alerts.")

    async def unsubscribe(self, request: CommandRequest, args: list[str]) -> Message:
        removed = await self.ctx.store.run(
            sub_q.unsubscribe, platform=request.platform, workspace=request.workspace, channel=request.channel
        )
        await self._subscriptions_changed()
        return Message(kind="text", text="Unsubscribed: no more digests here." if removed
                       else "This channel was not subscribed.")

    async def digest_time(self, request: CommandRequest, args: list[str]) -> Message:
        if not args:
            raise CommandError("Give a time, like `digest-time 07:30 Asia/Shanghai`.")
        current = await self.ctx.store.run(
            sub_q.get_subscription, platform=request.platform, workspace=request.workspace,
            channel=request.channel,
        )
        if current is None or not current.active:
            raise CommandError("This channel is not subscribed yet; use `subscribe` first.")
        digest_time, zone = _time_and_zone(args, current.digest_time, current.timezone)
        await self.ctx.store.run(
            sub_q.subscribe, platform=request.platform, workspace=request.workspace,
            channel=request.channel, digest_time=digest_time, timezone=zone, now=self.ctx.now(),
        )
        await self._subscriptions_changed()
        return Message(kind="text", text=f"The digest now arrives at {digest_time} ({zone}).")

    async def sources(self, request: CommandRequest, args: list[str]) -> Message:
        action = args[0].lower() if args else "list"
        if action == "list":
            return await self.source_list()
        if action not in {"add", "remove", "enable"} or len(args) != 2:
            raise CommandError("Use `sources list`, `sources add URL`, `sources remove URL` or "
                               "`sources enable URL`.")
        url = args[1].strip("<>").split("|")[0]  # Slack wraps links as <url|label>
        if action == "add":
            return await self._add_source(url, request)
        shown = redact_url(url)  # the reply may be seen by the whole channel
        if action == "enable":
            enabled = await self.ctx.store.run(source_q.enable_source, url)
            return Message(kind="text", text=f"Enabled {shown}; it is checked on the next cycle." if enabled
                           else f"Not a watched source: {shown}")
        removed = await self.ctx.store.run(source_q.remove_source, url, now=self.ctx.now())
        return Message(kind="text", text=f"Removed {shown}." if removed else f"Not a watched source: {shown}")

    async def search(self, request: CommandRequest, args: list[str]) -> Message:
        query = " ".join(args).strip()
        if not query:
            raise CommandError("Give words to search for, like `search entity list`.")
        hits = await self.ctx.store.run(item_q.search_items, query[:200], limit=10)
        if not hits:
            return Message(kind="search", text=f"Nothing stored matches “{sanitize_for_chat(query[:100])}”.")
        lines = tuple(f"{h['published'][:10]} · {h['source_name']}: {h['title']}"
                      + (f" <{h['url']}>" if h["url"] else "") for h in hits)
        return Message(kind="search", title=f"Search: {sanitize_for_chat(query[:100])}",
                       text="\n".join(lines), lines=lines)

    async def watch(self, request: CommandRequest, args: list[str]) -> Message:
        return await self._terms(request, args, kind="watch")

    async def mute(self, request: CommandRequest, args: list[str]) -> Message:
        return await self._terms(request, args, kind="mute")

    async def _terms(self, request: CommandRequest, args: list[str], *, kind: str) -> Message:
        sub = await self.ctx.store.run(sub_q.get_subscription, platform=request.platform,
                                       workspace=request.workspace, channel=request.channel)
        if sub is None or not sub.active:
            raise CommandError("This channel is not subscribed yet; use `subscribe` first.")
        watch, mute = list(sub.watch_terms), list(sub.mute_terms)
        terms = watch if kind == "watch" else mute
        if args:
            removing = args[0].lower() == "remove"
            term = _clean_term(" ".join(args[1:] if removing else args))
            if removing:
                terms[:] = [t for t in terms if t.lower() != term.lower()]
            elif term.lower() not in {t.lower() for t in terms}:
                if len(terms) >= MAX_TERMS:
                    raise CommandError(f"At most {MAX_TERMS} {kind} terms per channel.")
                terms.append(term)
            await self.ctx.store.run(sub_q.set_terms, sub.id, watch=watch, mute=mute)
        lines = (f"watch: {', '.join(watch) or '(none)'}", f"mute: {', '.join(mute) or '(none)'}")
        return Message(kind="text", title="This channel's digest terms", text="\n".join(lines), lines=lines)

    async def help(self, request: CommandRequest, args: list[str]) -> Message:
        lines = tuple(f"/uschina {usage}" for usage in USAGE.values())
        return Message(kind="help", title="uschina: US–China news, summaries and deadlines",
                       text="\n".join(lines), lines=lines, ephemeral=True)

    async def source_list(self) -> Message:
        """The watched feeds with their health, one line each (chat's `sources`, and `uschina sources list`)."""
        rows = await self.ctx.store.run(source_q.list_sources)
        now = self.ctx.now()
        # A URL with a password (in the configuration file, or stored by an older version) never reaches chat.
        lines = tuple(f"{redact_url(r.name)} [{r.kind}] {redact_url(r.url)}: {source_q.format_source_health(r, now)}"
                      for r in rows)
        return Message(kind="sources", title=f"Watched sources ({len(rows)})",
                       text="\n".join(lines) or "No sources yet.", lines=lines)

    async def _add_source(self, url: str, request: CommandRequest) -> Message:
        refusal = check_feed_url(url, allow_private=self.ctx.settings.allow_private_feeds)
        if refusal:
            # The refusal already says what it is ("refused: ...", "invalid URL: ..."): no second prefix.
            return Message(kind="error", text=refusal[:1].upper() + refusal[1:] + ".", ephemeral=True)
        try:
            await self.ctx.store.run(source_q.add_source, url, name=url, kind="outlet",
                                     added_by=f"{request.platform}:{request.user}", now=self.ctx.now())
        except source_q.DuplicateSource:
            return Message(kind="text", text=f"Already watching {url}.")
        return Message(kind="text", text=f"Watching {url}; it is checked on the next cycle.")

    async def _is_admin(self, request: CommandRequest) -> bool:
        """The allow-list (USCHINA_ADMINS) first, then what the platform says, asking it only if needed."""
        if request.is_admin or request.user in self.ctx.settings.admins:
            return True
        return request.check_admin is not None and await request.check_admin()

    async def _today(self, request: CommandRequest) -> date:
        sub = await self.ctx.store.run(sub_q.get_subscription, platform=request.platform,
                                       workspace=request.workspace, channel=request.channel)
        zone = sub.timezone if sub else self.ctx.settings.timezone
        return self.ctx.now().astimezone(ZoneInfo(zone)).date()

    async def _subscriptions_changed(self) -> None:
        if self.ctx.on_subscriptions_changed:
            await self.ctx.on_subscriptions_changed()


def _clean_term(text: str) -> str:
    """A watch/mute term from chat: printable words only, bounded in length."""
    term = " ".join("".join(ch for ch in text if ch.isprintable()).split())[:MAX_TERM_LENGTH]
    if not any(ch.isalnum() for ch in term):
        raise CommandError("Give a word or phrase, like `watch rare earths`.")
    return term


def _summary_args(args: list[str]) -> tuple[timedelta, int]:
    period, limit = timedelta(hours=24), 5
    for arg in args[:2]:
        if arg.isdigit():
            limit = max(1, min(int(arg), 20))
            continue
        try:
            period = parse_duration(arg)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    return period, limit


def _time_and_zone(args: list[str], default_time: str, default_zone: str) -> tuple[str, str]:
    digest_time, zone = default_time, default_zone
    for arg in args[:2]:
        try:
            if ":" in arg:
                hour, minute = parse_hhmm(arg)
                digest_time = f"{hour:02d}:{minute:02d}"
            else:
                zone = check_timezone(arg)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
    return digest_time, zone


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date or `all`: {text[:40]!r} (use YYYY-MM-DD).") from None


def _period_label(period: timedelta) -> str:
    hours = int(period.total_seconds() // 3600)
    return f"{hours // 24}d" if hours % 24 == 0 and hours >= 48 else f"{hours}h"


def _when(start: date | None, end: date | None) -> str:
    if start is None:
        return "date TBD"
    return start.isoformat() if end in (None, start) else f"{start.isoformat()}–{end.isoformat()}"


def _usage(problem: str, name: str | None) -> Message:
    lines = (USAGE[name],) if name in USAGE else tuple(USAGE.values())
    text = problem + "\nUsage:\n" + "\n".join(f"/uschina {u}" for u in lines)
    return Message(kind="error", text=text, lines=lines, ephemeral=True)
