"""A closed or failing stdout or stderr never costs a record: the run goes on and records every answer.

The closed-stdout run takes ``ledger_target``: it runs on both ledger backends (SQLite, a real
PostgreSQL server).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadexec_async.provision._output import Output, SafeStream
from leadexec_async.provision.runner import RecordResult

from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_args, ledger_rows, write_plan

CLIENTS = 40
CONCURRENCY = 4
DEADLINE = 120.0


def _command(emulator: Any, plan: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "leadexec_async.cli",
        "provision",
        str(plan),
        "--base-url",
        emulator.base_url,
        "--concurrency",
        str(CONCURRENCY),
        *extra,
    ]


def _env(token: str) -> dict[str, str]:
    env = dict(os.environ, LEADEXEC_ACCESS_TOKEN=token, **{PASSWORD_VAR: PASSWORD})
    for name in ("LEADEXEC_CLIENT_ID", "LEADEXEC_CLIENT_SECRET", "LEADEXEC_BASE_URL"):
        env.pop(name, None)
    return env


def _stored(emulator: Any) -> dict[str, int]:
    """The number of records of each kind, read from the emulator's own ``/_emulator/state``."""
    state = httpx.get(emulator.base_url + "/_emulator/state").json()
    return {kind: len(state[kind]) for kind in ("clients", "delivery_methods", "delivery_accounts")}


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.02-0.05", seed=7)
@pytest.mark.parametrize("progress", ["lines", "bar"])
def test_a_stdout_closed_early_costs_no_record_and_a_retry_unknown_rerun_duplicates_nothing(
    leadexec_emulator: Any, tmp_path: Path, progress: str, ledger_target: Path | str
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, CLIENTS)
    ledger = ledger_target
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as err:
        proc = subprocess.Popen(
            _command(leadexec_emulator, plan, *ledger_args(ledger), "--progress", progress),
            env=_env(leadexec_emulator.token),
            stdout=subprocess.PIPE,
            stderr=err,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(b"Provisioning")  # `| head -1`: one line, then gone
        proc.stdout.close()
        status = proc.wait(timeout=DEADLINE)
    stderr = errors.read_text()
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr
    assert "standard output was given up (its reader closed it)" in stderr
    assert status == 0  # the run went on to the end: every record is in place
    rows = ledger_rows(ledger)
    assert len(rows) == total
    assert {state for state, _ in rows.values()} == {"done"}  # every answer recorded, none unknown

    report = tmp_path / "r.json"
    rerun = subprocess.run(
        _command(
            leadexec_emulator,
            plan,
            *ledger_args(ledger),
            "--retry-unknown",
            "--progress",
            "none",
            "--report",
            str(report),
        ),
        env=_env(leadexec_emulator.token),
        capture_output=True,
        timeout=DEADLINE,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(report.read_text())["summary"]
    assert (summary["unknown"], summary["unchanged"], summary["requests"]) == (0, total, 0)
    assert _stored(leadexec_emulator) == {
        "clients": CLIENTS,
        "delivery_methods": 2 * CLIENTS,
        "delivery_accounts": 2 * CLIENTS,
    }
    assert audit(leadexec_emulator.state(), ledger, CLIENTS).in_place == total  # nothing created twice


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.01-0.02", seed=8)
def test_stdout_and_stderr_both_closed_the_run_still_records_everything(
    leadexec_emulator: Any, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, 10)
    proc = subprocess.Popen(
        _command(leadexec_emulator, plan, "--progress", "lines"),
        env=_env(leadexec_emulator.token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stderr.close()
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=DEADLINE) == 0
    rows = ledger_rows(tmp_path / "plan.ledger.sqlite")
    assert len(rows) == total
    assert {state for state, _ in rows.values()} == {"done"}


class _Failing(io.StringIO):
    """A stream that fails like a full disk after ``good`` writes."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.good = good
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        if self.writes > self.good:
            raise OSError(28, "No space left on device")
        return super().write(text)


def test_a_failing_stream_is_given_up_without_raising() -> None:
    stream = _Failing(good=1)
    safe = SafeStream(stream)
    safe.write("first\n")
    safe.write("second\n")  # fails: given up, no exception
    safe.write("third\n")  # dropped
    safe.flush()
    assert stream.getvalue() == "first\n"
    assert stream.writes == 2
    assert isinstance(safe.failed, OSError)
    assert not safe.broken_pipe


def test_output_to_failing_streams_never_raises() -> None:
    out = Output("lines", stdout=_Failing(good=0), stderr=_Failing(good=0))
    out._counts = {}
    out.record(RecordResult("client", "c0", "created", 7))
    out.error("something")
    out.stopping("SIGINT", 1.0)
    assert out.out.failed is not None
    assert out.err_stream.failed is not None


def test_a_raising_progress_callback_does_not_stop_the_recording(tmp_path: Path) -> None:
    from leadexec_async.provision import Ledger, Runner, load_plan

    plan_path = tmp_path / "plan.yaml"
    write_plan(plan_path, 1)
    calls: list[str] = []

    def broken(result: RecordResult) -> None:
        calls.append(result.key)
        raise BrokenPipeError(32, "Broken pipe")

    with Ledger(":memory:", server="http://127.0.0.1") as ledger:
        runner = Runner(load_plan(plan_path, environ={PASSWORD_VAR: PASSWORD}), ledger, on_result=broken)
        summary = runner.preview()
    assert len(summary.results) == 5  # every record settled although the callback failed at once
    assert calls == ["c0"]  # called once, then left alone
    assert isinstance(runner.output_error, BrokenPipeError)
