"""A ``leadexec provision`` process killed or stopped part way: the next run converges, never duplicating.

Each test runs on both ledger backends (a SQLite file, a PostgreSQL server).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

import leadexec_async as lx
from leadexec_async.provision import Ledger, Runner, load_plan

from ..reliability._support import eventually
from . import _pgserver
from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_args, ledger_rows, write_plan

CLIENTS = 40
CONCURRENCY = 4
DEADLINE = 60.0


def _start(
    emulator: Any, plan: Path, tmp_path: Path, ledger: Path | str, *extra: str
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, LEADEXEC_ACCESS_TOKEN=emulator.token, **{PASSWORD_VAR: PASSWORD})
    env.pop("LEADEXEC_CLIENT_ID", None)
    cmd = [
        sys.executable,
        "-m",
        "leadexec_async.cli",
        "provision",
        str(plan),
        "--base-url",
        emulator.base_url,
    ]
    cmd += ["--concurrency", str(CONCURRENCY), "--progress", "none", *ledger_args(ledger), *extra]
    log = (tmp_path / "run.log").open("ab")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for_done_rows(ledger: Path | str, proc: subprocess.Popen[bytes], at_least: int) -> None:
    """Poll the ledger (a real condition, bounded by a deadline) until enough records are done."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        if isinstance(ledger, str) or ledger.exists():
            try:
                done = sum(1 for state, _ in ledger_rows(ledger).values() if state == "done")
            except Exception:  # the schema may not exist yet
                done = 0
            if done >= at_least:
                return
        time.sleep(0.01)
    pytest.fail("the run made no progress")


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.02-0.05", seed=3)
def test_a_run_killed_part_way_converges_on_the_next_run_with_no_duplicate(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, CLIENTS)
    ledger = ledger_target
    proc = _start(leadexec_emulator, plan, tmp_path, ledger)
    _wait_for_done_rows(ledger, proc, at_least=40)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=DEADLINE)
    killed = audit(leadexec_emulator.state(), ledger, CLIENTS)
    assert killed.in_place < total
    # Only creates the run had taken up can be unknown: at most `concurrency` in flight plus at most
    # `concurrency` answered but not yet recorded (bulk's window is twice the concurrency).
    assert killed.unknown <= 2 * CONCURRENCY

    report = tmp_path / "r.json"
    rerun = _start(leadexec_emulator, plan, tmp_path, ledger, "--report", str(report))
    rerun.wait(timeout=DEADLINE)
    found = audit(leadexec_emulator.state(), ledger, CLIENTS)  # asserts: nothing created twice
    summary = json.loads(report.read_text())["summary"]
    assert summary["unchanged"] == killed.in_place  # what the killed run applied was not sent again
    assert found.unknown == killed.unknown
    assert summary["failed"] == 0
    assert found.in_place + found.unknown + summary["skipped"] == total
    assert rerun.returncode == (0 if found.unknown == 0 else 1)

    # converged: one more run sends nothing at all
    sent = leadexec_emulator.state()["counters"]["requests"]
    third = _start(leadexec_emulator, plan, tmp_path, ledger)
    third.wait(timeout=DEADLINE)
    assert leadexec_emulator.state()["counters"]["requests"] == sent


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.02-0.05", seed=5)
def test_sigterm_stops_gracefully_leaving_nothing_unknown(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, CLIENTS)
    ledger = ledger_target
    report = tmp_path / "r.json"
    proc = _start(leadexec_emulator, plan, tmp_path, ledger, "--report", str(report))
    _wait_for_done_rows(ledger, proc, at_least=30)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=DEADLINE) == 130
    data = json.loads(report.read_text())
    assert data["summary"]["stopped"] is True
    assert data["summary"]["unknown"] == 0
    assert all(state == "done" for state, _ in ledger_rows(ledger).values())  # in-flight answers recorded
    stopped = audit(leadexec_emulator.state(), ledger, CLIENTS)
    assert stopped.unknown == 0
    assert 0 < stopped.in_place < total

    rerun = _start(leadexec_emulator, plan, tmp_path, ledger)
    assert rerun.wait(timeout=DEADLINE) == 0
    assert audit(leadexec_emulator.state(), ledger, CLIENTS).in_place == total


