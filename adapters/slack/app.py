"""The Slack adapter: `/uschina` through slack-bolt (HTTP or Socket Mode) and posts via the Web API."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.state_store.stateless import StatelessOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.markers import HISTORY_MARGIN, PartialDeliveries, Sighting, delivery_ref, verdict
from adapters.slack.config import DEFAULT_API_URL, SlackConfig
from adapters.slack.installation import SQLiteInstallationStore
from adapters.slack.render import RenderedSlackMessage, escape, render_message, truncate
from bot.domain.models import Attachment, Message, Target
from bot.domain.policy import private_unless_public
from bot.ports import CommandHandler, CommandRequest, DeliveryError, StoreRunner, WorkspaceRemoved

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 5.0
# The picture follows the text inside the outbox's send; its own shorter limit keeps a stuck upload from
# running the whole send into the outbox's timeout.
UPLOAD_TIMEOUT_S = 15.0
COMMAND = "/uschina"
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# files:write: the digest's timeline picture (files_upload_v2); without it the digest goes out as text only.
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "files:write")
# Optional: read channel history to check, after a crash, whether an interrupted post arrived.
HISTORY_SCOPES = ("channels:history", "groups:history")

# Errors after which retrying the same post can never succeed, with a hint for the operator.
PERMANENT_ERRORS = {
    "channel_not_found": "the channel does not exist or the app cannot see it",
    "not_in_channel": "invite the app to the channel (/invite @uschina)",
    "is_archived": "the channel is archived",
    "invalid_auth": "the bot token is invalid",
    "account_inactive": "the bot token belongs to a deactivated app or workspace",
    "token_revoked": "the bot token was revoked (app uninstalled?)",
    "not_authed": "no bot token is configured for this workspace",
}
AUTH_ERRORS = {"invalid_auth", "account_inactive", "token_revoked", "not_authed"}
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
# Scheduled posts carry this metadata event (invisible in the channel) so a restart can find them.
METADATA_EVENT = "uschina_delivery"
HISTORY_PAGE_SIZE = 100
HISTORY_PAGES = 3  # at most 300 messages since the claim; a busier channel answers "cannot tell"
_TIMESTAMP = re.compile(r"[0-9]{1,20}")  # Slack's X-Slack-Request-Timestamp: Unix seconds
ERROR_REPLY = "Sorry, that command failed. The problem was logged; please try again in a moment."


def build_web_client(token: str | None, api_url: str = DEFAULT_API_URL) -> AsyncWebClient:
    """An AsyncWebClient that retries connection errors and honours 429 Retry-After (up to 3 times)."""
    # slack_sdk only retries connection errors by default; the rate-limit handler must be added.
    return AsyncWebClient(
        token=token or None,
        base_url=api_url if api_url.endswith("/") else api_url + "/",  # urljoin drops a last segment
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def subcommand_label(text: str) -> str:
    """The command words safe to echo back in an ack: "summary 7d" -> "summary 7d"."""
    return escape(truncate(" ".join(text.replace("`", "").split()), 60)) or "help"


def delivery_error(err: SlackApiError, channel: str) -> DeliveryError:
    """Map a Web API failure on chat.postMessage to a DeliveryError that says whether to retry."""
    status = err.response.status_code
    code = str(err.response.get("error") or f"http_{status}")
    if status == 429 or code == "ratelimited":
        retry_after = _retry_after(err.response.headers)
        return DeliveryError(
            f"slack: rate limited posting to {channel}", permanent=False, retry_after=retry_after
        )
    if code in PERMANENT_ERRORS:
        return DeliveryError(f"slack: {code} posting to {channel}: {PERMANENT_ERRORS[code]}", permanent=True)
    transient = status >= 500 or code in TRANSIENT_ERRORS
    # Anything else (invalid_blocks, msg_too_long, ...) would fail the same way again.
    return DeliveryError(f"slack: {code} posting to {channel}", permanent=not transient)


def _retry_after(headers: Mapping[str, Any] | None) -> float | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except ValueError:
                return None
    return None


def adapter_from_config(config: SlackConfig, *, store: StoreRunner | None = None,
                        workspace_removed: WorkspaceRemoved | None = None) -> SlackAdapter:
    """Build the adapter from validated settings (SLACK_* variables, read once by adapters.slack.config).

    A bot token serves one workspace; SLACK_CLIENT_ID + SLACK_CLIENT_SECRET switch to OAuth for many
    (the installation store lives in `store`); SLACK_APP_TOKEN switches to Socket Mode.
    """
    return SlackAdapter(
        bot_token=config.bot_token,
        signing_secret=config.signing_secret,
        app_token=config.app_token,
        api_url=config.api_url,
        store=store,
        client_id=config.client_id if config.client_secret else None,
        client_secret=config.client_secret,
        state_secret=config.state_secret,
        history_scopes=config.verify_delivery,
        workspace_removed=workspace_removed,
    )


class SlackAdapter:
    """Serves `/uschina` for one workspace (bot token) or many (OAuth), and posts messages to channels."""

    platform = "slack"

    def __init__(
        self,
        *,
        bot_token: str,
        signing_secret: str,
        app_token: str | None = None,
        api_url: str = DEFAULT_API_URL,
        store: StoreRunner | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        state_secret: str | None = None,
        history_scopes: bool = False,
        workspace_removed: WorkspaceRemoved | None = None,
        ack_budget: float = 1.5,
        admin_cache_seconds: float = 600.0,
        probe_cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        oauth = bool(client_id and client_secret)
        self._history_scopes = history_scopes
        if oauth and store is None:
            raise ValueError("Slack OAuth mode (client id/secret) needs the store for installations")
        self.client = build_web_client(None if oauth else bot_token, api_url)
        self.installations = SQLiteInstallationStore(store) if oauth and store is not None else None
        settings = self._oauth_settings(client_id, client_secret, state_secret) if oauth else None
        self.app = AsyncApp(client=self.client, signing_secret=signing_secret, oauth_settings=settings)
        self.app.command(COMMAND)(self._on_command)
        self._workspace_removed = workspace_removed
        if oauth:
            self.app.event("app_uninstalled")(self._on_app_uninstalled)
            self.app.event("tokens_revoked")(self._on_tokens_revoked)
        self._app_token = app_token
        self._ack_budget = ack_budget
        self._admin_ttl = admin_cache_seconds
        self._clock = clock
        self._admin_cache: dict[tuple[str, str], tuple[bool, float]] = {}
        self._probe_ttl = probe_cache_seconds
        self._probe: tuple[bool, float] | None = None  # the last probe's answer and when it was asked
        self._handler: CommandHandler | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._running = False
        self._auth_failed = False
        self._partial = PartialDeliveries()

    def _oauth_settings(
        self, client_id: Any, client_secret: Any, state_secret: str | None
    ) -> AsyncOAuthSettings:
        return AsyncOAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            scopes=list(BOT_SCOPES + (HISTORY_SCOPES if self._history_scopes else ())),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=self.installations,
            installation_store_bot_only=True,
            # A signed, expiring state token: nothing to store, survives restarts.
            state_store=StatelessOAuthStateStore(
                expiration_seconds=600, signing_secret=state_secret or client_secret
            ),
        )

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self, handler: CommandHandler) -> None:
        """Route `/uschina` to `handler`; in Socket Mode also connect the websocket."""
        self._handler = handler
        if self._app_token:
            self._socket = AsyncSocketModeHandler(self.app, self._app_token)
            await self._socket.connect_async()
            log.info("slack: connected in Socket Mode")
        self._running = True

    async def open_for_sending(self) -> None:
        """Posting needs only the Web API client: no Socket Mode connection, no command routing."""
        self._running = True

    async def stop(self) -> None:
        """Close the Socket Mode connection (if any); HTTP routes simply stop being served by the host."""
        self._running = False
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    def healthy(self) -> bool:
        """False before start, after stop, after an auth failure, or while the socket is down."""
        if not self._running or self._auth_failed:
            return False
        if self._socket is not None:
            # The SDK's is_connected() is a coroutine; these are the same checks minus the ping history.
            client = self._socket.client
            session = getattr(client, "current_session", None)
            return (
                not client.closed
                and not getattr(client, "stale", False)
                and session is not None
                and not session.closed
            )
        return True

    async def probe(self) -> bool:
        """True when Slack's Web API answers (`api.test`, no token needed); asked at most once per
        `probe_cache_seconds`, so a /healthz scraped every few seconds does not call Slack every time."""
        now = self._clock()
        if self._probe is not None and now - self._probe[1] < self._probe_ttl:
            return self._probe[0]
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                await self.client.api_test()
            reachable = True
        except SlackApiError:
            reachable = True  # an error answer is still an answer
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("slack: API unreachable: %s", type(exc).__name__)
            reachable = False
        self._probe = (reachable, now)
        return reachable

    # --- HTTP mode ---------------------------------------------------------------------------------

    async def handle_events(self, request: web.Request) -> web.Response:
        """POST /slack/events: verify Slack's signature and dispatch (401 when the signature is bad)."""
        if not _TIMESTAMP.fullmatch(request.headers.get("X-Slack-Request-Timestamp", "0")):
            # slack_sdk's verifier calls int() on the header and a ValueError there became a 500; a request
            # whose timestamp is not a number is simply not from Slack.
            return web.json_response({"error": "invalid request"}, status=401)
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def handle_oauth(self, request: web.Request) -> web.Response:
        """GET /slack/install and /slack/oauth_redirect (OAuth mode only)."""
        flow = self.app.oauth_flow
        if flow is None:
            return web.Response(status=404)
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))
        return await to_aiohttp_response(await flow.handle_callback(bolt_request))

    def routes(self) -> list[web.RouteDef]:
        """The routes to mount on the bot's aiohttp server (events, plus the OAuth pages in OAuth mode)."""
        routes = [web.post(EVENTS_PATH, self.handle_events)]
        if self.app.oauth_flow is not None:
            routes += [web.get(INSTALL_PATH, self.handle_oauth), web.get(REDIRECT_PATH, self.handle_oauth)]
        return routes

    def web_app(self) -> web.Application:
        """A standalone aiohttp application serving `routes()`."""
        application = web.Application()
        application.add_routes(self.routes())
        return application

    # --- OAuth mode: a workspace removes the app -------------------------------------------------------

    async def _on_app_uninstalled(self, context: AsyncBoltContext) -> None:
        """Forget the workspace's installation (slack-bolt's own listener) and stop its subscriptions."""
        await self.app.default_app_uninstalled_event_listener()(context=context)
        await self._removed(context.team_id, "the app was uninstalled from the workspace")

    async def _on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """Forget the revoked tokens (slack-bolt's own listener); when the bot token is among them the
        workspace cannot be posted to any more, so its subscriptions stop too."""
        await self.app.default_tokens_revoked_event_listener()(event=event, context=context)
        if (event.get("tokens") or {}).get("bot"):
            await self._removed(context.team_id, "the app's bot token was revoked")

    async def _removed(self, team_id: str | None, reason: str) -> None:
        log.info("slack: team=%s: %s", team_id, reason)
        if self._workspace_removed is not None and team_id:
            await self._workspace_removed(self.platform, team_id, reason)

    # --- commands ------------------------------------------------------------------------------------

    async def _on_command(
        self, ack: Any, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        # Slack wants the ack within 3 s: fast answers go in the ack, slow ones get "Working on ...".
        task = asyncio.create_task(self._answer(command, client))
        done, _ = await asyncio.wait({task}, timeout=self._ack_budget)
        if not done:
            await ack(f"Working on `{subcommand_label(command.get('text') or '')}`…")
        message, parts = self._render_reply(await task)
        if done and message.ephemeral:
            await ack(text=parts[0].text, blocks=parts[0].blocks)
            parts = parts[1:]
        elif done:
            await ack()
        try:
            await self._deliver(message, parts, command, respond, client, working=not done)
        except Exception:
            log.exception("slack: could not deliver the reply to /uschina in %s", command.get("channel_id"))

    def _render_reply(self, message: Message) -> tuple[Message, list[RenderedSlackMessage]]:
        """Render a reply; a message Block Kit rejects locally is replaced by the short error."""
        try:
            return message, render_message(message)
        except Exception:
            log.exception("slack: could not render a %s reply", message.kind)
            error = Message(kind="error", text=ERROR_REPLY, ephemeral=True)
            return error, render_message(error)

    async def _answer(self, command: dict[str, Any], client: AsyncWebClient) -> Message:
        """The shared handler's answer (a failure is already a short error Message, logged by the handler)."""
        if self._handler is None:  # the HTTP routes are up before the adapter starts
            return Message(kind="error", text="The bot is still starting; try again.", ephemeral=True)
        # summary/deadlines answer only the person who asked, unless they add `public`.
        text, private = private_unless_public((command.get("text") or "").strip())
        message = await self._handler(await self._request_from(command, text, client))
        return replace(message, ephemeral=True) if private else message

    async def _request_from(
        self, command: dict[str, Any], text: str, client: AsyncWebClient
    ) -> CommandRequest:
        team, user = command.get("team_id") or "", command.get("user_id") or ""
        return CommandRequest(
            platform=self.platform,
            workspace=team,
            channel=command.get("channel_id") or "",
            user=user,
            text=text,
            check_admin=lambda: self.is_admin(client, team, user),
        )

    async def _deliver(
        self,
        message: Message,
        parts: list[RenderedSlackMessage],
        command: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        *,
        working: bool,
    ) -> None:
        """Ephemeral replies go to response_url; public ones are posted to the channel."""
        if message.ephemeral:
            for i, part in enumerate(parts):
                replace = working and i == 0  # the reply takes the place of "Working on ..."
                await respond(
                    text=part.text, blocks=part.blocks, response_type="ephemeral", replace_original=replace
                )
            return
        channel = command.get("channel_id") or ""
        try:
            await self._post(client, channel, parts)
        except DeliveryError as err:
            # Not a member (or a DM the bot cannot post to): answer in place through response_url instead.
            log.warning("%s; answering through response_url", err.reason)
            for part in parts:
                await respond(text=part.text, blocks=part.blocks, response_type="in_channel")
            return
        if working:
            await respond(delete_original=True)

    async def is_admin(self, client: AsyncWebClient, team: str, user: str) -> bool:
        """A workspace admin/owner per users.info (cached for a few minutes); asked only by commands that
        need an admin."""
        now = self._clock()
        cached = self._admin_cache.get((team, user))
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            info = (await client.users_info(user=user)).get("user") or {}
            admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as err:
            log.warning(
                "slack: users.info failed for %s (%s); treating as non-admin", user, type(err).__name__
            )
            admin = False
        self._admin_cache[(team, user)] = (admin, now + self._admin_ttl)
        return admin

    # --- sending --------------------------------------------------------------------------------------

    async def send(self, target: Target, message: Message) -> str:
        """Post `message` to `target.channel` (one post per rendered part), then upload its attachment;
        return the first part's ts."""
        client = await self._client_for(target.workspace)
        first_ts = await self._post(client, target.channel, render_message(message))
        await self._upload(client, target.channel, message.attachment)
        return first_ts

    async def send_keyed(self, target: Target, message: Message, idem_key: str) -> str:
        """Like `send`, each part carrying `idem_key`'s reference in message metadata. Parts that
        `was_delivered` just found in the channel are not posted again; their ts is reused."""
        client = await self._client_for(target.workspace)
        parts = render_message(message)
        ref, total = delivery_ref(idem_key), len(parts)
        posted = self._partial.take(idem_key, total)
        stamps = []
        for number, part in enumerate(parts, start=1):
            metadata = delivery_metadata(ref, number, total)
            stamps.append(posted.get(number) or await self._post_one(client, target.channel, part, metadata))
        await self._upload(client, target.channel, message.attachment)
        return stamps[0]

    async def _upload(self, client: AsyncWebClient, channel: str, attachment: Attachment | None) -> None:
        """Upload the attachment into the channel (files_upload_v2). Runs after every text part was posted,
        and a failure is only logged: the text is complete and already there, and raising would make the
        outbox send it again."""
        if attachment is None:
            return
        try:
            async with asyncio.timeout(UPLOAD_TIMEOUT_S):
                await client.files_upload_v2(channel=channel, file=attachment.data, filename=attachment.filename,
                                             title=attachment.title or attachment.filename,
                                             alt_txt=truncate(attachment.alt, 1000))
        except SlackApiError as err:
            code = err.response.get("error") or f"http_{err.response.status_code}"
            hint = " (the app needs the files:write scope)" if code == "missing_scope" else ""
            log.warning("slack: could not upload %s to %s: %s%s; the text went out without it",
                        attachment.filename, channel, code, hint)
        except Exception as err:  # SlackRequestError, network, timeout: same answer, the text stands alone
            log.warning("slack: could not upload %s to %s: %s; the text went out without it",
                        attachment.filename, channel, type(err).__name__)

    async def was_delivered(self, target: Target, idem_key: str, since: datetime | None = None) -> bool | None:
        """Look for `idem_key`'s parts in the channel's history from `since` (minus a margin) on.

        Needs `channels:history` / `groups:history` and membership in the channel; without them (or on
        any error) the answer is None, and the outbox keeps the row as `unknown` instead of resending.
        """
        try:
            client = await self._client_for(target.workspace)
            sighting, everything = await self._scan_history(client, target.channel, delivery_ref(idem_key),
                                                            since)
        except SlackApiError as err:
            code = err.response.get("error") or f"http_{err.response.status_code}"
            log.warning("slack: cannot check delivery to %s (%s); needs channels:history/groups:history and "
                        "membership", target.channel, code)
            return None
        except (DeliveryError, TimeoutError, aiohttp.ClientError, OSError) as err:
            log.warning("slack: cannot check delivery to %s (%s)", target.channel, type(err).__name__)
            return None
        self._partial.remember(idem_key, sighting)
        return verdict(sighting, everything)

    async def _scan_history(self, client: AsyncWebClient, channel: str, ref: str,
                            since: datetime | None) -> tuple[Sighting, bool]:
        """The parts marked `ref` since `since`, and whether the whole window was scanned."""
        oldest = f"{(since - HISTORY_MARGIN).timestamp():.6f}" if since else None
        sighting, cursor = Sighting(), None
        for _ in range(HISTORY_PAGES):
            page = await client.conversations_history(channel=channel, oldest=oldest, limit=HISTORY_PAGE_SIZE,
                                                      include_all_metadata=True, cursor=cursor)
            for message in page.get("messages") or []:
                note_marker(sighting, message, ref)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return sighting, True
        return sighting, False

    async def _client_for(self, workspace: str | None) -> AsyncWebClient:
        """The app client, or in OAuth mode a client holding that workspace's installed bot token."""
        if self.installations is None:
            return self.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            raise DeliveryError(f"slack: the app is not installed in workspace {workspace}", permanent=True)
        return build_web_client(bot.bot_token, self.client.base_url)

    async def _post(self, client: AsyncWebClient, channel: str, parts: list[RenderedSlackMessage]) -> str:
        first_ts = ""
        for part in parts:
            ts = await self._post_one(client, channel, part)
            first_ts = first_ts or ts
        return first_ts

    async def _post_one(self, client: AsyncWebClient, channel: str, part: RenderedSlackMessage,
                        metadata: dict[str, Any] | None = None) -> str:
        try:
            response = await client.chat_postMessage(
                channel=channel, text=part.text, blocks=part.blocks, unfurl_links=False, unfurl_media=False,
                metadata=metadata,
            )
        except SlackApiError as err:
            error = delivery_error(err, channel)
            self._auth_failed = self._auth_failed or (
                self.installations is None and err.response.get("error") in AUTH_ERRORS
            )
            log.warning("%s", error.reason)
            raise error from err
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            reason = f"slack: network error posting to {channel}: {type(err).__name__}"
            log.warning("%s", reason)
            raise DeliveryError(reason, permanent=False) from err
        return str(response.get("ts") or "")


def delivery_metadata(ref: str, part: int, total: int) -> dict[str, Any]:
    """The message metadata marking part `part` of `total` of the delivery `ref`."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": ref, "part": part, "parts": total}}


def note_marker(sighting: Sighting, message: Mapping[str, Any], ref: str) -> None:
    """Add `message` to `sighting` when its metadata marks a part of the delivery `ref`."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != METADATA_EVENT or payload.get("key") != ref:
        return
    try:
        sighting.add(int(payload.get("part", 1)), int(payload.get("parts", 1)), str(message.get("ts") or ""))
    except (TypeError, ValueError):
        return  # someone else's malformed metadata: not ours
