"""The fault soak: provision a generated plan through ``leadexec provision`` subprocesses, SIGKILL
some of them at random points, rerun until converged, and count what ended where.

Used by the short soak in ``make test`` and the long one behind the ``soak`` marker.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._support import PlanShape, audit

PASSWORD_VAR = "SOAK_PASSWORD"
PASSWORD = "soak-pw-Zx81-do-not-log"
#: every fault kind at once, at the rates of the emulator's documentation; latency on every request
ALL_FAULTS = "429:0.05,503:0.05,500:0.02,drop-before:0.02,drop-after:0.01,latency:0.01-0.2"
_IN_PLACE = {"created", "updated", "unchanged"}


@dataclass
class SoakFigures:
    """What a soak did and found."""

    records: int
    runs: int = 0
    kills: int = 0
    requests: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    in_place: int = 0
    duplicates: int = 0
    silently_missing: int = 0
    orphans: int = 0
    reported_unknown: int = 0
    unknown_applied: int = 0
    skipped_behind_unknown: int = 0
    elapsed: float = 0.0
    run_lines: list[str] = field(default_factory=list)

    def table(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in self.faults.items())
        rows = [
            ("records in the plan", self.records),
            ("runs (killed + to convergence)", f"{self.runs} ({self.kills} killed with SIGKILL)"),
            ("requests sent", self.requests),
            ("faults injected", f"{sum(self.faults.values())} ({faults})"),
            ("records in place", self.in_place),
            ("duplicates", self.duplicates),
            ("silently missing", self.silently_missing),
            (
                "reported unknown",
                f"{self.reported_unknown} ({self.unknown_applied} of them applied once, "
                f"{self.reported_unknown - self.unknown_applied} not applied)",
            ),
            ("skipped behind an unknown record", self.skipped_behind_unknown),
            ("server records no ledger row explains", self.orphans),
            ("elapsed", f"{self.elapsed:.1f} s"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def _done_rows(ledger: Path) -> int:
    if not ledger.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT count(*) FROM records WHERE state = 'done'").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:  # the first run has not made the schema yet
        return 0


def _start(emulator: Any, plan: Path, report: Path, log: Path, concurrency: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    for name in ("LEADEXEC_ACCESS_TOKEN", "LEADEXEC_BASE_URL", "LEADEXEC_LOG"):
        env.pop(name, None)
    env.update(
        LEADEXEC_CLIENT_ID=emulator.client_id,
        LEADEXEC_CLIENT_SECRET=emulator.client_secret,
        **{PASSWORD_VAR: PASSWORD},
    )
    cmd = [
        sys.executable,
        "-m",
        "leadexec_async.cli",
        "provision",
        str(plan),
        "--base-url",
        emulator.base_url,
    ]
    cmd += ["--concurrency", str(concurrency), "--progress", "none", "--report", str(report)]
    with log.open("ab") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _kill_when(proc: subprocess.Popen[bytes], ledger: Path, at_done: int, deadline: float) -> bool:
    """SIGKILL ``proc`` once the ledger holds ``at_done`` done rows; False if it ended first."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        if _done_rows(ledger) >= at_done:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=deadline)
            return True
        time.sleep(0.005)  # polling an outside process's file: no event to wait on
    proc.kill()
    raise AssertionError(f"the run reached no {at_done} done rows within {deadline} s")


