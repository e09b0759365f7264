"""A local fake of Discord's REST API (v10) and gateway, enough for the real discord.py client.

One aiohttp app on 127.0.0.1:0 serves both. It records every REST call, lets a test script failures
(`fail_next`, `rate_limit_next`), pushes gateway dispatches (`dispatch`) and drops the socket
(`drop_gateway`). Channel posts are kept per channel and served back by GET /channels/{id}/messages
(`after`/`before`/`limit`, newest first, without nonces, as Discord does); a repeated nonce with
`enforce_nonce` returns the message already created. `history_denied` removes Read Message History from
the bot (then, like Discord, the history is simply empty). A message created with files arrives as
multipart/form-data (`payload_json` plus `files[N]` parts, as discord.py sends it); the bytes are kept on
the call (`Call.files`) and the message lists them as attachments.
JSON answers carry exactly `Content-Type: application/json`: discord.py compares the header with `==`.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "discord_interaction_create.json"
BASE_INTERACTION: dict[str, Any] = json.loads(FIXTURE.read_text())

APP_ID = BASE_INTERACTION["application_id"]
GUILD_ID = BASE_INTERACTION["guild_id"]
CHANNEL_ID = BASE_INTERACTION["channel_id"]
BOT_ID = "1300000000000000009"
ADMIN_PERMISSIONS = BASE_INTERACTION["member"]["permissions"]  # includes MANAGE_GUILD (1 << 5)
MEMBER_PERMISSIONS = str(1 << 10 | 1 << 11)  # view channel + send messages only
EDITOR_ROLE_ID = "1220000000000000002"
EDITOR_ROLE_NAME = "news-editors"
READ_MESSAGE_HISTORY = 1 << 16
EVERYONE_PERMISSIONS = str(1 << 10 | 1 << 11 | 1 << 14 | READ_MESSAGE_HISTORY)  # view, send, embed, history

BOT_USER = {
    "id": BOT_ID,
    "username": "uschina",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "public_flags": 0,
    "flags": 0,
}


def _role(role_id: str, name: str, position: int, permissions: str = "0") -> dict[str, Any]:
    return {
        "id": role_id,
        "name": name,
        "permissions": permissions,
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


GUILD = {
    "id": GUILD_ID,
    "name": "Trade Desk",
    "owner_id": "1110000000000000099",
    "member_count": 2,
    "large": False,
    "unavailable": False,
    "features": [],
    "emojis": [],
    "stickers": [],
    # Discord always includes the bot's own member, which discord.py keeps as `guild.me`.
    "members": [{"user": BOT_USER, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False,
                 "mute": False, "flags": 0}],
    "voice_states": [],
    "presences": [],
    "threads": [],
    "stage_instances": [],
    "guild_scheduled_events": [],
    "soundboard_sounds": [],
    "roles": [_role(GUILD_ID, "@everyone", 0, EVERYONE_PERMISSIONS), _role(EDITOR_ROLE_ID, EDITOR_ROLE_NAME, 1)],
    "channels": [
        {
            "id": CHANNEL_ID,
            "type": 0,
            "name": "us-china-news",
            "position": 0,
            "permission_overwrites": [],
            "guild_id": GUILD_ID,
        }
    ],
}


@dataclass
class Call:
    """One recorded REST request (path relative to /api/v10)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    at: float
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, bytes) of multipart uploads


