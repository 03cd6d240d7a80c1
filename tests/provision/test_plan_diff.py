"""Plan diffs: ``--dry-run`` shows each update's changed fields as old → new, secrets as ``(changed)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leadexec_async.cli import main as leadexec
from leadexec_async.provision import Ledger
from leadexec_async.provision._diff import NOT_SET, change_lines, record_changes
from leadexec_async.provision.ledger import applied_record

from ._helpers import PASSWORD, PASSWORD_VAR, ledger_args, ledger_text, write_plan


def test_changes_are_listed_field_by_field_in_plan_order() -> None:
    old = applied_record("client", {"username": "u", "status": "Active", "password": "s1", "notes": "x"})
    new = {"username": "u", "status": "Closed", "password": "s2", "company": "Acme"}
    changes = record_changes("client", old, new)
    assert changes is not None
    assert [c.field for c in changes] == ["status", "password", "company", "notes"]
    assert change_lines(changes) == [
        'status: "Active" → "Closed"',
        "password: (changed)",
        'company: (not set) → "Acme"',
        'notes: "x" → (not set)',
    ]
    assert changes[3].new is NOT_SET
    for c in changes:
        assert "s1" not in repr(c)
        assert "s2" not in repr(c)
    # the same secret is no change; an unrecorded last-applied record gives unknown changes
    assert (
        record_changes("client", old, {"username": "u", "status": "Active", "password": "s1", "notes": "x"})
        == ()
    )
    assert record_changes("client", None, new) is None
    assert change_lines(None) == ["(the fields last applied are not recorded: the whole record is sent)"]


def _provision(emulator: Any, plan: Path, ledger: Path | str, *extra: str) -> int:
    command = ["provision", str(plan), "--base-url", emulator.base_url, "--progress", "lines"]
    return leadexec([*command, *ledger_args(ledger), *extra])


def test_a_dry_run_shows_what_each_update_changes_and_the_report_names_the_fields(
    leadexec_emulator: Any,
    tmp_path: Path,
    ledger_target: Path | str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", leadexec_emulator.token)
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 2)
    assert _provision(leadexec_emulator, plan, ledger_target) == 0
    text = plan.read_text()
    text = text.replace(
        "description: t-c1-a2\n        price: 12.5\n        day_max: 100",
        "description: t-c1-a2\n        price: 99.0",
    )
    text = text.replace("name: t-c0-m1\n", "name: t-c0-m1-renamed\n")
    plan.write_text(text)
    new_password = "a-new-secret-Qx7"
    monkeypatch.setenv(PASSWORD_VAR, new_password)  # every client's password changes
    capsys.readouterr()
    sent = leadexec_emulator.state()["counters"]["requests"]

    report = tmp_path / "dry.json"
    assert _provision(leadexec_emulator, plan, ledger_target, "--dry-run", "--report", str(report)) == 0
    out = capsys.readouterr().out
    assert leadexec_emulator.state()["counters"]["requests"] == sent  # a dry run sends nothing
    assert "price: 12.5 → 99.0" in out
    assert "day_max: 100 → (not set)" in out
    assert 'name: "t-c0-m1" → "t-c0-m1-renamed"' in out
    assert out.count("password: (changed)") == 2
    assert PASSWORD not in out
    assert new_password not in out
    records = {(r["kind"], r["key"]): r for r in json.loads(report.read_text())["records"]}
    assert records[("delivery_account", "c1/a2")]["changed"] == ["price", "day_max"]
    assert records[("delivery_method", "c0/m1")]["changed"] == ["name"]
    assert records[("client", "c0")]["changed"] == ["password"]
    assert "changed" not in records[("delivery_account", "c0/a1")]  # unchanged
    assert new_password not in report.read_text()

    # the real run applies them, reports the same names, and keeps the new record (hashed)
    assert _provision(leadexec_emulator, plan, ledger_target, "--report", str(report)) == 0
    records = {(r["kind"], r["key"]): r for r in json.loads(report.read_text())["records"]}
    assert records[("delivery_account", "c1/a2")]["outcome"] == "updated"
    assert records[("delivery_account", "c1/a2")]["changed"] == ["price", "day_max"]
    with Ledger(ledger_target) as ledger:
        applied = ledger.last_applied("delivery_account", "c1/a2")
        assert applied is not None
        assert applied["price"] == 99.0
        assert "day_max" not in applied
        assert isinstance(applied["delivery_uid"], int)
        row = ledger.get("delivery_account", "c1/a2")
        assert row is not None
        assert row.applied_at is not None
    assert new_password not in ledger_text(ledger_target)
    capsys.readouterr()
    assert _provision(leadexec_emulator, plan, ledger_target, "--dry-run") == 0
    assert "~" not in capsys.readouterr().out  # nothing left to change


def test_an_adopted_record_shows_that_its_last_applied_fields_are_unknown(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 1)
    ledger_path = tmp_path / "plan.ledger.sqlite"
    with Ledger(ledger_path, server=Ledger.server_of(leadexec_emulator.base_url)) as ledger:
        ledger.adopt("c0", "client", 41)
    report = tmp_path / "r.json"
    assert _provision(leadexec_emulator, plan, ledger_path, "--dry-run", "--report", str(report)) == 0
    assert "(the fields last applied are not recorded: the whole record is sent)" in capsys.readouterr().out
    records = {(r["kind"], r["key"]): r for r in json.loads(report.read_text())["records"]}
    assert records[("client", "c0")]["outcome"] == "update"
    assert records[("client", "c0")]["changed"] is None
