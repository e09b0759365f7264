"""A local fake of Slack's Web API, response_url endpoint and Socket Mode websocket (aiohttp, 127.0.0.1:0).

It records every call, scripts failures with `fail_next`, and mimics the server-side checks that matter to
the adapter (at most 50 blocks per message, unknown channels). Posted messages are kept per channel with
their metadata and served back by `conversations.history` (newest first, `oldest`, `limit`, cursors;
metadata only with `include_all_metadata`, as Slack does). File uploads follow the three steps
`files_upload_v2` takes: `files.getUploadURLExternal` hands out an upload URL on this server, the bytes are
POSTed there, and `files.completeUploadExternal` shares the file into `channel_id` (kept in `shared_files`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

TEAM_ID = "T0FAKE"
BOT_TOKEN = "xoxb-fake-bot-token"
INSTALLED_TOKEN = "xoxb-installed-token"


@dataclass
class Call:
    """One request the fake received."""

    method: str  # Web API method, or "response_url"
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Failure:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeSlack:
    """Start with `await fake.start()`; `fake.api_url` is the base_url for AsyncWebClient."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing_channels: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    socket_received: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    ts_base: int = 1700000000  # message ts are ts_base.000001, ts_base.000002, ...
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages, oldest first
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> the bytes POSTed to its upload URL
    shared_files: list[dict[str, Any]] = field(default_factory=list)  # completed uploads, with their channel

    def __post_init__(self) -> None:
        self._failures: dict[str, list[Failure]] = {}
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._upload_lengths: dict[str, int] = {}  # file id -> the length announced for it
        self._runner: web.AppRunner | None = None
        self._socket: web.WebSocketResponse | None = None
        self._socket_ready = asyncio.Event()
        self._socket_message = asyncio.Event()
        self._call_recorded = asyncio.Event()

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.add_routes(
            [
                web.post("/api/{method}", self._api),
                web.get("/api/{method}", self._api),  # users.info and other reads are GETs
                web.post("/commands/{team}/{name}", self._response_url),
                web.post("/upload/{file_id}", self._upload),
                web.get("/socket", self._websocket),
            ]
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/commands/{TEAM_ID}/{name}"

    def fail_next(
        self,
        method: str,
        status: int = 200,
        *,
        error: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make the next call of `method` fail with `status` and (for 200) `{"ok": false, "error": error}`."""
        body = {"ok": False, "error": error or f"http_{status}"}
        self._failures.setdefault(method, []).append(Failure(status, headers or {}, body))

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for_calls(self, method: str, count: int = 1, wait_s: float = 5.0) -> list[Call]:
        """Wait (at most `wait_s`) until `method` was called at least `count` times."""
        async with asyncio.timeout(wait_s):
            while len(self.calls_to(method)) < count:
                self._call_recorded.clear()
                await self._call_recorded.wait()
        return self.calls_to(method)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._call_recorded.set()

    # --- HTTP -------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, dict(request.headers), await _parse_body(request))
        self._record(call)
        failures = self._failures.get(method)
        if failures:
            failure = failures.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        return web.json_response(self._answer(call))

    def _answer(self, call: Call) -> dict[str, Any]:
        body = call.body
        if call.method == "auth.test":
            return {"ok": True, "team_id": TEAM_ID, "user_id": "UBOT", "bot_id": "BBOT", "team": "Fake"}
        if call.method == "chat.postMessage":
            return self._post_message(body)
        if call.method == "conversations.history":
            return self._conversations_history(body)
        if call.method == "users.info":
            user = self.users.get(str(body.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if call.method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket=t1"}
        if call.method == "oauth.v2.access":
            return _oauth_access_response()
        if call.method == "files.getUploadURLExternal":
            return self._upload_url(body)
        if call.method == "files.completeUploadExternal":
            return self._complete_upload(body)
        return {"ok": True}

    def _upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("filename") or not str(body.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):08d}"
        self._upload_lengths[file_id] = int(body["length"])
        return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        self._record(Call("upload", dict(request.headers), {"file_id": file_id, "length": len(data)}))
        if self._upload_lengths.get(file_id) != len(data):
            return web.Response(status=400, text="length does not match")
        self.uploads[file_id] = data
        return web.Response(text=f"OK - {len(data)}")

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(body.get("files") or "[]")
        if not files or any(f.get("id") not in self.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}  # completed before (or without) its upload
        channel = str(body.get("channel_id") or "")
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        shared = [{"id": f["id"], "title": f.get("title"), "channel": channel} for f in files]
        self.shared_files.extend(shared)
        ts = f"{self.ts_base}.{next(self._ts):06d}"
        self.history.setdefault(channel, []).append({"type": "message", "ts": ts, "text": "", "bot_id": "BBOT",
                                                     "files": [{"id": f["id"]} for f in files]})
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        if len(body.get("blocks") or []) > 50:
            return {"ok": False, "error": "invalid_blocks"}
        ts = f"{self.ts_base}.{next(self._ts):06d}"
        stored = {"type": "message", "ts": ts, "text": body.get("text"), "bot_id": "BBOT"}
        if body.get("metadata"):
            metadata = body["metadata"]
            stored["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.history.setdefault(channel, []).append(stored)
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text"), "ts": ts}}

    def _conversations_history(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(body.get("oldest") or 0)
        newest_first = [m for m in reversed(self.history.get(channel, [])) if float(m["ts"]) > oldest]
        start, limit = int(body.get("cursor") or 0), int(body.get("limit") or 100)
        page = newest_first[start : start + limit]
        if str(body.get("include_all_metadata")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        has_more = start + limit < len(newest_first)
        cursor = str(start + limit) if has_more else ""
        return {"ok": True, "messages": page, "has_more": has_more, "response_metadata": {"next_cursor": cursor}}

    async def _response_url(self, request: web.Request) -> web.Response:
        self._record(Call("response_url", dict(request.headers), await _parse_body(request)))
        return web.Response(text="ok")

    # --- Socket Mode ------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._socket = ws
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "AFAKE"}}
        await ws.send_json(hello | {"debug_info": {"host": "fake"}})
        self._socket_ready.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                self.socket_received.append(json.loads(frame.data))
                self._socket_message.set()
        return ws

    async def push_envelope(self, kind: str, payload: dict[str, Any], wait_s: float = 5.0) -> dict[str, Any]:
        """Send a Socket Mode envelope and return the app's acknowledgement for it."""
        async with asyncio.timeout(wait_s):
            await self._socket_ready.wait()
        assert self._socket is not None
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload}
        await self._socket.send_json(envelope | {"accepts_response_payload": True, "retry_attempt": 0})
        async with asyncio.timeout(wait_s):
            while True:
                for message in self.socket_received:
                    if message.get("envelope_id") == envelope_id:
                        return message
                self._socket_message.clear()
                await self._socket_message.wait()


async def _parse_body(request: web.Request) -> dict[str, Any]:
    """JSON or form bodies; `blocks` sent as a form string is decoded too."""
    raw = await request.text()
    if request.content_type == "application/json":
        return json.loads(raw) if raw else {}
    body: dict[str, Any] = dict(request.query) | dict(parse_qsl(raw))
    if isinstance(body.get("blocks"), str):
        body["blocks"] = json.loads(body["blocks"])
    return body


def _oauth_access_response() -> dict[str, Any]:
    return {
        "ok": True,
        "app_id": "AFAKE",
        "access_token": INSTALLED_TOKEN,
        "token_type": "bot",
        "scope": "commands,chat:write",
        "bot_user_id": "UBOT9",
        "team": {"id": "T9", "name": "Installed team"},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": "U9"},
    }


def slash_form(
    text: str, *, response_url: str, user: str = "U123", channel: str = "C123", team: str = TEAM_ID
) -> dict[str, str]:
    """The form fields Slack POSTs for `/uschina <text>`."""
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "someone",
        "command": "/uschina",
        "text": text,
        "api_app_id": "AFAKE",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }
