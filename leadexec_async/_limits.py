"""Client-side limits: requests in flight, and requests per second.

:class:`ConcurrencyLimiter` caps the requests in flight across everything that
shares a client (token requests included). :class:`RateLimiter` is a token
bucket shared the same way. Both are created lazily inside the running event
loop, so they work under asyncio and trio alike.

The rate limiter is the seam for an adaptive rate: the pipeline calls
:meth:`RateLimiter.on_response` with every status it receives, and
:attr:`RateLimiter.rate` may be changed at any time; a subclass can slow down
on 429 and probe back up on success without touching the pipeline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

import anyio

from ._errors import ValidationError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class ConcurrencyLimiter:
    """At most ``limit`` holders at once (an :class:`anyio.CapacityLimiter`).

    ``acquire`` takes a free slot without yielding to the event loop when one
    is free; ``release`` must be called by the task that acquired.
    """

    __slots__ = ("_limiter", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._limiter = anyio.CapacityLimiter(limit)

    async def acquire(self) -> None:
        """Wait for a free slot and take it."""
        try:
            self._limiter.acquire_nowait()
        except anyio.WouldBlock:
            await self._limiter.acquire()

    def release(self) -> None:
        """Give the slot back."""
        self._limiter.release()

    @property
    def in_use(self) -> int:
        """Slots currently taken."""
        return int(self._limiter.borrowed_tokens)


class RateLimiter:
    """A token bucket: on average ``rate`` requests per second, bursts of up to ``burst``.

    Implemented as a virtual schedule (GCRA): each :meth:`acquire` books the
    next free instant and sleeps until it, so waiting callers are served in
    arrival order and no lock is held while sleeping. ``burst`` defaults to 1
    (requests evenly spaced ``1/rate`` apart).
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
            raise ValidationError(
                f"rate_limit must be a positive number of requests per second, got {rate!r}",
                field="rate_limit",
            )
        if not (isinstance(burst, int) and burst >= 1):
            raise ValidationError(f"burst must be an integer >= 1, got {burst!r}", field="burst")
        self._clock = clock
        self._sleep = sleep
        self._burst = burst
        self._interval = 1.0 / rate
        self._next = -math.inf  # the theoretical arrival time of the next request

    @property
    def rate(self) -> float:
        """Requests per second allowed now; assignable (an adaptive policy changes it)."""
        return 1.0 / self._interval

    @rate.setter
    def rate(self, value: float) -> None:
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"rate must be positive, got {value!r}")
        self._interval = 1.0 / value

    async def acquire(self) -> None:
        """Book the next free instant and wait until it comes."""
        now = self._clock()
        interval = self._interval
        arrival = self._next if self._next > now else now
        self._next = arrival + interval
        wait = arrival - (self._burst - 1) * interval - now
        if wait > 0:
            await self._sleep(wait)

    def on_response(self, status_code: int) -> None:
        """Hook called with every response status; the fixed-rate bucket ignores it."""
