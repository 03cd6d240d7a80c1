"""The benchmark harness runs and produces its table rows (tiny sizes; nothing here is timed)."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("psutil")

from benchmarks import bulk_rate, end_to_end, memory, overhead, wire
from benchmarks._report import Row, machine, render


def _check(rows: list[Row], section: str, count: int) -> None:
    assert len(rows) == count
    for row in rows:
        assert row.section == section
        assert row.case
        assert row.value
        if row.ratio is not None:
            assert math.isfinite(row.ratio)
            assert row.ratio > 0
        if row.target:
            assert isinstance(row.met, bool)


def test_the_harness_produces_every_row_of_the_table() -> None:
    rows = overhead.run(20, rounds=1)
    _check(rows, "1 overhead", 3)
    assert [r.case for r in rows][-1] == "facade delivery_accounts.create"

    e2e = end_to_end.run(16, concurrencies=(2,))
    _check(e2e, "2 end to end", 2)
    assert e2e[1].target == ""  # c2 has no target, only a ratio
    assert e2e[1].ratio is not None

    bulk = bulk_rate.run(20, rate=50.0)
    _check(bulk, "3 bulk under 429", 2)
    assert all("0 failed" in r.detail for r in bulk)  # every record went through

    mem = memory.run(40, 80, warmup=10)
    assert [r.section for r in mem] == ["4 memory", "4 scaling"]
    _check(mem[:1], "4 memory", 1)

    near_the_wire = wire.run(20, concurrencies=(2,), rounds=1)
    _check(near_the_wire, "5 wire", 2)
    assert near_the_wire[1].case == "c2 facade delivery_accounts.create"
    assert near_the_wire[1].ratio is not None

    everything = rows + e2e + bulk + mem + near_the_wire
    table = render(everything, title=f"smoke\n{machine()}", plain=True)
    lines = table.splitlines()
    assert len(lines) == 4 + len(everything)  # title, machine, header, rule, a line per row
    for row, line in zip(everything, lines[4:], strict=True):
        assert line.startswith(row.section)
        assert row.case in line
    assert "httpx 0.28" in lines[1]
    assert "cores" in lines[1]
    fancy = render(everything, title="smoke")
    for section in ("1 overhead", "2 end to end", "3 bulk under 429", "4 memory", "4 scaling", "5 wire"):
        assert section in fancy
