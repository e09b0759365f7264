"""`uschina run` with Discord configured: the real discord.py client against the local fake Discord."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import running_bot, wait_until
from tests.fakes.fake_discord import FakeDiscord


def answers(fake: FakeDiscord, interaction: dict) -> str:
    """The callback and follow-ups the bot sent for one interaction, as one string."""
    calls = fake.calls_to("POST", f"/interactions/{interaction['id']}/") + fake.calls_to("POST", "/webhooks/")
    return json.dumps([c.json for c in calls], ensure_ascii=False)


async def test_summary_and_deadlines_through_discord(tmp_path: Path, discord_fake: FakeDiscord) -> None:
    fake = discord_fake
    env = {"DISCORD_TOKEN": "e2e-discord-token", "DISCORD_API_URL": fake.api_url,
           "DISCORD_GATEWAY_URL": fake.gateway_url}
    async with running_bot(tmp_path, env):
        summary = fake.interaction("summary", {"period": "3650d"})  # the 2025 article
        await fake.dispatch("INTERACTION_CREATE", summary)
        text = await wait_until(lambda: "Wang Yi" in answers(fake, summary) and answers(fake, summary))
        assert "Rubio" in str(text)
        assert '"embeds"' in str(text)

        deadlines = fake.interaction("deadlines", {"as_of": "2025-07-11"})
        await fake.dispatch("INTERACTION_CREATE", deadlines)
        text = await wait_until(lambda: "talks" in answers(fake, deadlines) and answers(fake, deadlines))
        assert "Aug" in str(text) or "2025-08" in str(text)
