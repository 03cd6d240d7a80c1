"""(2) Requests per second against the emulator over loopback, facade against raw httpx.

The emulator runs in its own process (``leadexec emulator``), so the client's
CPU (this process) and the server's are measured apart. Each case sends ``n``
delivery-account creates from ``concurrency`` tasks on asyncio:

* facade: ``LeadExecClient(access_token=..., base_url=..., max_concurrency=c)``
  as installed (its default transport), ``le.delivery_accounts.create(...)``;
* raw httpx: ``httpx.AsyncClient()`` with its default limits, ``put(url,
  json=body, headers={"Authorization": "Bearer ..."})``, ``raise_for_status()``
  and ``int(response.text)``: what a user would write by hand.

The two run back to back against the same server at each concurrency, so
their ratio is taken under the same conditions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

import leadexec_async as lx

from ._emulator import TOKEN, EmulatorProcess, emulator_process
from ._report import Row
from ._workload import account_fields, account_wire

__all__ = ["TARGETS", "Throughput", "measure", "run"]

#: concurrency -> the facade's requests per second at least this many times raw httpx
TARGETS = {8: 1.5, 32: 3.0}


@dataclass(frozen=True, slots=True)
class Throughput:
    """One case: requests sent, wall seconds, client and server CPU seconds."""

    requests: int
    seconds: float
    client_cpu: float
    server_cpu: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def client_ms(self) -> float:
        return self.client_cpu / self.requests * 1e3

    @property
    def server_ms(self) -> float:
        return self.server_cpu / self.requests * 1e3


async def _drive(send: Callable[[], Awaitable[object]], n: int, concurrency: int) -> None:
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await send()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _timed(
    server: EmulatorProcess, send: Callable[[], Awaitable[object]], n: int, concurrency: int
) -> Throughput:
    await _drive(send, min(n, 4 * concurrency), concurrency)  # open the connections first
    server_cpu = server.cpu_seconds()
    cpu = time.process_time()
    wall = time.perf_counter()
    await _drive(send, n, concurrency)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    return Throughput(n, wall, cpu, server.cpu_seconds() - server_cpu)


async def _setup(server: EmulatorProcess) -> tuple[int, int]:
    async with lx.LeadExecClient(access_token=TOKEN, base_url=server.base_url) as le:
        cid = await le.clients.create(username="bench", password="bench-pass", status="Active")
        mid = await le.delivery_methods.create(
            cid, name="Bench POST", type="HTTP POST", lead_type_uid=7, delivery_address="https://x.example/in"
        )
    return cid, mid


async def _facade(server: EmulatorProcess, cid: int, mid: int, n: int, concurrency: int) -> Throughput:
    fields = account_fields(mid)
    async with lx.LeadExecClient(
        access_token=TOKEN, base_url=server.base_url, max_concurrency=concurrency
    ) as le:
        create = le.delivery_accounts.create

        async def send() -> object:
            return await create(cid, **fields)

        return await _timed(server, send, n, concurrency)


async def _raw(server: EmulatorProcess, cid: int, mid: int, n: int, concurrency: int) -> Throughput:
    body = account_wire(cid, mid)
    url = f"{server.base_url}/v1/delivery/{cid}/accounts/"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient() as client:

        async def send() -> object:
            response = await client.put(url, json=body, headers=headers)
            response.raise_for_status()
            return int(response.text)

        return await _timed(server, send, n, concurrency)


async def _measure_all(
    server: EmulatorProcess, n: int, concurrencies: tuple[int, ...]
) -> dict[int, dict[str, Throughput]]:
    cid, mid = await _setup(server)
    results: dict[int, dict[str, Throughput]] = {}
    for concurrency in concurrencies:
        results[concurrency] = {
            "raw": await _raw(server, cid, mid, n, concurrency),
            "facade": await _facade(server, cid, mid, n, concurrency),
        }
    return results


def measure(n: int, concurrencies: tuple[int, ...] = (8, 32)) -> dict[int, dict[str, Throughput]]:
    """``{concurrency: {"raw": Throughput, "facade": Throughput}}`` against a fresh emulator."""
    with emulator_process() as server:
        return asyncio.run(_measure_all(server, n, concurrencies))


def run(n: int, concurrencies: tuple[int, ...] = (8, 32)) -> list[Row]:
    """The table rows of this benchmark."""
    rows: list[Row] = []
    for concurrency, cases in measure(n, concurrencies).items():
        raw, facade = cases["raw"], cases["facade"]
        for name, t in (("raw httpx.AsyncClient", raw), ("facade (default transport)", facade)):
            detail = f"client {t.client_ms:.2f} ms CPU/req, server {t.server_ms:.2f} ms; {t.requests} reqs"
            if t is raw:
                value = f"{t.per_second:,.0f} req/s"
                rows.append(Row("2 end to end", f"c{concurrency} {name}", value, detail))
                continue
            ratio = facade.per_second / raw.per_second
            target = TARGETS.get(concurrency)
            rows.append(
                Row(
                    "2 end to end",
                    f"c{concurrency} {name}",
                    f"{t.per_second:,.0f} req/s",
                    detail,
                    ratio,
                    f">= {target}x raw" if target else "",
                    None if target is None else ratio >= target,
                )
            )
    return rows