@dataclass
class Scripted:
    method: str
    path: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def jresp(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with the exact Content-Type discord.py expects."""
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class FakeDiscord:
    """The fake server. `await start()`, point discord.py at `api_url`/`gateway_url`, `await stop()`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.frames: list[dict[str, Any]] = []  # gateway frames received from the client
        self.sockets: list[web.WebSocketResponse] = []
        self.known_channels = {CHANNEL_ID}
        self.created: list[dict[str, Any]] = []  # every message object the fake handed out
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}  # channel posts, oldest first
        self.history_denied = False  # set before the client connects
        self.upload_limit: int | None = None  # bytes per message's files; above it, 413 as Discord answers
        self._scripted: list[Scripted] = []
        self._ids = itertools.count(1500000000000000001)
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- scripting and inspection ----------------------------------------------------------------
    def fail_next(
        self, method: str, path: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next `method` call whose path starts with `path` with this error."""
        self._scripted.append(Scripted(method, path, status, body, headers or {}))

    def rate_limit_next(self, method: str, path: str, retry_after: float) -> None:
        """A real-shaped 429 (with `Via`, without which discord.py treats it as a Cloudflare ban)."""
        headers = {
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry_after),
            "X-RateLimit-Bucket": "fakebucket",
            "X-RateLimit-Scope": "user",
            "Via": "1.1 google",
        }
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        self.fail_next(method, path, 429, body, headers)

    def calls_to(self, method: str, path_prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    def ops(self, op: int) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("op") == op]

    # --- gateway -----------------------------------------------------------------------------------
    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Push a dispatch (op 0) to the newest gateway connection."""
        await self._send(self.sockets[-1], {"op": 0, "t": event, "s": self._next_seq(), "d": data})

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the live socket the way Discord does on a server-side error (resumable code)."""
        await self.sockets[-1].close(code=code)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    async def _send(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        await ws.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": 41250}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await self._on_frame(ws, json.loads(msg.data))
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        if frame["op"] == 1:
            await self._send(ws, {"op": 11})
        elif frame["op"] == 2:
            await self._send(ws, {"op": 0, "t": "READY", "s": self._next_seq(), "d": self._ready()})
            await self._send(ws, {"op": 0, "t": "GUILD_CREATE", "s": self._next_seq(), "d": self._guild()})
        elif frame["op"] == 6:
            await self._send(ws, {"op": 0, "t": "RESUMED", "s": self._next_seq(), "d": {}})

    def _guild(self) -> dict[str, Any]:
        guild = copy.deepcopy(GUILD)
        if self.history_denied:
            deny = {"id": BOT_ID, "type": 1, "allow": "0", "deny": str(READ_MESSAGE_HISTORY)}
            guild["channels"][0]["permission_overwrites"] = [deny]
        return guild

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    # --- REST ----------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        self.calls.append(
            Call(
                request.method,
                path,
                dict(request.query),
                dict(request.headers),
                body,
                asyncio.get_running_loop().time(),
                files,
            )
        )
        scripted = self._take_scripted(request.method, path)
        if scripted is not None:
            return jresp(scripted.body, scripted.status, scripted.headers)
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if method == request.method and match:
                return handler(body, *match.groups())
        return jresp({"message": "404: Not Found", "code": 0}, 404)

    def _take_scripted(self, method: str, path: str) -> Scripted | None:
        for scripted in self._scripted:
            if scripted.method == method and path.startswith(scripted.path):
                self._scripted.remove(scripted)
                return scripted
        return None

    def _routes(self) -> list[tuple[str, str, Callable[..., web.Response]]]:
        return [
            ("GET", r"/users/@me", lambda body: jresp(BOT_USER)),
            ("GET", r"/oauth2/applications/@me", lambda body: jresp(self._application())),
            ("PUT", r"/applications/\d+(?:/guilds/\d+)?/commands", self._put_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/\d+/([^/]+)", lambda body, token: jresp(self.message(CHANNEL_ID, body))),
            (
                "PATCH",
                r"/webhooks/\d+/([^/]+)/messages/@original",
                lambda body, token: jresp(self.message(CHANNEL_ID, body)),
            ),
            ("POST", r"/channels/(\d+)/messages", self._post_message),
            ("GET", r"/channels/(\d+)/messages", self._get_messages),
            ("GET", r"/channels/(\d+)", self._get_channel),
        ]

    def _application(self) -> dict[str, Any]:
        return {
            "id": APP_ID,
            "name": "uschina",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": BOT_USER,
            "verify_key": "00" * 32,
            "flags": 0,
            "team": None,
            "summary": "",
        }

    def _put_commands(self, body: list[dict[str, Any]]) -> web.Response:
        ids = ({"id": str(next(self._ids)), "application_id": APP_ID, "version": "1"} for _ in body)
        return jresp([{**command, **extra} for command, extra in zip(body, ids, strict=True)])

    def _callback(self, body: dict[str, Any], interaction_id: str, token: str) -> web.Response:
        data = body.get("data") or {}
        result: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": None,
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool(data.get("flags", 0) & 64),
            }
        }
        if body["type"] in (4, 5):
            message = self.message(CHANNEL_ID, data)
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": body["type"], "message": message}
        return jresp(result)

    def _post_message(self, body: dict[str, Any], channel_id: str) -> web.Response:
        if channel_id not in self.known_channels:
            return jresp({"message": "Unknown Channel", "code": 10003}, 404)
        uploaded = sum(len(data) for _name, data in self.calls[-1].files)
        if self.upload_limit is not None and uploaded > self.upload_limit:
            return jresp({"message": "Request entity too large", "code": 40005}, 413)
        posted = self.channel_messages.setdefault(channel_id, [])
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            for earlier in posted:
                if earlier.get("nonce") == nonce:
                    return jresp(earlier)
        message = self.message(channel_id, body)
        posted.append({**message, "nonce": nonce} if nonce is not None else message)
        return jresp(message)

    def _get_messages(self, body: None, channel_id: str) -> web.Response:
        if channel_id not in self.known_channels:
            return jresp({"message": "Unknown Channel", "code": 10003}, 404)
        if self.history_denied:
            return jresp([])  # Discord answers 200 with no messages when Read Message History is missing
        query = self._last_query()
        limit = int(query.get("limit", 50))
        stored = [{k: v for k, v in m.items() if k != "nonce"} for m in self.channel_messages.get(channel_id, [])]
        if "after" in query:
            page = [m for m in stored if int(m["id"]) > int(query["after"])][:limit]
        else:
            before = int(query.get("before", 1 << 63))
            page = [m for m in stored if int(m["id"]) < before][-limit:]
        return jresp(list(reversed(page)))

    def _last_query(self) -> dict[str, str]:
        return self.calls[-1].query

    def _get_channel(self, body: None, channel_id: str) -> web.Response:
        if channel_id not in self.known_channels:
            return jresp({"message": "Unknown Channel", "code": 10003}, 404)
        return jresp({**GUILD["channels"][0], "id": channel_id})

    def message(self, channel_id: str, body: dict[str, Any] | None) -> dict[str, Any]:
        """A message object as Discord returns it for a create call."""
        body = body or {}
        message = {
            "id": str(next(self._ids)),
            "channel_id": channel_id,
            "type": 0,
            "content": body.get("content") or "",
            "author": BOT_USER,
            "embeds": body.get("embeds") or [],
            "attachments": self._attachments(channel_id, body),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": "2026-01-05T08:00:00.000000+00:00",
            "edited_timestamp": None,
            "flags": body.get("flags", 0),
            "components": [],
        }
        self.created.append(message)
        return message

    def _attachments(self, channel_id: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Attachment objects for the files uploaded with the call being answered (the newest one)."""
        files = self.calls[-1].files if self.calls and body.get("attachments") else []
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        result = []
        for index, (filename, data) in enumerate(files):
            attachment_id = str(next(self._ids))
            url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{filename}"
            result.append({"id": attachment_id, "filename": filename, "size": len(data), "url": url,
                           "proxy_url": url, "content_type": "image/png" if filename.endswith(".png") else None,
                           "description": described.get(str(index), {}).get("description")})
        return result

    # --- payload builders ----------------------------------------------------------------------------
    def interaction(
        self,
        subcommand: str,
        options: dict[str, Any] | None = None,
        *,
        permissions: str = ADMIN_PERMISSIONS,
        roles: tuple[str, ...] = (),
        autocomplete: str | None = None,
    ) -> dict[str, Any]:
        """A full INTERACTION_CREATE payload for `/uschina <subcommand> <options>`.

        With `autocomplete="timezone"` it is an autocomplete request (type 4) with that option focused.
        """
        payload = copy.deepcopy(BASE_INTERACTION)
        payload["id"] = str(next(self._ids))
        payload["token"] = f"token-{payload['id']}"
        payload["member"]["permissions"] = permissions
        payload["member"]["roles"] = list(roles)
        sub_options = [
            {"name": name, "type": _option_type(value), "value": value}
            for name, value in (options or {}).items()
        ]
        if autocomplete is not None:
            payload["type"] = 4
            for option in sub_options:
                option["focused"] = option["name"] == autocomplete
        payload["data"]["options"] = [{"name": subcommand, "type": 1, "options": sub_options}]
        return payload


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    """The JSON body, or for multipart/form-data its `payload_json` and the uploaded `files[N]` parts."""
    if not request.can_read_body:
        return None, []
    if request.content_type != "multipart/form-data":
        return await request.json(), []
    body: Any = None
    files: list[tuple[str, bytes]] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        elif part.name and part.name.startswith("files["):
            files.append((part.filename or "", bytes(await part.read())))
    return body, files


def _option_type(value: Any) -> int:
    return 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
