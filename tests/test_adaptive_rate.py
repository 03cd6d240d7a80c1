"""The adaptive rate: slower after 429s, probing back up, the ceiling, and bulk re-sending 429s.

The limiter's rules run on a fake clock; the pipeline and bulk rules on the
FakeAPI mock; one test drives a real bulk run into the emulator's rate limit.
"""

from __future__ import annotations

import contextlib
import math

import anyio
import httpx
import pytest

import leadexec_async as lx
from leadexec_async import _constants as C
from leadexec_async import bulk
from leadexec_async._limits import AdaptiveRateLimiter
from tests.conftest import FakeAPI

WINDOW = C.ADAPTIVE_WINDOW


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limiter(ceiling: float | None = None) -> tuple[AdaptiveRateLimiter, FakeClock]:
    clock = FakeClock()
    return AdaptiveRateLimiter(ceiling, clock=clock, sleep=clock.sleep), clock


def _window(limiter: AdaptiveRateLimiter, clock: FakeClock, accepted: int, limited: int = 0) -> None:
    """Answers spread over one window: ``accepted`` 200s and ``limited`` 429s, then the window closes."""
    for _ in range(limited):
        limiter.on_response(429)
    for _ in range(accepted):
        limiter.on_response(200)
    clock.now += WINDOW
    limiter.on_response(200)  # the first answer after the window ends closes it


@pytest.mark.anyio
async def test_unlimited_until_the_first_429_and_free_meanwhile() -> None:
    limiter, clock = _limiter()
    assert limiter.rate == math.inf
    for _ in range(1000):
        await limiter.acquire()
    assert clock.slept == []
    _window(limiter, clock, accepted=300)  # 600/s accepted, nothing refused: stays unlimited
    assert limiter.rate == math.inf


@pytest.mark.anyio
async def test_429s_bring_the_rate_down_to_what_the_server_accepted() -> None:
    limiter, clock = _limiter()
    _window(limiter, clock, accepted=400)  # the client managed 800/s
    _window(limiter, clock, accepted=350, limited=50)  # the server took 700/s of it
    first = limiter.rate
    assert first == pytest.approx(700 * (1 + C.ADAPTIVE_HEADROOM), rel=0.01)
    _window(limiter, clock, accepted=200, limited=60)  # 400/s: a fall capped per window
    assert limiter.rate == pytest.approx(first * (1 - C.ADAPTIVE_MAX_DECREASE))
    _window(limiter, clock, accepted=200, limited=5)
    assert limiter.rate == pytest.approx(400 * (1 + C.ADAPTIVE_HEADROOM), rel=0.01)
    # And it paces: requests are now 1/rate apart.
    clock.slept.clear()
    for _ in range(3):
        await limiter.acquire()
    assert clock.slept == [pytest.approx(1 / limiter.rate)] * 2


@pytest.mark.parametrize("answered_before_the_pause", [0, 1])
def test_idle_time_is_not_read_as_a_slow_server(answered_before_the_pause: int) -> None:
    # An hour without answers (from the start, or inside a window), then 429s come:
    # the rate falls to what the server accepts now, not to almost nothing.
    limiter, clock = _limiter()
    for _ in range(answered_before_the_pause):
        limiter.on_response(200)
    clock.now += 3600
    _window(limiter, clock, accepted=100, limited=20)  # 200/s accepted in half a second
    assert limiter.rate == pytest.approx(202 * (1 + C.ADAPTIVE_HEADROOM), rel=0.01)


@pytest.mark.anyio
async def test_without_429s_it_probes_up_only_while_it_holds_callers_back() -> None:
    limiter, clock = _limiter()
    _window(limiter, clock, accepted=100)
    _window(limiter, clock, accepted=100, limited=10)
    slow = limiter.rate
    _window(limiter, clock, accepted=50)  # nobody waited for the limiter: no reason to go faster
    assert limiter.rate == pytest.approx(slow)
    await limiter.acquire()
    await limiter.acquire()  # this one waits
    _window(limiter, clock, accepted=50)
    assert limiter.rate == pytest.approx(slow * (1 + C.ADAPTIVE_PROBE))


@pytest.mark.anyio
async def test_a_ceiling_is_where_it_starts_and_the_most_it_allows() -> None:
    limiter, clock = _limiter(ceiling=10.0)
    for _ in range(3):
        await limiter.acquire()
    assert clock.slept == [pytest.approx(0.1)] * 2
    _window(limiter, clock, accepted=5)  # waited, no 429: would probe up, but 10/s is the ceiling
    assert limiter.rate == pytest.approx(10.0)
    _window(limiter, clock, accepted=2, limited=3)
    assert limiter.rate == pytest.approx(10.0 * (1 - C.ADAPTIVE_MAX_DECREASE))
    for _ in range(40):
        await limiter.acquire()
        await limiter.acquire()  # held back: probes up
        _window(limiter, clock, accepted=5)
    assert limiter.rate == pytest.approx(10.0)


