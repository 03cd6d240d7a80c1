"""The fault soak against the emulator: every fault kind at once, SIGKILLs between runs, then reruns.

Invariants checked after every run (not only at the end): no plan record on
the server twice, every record the ledger calls done is on the server once
with the ledger's id and parents, no server record that no ledger row
explains, every ledger row whole. At the end every record is in place,
reported unknown, or skipped behind a reported unknown: none silently missing.

``make test`` runs the short soak (a few hundred records, one kill);
``make soak`` runs the long one (5,000 records, several kills) and prints its figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ._soak import ALL_FAULTS, PASSWORD, run_soak
from ._support import PlanShape


def _check(figures: Any, tmp_path: Path, kills: int) -> None:
    # a run that finished before its kill point proved nothing about being killed
    assert figures.kills == kills, "\n".join(figures.run_lines)
    assert figures.duplicates == 0
    assert figures.silently_missing == 0
    assert figures.orphans == 0
    assert figures.in_place + figures.reported_unknown + figures.skipped_behind_unknown == figures.records
    for kind in ("429", "503", "500", "drop-before", "drop-after", "latency"):
        assert figures.faults.get(kind, 0) > 0, (
            f"no {kind} fault was injected: the soak proved nothing about it"
        )
    for path in tmp_path.iterdir():  # reports, ledger (and its WAL), run logs
        assert PASSWORD.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_short_soak_converges_with_nothing_duplicated_or_missing(
    leadexec_emulator_factory: Any, tmp_path: Path
) -> None:
    emulator = leadexec_emulator_factory(faults=ALL_FAULTS.replace("0.01-0.2", "0.001-0.01"), seed=20240611)
    figures = run_soak(emulator, tmp_path, PlanShape(clients=30, methods=2, accounts=8), kills=1, seed=7)
    _check(figures, tmp_path, kills=1)


@pytest.mark.soak
def test_soak_5000_records_every_fault_kill_and_converge(
    leadexec_emulator_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator = leadexec_emulator_factory(faults=ALL_FAULTS, seed=20240611)
    shape = PlanShape(clients=250, methods=4, accounts=15)
    assert shape.total == 5000
    figures = run_soak(emulator, tmp_path, shape, kills=5, seed=11, run_deadline=900.0)
    with capsys.disabled():
        print("\n\nfault soak:", ALL_FAULTS)
        print("\n".join(figures.run_lines))
        print(figures.table())
    _check(figures, tmp_path, kills=5)
