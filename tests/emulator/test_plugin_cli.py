"""The pytest fixtures, the ``leadexec emulator`` command, in-process ASGI use, imports without the extra."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from leadexec_async.cli import main
from leadexec_async.emulator import ConnectionDropped, EmulatorServer, create_app

from ._bodies import Api, client_body

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("run", ["first", "second"])
def test_leadexec_emulator_fixture_is_empty_at_each_test(leadexec_emulator: EmulatorServer, run: str) -> None:
    """Both runs share one server and both write to it; whichever runs second sees it reset."""
    assert leadexec_emulator.state()["clients"] == []
    assert leadexec_emulator.state()["counters"]["requests"] == 0
    api = Api(leadexec_emulator)
    api.make_client(run)
    static = httpx.patch(
        leadexec_emulator.base_url + "/v1/clients",
        json=client_body(f"{run}-static"),
        headers={"Authorization": f"Bearer {leadexec_emulator.token}"},
    )
    assert static.status_code == 200
    assert len(leadexec_emulator.state()["clients"]) == 2
    api.close()


@pytest.mark.leadexec_emulator(faults="503:1.0", seed=3)
def test_marker_options_give_the_test_its_own_emulator(leadexec_emulator: EmulatorServer) -> None:
    response = httpx.patch(
        leadexec_emulator.base_url + "/v1/clients",
        json=client_body(),
        headers={"Authorization": f"Bearer {leadexec_emulator.token}"},
    )
    assert response.status_code == 503


def test_factory_starts_configured_emulators(
    leadexec_emulator_factory: Callable[..., EmulatorServer],
) -> None:
    limited = leadexec_emulator_factory(rate_limit=1, token="t")
    plain = leadexec_emulator_factory()
    assert limited.base_url != plain.base_url
    headers = {"Authorization": "Bearer t"}
    codes = [
        httpx.patch(limited.base_url + "/v1/clients", json=client_body(f"u{n}"), headers=headers).status_code
        for n in range(2)
    ]
    assert codes == [200, 429]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_emulator_command(*options: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``leadexec emulator`` on a free loopback port; return it once the port answers.

    The port is picked before the process binds it, so another process may take it in
    between: then the command exits with "address already in use" and is started again on
    another port (three tries). Any other early exit fails the test with its stderr.
    """
    for _ in range(3):
        port = _free_port()
        command = [sys.executable, "-m", "leadexec_async.cli", "emulator", "--port", str(port), *options]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=1)
                return process, port
            except httpx.TransportError:
                if process.poll() is not None:
                    err = process.communicate()[1].decode()
                    assert "address already in use" in err.lower(), err
                    break  # the port was taken meanwhile: another one
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.05)  # polling a real condition (the port answers), bounded above
    pytest.fail("three free ports in a row were taken before the emulator could bind them")


def test_leadexec_emulator_command_serves_and_stops(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite"
    options = ["--db", str(db), "--token", "cli-token", "--rate-limit", "100"]
    process, port = _start_emulator_command(*options, "--faults", "latency:0-0.001", "--seed", "1")
    try:
        state = httpx.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=5)
        assert state.json()["clients"] == []
        created = httpx.patch(
            f"http://127.0.0.1:{port}/v1/clients",
            json=client_body(),
            headers={"Authorization": "Bearer cli-token"},
        )
        assert created.status_code == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert "cli-token" not in err.decode()
    assert db.exists()


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--faults", "nope:1"], "unknown fault kind"),
        (["--client-id", "x"], "go together"),
        (["--token-ttl", "0"], "token_ttl"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["emulator", *argv]) == 2
    assert complaint in capsys.readouterr().err


def test_core_imports_without_the_extra() -> None:
    """The dispatcher, the emulator's CLI module and the pytest plugin load with the extra missing."""
    code = (
        "import sys\n"
        "for name in ('uvicorn', 'jsonschema', 'yaml', 'starlette'):\n"
        "    sys.modules[name] = None\n"
        "import leadexec_async.emulator.pytest_plugin, leadexec_async.emulator\n"
        "from leadexec_async.cli import build_parser, main\n"
        "build_parser()\n"
        "assert main(['emulator', '--port', '1']) == 2\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "needs the 'emulator' extra" in result.stderr


@pytest.mark.anyio
async def test_in_process_asgi_app_on_both_backends() -> None:
    app = create_app(token="t", faults="latency:0.001-0.002")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        headers = {"Authorization": "Bearer t"}
        created = await http.patch("/v1/clients", json=client_body(), headers=headers)
        assert created.status_code == 200
        app.schedule_fault("drop-after", operation="upsert_client")
        with pytest.raises(ConnectionDropped):
            await http.patch("/v1/clients", json=client_body("second"), headers=headers)
    state = app.state()
    assert len(state["clients"]) == 2
    # a scheduled fault replaces the random draw (latency included) for its request
    assert state["counters"]["faults"] == {
        **dict.fromkeys(state["counters"]["faults"], 0),
        "latency": 1,
        "drop-after": 1,
    }
