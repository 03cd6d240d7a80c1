"""Client-side limits: the concurrency cap seen at the transport, the token bucket, pool sizing."""

from __future__ import annotations

import functools
import heapq
import itertools

import anyio
import anyio.lowlevel
import httpx
import pytest

import leadexec_async as lx
from leadexec_async._limits import AdaptiveRateLimiter, RateLimiter
from leadexec_async._transport import pool_limits
from tests.conftest import FakeAPI


class InFlight:
    """A transport handler that counts requests in flight, yielding while "on the wire"."""

    def __init__(self, api: FakeAPI) -> None:
        self.api = api
        self.now = 0
        self.peak = 0
        self.total = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.total += 1
        self.peak = max(self.peak, self.now)
        try:
            for _ in range(3):
                await anyio.lowlevel.checkpoint()
            answer: httpx.Response = self.api.handler(request)
            if not isinstance(answer, httpx.Response):
                answer = await answer
            return answer
        finally:
            self.now -= 1


@pytest.mark.anyio
async def test_500_concurrent_creates_keep_at_most_8_in_flight(api: FakeAPI) -> None:
    wire = InFlight(api)
    le = api.client(transport=httpx.MockTransport(wire), max_concurrency=8)
    ids: list[int] = []

    async def create(n: int) -> None:
        ids.append(await le.delivery_accounts.create(42, delivery_uid=7, description=f"a{n}"))

    async with le, anyio.create_task_group() as tg:
        for n in range(500):
            tg.start_soon(create, n)
    assert wire.total == 500
    assert len(set(ids)) == 500
    assert wire.peak == 8  # the cap is reached and never passed


@pytest.mark.anyio
async def test_token_requests_count_against_the_cap(api: FakeAPI) -> None:
    api.token_yields = 10
    wire = InFlight(api)
    le = api.client(
        client_id="id", client_secret="secret", transport=httpx.MockTransport(wire), max_concurrency=1
    )
    overlap: list[int] = []

    async def call(n: int) -> None:
        await le.delivery_methods.update(42, n, name="m", reset_omitted=True)

    original = api.handler

    def watching(request: httpx.Request) -> object:
        overlap.append(wire.now)
        return original(request)

    api.handler = watching  # type: ignore[method-assign]
    async with le, anyio.create_task_group() as tg:
        for n in range(1, 31):
            tg.start_soon(call, n)
    assert len(api.token_requests) == 1
    assert wire.peak == 1
    assert set(overlap) == {1}  # the token request and the calls never overlapped


class VirtualClock:
    """Virtual time for a limiter: it moves only when every task is blocked.

    :meth:`sleep` parks the caller until its deadline; :meth:`drive` waits
    until every other task is blocked, then jumps to the earliest deadline and
    wakes that one sleeper. So whatever a woken task does before it blocks
    again (here: send its request) happens at exactly its virtual instant.
    """

    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), wake))
        await wake.wait()

    async def drive(self) -> None:
        """Wake sleepers in deadline order forever (cancel it when the work is done)."""
        while True:
            await anyio.wait_all_tasks_blocked()
            if self._sleepers:
                deadline, _, wake = heapq.heappop(self._sleepers)
                self.now = max(self.now, deadline)
                wake.set()
            else:
                await anyio.lowlevel.checkpoint()


@pytest.mark.anyio
async def test_rate_limit_spaces_requests(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    # the client builds its own limiter from rate_limit; only the clock and sleep are virtual
    monkeypatch.setattr(
        "leadexec_async._client.AdaptiveRateLimiter",
        functools.partial(AdaptiveRateLimiter, clock=clock, sleep=clock.sleep),
    )
    sent: list[float] = []
    original = api.handler

    def stamp(request: httpx.Request) -> object:
        sent.append(clock.now)
        return original(request)

    le = api.client(rate_limit=50.0, transport=httpx.MockTransport(stamp))
    async with le, anyio.create_task_group() as outer:
        outer.start_soon(clock.drive)
        with anyio.fail_after(10):  # a hang guard only; no timing is asserted on the real clock
            async with anyio.create_task_group() as tg:
                for n in range(1, 6):
                    tg.start_soon(functools.partial(le.delivery_methods.update, 42, n, reset_omitted=True))
        outer.cancel_scope.cancel()
    # five concurrent calls leave exactly 1/50 s apart, the first at once
    assert sent == pytest.approx([100.0, 100.02, 100.04, 100.06, 100.08], abs=1e-9)
    assert len(api.requests) == 5


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.anyio
async def test_token_bucket_schedule() -> None:
    clock = FakeClock()
    bucket = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        await bucket.acquire()
    assert clock.slept == [0.25, 0.25, 0.25]
    clock.now += 10  # idle time does not bank more than the burst
    clock.slept.clear()
    await bucket.acquire()
    await bucket.acquire()
    assert clock.slept == [0.25]


@pytest.mark.anyio
async def test_token_bucket_burst_and_rate_change() -> None:
    clock = FakeClock()
    bucket = RateLimiter(2.0, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await bucket.acquire()
    assert clock.slept == []
    await bucket.acquire()
    assert clock.slept == [0.5]
    bucket.rate = 10.0  # what an adaptive policy would do
    clock.now += 10
    clock.slept.clear()
    for _ in range(4):
        await bucket.acquire()
    assert clock.slept == [pytest.approx(0.1)]


@pytest.mark.anyio
async def test_pipeline_reports_every_status_to_the_rate_limiter(api: FakeAPI) -> None:
    seen: list[int] = []

    class Adaptive(RateLimiter):
        def on_response(self, status_code: int) -> None:
            seen.append(status_code)
            if status_code == 429:
                self.rate = self.rate / 2

    api.answers.extend([httpx.Response(429), httpx.Response(503)])
    le = api.client(rate_limit=1000.0)
    le._rate = Adaptive(1000.0)
    async with le:
        await le.delivery_methods.update(42, 1, reset_omitted=True)
    assert seen == [429, 503, 200]
    assert le._rate.rate == 500.0


def test_bad_rate_limit_is_refused(api: FakeAPI) -> None:
    for bad in (0, -1, float("inf"), "fast"):
        with pytest.raises(lx.ValidationError) as caught:
            api.client(rate_limit=bad)
        assert caught.value.field == "rate_limit"


@pytest.mark.parametrize("cap", [1, 8, 16, 200])
def test_pool_holds_at_least_max_concurrency(cap: int) -> None:
    limits = pool_limits(cap)
    assert limits.max_connections is not None
    assert limits.max_connections >= cap
    assert limits.max_keepalive_connections is not None
    assert limits.max_keepalive_connections >= cap
