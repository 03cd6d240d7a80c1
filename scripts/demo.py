"""`make demo`: provision the example plan against a local emulator, twice.

1. starts ``leadexec emulator`` on a free loopback port (a subprocess, with a
   little latency and a few 429/503 answers so that retries are seen);
2. provisions ``examples/plan.yaml`` with ``leadexec provision`` (a progress
   bar on a terminal) and shows the summary;
3. runs the same plan again: every record is unchanged and nothing is sent,
   which the emulator's own request counter confirms;
4. stops the emulator.

The ledger goes to a temporary folder, so the demo leaves nothing behind and
can be run any number of times.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "plan.yaml"
TOKEN = "demo-token"  # noqa: S105 - accepted by the throw-away local emulator only
FAULTS = "429:0.05,503:0.05,latency:0.05-0.3"
START_DEADLINE = 30.0
_LEADEXEC = [sys.executable, "-m", "leadexec_async.cli"]
_EMULATOR_OPTIONS = ["--faults", FAULTS, "--seed", "7", "--log-level", "warning"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _state(base_url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{base_url}/_emulator/state", timeout=5) as answer:  # noqa: S310 - loopback
        data: dict[str, object] = json.load(answer)
    return data


def _requests(base_url: str) -> int:
    counters = _state(base_url)["counters"]
    assert isinstance(counters, dict)
    return int(counters["requests"])


def _wait_until_up(base_url: str, emulator: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if emulator.poll() is not None:
            sys.exit(f"the emulator exited with status {emulator.returncode}")
        try:
            _state(base_url)
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"the emulator did not answer within {START_DEADLINE:g} s")


def _title(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def main() -> int:
    from leadexec_async.cli import main as leadexec

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    _title(f"Starting the LeadExec emulator on {base_url} (faults: {FAULTS})")
    emulator = subprocess.Popen(
        [
            *_LEADEXEC,
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--token",
            TOKEN,
            *_EMULATOR_OPTIONS,
        ]
    )
    try:
        _wait_until_up(base_url, emulator)
        os.environ["LEADEXEC_ACCESS_TOKEN"] = TOKEN
        for var in ("ACME_PORTAL_PASSWORD", "GLOBEX_PORTAL_PASSWORD", "INITECH_PORTAL_PASSWORD"):
            os.environ.setdefault(var, f"demo-{var.lower()}")
        with tempfile.TemporaryDirectory(prefix="leadexec-demo-") as tmp:
            ledger = Path(tmp) / "plan.ledger.sqlite"
            args = ["provision", str(PLAN.relative_to(ROOT)), "--base-url", base_url, "--ledger", str(ledger)]
            args += ["--concurrency", "4"]

            _title("First run: every record is created")
            first = leadexec(args)
            after_first = _requests(base_url)
            print(f"The emulator has received {after_first} API requests (retries included).")

            _title("Second run of the same plan: nothing is re-sent")
            second = leadexec(args)
            after_second = _requests(base_url)
            print(
                f"The emulator has received {after_second} API requests: "
                f"{after_second - after_first} new during the second run."
            )
        state = _state(base_url)
        stored = {kind: len(state[kind]) for kind in ("clients", "delivery_methods", "delivery_accounts")}  # type: ignore[arg-type]
        print(f"Stored on the emulator: {stored}")
    finally:
        _title("Stopping the emulator")
        emulator.terminate()
        try:
            emulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emulator.kill()
            emulator.wait()
    ok = first == 0 and second == 0 and after_second == after_first
    print(
        "\nDemo finished: " + ("every record in place, nothing re-sent." if ok else "something went wrong.")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