@pytest.mark.anyio
@pytest.mark.parametrize("retry_after", ["0", "1", None])
async def test_every_429_is_a_sign_of_load_whatever_its_retry_after(
    api: FakeAPI, retry_after: str | None
) -> None:
    # Retry-After: 0 too: servers that round a sub-second wait down send it under real load.
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    api.answers.extend(httpx.Response(429, headers=headers) for _ in range(20))
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(clock=clock, sleep=clock.sleep)
    async with api.client(max_retries=0) as le:
        le._rate = limiter
        for n in range(1, 101):
            with pytest.raises(lx.RateLimitError) if n <= 20 else contextlib.nullcontext():
                await le.delivery_methods.update(42, n, reset_omitted=True)
        clock.now += WINDOW
        await le.delivery_methods.update(
            42, 101, reset_omitted=True
        )  # the first answer after the window closes it
    assert limiter.rate < math.inf


def test_bad_ceilings_are_refused() -> None:
    for bad in (0, -5, float("nan"), float("inf"), "fast"):
        with pytest.raises(lx.ValidationError) as caught:
            AdaptiveRateLimiter(bad)  # type: ignore[arg-type]
        assert caught.value.field == "rate_limit"


@pytest.mark.anyio
async def test_rate_limit_is_the_ceiling_of_an_adaptive_rate(api: FakeAPI) -> None:
    le = api.client(rate_limit=25.0)
    assert isinstance(le._rate, AdaptiveRateLimiter)
    assert le._rate.rate == 25.0
    assert isinstance(api.client()._rate, AdaptiveRateLimiter)
    assert api.client()._rate.rate == math.inf


# -- bulk sends again what ended in RateLimitError ------------------------------------------


def _account(n: int) -> bulk.Upsert:
    return bulk.Upsert.delivery_account(42, {"ClientAccountUID": 0, "DeliveryUID": 7, "Description": f"a{n}"})


@pytest.mark.anyio
async def test_bulk_resends_a_create_refused_429_through_all_retries(api: FakeAPI) -> None:
    # max_retries=1: two 429s end the first call; bulk sends it again after Retry-After.
    api.answers.extend(httpx.Response(429, headers={"Retry-After": "0"}) for _ in range(3))
    async with api.client(max_retries=1) as le:
        results = [r async for r in bulk.upsert_many(le, [_account(1)])]
    assert [r.ok for r in results] == [True]
    assert len(api.requests) == 4  # 429, 429 | 429, 200: never more than one create applied


@pytest.mark.anyio
async def test_bulk_resends_are_bounded(api: FakeAPI) -> None:
    api.answers.extend(httpx.Response(429, headers={"Retry-After": "0"}) for _ in range(100))
    async with api.client(max_retries=0) as le:
        results = [r async for r in bulk.upsert_many(le, [_account(1)])]
    assert isinstance(results[0].error, lx.RateLimitError)
    assert len(api.requests) == 1 + C.BULK_RATE_LIMITED_RESENDS


@pytest.mark.anyio
async def test_bulk_resends_follow_the_clients_backoff_and_sleep(api: FakeAPI) -> None:
    # 429s without Retry-After: each resend waits the client's first backoff (2 s minus
    # up to 25 % jitter), through the client's own sleep.
    api.answers.extend(httpx.Response(429) for _ in range(2))
    async with api.client(max_retries=0, retry_backoff=2.0) as le:
        results = [r async for r in bulk.upsert_many(le, [_account(1)])]
    assert [r.ok for r in results] == [True]
    assert len(api.requests) == 3
    assert len(api.sleeps) == 2
    assert all(1.5 <= s <= 2.0 for s in api.sleeps), api.sleeps


@pytest.mark.anyio
async def test_bulk_does_not_wait_out_a_retry_after_beyond_max_retry_wait(api: FakeAPI) -> None:
    api.answers.append(httpx.Response(429, headers={"Retry-After": "600"}))
    async with api.client(max_retry_wait=30.0) as le:
        with anyio.fail_after(5):
            results = [r async for r in bulk.upsert_many(le, [_account(1)])]
    assert isinstance(results[0].error, lx.RateLimitError)
    assert results[0].error.retry_after == 600.0
    assert len(api.requests) == 1


# -- against the emulator's rate limit ------------------------------------------------------


@pytest.mark.anyio
async def test_bulk_finds_the_emulators_rate_and_loses_no_record(anyio_backend: str) -> None:
    from leadexec_async.emulator import EmulatorServer

    # The server allows a burst of 20, then 20/s: far below what 16 requests in flight on loopback
    # reach even on a loaded machine, so the limit is reached whatever the load (at 100/s, two
    # CPU-burning processes beside the test once kept the client under it).
    rate, n = 20, 80
    with EmulatorServer(rate_limit=rate, token="adaptive-token") as server:
        async with lx.LeadExecClient(
            access_token="adaptive-token", base_url=server.base_url, max_retries=1
        ) as le:
            cid = await le.clients.create(username="u", password="pw", status="Active")
            mid = await le.delivery_methods.create(cid, name="m", type="HTTP POST")
            items = (
                bulk.Upsert.delivery_account(
                    cid, {"ClientAccountUID": 0, "DeliveryUID": mid, "Description": f"a{i}"}
                )
                for i in range(n)
            )
            with anyio.fail_after(30):
                results = [r async for r in bulk.upsert_many(le, items, concurrency=16)]
            assert le._rate.rate < math.inf  # it found a rate
        state = server.state()
    assert [r.error for r in results if not r.ok] == []
    assert len(state["delivery_accounts"]) == n  # each record exactly once
    outcomes = state["counters"]["by_operation_outcome"]["upsert_delivery_account"]
    assert outcomes["200"] == n
    assert outcomes.get("429", 0) > 0  # the limit was really reached
