"""``leadexec ledger PATH``: every record with its kind, id, state and last-applied time, on both backends."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from leadexec_async.cli import main as leadexec
from leadexec_async.provision import Ledger

from . import _pgserver
from ._helpers import PASSWORD, PASSWORD_VAR, write_plan

SERVER = "http://127.0.0.1:1"


def _fill(target: Path | str) -> None:
    with Ledger(target, server=SERVER) as ledger:
        ledger.done(
            "client", "acme", record_id=11, parent_id=None, fingerprint="f", applied={"username": "a"}
        )
        ledger.intend_create("delivery_method", "acme/post", parent_id=11, fingerprint="f")
        ledger.done("delivery_account", "acme/main", record_id=31, parent_id=11, fingerprint="f", applied={})
        ledger.intend_create("client", "beta", parent_id=None, fingerprint="f")
        ledger.unknown("client", "beta", parent_id=None, fingerprint="f", error="dropped")
        ledger.adopt("gamma", "client", 12)


def test_json_lists_each_record_in_plan_order(
    ledger_target: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(ledger_target)
    assert leadexec(["ledger", str(ledger_target), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    listed = json.loads(out)
    assert [(e["key"], e["kind"], e["id"], e["state"]) for e in listed] == [
        ("acme", "client", 11, "done"),
        ("acme/post", "delivery_method", None, "intended"),
        ("acme/main", "delivery_account", 31, "done"),
        ("beta", "client", None, "unknown"),
        ("gamma", "client", 12, "done"),
    ]
    applied = {e["key"]: e["last_applied"] for e in listed}
    assert applied["acme"] is not None
    assert applied["acme"].endswith("+00:00")
    assert applied["acme/post"] is None  # never applied
    assert applied["gamma"] is None  # adopted: found on the server, not applied by a run
    assert _pgserver.PASSWORD not in out + err


def test_csv_and_table_formats(ledger_target: Path | str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(ledger_target)
    assert leadexec(["ledger", str(ledger_target), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["key", "kind", "id", "state", "last_applied"]
    assert [(r["key"], r["id"], r["state"]) for r in rows][:2] == [
        ("acme", "11", "done"),
        ("acme/post", "", "intended"),
    ]
    assert leadexec(["ledger", str(ledger_target)]) == 0
    out, err = capsys.readouterr()
    assert "acme/main" in out
    assert "delivery account" in out
    assert "unknown" in out
    assert SERVER in out
    assert "done 3, intended 1, unknown 1" in out
    assert _pgserver.PASSWORD not in out + err
    if isinstance(ledger_target, str):
        assert "postgresql://leadexec@127.0.0.1" in out  # named, without its password


def test_a_missing_ledger_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ledger_target: Path | str
) -> None:
    assert leadexec(["ledger", str(ledger_target)]) == 2  # nothing there yet: not created by reading
    err = capsys.readouterr().err
    assert "no ledger there" in err
    assert _pgserver.PASSWORD not in err
    if isinstance(ledger_target, Path):
        assert not ledger_target.exists()
    plan = tmp_path / "plan.yaml"
    plan.write_text("clients: []\n")
    assert leadexec(["ledger", str(plan)]) == 2
    assert f"looks like a plan; its ledger is {tmp_path / 'plan.ledger.sqlite'}" in capsys.readouterr().err


def test_a_wrong_password_is_refused_without_showing_it(
    postgres_server: _pgserver.PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "wrong-Pa55word-kept-secret"
    url = postgres_server.url().replace(f":{_pgserver.PASSWORD_QUOTED}@", f":{wrong}@")
    assert wrong in url
    assert leadexec(["ledger", url]) == 2
    err = capsys.readouterr().err
    assert "password authentication failed" in err
    assert wrong not in err
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 1)
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", "t")
    command = [
        "provision",
        str(plan),
        "--base-url",
        "http://127.0.0.1:9",
        "--ledger",
        url,
        "--progress",
        "none",
    ]
    assert leadexec(command) == 2
    err = capsys.readouterr().err
    assert "password authentication failed" in err
    assert "postgresql://leadexec@127.0.0.1" in err
    assert wrong not in err


def test_the_table_needs_no_cli_extra(tmp_path: Path) -> None:
    path = tmp_path / "plan.ledger.sqlite"
    _fill(path)
    code = (
        "import sys\n"
        "sys.modules['rich'] = None\n"
        "from leadexec_async.cli import main\n"
        f"sys.exit(main(['ledger', {str(path)!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["key", "kind", "id", "state", "last", "applied"]
    assert lines[3].split()[:4] == ["acme", "client", "11", "done"]


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "plan.ledger.sqlite"
    Ledger(path, server=SERVER).close()
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT INTO records (kind, key, state, id, updated_at) VALUES ('client', ?, 'done', ?, 'now')",
            [(f"client-{i:05}", i + 1) for i in range(500)],
        )
    db.close()
    command = [sys.executable, "-m", "leadexec_async.cli", "ledger", str(path), "--format", fmt]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the command writes (the interpreter is still starting)
    assert proc.wait(timeout=60) == 0
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert "Traceback" not in err
    assert "Error" not in err
