"""A local OpenAI-compatible chat-completions server for tests (127.0.0.1, port 0)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeLLM:
    """Serves POST /v1/chat/completions; `mode` picks the behaviour, requests are recorded."""

    mode: str = "ok"  # ok, error500, slow, bad_json, empty
    answer: str = "The US and China agreed to extend their tariff truce by 90 days."
    total_tokens: int = 120
    delay_s: float = 2.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    async def start(self) -> str:
        """Start serving; returns the base URL (ending in /v1)."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"headers": dict(request.headers), "json": body})
        if self.mode == "error500":
            return web.json_response({"error": {"message": "model overloaded"}}, status=500)
        if self.mode == "slow":
            await asyncio.sleep(self.delay_s)
        if self.mode == "bad_json":
            return web.Response(text="<html>not json</html>", content_type="text/html")
        content = "" if self.mode == "empty" else self.answer
        return web.json_response(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": self.total_tokens - 20, "completion_tokens": 20,
                          "total_tokens": self.total_tokens},
            }
        )