def run_soak(
    emulator: Any,
    tmp: Path,
    shape: PlanShape,
    *,
    kills: int,
    seed: int,
    concurrency: int = 16,
    max_converge_runs: int = 8,
    run_deadline: float = 600.0,
) -> SoakFigures:
    """Run the soak; every invariant is checked by :func:`audit` after each run. Returns the figures."""
    rng = random.Random(seed)
    started = time.monotonic()
    plan = tmp / "plan.yaml"
    ledger = tmp / "plan.ledger.sqlite"
    log = tmp / "runs.log"
    shape.write(plan, PASSWORD_VAR)
    figures = SoakFigures(records=shape.total)

    # kill points: increasing numbers of done rows, one drawn at random in each of `kills` equal
    # stretches of the first 80 % of the plan (what is unknown, and hangs from it, is never done)
    stretch = int(shape.total * 0.8) // kills
    points = [rng.randrange(n * stretch + 1, (n + 1) * stretch) for n in range(kills)]
    for n, point in enumerate(points):
        report = tmp / f"report-kill-{n}.json"
        proc = _start(emulator, plan, report, log, concurrency)
        killed = _kill_when(proc, ledger, point, run_deadline)
        figures.runs += 1
        figures.kills += int(killed)
        found = audit(emulator.state(), ledger, shape)
        assert found.duplicates == 0, f"after kill {n}: {found}"
        assert found.silently_missing == 0, f"after kill {n}: {found}"
        assert found.orphans == 0, f"after kill {n}: {found}"
        how = "killed" if killed else "ended"
        figures.run_lines.append(f"run {figures.runs}: {how} at {_done_rows(ledger)} done rows; {found}")

    final: dict[str, Any] | None = None
    for _ in range(max_converge_runs):
        report = tmp / f"report-{figures.runs}.json"
        sent_before = int(emulator.state()["counters"]["requests"])
        proc = _start(emulator, plan, report, log, concurrency)
        status = proc.wait(timeout=run_deadline)
        figures.runs += 1
        data = json.loads(report.read_text())
        summary = data["summary"]
        found = audit(emulator.state(), ledger, shape)
        assert found.duplicates == 0, f"run {figures.runs}: {found}"
        assert found.silently_missing == 0, f"run {figures.runs}: {found}"
        figures.run_lines.append(
            f"run {figures.runs}: exit {status}, "
            + ", ".join(
                f"{k} {summary[k]}"
                for k in ("created", "updated", "unchanged", "failed", "unknown", "skipped")
            )
        )
        assert status in (0, 1), (status, (tmp / "runs.log").read_text()[-2000:])
        if summary["failed"] == 0 and summary["created"] == 0 and summary["updated"] == 0:
            # converged: this run had nothing left to send, and sent nothing
            assert int(emulator.state()["counters"]["requests"]) == sent_before
            final = data
            break
    assert final is not None, "did not converge:\n" + "\n".join(figures.run_lines)

    # the converged run sent no record request: only what is unknown is left, and it is reported
    state = emulator.state()
    found = audit(state, ledger, shape)
    outcomes = {(r["kind"], r["key"]): r["outcome"] for r in final["records"]}
    assert len(outcomes) == shape.total
    unknown = {k for k, o in outcomes.items() if o == "unknown"}
    parents = {(kind, key): parent for kind, key, _, parent in shape.records()}

    def behind_unknown(k: tuple[str, str]) -> bool:
        parent = parents[k]
        while parent is not None:
            if parent in unknown:
                return True
            parent = parents[parent]
        return False

    missing = found.silently_missing
    for k, outcome in outcomes.items():
        if outcome in _IN_PLACE or outcome == "unknown":
            continue
        if outcome == "skipped" and behind_unknown(k):
            figures.skipped_behind_unknown += 1
            continue
        missing += 1  # failed, or skipped for no reported reason
    figures.in_place = found.in_place
    figures.duplicates = found.duplicates
    figures.silently_missing = missing
    figures.orphans = found.orphans
    figures.reported_unknown = len(unknown)
    figures.unknown_applied = found.unknown_applied
    figures.requests = int(state["counters"]["requests"])
    figures.faults = {k: v for k, v in state["counters"]["faults"].items()}
    figures.elapsed = time.monotonic() - started
    assert found.unknown == len(unknown), (found, len(unknown))
    assert found.in_place == sum(1 for o in outcomes.values() if o in _IN_PLACE)
    assert found.in_place + len(unknown) + figures.skipped_behind_unknown == shape.total
    return figures
