"""A way out of "unknown": ``--adopt KEY=ID`` and ``--resolve-unknown-clients``, against the emulator.

Every test that takes ``ledger_target`` runs on both ledger backends (SQLite, a real PostgreSQL server).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

import leadexec_async as lx
from leadexec_async.cli import main as leadexec

from .._helpers import records_by_name
from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_args, ledger_rows, write_plan


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, leadexec_emulator: Any) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    for name in ("LEADEXEC_CLIENT_ID", "LEADEXEC_CLIENT_SECRET", "LEADEXEC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", leadexec_emulator.token)


def _provision(emulator: Any, plan: Path, ledger: Path | str, *extra: str) -> tuple[int, dict[str, Any]]:
    report = plan.with_name("report.json")
    status = leadexec(
        [
            "provision",
            str(plan),
            *ledger_args(ledger),
            "--base-url",
            emulator.base_url,
            "--concurrency",
            "1",  # one request at a time: the scheduled faults hit known records
            "--progress",
            "lines",
            "--report",
            str(report),
            *extra,
        ]
    )
    return status, json.loads(report.read_text())


def _counters(emulator: Any) -> dict[str, Any]:
    return dict(emulator.state()["counters"])


def _outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {r["key"]: r["outcome"] for r in report["records"]}


def _id_on_server(emulator: Any, name: str) -> int:
    found = records_by_name(emulator.state())[name]
    assert len(found) == 1
    return int(found[0]["id"])


def test_unknown_client_creates_are_resolved_by_resending_and_the_existing_one_is_adopted(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, 3)
    ledger = ledger_target
    # c0's create is applied, then the connection drops; c1's is dropped before it is applied
    leadexec_emulator.schedule_fault("drop-after", operation="upsert_client")
    leadexec_emulator.schedule_fault("drop-before", operation="upsert_client")
    status, report = _provision(leadexec_emulator, plan, ledger)
    assert status == 1
    assert _outcomes(report)["c0"] == "unknown"
    assert _outcomes(report)["c1"] == "unknown"
    assert [c["Info"]["Username"] for c in leadexec_emulator.state()["clients"]] == ["t-c0", "t-c2"]

    status, report = _provision(leadexec_emulator, plan, ledger, "--resolve-unknown-clients")
    assert status == 1
    c0 = next(r for r in report["records"] if r["key"] == "c0")
    assert c0["outcome"] == "unknown"
    assert c0["error"].startswith("exists: ")
    assert "--adopt c0=ID" in c0["error"]
    assert _outcomes(report)["c1"] == "created"  # the resend was its first create to be applied
    assert ledger_rows(ledger)[("client", "c0")][0] == "unknown"
    assert len(records_by_name(leadexec_emulator.state())["t-c0"]) == 1  # the 409 created nothing

    c0_id = _id_on_server(leadexec_emulator, "t-c0")
    before = _counters(leadexec_emulator)
    status, report = _provision(leadexec_emulator, plan, ledger, "--adopt", f"c0={c0_id}")
    assert status == 0
    after = _counters(leadexec_emulator)
    assert after["creates_applied"]["clients"] == before["creates_applied"]["clients"]  # no create for c0
    assert after["updates_applied"]["clients"] == before["updates_applied"]["clients"]  # the plan is as sent
    assert after["creates_applied"]["delivery_methods"] - before["creates_applied"]["delivery_methods"] == 2
    assert (
        next(r for r in report["records"] if r["key"] == "c0")["outcome"],
        report["records"][0]["id"],
    ) == (
        "unchanged",
        c0_id,
    )
    assert audit(leadexec_emulator.state(), ledger, 3).in_place == total  # nothing created twice

    before = _counters(leadexec_emulator)
    assert _provision(leadexec_emulator, plan, ledger)[0] == 0
    assert _counters(leadexec_emulator)["requests"] == before["requests"]  # converged


def test_an_adopted_method_counts_as_in_place_and_its_accounts_follow(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    ledger = ledger_target
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, 1)
    leadexec_emulator.schedule_fault("drop-after", operation="upsert_delivery_method")
    status, report = _provision(leadexec_emulator, plan, ledger)
    assert status == 1
    assert _outcomes(report)["c0/m1"] == "unknown"
    assert _outcomes(report)["c0/a1"] == "skipped"
    method_id = _id_on_server(leadexec_emulator, "t-c0-m1")

    before = _counters(leadexec_emulator)
    status, report = _provision(leadexec_emulator, plan, ledger, "--adopt", f"c0/m1={method_id}")
    assert status == 0
    after = _counters(leadexec_emulator)
    assert after["creates_applied"]["delivery_methods"] == before["creates_applied"]["delivery_methods"]
    assert after["updates_applied"]["delivery_methods"] == before["updates_applied"]["delivery_methods"]
    assert _outcomes(report)["c0/m1"] == "unchanged"
    assert _outcomes(report)["c0/a1"] == "created"
    assert audit(leadexec_emulator.state(), ledger, 1).in_place == total


def test_a_record_made_elsewhere_is_adopted_and_updated_once_to_the_plan(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str
) -> None:
    ledger = ledger_target

    async def make() -> int:
        async with lx.LeadExecClient(
            access_token=leadexec_emulator.token, base_url=leadexec_emulator.base_url
        ) as le:
            return await le.clients.create(username="t-c0", password="elsewhere-secret", status="Suspended")

    made = anyio.run(make)
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, 1)
    before = _counters(leadexec_emulator)
    status, report = _provision(leadexec_emulator, plan, ledger, "--adopt", f"c0={made}")
    assert status == 0
    after = _counters(leadexec_emulator)
    assert after["creates_applied"]["clients"] == before["creates_applied"]["clients"]
    # nothing is known of what the record holds: it is updated once, to what the plan says
    assert after["updates_applied"]["clients"] - before["updates_applied"]["clients"] == 1
    assert _outcomes(report)["c0"] == "updated"
    client = leadexec_emulator.state()["clients"][0]
    assert client["Info"]["Status"] == lx.enums.ClientStatus.parse("Active").value
    assert audit(leadexec_emulator.state(), ledger, 1).in_place == total
    before = _counters(leadexec_emulator)
    assert _provision(leadexec_emulator, plan, ledger)[0] == 0
    assert _counters(leadexec_emulator)["requests"] == before["requests"]


@pytest.mark.parametrize(
    ("adopt", "message"),
    [
        ("c9=5", "has no record 'c9'"),
        ("c0/mm1=5", "did you mean 'c0/m1'?"),
        ("c0=0", "the id must be a positive integer"),
        ("c0=abc", "the id must be a positive integer"),
        ("c0", "expected KEY=ID"),
        ("method:c0/m1=5", "the kind in front of the key is one of"),
        ("c0/m1=5", "its client 'c0' is not in place in the ledger"),
    ],
)
def test_a_bad_adopt_is_refused_with_exit_2_and_nothing_sent(
    leadexec_emulator: Any, tmp_path: Path, adopt: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 1)
    before = _counters(leadexec_emulator)["requests"]
    status = leadexec(
        [
            "provision",
            str(plan),
            "--base-url",
            leadexec_emulator.base_url,
            "--progress",
            "none",
            "--adopt",
            adopt,
        ]
    )
    assert status == 2
    assert message in capsys.readouterr().err
    assert _counters(leadexec_emulator)["requests"] == before
    ledger = tmp_path / "plan.ledger.sqlite"
    assert not ledger.exists() or ledger_rows(ledger) == {}


def test_adopting_another_id_for_a_record_in_place_is_refused(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = ledger_target
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 1)
    assert _provision(leadexec_emulator, plan, ledger)[0] == 0
    rows = ledger_rows(ledger)
    client_id = rows[("client", "c0")][1]
    assert client_id is not None
    status = leadexec(
        [
            "provision",
            str(plan),
            *ledger_args(ledger),
            "--base-url",
            leadexec_emulator.base_url,
            "--adopt",
            f"c0={client_id + 100}",
        ]
    )
    assert status == 2
    assert f"in place as id {client_id}" in capsys.readouterr().err
    assert ledger_rows(ledger) == rows


def test_a_key_shared_by_a_method_and_an_account_needs_its_kind(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "clients:\n"
        "  - key: c0\n    username: u-c0\n    password: pw-123456\n"
        "    delivery_methods:\n      - {key: x, name: X, type: HTTP POST, delivery_address: 'https://x.example'}\n"
        "    delivery_accounts:\n      - {key: x, delivery_method: x, description: X}\n"
    )
    args = ["provision", str(plan), *ledger_args(ledger_target), "--base-url", leadexec_emulator.base_url]
    args += ["--progress", "none"]
    assert leadexec([*args, "--adopt", "c0/x=5"]) == 2
    assert "write delivery_method:c0/x or delivery_account:c0/x" in capsys.readouterr().err
    assert leadexec([*args, "--adopt", "c0=77777", "--adopt", "delivery_method:c0/x=5"]) != 2
    rows = ledger_rows(ledger_target)
    assert rows[("delivery_method", "c0/x")] == ("done", 5)
