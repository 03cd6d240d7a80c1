"""(3) A bulk run under a server rate limit: does the client keep the allowed rate full?

An emulator process is started with ``--rate-limit R`` (400 in the full run)
for each case, and ``n`` delivery accounts (10,000) go through
:func:`leadexec_async.bulk.upsert_many` from a generator. The floor is
``n / R`` seconds (25 s); the target is at most 1.1 times it, with every
record in place at the end (none failed for 429 or anything else).

* ``rate_limit=R``: the client is told the server's rate;
* ``rate found``: no rate is given; the client slows down on 429 and probes
  back up on its own.

The 429 answers the emulator gave are counted from its counters.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import anyio

import leadexec_async as lx
from leadexec_async import bulk

from ._emulator import TOKEN, EmulatorProcess, emulator_process
from ._report import Row
from ._workload import account_wire

__all__ = ["BULK_CONCURRENCY", "TARGET", "BulkOutcome", "measure", "run"]

TARGET = 1.1  # elapsed at most this many times the floor n / rate
#: in-flight upserts of the bulk run (and the client's max_concurrency)
BULK_CONCURRENCY = 16
_OPERATION = "upsert_delivery_account"


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """One case: records sent, seconds taken, records that failed, 429 answers seen, client CPU."""

    records: int
    seconds: float
    failed: int
    unknown: int
    answered_429: int
    client_cpu: float
    server_rate: float

    @property
    def floor(self) -> float:
        return self.records / self.server_rate


def _items(cid: int, mid: int, n: int) -> Iterator[bulk.Upsert]:
    for i in range(n):
        yield bulk.Upsert.delivery_account(cid, account_wire(cid, mid, description=f"acct {i}"), tag=i)


async def _run_case(server: EmulatorProcess, n: int, rate: float, given: bool) -> BulkOutcome:
    async with lx.LeadExecClient(
        access_token=TOKEN,
        base_url=server.base_url,
        rate_limit=rate if given else None,
        max_concurrency=BULK_CONCURRENCY,
    ) as le:
        cid = await le.clients.create(username="bulk", password="bulk-pass", status="Active")
        mid = await le.delivery_methods.create(
            cid, name="Bulk POST", type="HTTP POST", lead_type_uid=7, delivery_address="https://x.example/in"
        )
        failed = unknown = 0
        cpu = time.process_time()
        started = time.perf_counter()
        async with bulk.upsert_many(le, _items(cid, mid, n), concurrency=BULK_CONCURRENCY) as results:
            async for result in results:
                if not result.ok:
                    failed += 1
                    unknown += result.outcome_unknown
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    answered_429 = server.outcomes(_OPERATION).get("429", 0)
    return BulkOutcome(n, seconds, failed, unknown, answered_429, cpu, rate)


def measure(n: int, rate: float) -> dict[str, BulkOutcome]:
    """``{"given": ..., "found": ...}``, each against its own fresh emulator with ``--rate-limit rate``."""
    outcomes: dict[str, BulkOutcome] = {}
    for case, given in (("given", True), ("found", False)):
        with emulator_process(rate_limit=rate) as server:
            outcomes[case] = anyio.run(_run_case, server, n, rate, given)
    return outcomes


def run(n: int, rate: float) -> list[Row]:
    """The table rows of this benchmark."""
    rows: list[Row] = []
    labels = {"given": f"rate_limit={rate:g} given", "found": "no rate given (found)"}
    for case, outcome in measure(n, rate).items():
        ratio = outcome.seconds / outcome.floor
        rows.append(
            Row(
                "3 bulk under 429",
                f"{outcome.records:,} records, {labels[case]}",
                f"{outcome.seconds:.1f} s",
                f"floor {outcome.floor:.1f} s; {outcome.failed} failed ({outcome.unknown} unknown); "
                f"{outcome.answered_429} 429s answered; client {outcome.client_cpu:.1f} s CPU",
                ratio,
                f"<= {TARGET}x floor, 0 failed",
                ratio <= TARGET and outcome.failed == 0,
            )
        )
    return rows
