"""The Discord adapter: a discord.py client with the `/uschina` slash-command group.

Typed slash-command options are turned back into the same command text the other platforms send
("summary 7d", "subscribe 08:00 Europe/Berlin", ...), handed to the shared command handler, and the
Message it returns is rendered as embeds. Scheduled posts go through `DiscordAdapter.send`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Literal

import aiohttp
import discord
import yarl
from discord import app_commands

from adapters.discord.render import RenderedDiscordMessage, render_message, with_marker
from adapters.markers import (
    HISTORY_MARGIN,
    PartialDeliveries,
    Sighting,
    delivery_ref,
    marker_text,
    parse_marker,
    verdict,
)
from bot.domain.models import Attachment, Message, Target
from bot.domain.policy import command_words, needs_admin
from bot.ports import CommandHandler, CommandRequest, DeliveryError

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
READY_TIMEOUT = 30.0  # seconds to wait for login + gateway READY before start() gives up
DEFER_AFTER = 1.0  # Discord wants the first answer within 3 s; slower answers defer ("thinking...") first
# Above this wait, discord.py raises RateLimited instead of sleeping, so the outbox can reschedule.
MAX_RATELIMIT_WAIT = 30.0
AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices
HISTORY_LIMIT = 200  # messages scanned after a claim; a busier channel answers "cannot tell"
# The picture follows the text inside the outbox's send; its own shorter limit keeps a stuck upload from
# running the whole send into the outbox's timeout.
UPLOAD_TIMEOUT_S = 15.0
DESCRIPTION_LIMIT = 1024  # an attachment's description (alt text)


def redirect_endpoints(api_url: str | None, gateway_url: str | None) -> None:
    """Point discord.py at another REST base (e.g. http://127.0.0.1:8080/api/v10) and gateway.

    discord.py builds every REST URL, including interaction callbacks and webhook follow-ups, from the
    class attribute `Route.BASE`, and a plain Client connects to `DiscordWebSocket.DEFAULT_GATEWAY`
    without asking `/gateway/bot`. These two class attributes are therefore the only redirects needed
    (for a proxy or a local test server); they are process-wide, like discord.py itself.
    """
    if api_url:
        discord.http.Route.BASE = api_url.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def least_privilege_intents() -> discord.Intents:
    """Only the `guilds` intent: slash commands need no message content and no privileged intents."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


@cache
def _all_timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def timezone_choices(current: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[str]:
    """IANA zone names matching what the user typed: prefix matches first, then substring matches."""
    needle = current.strip().lower().replace(" ", "_")
    prefix = [tz for tz in _all_timezones() if tz.lower().startswith(needle)]
    inside = [tz for tz in _all_timezones() if needle in tz.lower() and tz not in prefix]
    return (prefix + inside)[:limit]


def command_text(*parts: str | None) -> str:
    """The shared command text, e.g. command_text("summary", "7d") -> "summary 7d"; empty parts dropped."""
    return " ".join(part.strip() for part in parts if part and part.strip())


def terms_text(kind: str, term: str | None, remove: bool) -> str:
    """`watch`, `watch rare earths` or `watch remove rare earths` (and the same for `mute`)."""
    return command_text(kind, "remove" if remove and term else None, term)


class CommandRunner:
    """Runs one `/uschina` invocation: admin check, the shared handler, defer when slow, reply."""

    def __init__(self, *, admin_role: str | None, defer_after: float) -> None:
        self.handler: CommandHandler | None = None
        self.admin_role = admin_role
        self.defer_after = defer_after

    def is_admin(self, interaction: discord.Interaction) -> bool:
        """Manage Server permission, or the configured admin role by name."""
        if interaction.permissions.manage_guild:
            return True
        roles = getattr(interaction.user, "roles", ())
        return bool(self.admin_role) and any(role.name == self.admin_role for role in roles)

    async def run(self, interaction: discord.Interaction, text: str) -> None:
        """Answer `interaction` with the handler's Message for `text`; never shows a traceback.

        Which commands need an admin is the core's policy (`needs_admin`); Discord only says who is one,
        and refuses here so the refusal can name Manage Server and the admin role."""
        is_admin = self.is_admin(interaction)
        admin_only = needs_admin(command_words(text))
        if admin_only and not is_admin:
            role = f" or the '{self.admin_role}' role" if self.admin_role else ""
            await interaction.response.send_message(
                f"Only members with Manage Server{role} can use `/uschina {text.split()[0]}`.", ephemeral=True
            )
            return
        if self.handler is None:
            await interaction.response.send_message("The bot is still starting; try again.", ephemeral=True)
            return
        request = self._request(interaction, text, is_admin)
        message = await self._answer(interaction, self.handler, request, private=admin_only)
        await reply(interaction, message)

    def _request(self, interaction: discord.Interaction, text: str, is_admin: bool) -> CommandRequest:
        return CommandRequest(
            platform="discord",
            workspace=str(interaction.guild_id or ""),
            channel=str(interaction.channel_id or ""),
            user=str(interaction.user.id),
            text=text,
            is_admin=is_admin,
        )

    async def _answer(
        self,
        interaction: discord.Interaction,
        handler: CommandHandler,
        request: CommandRequest,
        *,
        private: bool,
    ) -> Message:
        task = asyncio.ensure_future(handler(request))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            await interaction.response.defer(thinking=True, ephemeral=private)
        return await task  # a failure is already a short error Message, logged by the handler


def error_message(text: str) -> Message:
    """A short, private error answer."""
    return Message(kind="error", text=text, ephemeral=True)


async def reply(interaction: discord.Interaction, message: Message) -> None:
    """Send the rendered message as the interaction response (or follow-ups once deferred/answered)."""
    try:
        for part in render_message(message):
            await _reply_part(interaction, part, ephemeral=message.ephemeral)
    except discord.HTTPException as exc:  # e.g. the interaction expired; nobody is left to tell
        log.warning("Could not answer a /uschina interaction: %s", exc)


async def _reply_part(
    interaction: discord.Interaction, part: RenderedDiscordMessage, *, ephemeral: bool
) -> None:
    content = part.content or None
    if interaction.response.is_done():
        await interaction.followup.send(
            content=content or discord.utils.MISSING,
            embeds=part.embeds,
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
        )
    else:
        await interaction.response.send_message(
            content=content, embeds=part.embeds, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


class UsChinaGroup(app_commands.Group):
    """`/uschina <subcommand>`: each subcommand rebuilds the shared command text from its options."""

    def __init__(self, runner: CommandRunner) -> None:
        super().__init__(
            name="uschina", description="US–China news: stories, deadlines, digests", guild_only=True
        )
        self.runner = runner

    @app_commands.command(name="summary", description="Top US–China stories for a period")
    @app_commands.describe(period="How far back to look")
    async def summary(
        self, interaction: discord.Interaction, period: Literal["24h", "7d", "30d"] = "24h"
    ) -> None:
        await self.runner.run(interaction, command_text("summary", period))

    @app_commands.command(name="deadlines", description="Upcoming deadlines the news mentions")
    @app_commands.rename(show_all="all")
    @app_commands.describe(
        show_all="Show every tracked deadline, not only upcoming ones",
        as_of="Count days from this date (YYYY-MM-DD)",
    )
    async def deadlines(
        self, interaction: discord.Interaction, show_all: bool = False, as_of: str | None = None
    ) -> None:
        await self.runner.run(interaction, command_text("deadlines", "all" if show_all else None, as_of))

    @app_commands.command(name="subscribe", description="Post a daily digest in this channel (Manage Server)")
    @app_commands.describe(time="Local time HH:MM", timezone="IANA time zone, e.g. Europe/Berlin")
    async def subscribe(self, interaction: discord.Interaction, time: str, timezone: str) -> None:
        await self.runner.run(interaction, command_text("subscribe", time, timezone))

    @app_commands.command(name="unsubscribe", description="Stop this channel's digest (Manage Server)")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await self.runner.run(interaction, "unsubscribe")

    @app_commands.command(name="digest-time", description="Change this channel's digest time (Manage Server)")
    @app_commands.describe(time="Local time HH:MM", timezone="IANA time zone, e.g. Asia/Shanghai")
    async def digest_time(self, interaction: discord.Interaction, time: str, timezone: str) -> None:
        await self.runner.run(interaction, command_text("digest-time", time, timezone))

    @subscribe.autocomplete("timezone")
    @digest_time.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=tz, value=tz) for tz in timezone_choices(current)]

    @app_commands.command(name="sources",
                          description="List the feeds; add, remove or re-enable one (Manage Server)")
    @app_commands.describe(action="list, add, remove or enable", url="Feed URL (for add/remove/enable)")
    async def sources(
        self,
        interaction: discord.Interaction,
        action: Literal["list", "add", "remove", "enable"] = "list",
        url: str | None = None,
    ) -> None:
        if action == "list":
            await self.runner.run(interaction, "sources")
        else:
            await self.runner.run(interaction, command_text("sources", action, url))

    @app_commands.command(name="search", description="Search recent US–China stories")
    @app_commands.describe(query="Words to look for")
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        await self.runner.run(interaction, command_text("search", query))

    @app_commands.command(name="watch", description="Show, add or remove this channel's watch terms")
    @app_commands.describe(term="Always include items mentioning this in the digest", remove="Remove the term")
    async def watch(self, interaction: discord.Interaction, term: str | None = None, remove: bool = False) -> None:
        await self.runner.run(interaction, terms_text("watch", term, remove))

    @app_commands.command(name="mute", description="Show, add or remove this channel's mute terms")
    @app_commands.describe(term="Leave stories mentioning this out of the digest", remove="Remove the term")
    async def mute(self, interaction: discord.Interaction, term: str | None = None, remove: bool = False) -> None:
        await self.runner.run(interaction, terms_text("mute", term, remove))

    @app_commands.command(name="help", description="What /uschina can do")
    async def help(self, interaction: discord.Interaction) -> None:
        await self.runner.run(interaction, "help")


class UsChinaTree(app_commands.CommandTree):
    """A command tree whose unexpected errors (the adapter's own: replying, rendering) become a short private
    message, never a traceback."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("/uschina interaction failed: %s", error, exc_info=error)
        await reply(interaction, error_message("Sorry, that command could not be run."))


class UsChinaClient(discord.Client):
    """discord.py client with the `/uschina` group, synced per guild (instant) or globally on login."""

    def __init__(
        self, runner: CommandRunner, *, guild_ids: Sequence[int], guild_ready_timeout: float
    ) -> None:
        super().__init__(
            intents=least_privilege_intents(),
            allowed_mentions=NO_MENTIONS,
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
        )
        self.guild_ids = tuple(guild_ids)
        self.sync_commands = True  # off when the client only logs in to post (`open_for_sending`)
        self.tree = UsChinaTree(self)
        self.tree.add_command(UsChinaGroup(runner))

    async def setup_hook(self) -> None:
        """Register the commands: per guild when ids are given (visible at once), else globally."""
        if not self.sync_commands:
            return
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        if not self.guild_ids:
            await self.tree.sync()


class DiscordAdapter:
    """The ChatAdapter for Discord: gateway client for `/uschina`, REST for posting messages."""

    platform = "discord"

    def __init__(
        self,
        *,
        token: str,
        guild_ids: Sequence[int] = (),
        api_url: str | None = None,
        gateway_url: str | None = None,
        admin_role: str | None = None,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float = READY_TIMEOUT,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        redirect_endpoints(api_url, gateway_url)
        self._token = token
        self._ready_timeout = ready_timeout
        self._runner = CommandRunner(admin_role=admin_role, defer_after=defer_after)
        self.client = UsChinaClient(
            self._runner, guild_ids=guild_ids, guild_ready_timeout=guild_ready_timeout
        )
        self._task: asyncio.Task[None] | None = None
        self._partial = PartialDeliveries()

    async def start(self, handler: CommandHandler) -> None:
        """Log in, sync commands, connect the gateway and return once READY (or raise RuntimeError)."""
        self._runner.handler = handler
        self._task = asyncio.create_task(
            self.client.start(self._token, reconnect=True), name="discord-client"
        )
        ready = asyncio.create_task(self.client.wait_until_ready())
        await asyncio.wait(
            {self._task, ready}, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready.done():
            return
        ready.cancel()
        failure = self._task.exception() if self._task.done() else None
        await self.stop()
        if failure is not None:
            raise RuntimeError(
                f"Discord client failed to start: {type(failure).__name__}: {failure}"
            ) from failure
        raise RuntimeError(f"Discord client was not ready within {self._ready_timeout:g} s")

    async def open_for_sending(self) -> None:
        """Log in over REST only, to post: no gateway session and no command sync (`digest --send`)."""
        self.client.sync_commands = False
        try:
            await self.client.login(self._token)
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            await self.client.close()
            raise RuntimeError(f"Discord login failed: {type(exc).__name__}: {exc}") from exc

    async def stop(self) -> None:
        """Close the gateway and HTTP session; wait for the client task to finish."""
        await self.client.close()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def healthy(self) -> bool:
        """True once READY, until closed, while the gateway socket is open. discord.py keeps `is_ready()`
        through a lost connection while it retries, so the socket is what says Discord is reachable."""
        ws = self.client.ws
        return self.client.is_ready() and not self.client.is_closed() and ws is not None and ws.open

    async def send(self, target: Target, message: Message) -> str:
        """Post `message` (split into several messages if needed); return the first message's id."""
        return await self._send_mapped(target, message, None)

    async def send_keyed(self, target: Target, message: Message, idem_key: str) -> str:
        """Like `send`, each part marked with `idem_key`'s reference (embed footer or subtext line) and
        sent with a nonce derived from it, which Discord enforces: a retry within a few minutes returns
        the message already created instead of posting it twice. Parts that `was_delivered` just found
        in the channel are not posted again."""
        return await self._send_mapped(target, message, idem_key)

    async def was_delivered(self, target: Target, idem_key: str, since: datetime | None = None) -> bool | None:
        """Look for our messages marked with `idem_key` in the channel since `since` (minus a margin).

        Needs Read Message History; without it (Discord then returns no messages at all) or on any
        error the answer is None, and the outbox keeps the row as `unknown` instead of resending.
        """
        try:
            channel = await self._channel(target.channel)
            if not self._can_read_history(channel):
                log.warning("Discord channel %s: cannot check delivery without Read Message History",
                            target.channel)
                return None
            sighting, everything = await self._scan_history(channel, delivery_ref(idem_key), since)
        except (DeliveryError, discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning("Discord channel %s: cannot check delivery (%s)", target.channel, type(exc).__name__)
            return None
        self._partial.remember(idem_key, sighting)
        return verdict(sighting, everything)

    def _can_read_history(self, channel: discord.abc.Messageable) -> bool:
        """Read Message History in a guild channel (from the cached member and overwrites)."""
        guild = getattr(channel, "guild", None)
        if guild is None or guild.me is None or not isinstance(channel, discord.abc.GuildChannel):
            return False  # cannot confirm, and an empty history would be misread as "not delivered"
        return channel.permissions_for(guild.me).read_message_history

    async def _scan_history(self, channel: discord.abc.Messageable, ref: str,
                            since: datetime | None) -> tuple[Sighting, bool]:
        """Our parts marked `ref` among the messages after `since`, and whether the window was exhausted."""
        after = since - HISTORY_MARGIN if since else None
        sighting, seen = Sighting(), 0
        async for found in channel.history(limit=HISTORY_LIMIT, after=after):
            seen += 1
            if self.client.user is not None and found.author.id == self.client.user.id:
                note_marker(sighting, found, ref)
        return sighting, seen < HISTORY_LIMIT

    async def _send_mapped(self, target: Target, message: Message, idem_key: str | None) -> str:
        try:
            return await self._send(target, message, idem_key)
        except DeliveryError:
            raise
        except discord.RateLimited as exc:
            raise DeliveryError(
                f"Discord rate limit: retry in {exc.retry_after:.0f} s",
                permanent=False,
                retry_after=exc.retry_after,
            ) from exc
        except discord.HTTPException as exc:
            raise delivery_error(target.channel, exc) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryError(f"Discord unreachable: {type(exc).__name__}", permanent=False) from exc

    async def _send(self, target: Target, message: Message, idem_key: str | None) -> str:
        if self.client.is_closed() or self.client.user is None:
            raise DeliveryError("Discord client is not connected", permanent=False)
        channel = await self._channel(target.channel)
        parts = render_message(message)
        ref = delivery_ref(idem_key) if idem_key else None
        posted = self._partial.take(idem_key, len(parts)) if idem_key else {}
        sent_ids = []
        for number, part in enumerate(parts, start=1):
            if number in posted:
                sent_ids.append(posted[number])
                continue
            sent_ids.append(await _post_part(channel, part, ref, number, len(parts)))
        await _post_attachment(channel, message.attachment, ref)
        return sent_ids[0]

    async def _channel(self, channel_id: str) -> discord.abc.Messageable:
        if not channel_id.isdigit():
            raise DeliveryError(f"'{channel_id[:40]}' is not a Discord channel id", permanent=True)
        channel = self.client.get_channel(int(channel_id)) or await self.client.fetch_channel(int(channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryError(f"Discord channel {channel_id} cannot receive messages", permanent=True)
        return channel


async def _post_part(channel: discord.abc.Messageable, part: RenderedDiscordMessage, ref: str | None,
                     number: int, total: int) -> str:
    """Post one part; with `ref`, marked and with the nonce "<ref>.<part>" (Discord allows 25 characters)."""
    if ref is None:
        sent = await channel.send(content=part.content or None, embeds=part.embeds, allowed_mentions=NO_MENTIONS)
        return str(sent.id)
    marked = with_marker(part, marker_text(ref, number, total))
    # discord.py 2.7 sends `enforce_nonce: true` with every explicit nonce (http.handle_message_parameters).
    sent = await channel.send(content=marked.content or None, embeds=marked.embeds,
                              allowed_mentions=NO_MENTIONS, nonce=f"{ref}.{number}")
    return str(sent.id)


async def _post_attachment(channel: discord.abc.Messageable, attachment: Attachment | None,
                           ref: str | None) -> None:
    """Post the attachment as a file right after the text parts (a multipart message create). A failure is
    only logged: the text is complete and already there, and raising would make the outbox send it again.
    With `ref`, the nonce "<ref>.p" makes a quick retry return the picture already posted."""
    if attachment is None:
        return
    upload = discord.File(io.BytesIO(attachment.data), filename=attachment.filename,
                          description=attachment.alt[:DESCRIPTION_LIMIT])
    try:
        async with asyncio.timeout(UPLOAD_TIMEOUT_S):
            if ref is None:
                await channel.send(content=attachment.title or None, file=upload, allowed_mentions=NO_MENTIONS)
            else:
                await channel.send(content=attachment.title or None, file=upload, allowed_mentions=NO_MENTIONS,
                                   nonce=f"{ref}.p")
    except (discord.DiscordException, TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.warning("Discord: could not attach %s: %s: %s; the text went out without it", attachment.filename,
                    type(exc).__name__, exc)


def note_marker(sighting: Sighting, message: discord.Message, ref: str) -> None:
    """Add `message` to `sighting` when a footer or its content carries a marker for `ref`."""
    texts = [embed.footer.text or "" for embed in message.embeds] + [message.content]
    for text in texts:
        marker = parse_marker(text)
        if marker is not None and marker[0] == ref:
            sighting.add(marker[1], marker[2], str(message.id))
            return


def delivery_error(channel_id: str, exc: discord.HTTPException) -> DeliveryError:
    """Map a Discord HTTP error to a DeliveryError: permissions/unknown channel/bad request are permanent."""
    if isinstance(exc, discord.Forbidden):
        what = "missing access" if exc.code == 50001 else "missing permissions"
        return DeliveryError(
            f"Discord channel {channel_id}: {what} ({exc.code or 403}); check the bot's "
            "View Channel, Send Messages and Embed Links permissions",
            permanent=True,
        )
    if isinstance(exc, discord.NotFound):
        return DeliveryError(
            f"Discord channel {channel_id} not found ({exc.code or 404}); was it deleted?", permanent=True
        )
    if isinstance(exc, discord.DiscordServerError) or exc.status == 429:
        return DeliveryError(f"Discord error {exc.status}; will retry", permanent=False)
    return DeliveryError(f"Discord rejected the message: {exc.status} {exc.text[:200]}", permanent=True)
