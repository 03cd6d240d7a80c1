"""``leadexec provision`` against the emulator over loopback: faults, reruns, dry runs, unknown outcomes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import leadexec_async as lx
from leadexec_async.cli import main as leadexec
from leadexec_async.provision import Ledger, Runner, load_plan

from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_args, ledger_rows, write_plan


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    for name in (
        "LEADEXEC_ACCESS_TOKEN",
        "LEADEXEC_CLIENT_ID",
        "LEADEXEC_CLIENT_SECRET",
        "LEADEXEC_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def _provision(emulator: Any, plan: Path, *extra: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", emulator.token)
    return leadexec(["provision", str(plan), "--base-url", emulator.base_url, "--progress", "lines", *extra])


def _requests(emulator: Any) -> int:
    return int(emulator.state()["counters"]["requests"])


@pytest.mark.anyio
@pytest.mark.leadexec_emulator(faults="429:0.05,503:0.05,drop-before:0.02,drop-after:0.03", seed=11)
async def test_a_plan_under_faults_ends_in_place_once_or_unknown_never_duplicated(
    leadexec_emulator: Any, tmp_path: Path, anyio_backend: str
) -> None:
    clients = 60
    total = write_plan(tmp_path / "plan.yaml", clients)
    plan = load_plan(tmp_path / "plan.yaml")
    ledger_path = tmp_path / "plan.ledger.sqlite"
    summaries = []
    async with lx.LeadExecClient(
        access_token=leadexec_emulator.token,
        base_url=leadexec_emulator.base_url,
        max_concurrency=16,
        retry_backoff=0.01,
        retry_backoff_max=0.05,
    ) as le:
        for _ in range(4):  # reruns finish what definite failures left; unknown creates stay out
            with Ledger(ledger_path, server=Ledger.server_of(leadexec_emulator.base_url)) as ledger:
                summary = await Runner(plan, ledger, concurrency=16).run(le)
            summaries.append(summary)
            audit(leadexec_emulator.state(), ledger_path, clients)  # consistent after every run
            if summary.counts["failed"] == 0:
                break
    first = summaries[0]
    assert len(first.results) == total
    assert sum(first.counts.values()) == total  # every record reported, none silently missing
    faults = leadexec_emulator.state()["counters"]["faults"]
    assert faults["drop-after"] > 0
    assert faults["429"] + faults["503"] > 0
    found = audit(leadexec_emulator.state(), ledger_path, clients)
    assert found.unknown > 0
    assert found.unknown_applied > 0  # drop-after creates exist once, and are still reported unknown
    # every record is in place exactly once, unknown, or skipped because it hangs from an unknown one
    skipped = {(r.kind, r.key) for r in summaries[-1].results if r.outcome == "skipped"}
    assert found.in_place + found.unknown + len(skipped) == total
    assert found.absent == len(skipped)
    unknown_keys = {(r.kind, r.key) for r in summaries[-1].results if r.outcome == "unknown"}
    assert len(unknown_keys) == found.unknown
    # unknown creates are never sent again by a plain rerun
    before = _requests(leadexec_emulator)
    async with lx.LeadExecClient(
        access_token=leadexec_emulator.token, base_url=leadexec_emulator.base_url
    ) as le:
        with Ledger(ledger_path, server=Ledger.server_of(leadexec_emulator.base_url)) as ledger:
            again = await Runner(plan, ledger).run(le)
    assert again.requests == 0
    assert _requests(leadexec_emulator) == before
    assert again.counts["unknown"] == found.unknown


def test_a_second_run_of_a_finished_plan_sends_zero_requests(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(tmp_path / "plan.yaml", 4)
    report = tmp_path / "report.json"
    where = ledger_args(ledger_target)
    assert (
        _provision(
            leadexec_emulator,
            tmp_path / "plan.yaml",
            "--report",
            str(report),
            *where,
            monkeypatch=monkeypatch,
        )
        == 0
    )
    first = _requests(leadexec_emulator)
    assert first == 20
    data = json.loads(report.read_text())
    assert data["summary"]["created"] == 20
    assert {r["outcome"] for r in data["records"]} == {"created"}
    assert all(isinstance(r["id"], int) for r in data["records"])

    assert (
        _provision(
            leadexec_emulator,
            tmp_path / "plan.yaml",
            "--report",
            str(report),
            *where,
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert _requests(leadexec_emulator) == first
    assert json.loads(report.read_text())["summary"]["unchanged"] == 20
    assert audit(leadexec_emulator.state(), ledger_target, 4).in_place == 20


def test_the_rate_limit_option_holds_the_request_rate_the_server_sees(
    leadexec_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--rate-limit R``: the emulator receives the run's requests at no more than R per second.

    Arrival times are taken inside the emulator (its fault draw runs once per API request, on
    arrival), so what is measured is what the server sees, not what the client believes it sent.
    """
    arrivals: list[float] = []
    faults = leadexec_emulator.emulator.faults
    draw = faults.draw

    def timed_draw(operation: str) -> Any:
        arrivals.append(time.monotonic())
        return draw(operation)

    monkeypatch.setattr(faults, "draw", timed_draw)
    limit = 40.0
    total = write_plan(tmp_path / "plan.yaml", 8)
    assert (
        _provision(
            leadexec_emulator,
            tmp_path / "plan.yaml",
            "--rate-limit",
            str(limit),
            "--concurrency",
            "16",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert len(arrivals) == _requests(leadexec_emulator) == total
    # Evenly spaced requests: n arrivals span at least (n - 1) / R seconds. Load only slows a run
    # down, so the bound holds on a busy machine; 10 % absorbs the jitter of the first and last.
    span = arrivals[-1] - arrivals[0]
    assert (len(arrivals) - 1) / span <= limit * 1.1, f"{len(arrivals)} requests in {span:.3f} s"
    # and in every window of one second, at most R (+1 for the window's edge) arrived
    for i, start in enumerate(arrivals):
        within = sum(1 for t in arrivals[i:] if t - start < 1.0)
        assert within <= limit * 1.1 + 1, f"{within} requests within 1 s of arrival {i}"


def test_a_changed_record_is_updated_in_place_and_only_it(
    leadexec_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 3)
    assert _provision(leadexec_emulator, plan, monkeypatch=monkeypatch) == 0
    plan.write_text(
        plan.read_text().replace(
            "description: t-c1-a2\n        price: 12.5", "description: t-c1-a2\n        price: 99.0"
        )
    )
    report = tmp_path / "r.json"
    assert _provision(leadexec_emulator, plan, "--report", str(report), monkeypatch=monkeypatch) == 0
    records = {r["key"]: r for r in json.loads(report.read_text())["records"]}
    assert records["c1/a2"]["outcome"] == "updated"
    assert sum(r["outcome"] == "updated" for r in records.values()) == 1
    (account,) = [a for a in leadexec_emulator.state()["delivery_accounts"] if a["Description"] == "t-c1-a2"]
    assert account["Price"] == 99.0
    assert account["ClientAccountUID"] == records["c1/a2"]["id"]
    # a changed secret is applied too, though only its hash is kept
    monkeypatch.setenv(PASSWORD_VAR, "another-secret")
    assert _provision(leadexec_emulator, plan, "--report", str(report), monkeypatch=monkeypatch) == 0
    assert json.loads(report.read_text())["summary"]["updated"] == 3


def test_dry_run_sends_zero_requests(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 3)
    report = tmp_path / "r.json"
    assert (
        _provision(leadexec_emulator, plan, "--dry-run", "--report", str(report), monkeypatch=monkeypatch)
        == 0
    )
    assert _requests(leadexec_emulator) == 0
    assert not (tmp_path / "plan.ledger.sqlite").exists()
    assert json.loads(report.read_text())["summary"]["create"] == 15
    assert "create    client           c0" in capsys.readouterr().out
    # after a real run, a dry run of a changed plan shows one update and sends nothing
    assert _provision(leadexec_emulator, plan, monkeypatch=monkeypatch) == 0
    sent = _requests(leadexec_emulator)
    plan.write_text(plan.read_text().replace("name: t-c2-m1", "name: t-c2-m1-renamed"))
    assert (
        _provision(leadexec_emulator, plan, "--dry-run", "--report", str(report), monkeypatch=monkeypatch)
        == 0
    )
    assert _requests(leadexec_emulator) == sent
    summary = json.loads(report.read_text())["summary"]
    assert summary["update"] == 1
    assert summary["unchanged"] == 14


def test_an_unknown_create_is_reported_left_out_and_resent_only_when_asked(
    leadexec_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 2)
    leadexec_emulator.schedule_fault("drop-before", operation="upsert_delivery_method", times=1)
    report = tmp_path / "r.json"
    assert (
        _provision(
            leadexec_emulator, plan, "--concurrency", "1", "--report", str(report), monkeypatch=monkeypatch
        )
        == 1
    )
    data = json.loads(report.read_text())
    assert data["summary"]["unknown"] == 1
    assert data["summary"]["skipped"] == 1  # the account of that method
    (unknown,) = [r for r in data["records"] if r["outcome"] == "unknown"]
    assert unknown["kind"] == "delivery_method"
    (skipped,) = [r for r in data["records"] if r["outcome"] == "skipped"]
    assert "is not in place" in skipped["error"]

    sent = _requests(leadexec_emulator)
    assert _provision(leadexec_emulator, plan, "--report", str(report), monkeypatch=monkeypatch) == 1
    assert _requests(leadexec_emulator) == sent  # not resent, and its account still waits
    assert json.loads(report.read_text())["summary"]["unknown"] == 1

    # the drop happened before the server applied it, so resending is safe here
    assert (
        _provision(
            leadexec_emulator, plan, "--retry-unknown", "--report", str(report), monkeypatch=monkeypatch
        )
        == 0
    )
    assert _requests(leadexec_emulator) == sent + 2
    assert json.loads(report.read_text())["summary"]["created"] == 2
    found = audit(leadexec_emulator.state(), tmp_path / "plan.ledger.sqlite", 2)
    assert found.in_place == 10


def test_secrets_never_reach_the_ledger_or_the_report(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 2)
    leadexec_emulator.schedule_fault("drop-after", operation="upsert_client", times=1)
    report = tmp_path / "r.json"
    assert _provision(leadexec_emulator, plan, "--report", str(report), monkeypatch=monkeypatch) == 1
    assert PASSWORD not in report.read_text()
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err
    for path in tmp_path.glob("plan.ledger.sqlite*"):
        assert PASSWORD.encode() not in path.read_bytes()


def test_a_ledger_refuses_another_server(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 1)
    assert _provision(leadexec_emulator, plan, monkeypatch=monkeypatch) == 0
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", "x")
    status = leadexec(["provision", str(plan), "--base-url", "http://127.0.0.1:9", "--progress", "none"])
    assert status == 2
    assert "holds the ids of records on" in capsys.readouterr().err
    assert len(ledger_rows(tmp_path / "plan.ledger.sqlite")) == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("status: Active", "status: Activ"), "field 'status'"),
        (("delivery_method: m1", "delivery_method: m9"), "no delivery method 'm9'"),
        (("key: m2", "key: m1"), "duplicate key"),
        (("day_max: 100", "day_maxx: 100"), "unknown field; did you mean 'day_max'?"),
        (("    username: t-c0\n", ""), "field 'username'"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_sent(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    message: str,
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 2)
    plan.write_text(plan.read_text().replace(*change, 1))
    assert _provision(leadexec_emulator, plan, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert str(plan) in err
    assert message in err
    assert _requests(leadexec_emulator) == 0
    assert not (tmp_path / "plan.ledger.sqlite").exists()


def test_a_report_in_a_missing_folder_is_refused_before_anything_is_sent(
    leadexec_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 1)
    report = tmp_path / "no-such-folder" / "r.json"
    assert _provision(leadexec_emulator, plan, "--report", str(report), monkeypatch=monkeypatch) == 2
    assert f"--report {report}: the folder {report.parent} does not exist" in capsys.readouterr().err
    assert _requests(leadexec_emulator) == 0
    assert not (tmp_path / "plan.ledger.sqlite").exists()
