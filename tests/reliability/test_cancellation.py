"""Cancellation at any point leaves no task, no open connection, no stuck state and no half-written
ledger row, and the next call or run carries on.

Cancelled with anyio cancel scopes (``move_on_after`` with zero and tiny
deadlines, and scopes cancelled from another task after a number of
checkpoints) on asyncio and trio, against the emulator over loopback with
latency injected so that cancellation lands before, during and after sending.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest

import leadexec_async as lx
from leadexec_async import bulk
from leadexec_async.provision import Ledger, Runner, load_plan

from ._support import PlanShape, assert_quiet, audit, client_for, ledger_rows, live_tasks

pytestmark = pytest.mark.anyio

DELAYS = [0.0, 0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05]
LATENCY = "latency:0.001-0.03"


def _pipeline_idle(le: lx.LeadExecClient) -> None:
    """Nothing of the client is held: no concurrency slot, no token request in flight."""
    live = le._live
    if live is not None:
        assert live._concurrency.in_use == 0
    flight = getattr(le._auth, "_flight", None)
    assert flight is None


@pytest.mark.leadexec_emulator(faults=LATENCY, seed=3)
async def test_a_single_call_cancelled_at_any_point(anyio_backend: str, leadexec_emulator: Any) -> None:
    tasks = live_tasks()
    async with client_for(
        leadexec_emulator,
        access_token=None,
        client_id=leadexec_emulator.client_id,
        client_secret=leadexec_emulator.client_secret,
        max_concurrency=4,
    ) as le:
        client_id = await le.clients.create(username="base", password="p")
        method_id = await le.delivery_methods.create(client_id, name="m")
        cancelled = 0
        for n, delay in enumerate(DELAYS * 3):
            with anyio.move_on_after(delay) as scope:
                if n % 3 == 0:
                    await le.delivery_methods.update(client_id, method_id, name=f"u{n}", reset_omitted=True)
                elif n % 3 == 1:
                    await le.delivery_methods.create(client_id, name=f"c{n}")
                else:
                    await le.clients.create(username=f"user{n}", password="p")
            cancelled += scope.cancelled_caught
            _pipeline_idle(le)
        assert cancelled > 0
        # the client carries on as if nothing happened
        assert (
            await le.delivery_methods.update(client_id, method_id, name="after", reset_omitted=True)
            == method_id
        )
    await assert_quiet(int(leadexec_emulator.base_url.rsplit(":", 1)[1]), tasks)


@pytest.mark.leadexec_emulator(faults=LATENCY, seed=4)
async def test_cancelled_by_another_task_after_any_number_of_checkpoints(
    anyio_backend: str, leadexec_emulator: Any
) -> None:
    tasks = live_tasks()
    async with client_for(leadexec_emulator, max_concurrency=2) as le:
        client_id = await le.clients.create(username="base", password="p")
        for checkpoints in range(0, 60, 3):
            async with anyio.create_task_group() as tg:
                scope = anyio.CancelScope()

                async def call(scope: anyio.CancelScope = scope) -> None:
                    with scope:
                        await le.delivery_methods.create(client_id, name="m")

                tg.start_soon(call)
                for _ in range(checkpoints):
                    await anyio.lowlevel.checkpoint()
                scope.cancel()
            _pipeline_idle(le)
        assert await le.delivery_methods.create(client_id, name="after") > 0
    await assert_quiet(int(leadexec_emulator.base_url.rsplit(":", 1)[1]), tasks)


async def test_a_cancelled_token_request_does_not_wedge_the_others(
    anyio_backend: str, leadexec_emulator: Any
) -> None:
    leadexec_emulator.reset()
    async with client_for(
        leadexec_emulator,
        access_token=None,
        client_id=leadexec_emulator.client_id,
        client_secret=leadexec_emulator.client_secret,
    ) as le:
        for delay in DELAYS[:4]:
            with anyio.move_on_after(delay):
                await le.clients.create(username=f"t{delay}", password="p")
            _pipeline_idle(le)
        # many callers at once after the cancelled leader: all served
        ids: list[int] = []
        async with anyio.create_task_group() as tg:
            for i in range(20):

                async def one(i: int = i) -> None:
                    ids.append(await le.clients.create(username=f"after{i}", password="p"))

                tg.start_soon(one)
        assert len(set(ids)) == 20


@pytest.mark.leadexec_emulator(faults=LATENCY, seed=5)
async def test_a_bulk_run_cancelled_at_any_point(anyio_backend: str, leadexec_emulator: Any) -> None:
    tasks = live_tasks()
    async with client_for(leadexec_emulator, max_concurrency=8) as le:
        client_id = await le.clients.create(username="base", password="p")
        seen = 0
        for delay in DELAYS:
            items = (bulk.Upsert.delivery_method(client_id, {"Name": f"b{delay}-{i}"}) for i in range(50))
            with anyio.move_on_after(delay):
                async with bulk.upsert_many(le, items, concurrency=8) as results:
                    async for result in results:
                        assert result.ok or isinstance(result.error, lx.OutcomeUnknownError), result.error
                        seen += 1
            _pipeline_idle(le)
            assert live_tasks() <= tasks  # the run's tasks are gone as soon as it is left
        # and a whole run afterwards goes through
        items = [bulk.Upsert.delivery_method(client_id, {"Name": f"final-{i}"}) for i in range(20)]
        async with bulk.upsert_many(le, items, concurrency=8) as results:
            assert len([r async for r in results if r.ok]) == 20
    await assert_quiet(int(leadexec_emulator.base_url.rsplit(":", 1)[1]), tasks)


@pytest.mark.leadexec_emulator(faults=LATENCY, seed=6)
async def test_a_provisioning_run_cancelled_at_any_point_resumes_with_nothing_lost(
    anyio_backend: str, leadexec_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = live_tasks()
    shape = PlanShape(clients=8, methods=2, accounts=3)
    plan_path = tmp_path / "plan.yaml"
    monkeypatch.setenv("CANCEL_PW", "pw")
    shape.write(plan_path, "CANCEL_PW")
    plan = load_plan(plan_path)
    ledger_path = tmp_path / "plan.ledger.sqlite"
    server = Ledger.server_of(leadexec_emulator.base_url)
    cancelled = 0
    async with client_for(leadexec_emulator, max_concurrency=6) as le:
        # cancelled by deadline, and from inside the run after a number of settled records
        stops: list[tuple[float | None, int | None]] = [(d, None) for d in (0.0, 0.001, 0.005, 0.02)]
        stops += [(None, k) for k in (1, 3, 7, 15)]
        for deadline, after in stops:
            with Ledger(ledger_path, server=server) as ledger:
                with anyio.CancelScope() as scope:
                    if deadline is not None:
                        scope.deadline = anyio.current_time() + deadline
                    settled = 0

                    def on_result(
                        _: Any, scope: anyio.CancelScope = scope, after: int | None = after
                    ) -> None:
                        nonlocal settled
                        settled += 1
                        if after is not None and settled >= after:
                            scope.cancel()

                    await Runner(plan, ledger, concurrency=6, on_result=on_result).run(le)
                cancelled += scope.cancelled_caught
            assert live_tasks() <= tasks
            _pipeline_idle(le)
            found = audit(leadexec_emulator.state(), ledger_path, shape)  # rows whole, nothing twice
            assert (found.duplicates, found.silently_missing, found.orphans) == (0, 0, 0), found
        assert cancelled >= 6
        # the next run resumes: everything not left unknown by a cancel gets in place
        with Ledger(ledger_path, server=server) as ledger:
            summary = await Runner(plan, ledger, concurrency=6).run(le)
    found = audit(leadexec_emulator.state(), ledger_path, shape)
    assert (found.duplicates, found.silently_missing, found.orphans) == (0, 0, 0), found
    assert summary.counts["failed"] == 0
    skipped = summary.counts["skipped"]
    assert found.in_place + found.unknown + skipped == shape.total
    assert found.unknown == summary.counts["unknown"]
    states = {state for state, *_ in ledger_rows(ledger_path).values()}
    assert states <= {"done", "intended", "unknown"}
    await assert_quiet(int(leadexec_emulator.base_url.rsplit(":", 1)[1]), tasks)
