"""``python -m benchmarks [--quick] [--only 1,2,3,4,5]``: run the benchmarks and print one table."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import bulk_rate, end_to_end, memory, overhead, wire
from ._report import Row, machine, render


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much work each benchmark does."""

    overhead_calls: int
    overhead_rounds: int
    e2e_requests: int
    bulk_records: int
    bulk_rate: float
    memory_small: int
    memory_large: int
    wire_requests: int
    wire_rounds: int


FULL = Sizes(
    overhead_calls=3_000,
    overhead_rounds=5,
    e2e_requests=3_000,
    bulk_records=10_000,
    bulk_rate=400.0,
    memory_small=10_000,
    memory_large=100_000,
    wire_requests=3_000,
    wire_rounds=3,
)
QUICK = Sizes(
    overhead_calls=300,
    overhead_rounds=3,
    e2e_requests=300,
    bulk_records=300,
    bulk_rate=100.0,
    memory_small=500,
    memory_large=5_000,
    wire_requests=300,
    wire_rounds=1,
)


def benchmarks(sizes: Sizes) -> dict[str, Callable[[], list[Row]]]:
    """The five benchmarks, by number, bound to ``sizes``."""
    return {
        "1": lambda: overhead.run(sizes.overhead_calls, sizes.overhead_rounds),
        "2": lambda: end_to_end.run(sizes.e2e_requests),
        "3": lambda: bulk_rate.run(sizes.bulk_records, sizes.bulk_rate),
        "4": lambda: memory.run(sizes.memory_small, sizes.memory_large),
        "5": lambda: wire.run(sizes.wire_requests, rounds=sizes.wire_rounds),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print the table (``--strict``: status 1 on a missed target)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (checks the harness)")
    parser.add_argument("--plain", action="store_true", help="plain text columns instead of rich's table")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--only", default="1,2,3,4,5", help="comma-separated benchmark numbers (default all)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    selected = benchmarks(sizes)
    wanted = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = [w for w in wanted if w not in selected]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from 1, 2, 3, 4, 5")
    rows: list[Row] = []
    started = time.perf_counter()
    for number in wanted:
        print(f"running benchmark {number} ...", file=sys.stderr, flush=True)
        rows.extend(selected[number]())
    elapsed = time.perf_counter() - started
    mode = "quick (harness check: sizes too small for the targets)" if args.quick else "full"
    title = f"leadexec-async benchmarks, {mode}, {elapsed:.0f} s\n{machine()}"
    print(render(rows, title=title, plain=args.plain))
    missed = [f"{row.section}: {row.case}" for row in rows if row.met is False]
    print(f"targets missed: {'; '.join(missed)}" if missed else "every target met")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