def _wait_for(condition: Any, proc: subprocess.Popen[bytes], what: str) -> None:
    """Poll ``condition`` (a real one, bounded by a deadline) while the run is alive."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the run ended before {what}"
        if condition():
            return
        time.sleep(0.01)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:2-2", seed=1)
def test_a_second_interrupt_stops_at_once_cleanly_leaving_the_in_flight_creates_unknown(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    plan = tmp_path / "plan.yaml"
    clients = CONCURRENCY  # every client's create is in flight at once, each answered after 2 s
    write_plan(plan, clients)
    ledger = ledger_target
    log = tmp_path / "run.log"
    proc = _start(leadexec_emulator, plan, tmp_path, ledger)
    _wait_for(
        lambda: leadexec_emulator.state()["counters"]["requests"] >= clients, proc, "the creates went out"
    )
    proc.send_signal(signal.SIGINT)
    _wait_for(lambda: b"sending nothing new" in log.read_bytes(), proc, "the first interrupt was seen")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=DEADLINE) == 130
    output = log.read_text()
    assert "stopped at once (second interrupt)" in output
    assert "Traceback" not in output
    assert "unhandled exception" not in output
    assert {state for state, _ in ledger_rows(ledger).values()} == {"intended"}
    assert len(ledger_rows(ledger)) == clients

    sent = leadexec_emulator.state()["counters"]["requests"]
    report = tmp_path / "r.json"
    rerun = _start(leadexec_emulator, plan, tmp_path, ledger, "--report", str(report))
    assert rerun.wait(timeout=DEADLINE) == 1
    summary = json.loads(report.read_text())["summary"]
    assert (summary["unknown"], summary["skipped"]) == (clients, clients * 4)  # not resent, children held
    assert leadexec_emulator.state()["counters"]["requests"] == sent


@pytest.mark.anyio
@pytest.mark.leadexec_emulator(faults="latency:2-2", seed=1)
async def test_requests_still_in_flight_when_the_grace_period_ends_are_cancelled_and_reported_unknown(
    leadexec_emulator: Any,
    tmp_path: Path,
    ledger_target: Path | str,
    anyio_backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    clients = CONCURRENCY
    total = write_plan(tmp_path / "plan.yaml", clients)
    ledger_path = ledger_target
    stop = anyio.Event()

    async def stop_once_the_creates_are_out() -> None:
        await eventually(
            lambda: leadexec_emulator.state()["counters"]["requests"] >= clients, "the creates went out"
        )
        stop.set()

    async with lx.LeadExecClient(
        access_token=leadexec_emulator.token, base_url=leadexec_emulator.base_url
    ) as le:
        with Ledger(ledger_path, server=Ledger.server_of(leadexec_emulator.base_url)) as ledger:
            async with anyio.create_task_group() as tg:
                tg.start_soon(stop_once_the_creates_are_out)
                runner = Runner(load_plan(tmp_path / "plan.yaml"), ledger, concurrency=clients)
                summary = await runner.run(le, stop=stop, grace=0.05)
    assert summary.stopped
    assert summary.requests == clients
    assert summary.counts["unknown"] == clients  # the clients' creates, cut off in flight
    assert summary.counts["skipped"] == total - clients  # their children: never sent
    assert {state for state, _ in ledger_rows(ledger_path).values()} == {"intended"}  # unknown next run
    assert len(ledger_rows(ledger_path)) == clients


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.02-0.05", seed=7)
def test_a_lost_database_connection_stops_the_run_cleanly_and_the_next_run_converges(
    leadexec_emulator: Any, tmp_path: Path, postgres_server: _pgserver.PostgresServer
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, CLIENTS)
    ledger = _pgserver.new_ledger_url(postgres_server)
    proc = _start(leadexec_emulator, plan, tmp_path, ledger)
    _wait_for_done_rows(ledger, proc, at_least=30)
    assert _pgserver.terminate_runs(postgres_server) == 1  # the run's session ends, as in a lost connection
    assert proc.wait(timeout=DEADLINE) == 1
    output = (tmp_path / "run.log").read_text()
    assert "the ledger failed during the run, which was stopped" in output
    assert "Traceback" not in output
    assert _pgserver.PASSWORD not in output
    assert _pgserver.PASSWORD_QUOTED not in output
    stopped = audit(leadexec_emulator.state(), ledger, CLIENTS)  # asserts: nothing created twice
    assert stopped.in_place < total
    assert stopped.unknown <= 2 * CONCURRENCY  # only what was in flight or answered but not recorded

    report = tmp_path / "r.json"
    rerun = _start(leadexec_emulator, plan, tmp_path, ledger, "--report", str(report))
    rerun.wait(timeout=DEADLINE)
    found = audit(leadexec_emulator.state(), ledger, CLIENTS)
    summary = json.loads(report.read_text())["summary"]
    assert summary["unchanged"] == stopped.in_place
    assert summary["failed"] == 0
    assert found.unknown == stopped.unknown
    assert found.in_place + found.unknown + summary["skipped"] == total


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.05-0.1", seed=9)  # the first run lasts seconds
def test_a_second_process_started_during_a_run_is_refused_and_sends_nothing(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, CLIENTS)
    first = _start(leadexec_emulator, plan, tmp_path, ledger_target)
    _wait_for_done_rows(ledger_target, first, at_least=1)  # the first run holds the run lock
    command = [sys.executable, "-m", "leadexec_async.cli", "provision", str(plan)]
    command += ["--base-url", leadexec_emulator.base_url, *ledger_args(ledger_target), "--progress", "none"]
    second = subprocess.run(
        command,
        env=dict(os.environ, LEADEXEC_ACCESS_TOKEN=leadexec_emulator.token, **{PASSWORD_VAR: PASSWORD}),
        capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert second.returncode == 2, second.stderr
    assert "is in use by another run of the plan" in second.stderr
    assert first.poll() is None, "the first run had ended: the test proved nothing"
    assert first.wait(timeout=DEADLINE) == 0
    assert leadexec_emulator.state()["counters"]["requests"] == total  # every request was the first run's
    assert audit(leadexec_emulator.state(), ledger_target, CLIENTS).in_place == total
