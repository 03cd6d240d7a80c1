"""Failures every request would meet (credentials refused, no connection) halt the run at once, exit 2."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import leadexec_async as lx
from leadexec_async.cli import main as leadexec
from leadexec_async.provision.runner import systemic

from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_rows, write_plan

CLIENTS = 40
CONCURRENCY = 4
DEADLINE = 60.0
UNREACHABLE_DEADLINE = 25.0


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    for name in (
        "LEADEXEC_ACCESS_TOKEN",
        "LEADEXEC_CLIENT_ID",
        "LEADEXEC_CLIENT_SECRET",
        "LEADEXEC_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def _requests(emulator: Any) -> int:
    return int(emulator.state()["counters"]["requests"])


def _provision(base_url: str, plan: Path, *extra: str) -> int:
    return leadexec(
        [
            "provision",
            str(plan),
            "--base-url",
            base_url,
            "--concurrency",
            str(CONCURRENCY),
            "--progress",
            "none",
            *extra,
        ]
    )


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_a_wrong_token_stops_after_at_most_concurrency_requests_and_exits_2(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, CLIENTS)
    report = tmp_path / "r.json"
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", "not-the-right-token")
    before = _requests(leadexec_emulator)
    assert _provision(leadexec_emulator.base_url, plan, "--report", str(report)) == 2
    assert 1 <= _requests(leadexec_emulator) - before <= CONCURRENCY
    err = capsys.readouterr().err
    assert "refused the credentials (401" in err
    assert "LEADEXEC_ACCESS_TOKEN" in err
    assert "not-the-right-token" not in err
    summary = json.loads(report.read_text())["summary"]
    assert summary["halted"] is not None
    assert summary["requests"] <= CONCURRENCY
    assert summary["unknown"] == 0  # a refused create was not applied: nothing is left in doubt
    assert summary["failed"] + summary["skipped"] == total
    assert ledger_rows(tmp_path / "plan.ledger.sqlite") == {}

    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", leadexec_emulator.token)
    assert _provision(leadexec_emulator.base_url, plan) == 0
    assert audit(leadexec_emulator.state(), tmp_path / "plan.ledger.sqlite", CLIENTS).in_place == total


def test_wrong_client_credentials_stop_at_once_naming_the_variables(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, CLIENTS)
    monkeypatch.setenv("LEADEXEC_CLIENT_ID", leadexec_emulator.client_id)
    monkeypatch.setenv("LEADEXEC_CLIENT_SECRET", "a-wrong-secret-value")
    before = _requests(leadexec_emulator)
    assert _provision(leadexec_emulator.base_url, plan) == 2
    assert _requests(leadexec_emulator) - before <= CONCURRENCY
    err = capsys.readouterr().err
    assert "LEADEXEC_CLIENT_ID and LEADEXEC_CLIENT_SECRET" in err
    assert "a-wrong-secret-value" not in err


def _run(
    base_url: str,
    plan: Path,
    ledger: Path | str,
    report: Path,
    env: dict[str, str],
    deadline: float = DEADLINE,
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "leadexec_async.cli", "provision", str(plan), "--base-url", base_url]
    cmd += [
        "--concurrency",
        str(CONCURRENCY),
        "--progress",
        "none",
        "--ledger",
        str(ledger),
        "--report",
        str(report),
    ]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=deadline, check=False)


@pytest.mark.slow
def test_an_unreachable_server_fails_within_seconds_and_the_corrected_run_proceeds(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    """On both ledger backends: an empty ledger is not bound to a server on either."""
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, 100)  # before, each client's create failed on its own, ~1.5 s per batch
    ledger = ledger_target
    report = tmp_path / "r.json"
    env = dict(os.environ, LEADEXEC_ACCESS_TOKEN=leadexec_emulator.token, **{PASSWORD_VAR: PASSWORD})
    # What makes the run short is that it sends so little (asserted below); the deadline is a
    # generous bound (a few seconds are needed), well under the ~40 s this plan took before.
    wrong = _run(
        f"http://127.0.0.1:{_closed_port()}", plan, ledger, report, env, deadline=UNREACHABLE_DEADLINE
    )
    assert wrong.returncode == 2, wrong.stderr
    assert "cannot reach http://127.0.0.1:" in wrong.stderr
    assert "--base-url" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    summary = json.loads(report.read_text())["summary"]
    assert summary["requests"] <= CONCURRENCY  # then it stopped: at most one batch met the failure
    assert summary["unknown"] == 0
    assert ledger_rows(ledger) == {}

    # the ledger was never bound to the mistyped URL: the corrected run proceeds with it
    right = _run(leadexec_emulator.base_url, plan, ledger, report, env)
    assert right.returncode == 0, right.stderr
    assert audit(leadexec_emulator.state(), ledger, 100).in_place == total


@pytest.mark.slow
def test_a_tls_failure_halts_the_run(leadexec_emulator: Any, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, CLIENTS)
    report = tmp_path / "r.json"
    env = dict(os.environ, LEADEXEC_ACCESS_TOKEN=leadexec_emulator.token, **{PASSWORD_VAR: PASSWORD})
    https = leadexec_emulator.base_url.replace("http://", "https://")  # the emulator speaks plain HTTP
    before = _requests(leadexec_emulator)
    result = _run(https, plan, tmp_path / "l.sqlite", report, env)
    assert result.returncode == 2, result.stderr
    assert "cannot reach https://127.0.0.1:" in result.stderr
    assert json.loads(report.read_text())["summary"]["requests"] <= CONCURRENCY
    assert _requests(leadexec_emulator) == before  # no request got through a failed handshake


def test_which_errors_are_systemic() -> None:
    import httpx

    response = httpx.Response(401, request=httpx.Request("PATCH", "https://x/v1/clients"))
    assert systemic(lx.AuthenticationError("401", response=response, body=""))
    assert systemic(lx.PermissionDeniedError("403", response=response, body=""))
    assert systemic(lx.APIConnectionError("connection refused"))
    assert not systemic(lx.APITimeoutError("timed out"))
    assert not systemic(lx.OutcomeUnknownError("dropped", payload={}, operation="upsert_client"))
    assert not systemic(lx.BadRequestError("400", response=response, body=""))
    assert not systemic(lx.ConflictError("409", response=response, body=""))
    assert not systemic(None)


@pytest.mark.anyio
async def test_the_runner_halts_on_a_systemic_failure_on_either_backend(
    leadexec_emulator: Any, tmp_path: Path, anyio_backend: str
) -> None:
    from leadexec_async.provision import Ledger, Runner, load_plan

    write_plan(tmp_path / "plan.yaml", CLIENTS)
    plan = load_plan(tmp_path / "plan.yaml")
    before = _requests(leadexec_emulator)
    async with lx.LeadExecClient(access_token="wrong-token", base_url=leadexec_emulator.base_url) as le:
        with Ledger(tmp_path / "l.sqlite", server=Ledger.server_of(leadexec_emulator.base_url)) as ledger:
            summary = await Runner(plan, ledger, concurrency=CONCURRENCY).run(le)
            assert list(ledger.rows()) == []
    assert isinstance(summary.halted, lx.AuthenticationError)
    assert not summary.stopped
    assert summary.requests <= CONCURRENCY
    assert _requests(leadexec_emulator) - before <= CONCURRENCY
    assert summary.counts["failed"] == summary.requests
    assert summary.counts["unknown"] == 0
    assert summary.as_json()["summary"]["halted"] == str(summary.halted)
