"""Run the real bot (`bot.app.run_bot`) with the fake chat adapter, for the kill-and-restart test.

Settings come from the environment as in production (USCHINA_DB, USCHINA_CONFIG, ...); FAKECHAT_URL is the
fake platform, FAKECHAT_VERIFY=1 picks the adapter that can confirm a delivery by idempotency key.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from bot.app.main import run_bot
from bot.app.runtime import Runtime
from bot.config import Settings, load_settings
from bot.ports import ChatAdapter
from tests.fakes.fake_chat import FakeChatAdapter, VerifyingChatAdapter


def _adapters(settings: Settings, runtime: Runtime) -> list[ChatAdapter]:
    url = os.environ["FAKECHAT_URL"]
    verify = os.environ.get("FAKECHAT_VERIFY") == "1"
    return [VerifyingChatAdapter(url) if verify else FakeChatAdapter(url)]


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run_bot(load_settings(), adapters=_adapters))


if __name__ == "__main__":
    main()
