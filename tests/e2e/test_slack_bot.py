"""`uschina run` with Slack configured: signed slash commands over HTTP, replies through the fake Web API."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.e2e.conftest import running_bot, settled, wait_until
from tests.fakes.fake_slack import FakeSlack, slash_form

SECRET = "e2e-signing-secret"
TOKEN = "xoxb-e2e-token"


async def post_command(port: int, fake: FakeSlack, text: str, *, secret: str = SECRET,
                       age: int = 0, timestamp: str | None = None) -> tuple[int, float]:
    body = urlencode(slash_form(text, response_url=fake.response_url("e2e")))
    ts = str(int(time.time()) - age) if timestamp is None else timestamp
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""}
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session, session.post(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    ) as response:
        await response.read()
        return response.status, time.perf_counter() - started


def posted_text(fake: FakeSlack) -> str:
    """Everything the bot sent to chat.postMessage and response_url, as one string."""
    bodies = [c.body for c in fake.calls_to("chat.postMessage")] + [c.body for c in fake.calls_to("response_url")]
    return json.dumps(bodies, ensure_ascii=False)


async def test_summary_and_deadlines_through_slack(tmp_path: Path, slack_fake: FakeSlack) -> None:
    fake = slack_fake
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url}
    async with running_bot(tmp_path, env) as bot:
        assert bot.http_port
        status, elapsed = await post_command(bot.http_port, fake, "summary 3650d public")  # the 2025 article
        assert status == 200 and elapsed < 3
        await wait_until(lambda: "Wang Yi" in posted_text(fake))
        assert "Rubio" in posted_text(fake)

        status, _ = await post_command(bot.http_port, fake, "deadlines 2025-07-11 public")
        assert status == 200
        # its own reply, not the summary's (the summary speaks of August too)
        await wait_until(lambda: len(fake.calls_to("chat.postMessage")) >= 2)
        reply = json.dumps(fake.calls_to("chat.postMessage")[-1].body, ensure_ascii=False)
        assert "talks" in reply and ("2025-08-01" in reply or "Aug" in reply), reply

        calls_before = await settled(lambda: len(fake.calls))  # the replies above are all in
        assert (await post_command(bot.http_port, fake, "summary", secret="forged"))[0] == 401
        assert (await post_command(bot.http_port, fake, "summary", age=400))[0] == 401
        assert (await post_command(bot.http_port, fake, "summary", timestamp="soon"))[0] == 401
        assert len(fake.calls) == calls_before
