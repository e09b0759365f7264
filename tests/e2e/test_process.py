"""`uschina run` as a real process: serves /healthz on its embedded defaults and stops cleanly on SIGTERM."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import seeds_folder

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[2]


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
    env = {**run_env(tmp_path), "USCHINA_HTTP_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        health = wait_for_health(port, process)
        assert health == {"ok": True, "checks": {"store": True, "scheduler": True, "adapter:console": True}}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            metrics = response.read().decode()
        assert "uschina_items_ingested_total 1.0" in metrics  # the seed article, read once at start
        started = time.monotonic()
        process.send_signal(stop_signal)
        _out, err = process.communicate(timeout=20)
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err.decode()[-2000:]
    assert elapsed < 2, f"stopped after {elapsed:.1f} s"
    log = err.decode()
    assert "start-up seeds" in log and "1 new" in log and "shutting down" in log
    assert log.count("files: 1 read") == 1  # the watcher does not read the start-up files a second time
    assert "Traceback" not in log

class Terminal:
    """A pseudo-terminal that is the controlling terminal of the process started on it, as in a shell."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)

    def spawn(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        def take_terminal() -> None:  # runs in the child after setsid(): make the slave its terminal
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        process = subprocess.Popen(command, env=env, cwd=ROOT, stdin=self.slave, stdout=self.slave,
                                   stderr=self.slave, start_new_session=True, preexec_fn=take_terminal)
        os.close(self.slave)
        self._reader.start()
        return process

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait_for(self, text: str, within: float = 20) -> None:
        deadline = time.monotonic() + within
        while text.encode() not in self.output:
            assert time.monotonic() < deadline, f"{text!r} not shown; terminal: {self.text()[-2000:]}"
            time.sleep(0.05)

    def text(self) -> str:
        return self.output.decode(errors="replace")

    def _drain(self) -> None:
        # Keep reading so the bot never blocks on a full terminal buffer; EIO once the last writer is gone.
        with contextlib.suppress(OSError):
            while chunk := os.read(self.master, 4096):
                self.output += chunk


def run_env(tmp_path: Path) -> dict[str, str]:
    """`uschina run` on a temp database and seeds folder, no starter feeds, no chat platforms, any free port."""
    config = tmp_path / "uschina.toml"
    config.write_text("sources = []\n", encoding="utf-8")
    env = {**os.environ, "USCHINA_CONFIG": str(config), "USCHINA_DB": str(tmp_path / "run.db"),
           "USCHINA_SEEDS": str(seeds_folder(tmp_path)), "USCHINA_HTTP_PORT": "0",
           "SLACK_BOT_TOKEN": "", "DISCORD_TOKEN": ""}
    env.pop("USCHINA_NO_CONSOLE", None)
    return env


@pytest.mark.parametrize("stop", ["ctrl-c", "SIGINT", "SIGTERM"])
def test_run_in_a_terminal_stops_within_two_seconds_of_the_first_signal(tmp_path: Path, stop: str) -> None:
    terminal = Terminal()
    process = terminal.spawn([sys.executable, "-m", "bot", "run"], run_env(tmp_path))
    try:
        terminal.wait_for("Ctrl-C to stop")
        terminal.type(b"help\n")  # the console reads commands from its terminal
        terminal.wait_for("/uschina summary")
        started = time.monotonic()
        if stop == "ctrl-c":
            terminal.type(b"\x03")  # the terminal sends SIGINT to the bot and its workers
        else:
            process.send_signal(getattr(signal, stop))
        code = process.wait(timeout=10)
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(terminal.master)
    assert code == 0, terminal.text()[-2000:]
    assert elapsed < 2, f"stopped after {elapsed:.1f} s"
    assert "shutting down" in terminal.text() and "Traceback" not in terminal.text()
