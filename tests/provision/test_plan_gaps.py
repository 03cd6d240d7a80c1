"""Plan-format gaps: delivery days and times of day, every problem of a record at once, stopped-run output."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import leadexec_async as lx
from leadexec_async import _records
from leadexec_async.provision import PlanError, load_plan, parse_plan

from ._helpers import PASSWORD, PASSWORD_VAR, ledger_rows, write_plan

ROOT = Path(__file__).resolve().parents[2]

_DAYS = """
clients:
  - key: acme
    username: acme
    password: pw-secret-1
    delivery_methods:
      - key: post
        name: Acme POST
        type: HTTP POST
        delivery_days:
          - {week_day: Monday, start_time: "09:00", end_time: "17:00:00"}
          - {week_day: Saturday, start_time: "9:30"}
          - {static_date: "2025-12-25", allow: false}
"""


def _wire_days(plan_text: str) -> list[dict[str, Any]]:
    plan = parse_plan(plan_text)
    method = _records.build_delivery_method(1, record_id=0, fields=plan.records[1].fields)
    days: list[dict[str, Any]] = method.to_dict()["DeliveryDays"]
    return days


def test_delivery_days_take_clock_times_in_a_plan() -> None:
    days = _wire_days(_DAYS)
    assert [(d["StartTime"][11:19], d["EndTime"][11:19]) for d in days] == [
        ("09:00:00", "17:00:00"),
        ("09:30:00", "23:59:59"),  # the end of the day when no end is given
        ("00:00:00", "23:59:59"),
    ]
    assert days[0]["StartTime"] == "2000-01-01T09:00:00-08:00"  # Pacific time on the weekly placeholder date
    assert days[2]["Allow"] is False
    assert days[2]["WeekDay"] == lx.WeekDay.THURSDAY.value  # 2025-12-25 is a Thursday


@pytest.mark.parametrize("text", ["09:00", "09:00:00", "9:00", " 09:00 "])
def test_the_sdk_takes_clock_times_in_rows_and_builders(text: str) -> None:
    method = _records.build_delivery_method(
        1,
        record_id=0,
        fields={
            "name": "m",
            "type": "HTTP POST",
            "delivery_days": [{"week_day": "Monday", "start_time": text, "end_time": "17:30"}],
        },
    )
    row = method.to_dict()["DeliveryDays"][0]
    assert row["StartTime"].endswith("T09:00:00-08:00")
    assert row["EndTime"].endswith("T17:30:00-08:00")
    [weekly] = lx.weekly("Monday", start=text, end="17:30:00")
    assert (weekly.start_time.time(), weekly.end_time.time()) == (dt.time(9), dt.time(17, 30))
    assert lx.on_date(dt.date(2025, 12, 25), start=text).start_time.time() == dt.time(9)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"24:00"', "'24:00' is not a time of day (hours 0-23"),
        ('"09:60"', "'09:60' is not a time of day"),
        ("17:00", "got the number 1020 (in YAML, quote a time"),  # YAML 1.1 reads 17:00 in base 60
        ('"9am"', "expected an ISO 8601 date-time"),
    ],
)
def test_a_bad_time_of_day_is_named(value: str, message: str) -> None:
    text = _DAYS.replace('end_time: "17:00:00"', f"end_time: {value}")
    with pytest.raises(PlanError) as info:
        parse_plan(text)
    [problem] = info.value.problems
    assert problem.field == "delivery_days[0].end_time"
    assert message in problem.message


def test_the_builders_refuse_a_bad_clock_time_naming_the_argument() -> None:
    with pytest.raises(lx.ValidationError, match=r"^end: '25:00' is not a time of day"):
        lx.weekly("Monday", end="25:00")
    with pytest.raises(lx.ValidationError, match=r"^start: expected a time of day such as"):
        lx.weekly("Monday", start="nine")


def test_every_problem_of_one_record_is_reported_at_once() -> None:
    text = """
clients:
  - key: acme
    username: 123
    password: pw-secret-1
    status: Activ
    delivery_methods:
      - key: post
        name: 5
        type: HTTP PSOT
        delivery_days:
          - {week_day: Monday, start_time: "09:00"}
          - {week_day: Tuesday, start_time: "24:00"}
          - {start_time: "08:00"}
    delivery_accounts:
      - key: main
        delivery_method: post
        price: -5
        day_max: x
        status: Opn
"""
    with pytest.raises(PlanError) as info:
        parse_plan(text)
    found = {(p.record, p.field) for p in info.value.problems}
    assert found == {
        ("client 'acme'", "username"),
        ("client 'acme'", "status"),
        ("delivery method 'acme/post'", "name"),
        ("delivery method 'acme/post'", "type"),
        ("delivery method 'acme/post'", "delivery_days[1].start_time"),
        ("delivery method 'acme/post'", "delivery_days[2].week_day"),
        ("delivery account 'acme/main'", "price"),
        ("delivery account 'acme/main'", "day_max"),
        ("delivery account 'acme/main'", "status"),
    }
    # a field set aside for its own problem is not reported again as "required"
    assert not any("required" in p.message for p in info.value.problems if p.field == "username")


def test_the_example_plan_has_delivery_days_and_is_valid() -> None:
    env = {"ACME_PORTAL_PASSWORD": "a", "GLOBEX_PORTAL_PASSWORD": "g", "INITECH_PORTAL_PASSWORD": "i"}
    plan = load_plan(ROOT / "examples" / "plan.yaml", environ=env)
    with_days = [r for r in plan.records if r.fields.get("delivery_days")]
    assert with_days
    for r in with_days:
        _records.build_delivery_method(1, record_id=0, fields=r.fields)


@pytest.mark.slow
@pytest.mark.leadexec_emulator(faults="latency:0.02-0.05", seed=9)
def test_line_output_summarises_the_records_a_stopped_run_did_not_send(
    leadexec_emulator: Any, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    total = write_plan(plan, 60)
    ledger = tmp_path / "plan.ledger.sqlite"
    log = tmp_path / "out.txt"
    env = dict(os.environ, LEADEXEC_ACCESS_TOKEN=leadexec_emulator.token, **{PASSWORD_VAR: PASSWORD})
    cmd = [sys.executable, "-m", "leadexec_async.cli", "provision", str(plan)]
    cmd += ["--base-url", leadexec_emulator.base_url, "--concurrency", "2", "--progress", "lines"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # poll the ledger: a real condition, bounded
            assert proc.poll() is None, "the run ended before it could be interrupted"
            try:
                if sum(1 for s, _ in ledger_rows(ledger).values() if s == "done") >= 10:
                    break
            except Exception:  # the ledger is not created yet
                pass
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    lines = log.read_text().splitlines()
    per_record = [line for line in lines if line.startswith("skipped ") and ": not sent" in line]
    assert per_record == []  # not one line per record
    [summary_line] = [line for line in lines if line.startswith("skipped   ") and "records not sent" in line]
    not_sent = int(summary_line.split()[1])
    done = sum(1 for s, _ in ledger_rows(ledger).values() if s == "done")
    assert 0 < not_sent <= total - done
    assert any(line.endswith("were not sent: the run was stopped") for line in lines)  # in the summary too
