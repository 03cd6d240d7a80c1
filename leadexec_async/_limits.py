"""Client-side limits: requests in flight, and requests per second.

:class:`ConcurrencyLimiter` caps the requests in flight across everything that
shares a client (token requests included). :class:`RateLimiter` is a token
bucket shared the same way. Both are created lazily inside the running event
loop, so they work under asyncio and trio alike.

The rate limiter is the seam for an adaptive rate: the pipeline calls
:meth:`RateLimiter.on_response` with every status it receives, and
:attr:`RateLimiter.rate` may be changed at any time.
:class:`AdaptiveRateLimiter` uses it to find the server's rate on its own: it
slows down to what the server accepted when answers come back 429, and probes
back up while none do.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

import anyio

from . import _constants as C
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
        self._interval = 1.0 / rate  # 0.0 = unlimited (only an adaptive rate starts so)
        self._next = -math.inf  # the theoretical arrival time of the next request
        self._waited = False  # a caller had to wait (the adaptive rate reads and clears it)

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
        """Book the next free instant and wait until it comes (return at once while unlimited)."""
        interval = self._interval
        if not interval:
            return
        now = self._clock()
        arrival = self._next if self._next > now else now
        self._next = arrival + interval
        wait = arrival - (self._burst - 1) * interval - now
        if wait > 0:
            self._waited = True
            await self._sleep(wait)

    def on_response(self, status_code: int) -> None:
        """Hook called with every response status; the fixed-rate bucket ignores it."""


class AdaptiveRateLimiter(RateLimiter):
    """A rate that follows the server's: slower after 429 answers, probing back up without them.

    ``ceiling`` is the most it ever allows (``rate_limit`` given to the client,
    where it also starts), or ``None``: then it starts unlimited and costs
    nothing until the first 429.

    It counts answers in windows of ``C.ADAPTIVE_WINDOW`` seconds: 429s, and
    accepted ones, which is every other status (a 4xx or 5xx answer got past
    the server's rate limit too, so it counts towards the rate). At the end of
    a window that saw a 429, the server was refusing part of what was sent, so
    what it accepted in the window is its rate: the limit becomes the accepted
    rate times ``1 + C.ADAPTIVE_HEADROOM`` (a little over it, so the server
    stays busy), but falls by at most ``C.ADAPTIVE_MAX_DECREASE`` in one window
    (callers waiting out a ``Retry-After`` send less, so a window may
    understate the server's rate); the first fall, from unlimited, starts from
    the most the server accepted in a window so far. At the end of a window
    without a 429 in which callers had to wait for the limiter (it was what
    held them back), the limit grows by ``C.ADAPTIVE_PROBE``. A server's own
    burst allowance absorbs the overshoot of probing; the few requests
    answered 429 wait out their ``Retry-After`` and are sent again by the
    retry rules.

    Every 429 counts, whatever its ``Retry-After``: a real server's 429 means
    "too many requests", and servers that round a sub-second wait down send
    ``Retry-After: 0`` with it (ASP.NET Core's documented rate-limiter sample
    does), so taking 0 as "no sign of load" would keep a client that is over
    the limit at full pace, resending at once, and a bulk run would lose items
    to 429s. The cost falls on servers that answer 429 at random rather than
    from load (the emulator's injected ``429`` faults): no client can tell
    those from load, so there the rate drifts lower than the server needs.
    """

    def __init__(
        self,
        ceiling: float | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        super().__init__(ceiling if ceiling is not None else 1.0, clock=clock, sleep=sleep)
        self.ceiling = ceiling
        if ceiling is None:
            self._interval = 0.0  # unlimited until the first 429
        self._fastest = 0.0  # the most accepted per second in a window without 429
        self._last = -math.inf  # when the last answer came
        self._open(clock())

    @property
    def rate(self) -> float:
        """Requests per second allowed now (``inf`` while unlimited)."""
        return 1.0 / self._interval if self._interval else math.inf

    @rate.setter
    def rate(self, value: float) -> None:
        if not (value > 0):
            raise ValueError(f"rate must be positive, got {value!r}")
        if self.ceiling is not None:
            value = min(value, self.ceiling)
        self._interval = 0.0 if math.isinf(value) else 1.0 / max(value, C.ADAPTIVE_MIN_RATE)

    def on_response(self, status_code: int) -> None:
        """Count a 429 or an accepted answer (any other status); at the end of a window, adjust the rate.

        A window without a 429 in which nothing was answered for longer than
        a window's length held idle time, which says nothing of the server's
        rate: it is dropped, and a fresh one starts with this answer (so a
        client idle for an hour does not read its next 429s as a server
        accepting almost nothing). A window with a 429 is kept: its callers
        were waiting out ``Retry-After``, and the fall is what it must measure.
        """
        now = self._clock()
        if now - self._last > C.ADAPTIVE_WINDOW and not self._limited:
            self._open(now)
        self._last = now
        if status_code == 429:
            self._limited += 1
        else:
            self._accepted += 1
        if now - self._window_start >= C.ADAPTIVE_WINDOW:
            self._adjust(now)

    def _open(self, now: float) -> None:
        """Start a fresh window at ``now``."""
        self._window_start = now
        self._accepted = 0
        self._limited = 0
        self._waited = False

    def _adjust(self, now: float) -> None:
        elapsed = now - self._window_start
        accepted = self._accepted / elapsed
        current = self.rate
        if self._limited:
            # Unlimited so far: fall from the fastest the server has accepted instead.
            reference = max(self._fastest, accepted) if math.isinf(current) else current
            target = max(accepted * (1.0 + C.ADAPTIVE_HEADROOM), reference * (1.0 - C.ADAPTIVE_MAX_DECREASE))
            self.rate = max(target, C.ADAPTIVE_MIN_RATE)
        else:
            self._fastest = max(self._fastest, accepted)
            if self._waited and not math.isinf(current):
                self.rate = current * (1.0 + C.ADAPTIVE_PROBE)
        self._open(now)
