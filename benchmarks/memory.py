"""(4) Memory and scaling of a long streamed bulk run.

``n`` delivery-account upserts come from a generator through
:func:`leadexec_async.bulk.upsert_many` (concurrency 8) on a client whose
transport is an :class:`httpx.MockTransport`, so only the client works. Each
size runs in a fresh process (``python -m benchmarks.memory N``) which warms
up first, then reports its resident memory before the run, its peak during
the run (Linux's ``VmHWM``, reset after the warm-up) and the CPU and wall
time of the run.

Targets: the peak grows less than 50 MB over the start at 100,000 items, and
CPU time per item at 100,000 is within 1.2 times that at 10,000 (CPU rather
than wall time, which other processes on a shared machine disturb more).
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import psutil

import leadexec_async as lx
from leadexec_async import bulk

from ._report import Row
from ._workload import account_wire, ok_handler

__all__ = ["GROWTH_LIMIT_MB", "SCALING_TARGET", "Footprint", "measure", "run"]

GROWTH_LIMIT_MB = 50.0
SCALING_TARGET = 1.2
_WARMUP = 2_000
_CONCURRENCY = 8
_CLIENT_UID = 7
_DELIVERY_UID = 3


@dataclass(frozen=True, slots=True)
class Footprint:
    """One run: items, wall and CPU seconds, RSS at the start and peak RSS (bytes)."""

    items: int
    seconds: float
    cpu: float
    rss_start: int
    rss_peak: int

    @property
    def growth_mb(self) -> float:
        return max(0, self.rss_peak - self.rss_start) / 2**20

    @property
    def cpu_per_item(self) -> float:
        return self.cpu / self.items


def _items(n: int) -> Iterator[bulk.Upsert]:
    for i in range(n):
        body = account_wire(_CLIENT_UID, _DELIVERY_UID, description=f"acct {i}")
        yield bulk.Upsert.delivery_account(_CLIENT_UID, body, tag=i)


async def _stream(le: lx.LeadExecClient, n: int) -> int:
    ok = 0
    async with bulk.upsert_many(le, _items(n), concurrency=_CONCURRENCY) as results:
        async for result in results:
            ok += result.ok
    return ok


async def _worker(n: int, warmup: int) -> Footprint:
    transport = httpx.MockTransport(ok_handler())
    async with lx.LeadExecClient(access_token="bench", transport=transport) as le:
        await _stream(le, warmup)
        _reset_peak()
        rss_start = psutil.Process().memory_info().rss
        cpu = time.process_time()
        wall = time.perf_counter()
        ok = await _stream(le, n)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
    if ok != n:
        raise RuntimeError(f"{n - ok} of {n} upserts failed against the mock transport")
    rss_peak = max(_peak(), psutil.Process().memory_info().rss)
    return Footprint(n, wall, cpu, rss_start, rss_peak)


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _reset_peak() -> None:
    """Start the high-water mark afresh (Linux), so warm-up and start-up do not count."""
    with contextlib.suppress(OSError):  # elsewhere the peak includes the start-up (an overestimate)
        _CLEAR_REFS.write_text("5")


def _peak() -> int:
    """The resident high-water mark in bytes.

    Linux: ``VmHWM`` of this process's memory. Not ``getrusage``'s ``ru_maxrss``:
    on Linux that survives ``exec`` and may still be the parent's peak.
    """
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _in_subprocess(n: int, warmup: int) -> Footprint:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", str(n), str(warmup)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Footprint(**json.loads(out.strip().splitlines()[-1]))


def measure(small: int, large: int, warmup: int = _WARMUP) -> tuple[Footprint, Footprint]:
    """The footprints of ``small`` and ``large`` items, each in its own process after ``warmup`` items."""
    return _in_subprocess(small, warmup), _in_subprocess(large, warmup)


def run(small: int, large: int, warmup: int = _WARMUP) -> list[Row]:
    """The table rows of this benchmark."""
    low, high = measure(small, large, warmup)
    scaling = high.cpu_per_item / low.cpu_per_item
    return [
        Row(
            "4 memory",
            f"{large:,} upserts from a generator",
            f"+{high.growth_mb:.1f} MB peak RSS",
            f"start {high.rss_start / 2**20:.0f} MB, peak {high.rss_peak / 2**20:.0f} MB",
            None,
            f"< {GROWTH_LIMIT_MB:.0f} MB",
            high.growth_mb < GROWTH_LIMIT_MB,
        ),
        Row(
            "4 scaling",
            f"CPU per item, {large:,} vs {small:,}",
            f"{high.cpu_per_item * 1e6:.0f} vs {low.cpu_per_item * 1e6:.0f} µs",
            f"wall {high.seconds / high.items * 1e6:.0f} vs {low.seconds / low.items * 1e6:.0f} µs/item",
            scaling,
            f"<= {SCALING_TARGET}x",
            scaling <= SCALING_TARGET,
        ),
    ]


def main() -> None:
    """Worker: run ``argv[1]`` items (after ``argv[2]`` to warm up); print the footprint as JSON."""
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else _WARMUP
    footprint = anyio.run(_worker, int(sys.argv[1]), warmup)
    print(
        json.dumps(
            {
                "items": footprint.items,
                "seconds": footprint.seconds,
                "cpu": footprint.cpu,
                "rss_start": footprint.rss_start,
                "rss_peak": footprint.rss_peak,
            }
        )
    )


if __name__ == "__main__":
    main()
