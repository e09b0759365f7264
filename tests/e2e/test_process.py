"""`uschina run` as a real process: serves /healthz on its embedded defaults and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import seeds_folder

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(port: int, process: subprocess.Popen[bytes], within: float = 20) -> dict:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert process.poll() is None, "the bot exited early"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("no /healthz answer")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_serves_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = free_port()
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    env = {**os.environ, "USCHINA_CONFIG": str(config), "USCHINA_DB": str(tmp_path / "run.db"),
           "USCHINA_SEEDS": str(seeds_folder(tmp_path)), "USCHINA_HTTP_PORT": str(port),
           "SLACK_BOT_TOKEN": "", "DISCORD_TOKEN": ""}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=Path(__file__).parents[2],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        health = wait_for_health(port, process)
        assert health == {"ok": True, "checks": {"store": True, "scheduler": True, "adapter:console": True}}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            metrics = response.read().decode()
        assert "uschina_items_ingested_total 1.0" in metrics  # the seed article, read once at start
        process.send_signal(stop_signal)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err.decode()[-2000:]
    log = err.decode()
    assert "start-up seeds" in log and "1 new" in log and "shutting down" in log
    assert log.count("files: 1 read") == 1  # the watcher does not read the start-up files a second time
    assert "Traceback" not in log
