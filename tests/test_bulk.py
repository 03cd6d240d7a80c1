"""Rules of leadexec_async.bulk: streaming, bounded concurrency, per-item results, ordering, stopping.

These drive ``upsert_many`` with a stand-in client whose upserts finish when
the test says so, so each rule is checked at the moment it matters.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import httpx
import pytest

import leadexec_async as lx
from leadexec_async import _errors, bulk
from leadexec_async.bulk import BulkResult, Upsert, upsert_many

pytestmark = pytest.mark.anyio


class _Resource:
    def __init__(self, owner: _FakeClient, name: str) -> None:
        self.owner = owner
        self.name = name

    async def upsert(self, *args: Any) -> int:
        return await self.owner.call(self.name, args)


class _FakeClient:
    """Records every upsert; each one waits for its gate (if any) and then answers or raises."""

    def __init__(self) -> None:
        self.clients = _Resource(self, "clients")
        self.delivery_methods = _Resource(self, "delivery_methods")
        self.delivery_accounts = _Resource(self, "delivery_accounts")
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.gates: dict[Any, anyio.Event] = {}
        self.errors: dict[Any, Exception] = {}
        self.in_flight = 0
        self.max_in_flight = 0

    async def call(self, name: str, args: tuple[Any, ...]) -> int:
        body = args[-1]
        self.calls.append((name, args))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            gate = self.gates.get(body["n"])
            if gate is not None:
                await gate.wait()
            else:
                await anyio.lowlevel.checkpoint()
            error = self.errors.get(body["n"])
            if error is not None:
                raise error
            return 1000 + int(body["n"])
        finally:
            self.in_flight -= 1


class _Counting:
    """An endless input that counts how many items were taken from it."""

    def __init__(self, limit: int | None = None) -> None:
        self.taken = 0
        self.limit = limit

    def __iter__(self) -> Iterator[Upsert]:
        for n in itertools.count() if self.limit is None else range(self.limit):
            self.taken += 1
            yield Upsert.client({"n": n}, tag=n)


def _outcome_unknown() -> _errors.OutcomeUnknownError:
    return _errors.OutcomeUnknownError("connection dropped", payload={"n": 1}, operation="upsert_client")


def _server_error() -> _errors.ServerError:
    request = httpx.Request("PATCH", "http://127.0.0.1/v1/clients")
    return _errors.ServerError("500", response=httpx.Response(500, request=request), body="")


async def test_streams_an_endless_input_with_memory_bounded_by_concurrency(anyio_backend: str) -> None:
    le = _FakeClient()
    source = _Counting()
    seen: list[int] = []
    async with upsert_many(le, source, concurrency=4) as results:
        async for r in results:
            seen.append(r.id or 0)
            # never more taken than finished plus the window of 2 x concurrency
            assert source.taken - len(seen) <= 8
            if len(seen) == 50:
                break
    assert len(seen) == 50
    assert le.max_in_flight <= 4


async def test_concurrency_cap_is_reached_and_never_passed(anyio_backend: str) -> None:
    le = _FakeClient()
    gate = anyio.Event()
    for n in range(20):
        le.gates[n] = gate
    got: list[BulkResult] = []
    async with upsert_many(le, _Counting(20), concurrency=5) as results:
        with anyio.fail_after(5):
            while le.in_flight < 5:
                await anyio.wait_all_tasks_blocked()
        await anyio.wait_all_tasks_blocked()
        assert le.in_flight == 5
        gate.set()
        got = [r async for r in results]
    assert le.max_in_flight == 5
    assert sorted(r.id for r in got if r.id is not None) == [1000 + n for n in range(20)]


async def test_async_iterable_input_and_direct_iteration(anyio_backend: str) -> None:
    async def items() -> AsyncIterator[Upsert]:
        for n in range(7):
            await anyio.lowlevel.checkpoint()
            yield Upsert.client({"n": n}, tag=f"k{n}")

    le = _FakeClient()
    got = [r async for r in upsert_many(le, items(), concurrency=3)]
    assert sorted(r.tag for r in got) == [f"k{n}" for n in range(7)]
    assert all(r.ok and r.id == 1000 + int(r.tag[1:]) for r in got)


async def test_a_failure_does_not_stop_the_others_and_unknown_outcomes_are_marked(anyio_backend: str) -> None:
    le = _FakeClient()
    le.errors[1] = _outcome_unknown()
    le.errors[3] = _server_error()
    got = {r.tag: r async for r in upsert_many(le, _Counting(6), concurrency=2)}
    assert set(got) == set(range(6))
    assert got[1].outcome_unknown
    assert not got[1].ok
    assert got[1].id is None
    assert isinstance(got[3].error, _errors.ServerError)
    assert not got[3].outcome_unknown
    assert not got[3].ok
    assert [n for n, r in sorted(got.items()) if r.ok] == [0, 2, 4, 5]


async def test_stop_on_error_takes_no_new_item_but_finishes_those_in_flight(anyio_backend: str) -> None:
    le = _FakeClient()
    slow = anyio.Event()
    le.gates[0] = slow  # still in flight when item 1 fails
    le.errors[1] = _server_error()
    source = _Counting(100)
    got: list[BulkResult] = []
    async with upsert_many(le, source, concurrency=2, stop_on_error=True) as results:
        async for r in results:
            got.append(r)
            if r.tag == 1:
                slow.set()
    assert results.stopped
    tags = [r.tag for r in got]
    assert 1 in tags
    assert 0 in tags
    assert source.taken < 100
    assert len(le.calls) == len(got)  # every sent item got its result


async def test_without_stop_on_error_every_item_runs(anyio_backend: str) -> None:
    le = _FakeClient()
    le.errors[0] = _server_error()
    async with upsert_many(le, _Counting(30), concurrency=3) as results:
        got = [r async for r in results]
    assert not results.stopped
    assert len(got) == 30


async def test_ordered_results_follow_the_input_even_when_finishing_in_reverse(anyio_backend: str) -> None:
    le = _FakeClient()
    gates = {n: anyio.Event() for n in range(4)}
    le.gates.update(gates)
    order: list[int] = []

    async def release_in_reverse() -> None:
        for n in reversed(range(4)):
            with anyio.fail_after(5):
                while len(le.calls) < 4:
                    await anyio.wait_all_tasks_blocked()
            gates[n].set()
            await anyio.wait_all_tasks_blocked()

    async with anyio.create_task_group() as tg:
        tg.start_soon(release_in_reverse)
        async with upsert_many(le, _Counting(4), concurrency=4, ordered=True) as results:
            order = [r.tag async for r in results]
    assert order == [0, 1, 2, 3]


async def test_unordered_results_come_as_they_finish(anyio_backend: str) -> None:
    le = _FakeClient()
    gates = {n: anyio.Event() for n in range(4)}
    le.gates.update(gates)
    order: list[int] = []
    async with upsert_many(le, _Counting(4), concurrency=4) as results:
        with anyio.fail_after(5):
            while len(le.calls) < 4:
                await anyio.wait_all_tasks_blocked()
        for n in reversed(range(4)):
            gates[n].set()
            order.append((await results.__anext__()).tag)
        assert [r async for r in results] == []
    assert order == [3, 2, 1, 0]


async def test_ordered_reorder_buffer_is_bounded_while_the_first_item_hangs(anyio_backend: str) -> None:
    le = _FakeClient()
    first = anyio.Event()
    le.gates[0] = first
    source = _Counting(1000)
    async with upsert_many(le, source, concurrency=3, ordered=True) as results:
        await anyio.wait_all_tasks_blocked()
        # item 0 hangs: the rest finish, but only a window of 2 x 3 is ever taken
        assert source.taken == 6
        assert len(le.calls) == 6
        first.set()
        got = [r.tag async for r in results]
    assert got == list(range(1000))


async def test_leaving_early_cancels_what_is_in_flight(anyio_backend: str) -> None:
    le = _FakeClient()
    never = anyio.Event()
    for n in range(1, 10):
        le.gates[n] = never
    async with upsert_many(le, _Counting(10), concurrency=3) as results:
        async for r in results:
            assert r.tag == 0
            break
    assert le.in_flight == 0  # the hanging upserts were cancelled


async def test_items_go_to_the_right_resource_with_their_client(anyio_backend: str) -> None:
    le = _FakeClient()
    items = [
        Upsert.client({"n": 0}),
        Upsert.delivery_method(41, {"n": 1}),
        Upsert.delivery_account(42, {"n": 2}),
    ]
    got = [r async for r in upsert_many(le, items, ordered=True)]
    assert [r.id for r in got] == [1000, 1001, 1002]
    assert le.calls == [
        ("clients", ({"n": 0},)),
        ("delivery_methods", (41, {"n": 1})),
        ("delivery_accounts", (42, {"n": 2})),
    ]


async def test_an_error_raised_by_the_input_itself_propagates(anyio_backend: str) -> None:
    def items() -> Iterator[Upsert]:
        yield Upsert.client({"n": 0})
        raise LookupError("input broke")

    async def drain() -> None:
        async with upsert_many(_FakeClient(), items()) as results:
            async for _ in results:
                pass

    with pytest.raises(LookupError, match="input broke"):
        await drain()


async def test_when_the_input_fails_what_is_in_flight_finishes_and_its_results_come_first(
    anyio_backend: str,
) -> None:
    le = _FakeClient()
    gate = le.gates[0] = anyio.Event()

    def items() -> Iterator[Upsert]:
        yield Upsert.client({"n": 0}, tag=0)
        raise LookupError("input broke")

    got: list[Any] = []

    async def drain() -> None:
        async with upsert_many(le, items()) as results:
            async for r in results:
                got.append((r.tag, r.id))

    async def open_gate_once_the_input_failed() -> None:
        await anyio.wait_all_tasks_blocked()
        gate.set()

    async def run() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(open_gate_once_the_input_failed)
            await drain()

    caught: list[BaseException] = []
    try:
        await run()
    except* LookupError as group:  # wrapped by run()'s own task group
        caught.extend(group.exceptions)
    assert [str(e) for e in caught] == ["input broke"]
    assert got == [(0, 1000)]  # the create in flight was not cancelled: its id is known


async def test_non_upsert_items_are_refused(anyio_backend: str) -> None:
    async def drain() -> None:
        async for _ in upsert_many(_FakeClient(), [{"n": 0}]):  # type: ignore[list-item]
            pass

    with pytest.raises(TypeError, match="Upsert"):
        await drain()


def test_bad_arguments_are_refused_before_anything_runs() -> None:
    with pytest.raises(lx.ValidationError, match="concurrency") as caught:
        upsert_many(_FakeClient(), [], concurrency=0)
    assert caught.value.field == "concurrency"
    with pytest.raises(lx.ValidationError, match="resource") as caught:
        Upsert("buyers", {})  # type: ignore[arg-type]
    assert caught.value.field == "resource"
    with pytest.raises(lx.ValidationError, match="client_id") as caught:
        Upsert("delivery_methods", {})
    assert caught.value.field == "client_id"
    with pytest.raises(lx.ValidationError, match="client_id") as caught:
        Upsert("clients", {}, client_id=3)
    assert caught.value.field == "client_id"
    assert bulk.DEFAULT_CONCURRENCY >= 1


async def test_through_a_real_client_a_dropped_create_is_outcome_unknown_and_sent_once(
    anyio_backend: str,
) -> None:
    import json

    import leadexec_async as lx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        username = json.loads(request.content)["Info"]["Username"]
        seen.append(username)
        if username == "drop-me":
            raise httpx.RemoteProtocolError("server closed the connection without answering", request=request)
        return httpx.Response(200, text=str(100 + len(seen)))

    from leadexec_async._records import build_client

    items = [
        Upsert.client(build_client(record_id=0, fields={"username": name, "password": "pw"}), tag=name)
        for name in ("a", "drop-me", "b")
    ]
    async with lx.LeadExecClient(
        access_token="t", base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler)
    ) as le:
        got = {r.tag: r async for r in upsert_many(le, items, concurrency=2)}
    assert got["drop-me"].outcome_unknown
    assert isinstance(got["drop-me"].error, lx.OutcomeUnknownError)
    assert got["a"].ok
    assert got["b"].ok
    assert seen.count("drop-me") == 1  # never resent
    assert "pw" not in str(got["drop-me"].error)
