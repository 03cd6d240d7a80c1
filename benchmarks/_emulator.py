"""The emulator in its own process (``leadexec emulator``), so its CPU is not the client's."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import psutil

__all__ = ["TOKEN", "EmulatorProcess", "emulator_process"]

TOKEN = "bench-static-token"
_START_DEADLINE = 30.0  # seconds for the emulator to accept connections
_STOP_DEADLINE = 10.0
_START_TRIES = 3  # ports picked in turn when another process takes the one picked


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmulatorProcess:
    """A running ``leadexec emulator`` subprocess on a free loopback port."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._ps = psutil.Process(process.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU the emulator process has used so far."""
        times = self._ps.cpu_times()
        return float(times.user + times.system)

    def state(self) -> dict[str, Any]:
        """``GET /_emulator/state``."""
        with urllib.request.urlopen(self.base_url + "/_emulator/state", timeout=30) as answer:
            data: dict[str, Any] = json.load(answer)
            return data

    def counters(self) -> dict[str, Any]:
        """The emulator's counters alone."""
        counters: dict[str, Any] = self.state()["counters"]
        return counters

    def outcomes(self, operation: str) -> dict[str, int]:
        """Answers of ``operation`` by status (e.g. ``{"200": 10000, "429": 12}``)."""
        by_op: dict[str, dict[str, int]] = self.counters()["by_operation_outcome"]
        return by_op.get(operation, {})


class _PortTaken(Exception):
    """The emulator could not bind its port: another process took it after it was picked."""


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + _START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            if b"address already in use" in err.lower():
                raise _PortTaken
            sys.stderr.write(err.decode(errors="replace")[-2000:])
            raise RuntimeError(f"the emulator exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_emulator/state", timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling a real condition (the port answering), bounded by the deadline
    raise RuntimeError(f"the emulator did not answer within {_START_DEADLINE:.0f} s")


def _start(rate_limit: float | None) -> EmulatorProcess:
    """Start the emulator on a free port and wait until it answers; a new port if that one was taken."""
    for _ in range(_START_TRIES):
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "leadexec_async.cli",
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--log-level",
            "warning",
        ]
        if rate_limit is not None:
            command += ["--rate-limit", str(rate_limit)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        server = EmulatorProcess(process, port)
        try:
            _wait_ready(process, server.base_url)
        except _PortTaken:
            continue
        except BaseException:
            if process.poll() is None:  # still starting (a timeout, an interrupt): stop it
                process.kill()
                _, err = process.communicate(timeout=_STOP_DEADLINE)
                sys.stderr.write(err.decode(errors="replace")[-2000:])
            raise
        return server
    raise RuntimeError(f"{_START_TRIES} free ports in a row were taken before the emulator could bind them")


@contextlib.contextmanager
def emulator_process(*, rate_limit: float | None = None) -> Iterator[EmulatorProcess]:
    """Start ``leadexec emulator`` (static token :data:`TOKEN`), yield it, stop it."""
    server = _start(rate_limit)
    process = server.process
    try:
        yield server
    except BaseException:
        process.kill()
        _, err = process.communicate(timeout=_STOP_DEADLINE)
        if err:
            sys.stderr.write(err.decode(errors="replace")[-2000:])
        raise
    else:
        process.terminate()
        try:
            process.communicate(timeout=_STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
