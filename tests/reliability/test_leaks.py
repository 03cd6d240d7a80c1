"""Leaks: after retried timeouts, 5xx answers, dropped connections and cancellations the client holds
no more connections than its pool allows, and after ``aclose`` none at all and no task.

Connections are counted with psutil (the TCP sockets of this process whose far
end is the emulator's port: the client side), tasks from the event loop
(asyncio or trio). Closing twice is harmless; a closed client refuses every
method with ClientClosedError and sends nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import httpx
import pytest

import leadexec_async as lx

from ._support import assert_quiet, client_connections, client_for, eventually, live_tasks

pytestmark = pytest.mark.anyio

FAULTS = "500:0.15,503:0.15,drop-before:0.1,drop-after:0.1,latency:0.3@0.05-0.08"
CONCURRENCY = 6


def _port(emulator: Any) -> int:
    return int(emulator.base_url.rsplit(":", 1)[1])


@pytest.mark.leadexec_emulator(faults=FAULTS, seed=17)
async def test_failures_of_every_kind_leak_no_connection_and_no_task(
    anyio_backend: str, leadexec_emulator: Any
) -> None:
    tasks = live_tasks()
    port = _port(leadexec_emulator)
    outcomes: dict[str, int] = {}
    # a read timeout below the injected latency: those requests time out (and are retried when allowed)
    timeout = httpx.Timeout(0.04, connect=2.0)
    async with client_for(leadexec_emulator, max_concurrency=CONCURRENCY, timeout=timeout) as le:
        with anyio.fail_after(60):
            client_id = 0
            while not client_id:
                try:
                    client_id = await le.clients.create(username="leak", password="p")
                except lx.LeadExecError:
                    leadexec_emulator.reset()

            async def one(i: int) -> None:
                try:
                    if i % 2:
                        await le.delivery_methods.update(
                            client_id, 1 + i % 3, name=f"u{i}", reset_omitted=True
                        )
                    else:
                        await le.delivery_methods.create(client_id, name=f"c{i}")
                    kind = "ok"
                except lx.LeadExecError as exc:
                    kind = type(exc).__name__
                outcomes[kind] = outcomes.get(kind, 0) + 1

            async with anyio.create_task_group() as tg:
                for i in range(120):
                    tg.start_soon(one, i)
                    if i % 10 == 0:  # and some cancelled mid-way
                        with anyio.move_on_after(0.01), contextlib.suppress(lx.LeadExecError):
                            await le.delivery_methods.create(client_id, name=f"x{i}")
        # every kind of failure happened...
        faults = leadexec_emulator.state()["counters"]["faults"]
        assert min(faults[k] for k in ("500", "503", "drop-before", "drop-after", "latency")) > 0, faults
        assert outcomes.get("OutcomeUnknownError", 0) > 0, outcomes
        # ...and the pool never holds more than its size; idle, nothing is in use
        assert len(client_connections(port)) <= CONCURRENCY
        live = le._live
        assert live is not None
        assert live._concurrency.in_use == 0
        await le.aclose()
        await le.aclose()  # twice: harmless
    await assert_quiet(port, tasks)


async def test_a_closed_client_refuses_every_method_and_sends_nothing(
    anyio_backend: str, leadexec_emulator: Any
) -> None:
    tasks = live_tasks()
    le = client_for(leadexec_emulator)
    async with le:
        client_id = await le.clients.create(username="closed", password="p")
        method_id = await le.delivery_methods.create(client_id, name="m")
    await le.aclose()
    sent = leadexec_emulator.state()["counters"]["requests"]
    calls = [
        lambda: le.clients.create(username="u", password="p"),
        lambda: le.clients.update(client_id, username="u", reset_omitted=True),
        lambda: le.clients.upsert({"Info": {"Username": "u", "Password": "p"}}),
        lambda: le.delivery_methods.create(client_id, name="m"),
        lambda: le.delivery_methods.update(client_id, method_id, name="m", reset_omitted=True),
        lambda: le.delivery_methods.upsert(client_id, {"Name": "m"}),
        lambda: le.delivery_accounts.create(client_id, delivery_uid=method_id),
        lambda: le.delivery_accounts.update(client_id, 1, delivery_uid=method_id, reset_omitted=True),
        lambda: le.delivery_accounts.upsert(client_id, {"DeliveryUID": method_id}),
    ]
    for call in calls:
        with pytest.raises(lx.ClientClosedError, match="closed"):
            await call()
    with pytest.raises(lx.ClientClosedError):
        async with le:
            pass
    assert leadexec_emulator.state()["counters"]["requests"] == sent
    await assert_quiet(_port(leadexec_emulator), tasks)


@pytest.mark.leadexec_emulator(faults="latency:0.05-0.1", seed=2)
async def test_closing_while_requests_are_in_flight_ends_them_and_leaks_nothing(
    anyio_backend: str, leadexec_emulator: Any
) -> None:
    tasks = live_tasks()
    le = client_for(leadexec_emulator, max_concurrency=8)
    client_id = await le.clients.create(username="inflight", password="p")
    errors: list[BaseException] = []
    results: list[int] = []

    async def one(i: int) -> None:
        try:
            results.append(await le.delivery_methods.update(client_id, 1, name=f"n{i}", reset_omitted=True))
        except Exception as exc:
            errors.append(exc)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for i in range(16):
                tg.start_soon(one, i)
            await eventually(
                lambda: len(client_connections(_port(leadexec_emulator))) > 0, "requests on the wire"
            )
            await le.aclose()
    # every call ended (none hangs), each either answered or failed with an SDK error
    assert len(results) + len(errors) == 16
    assert all(isinstance(e, lx.LeadExecError) for e in errors), errors
    await assert_quiet(_port(leadexec_emulator), tasks)
