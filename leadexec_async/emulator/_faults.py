"""Fault injection: which fault, if any, each API request gets.

A plan is written ``"429:0.05,503:0.05,500:0.02,drop-before:0.02,drop-after:0.01,latency:0.01-0.2"``:

* ``429``, ``503``: answered before anything else (before auth, nothing applied).
* ``500``: the request is processed normally (applied when valid), then answered 500,
  so the client cannot know whether it was applied, as the spec says of 500.
* ``drop-before``: the connection is closed without an answer and nothing is applied.
* ``drop-after``: the request is applied, then the connection is closed without an answer.
* ``latency:LOW-HIGH``: every request first sleeps a uniform random time in
  [LOW, HIGH] seconds; ``latency:P@LOW-HIGH`` does so with probability P.

At most one of 429/503/500/drop-before/drop-after hits a request; their probabilities
must add up to at most 1. Latency is drawn independently.

Determinism: the random generator is seeded and every request consumes exactly three
draws, whatever happens to it, so the n-th API request always gets the same fault for
the same seed. Faults scheduled explicitly (:meth:`Faults.schedule`) are served first,
to the next requests of the named operation, without touching the random sequence.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

from .._constants import EMULATOR_MAX_FAULT_TIMES as MAX_FAULT_TIMES

__all__ = ["FAULT_KINDS", "FaultPlan", "Faults", "parse_faults"]

# the order in which the cumulative probability is laid out; part of the determinism contract
FAULT_KINDS = ("429", "503", "500", "drop-before", "drop-after")
LATENCY = "latency"


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities of each fault kind and the latency range."""

    rates: dict[str, float] = field(default_factory=dict)
    latency_probability: float = 0.0
    latency_range: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        for kind, rate in self.rates.items():
            if kind not in FAULT_KINDS:
                raise ValueError(
                    f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}, latency"
                )
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault {kind}: probability must be between 0 and 1, got {rate}")
        if sum(self.rates.values()) > 1.0 + 1e-9:
            raise ValueError("fault probabilities add up to more than 1")
        low, high = self.latency_range
        if not 0.0 <= self.latency_probability <= 1.0:
            raise ValueError("latency: probability must be between 0 and 1")
        if low < 0 or high < low:
            raise ValueError(f"latency: range must be LOW-HIGH with 0 <= LOW <= HIGH, got {low}-{high}")

    @property
    def active(self) -> bool:
        """True when the plan injects anything."""
        return any(rate > 0 for rate in self.rates.values()) or self.latency_probability > 0


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a number") from None


def parse_faults(text: str | None) -> FaultPlan:
    """Parse a ``--faults`` string; raises :class:`ValueError` naming the bad item."""
    if not text or not text.strip():
        return FaultPlan()
    rates: dict[str, float] = {}
    latency_probability = 0.0
    latency_range = (0.0, 0.0)
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        kind, sep, value = item.partition(":")
        kind = kind.strip()
        if not sep:
            raise ValueError(f"fault {item!r}: expected KIND:VALUE")
        if kind == LATENCY:
            probability, at, span = value.rpartition("@")
            latency_probability = _number(probability, "latency probability") if at else 1.0
            low, dash, high = span.partition("-")
            if not dash:
                raise ValueError(f"latency: expected LOW-HIGH seconds, got {span!r}")
            latency_range = (_number(low, "latency"), _number(high, "latency"))
        else:
            if kind in rates:
                raise ValueError(f"fault {kind!r} given twice")
            rates[kind] = _number(value, f"fault {kind}")
    return FaultPlan(rates=rates, latency_probability=latency_probability, latency_range=latency_range)


@dataclass(frozen=True)
class Draw:
    """What one request gets: a fault kind (or None) and a latency in seconds (0 for none)."""

    kind: str | None
    latency: float


class Faults:
    """The seeded fault sequence plus a queue of explicitly scheduled faults. Thread-safe."""

    def __init__(self, plan: FaultPlan, seed: int | None) -> None:
        self.plan = plan
        self.seed = seed
        self._lock = threading.Lock()
        self._rng = random.Random(seed)  # noqa: S311 - a reproducible test sequence, not a secret
        self._scheduled: deque[tuple[str, str | None]] = deque()

    def reset(self) -> None:
        """Restart the random sequence from the seed and forget scheduled faults."""
        with self._lock:
            self._rng = random.Random(self.seed)  # noqa: S311 - reproducible on purpose
            self._scheduled.clear()

    def schedule(self, kind: str, *, operation: str | None = None, times: int = 1) -> None:
        """Give the next ``times`` requests (of ``operation``, or any) the fault ``kind``.

        ``times`` is an integer from 1 to ``EMULATOR_MAX_FAULT_TIMES``, which also bounds
        every fault waiting to be drawn; anything else raises :class:`ValueError`.
        """
        if not isinstance(kind, str) or kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_FAULT_TIMES:
            raise ValueError(f"times must be an integer from 1 to {MAX_FAULT_TIMES}, got {times!r:.40}")
        if operation is not None and not isinstance(operation, str):
            raise ValueError(f"operation must be an operationId (a string), got {type(operation).__name__}")
        with self._lock:
            if len(self._scheduled) + times > MAX_FAULT_TIMES:
                waiting = len(self._scheduled)
                raise ValueError(
                    f"at most {MAX_FAULT_TIMES} faults may wait to be drawn; {waiting} already do"
                )
            self._scheduled.extend([(kind, operation)] * times)

    def draw(self, operation: str) -> Draw:
        """Return the fault of the next request of ``operation``."""
        with self._lock:
            for index, (kind, wanted) in enumerate(self._scheduled):
                if wanted is None or wanted == operation:
                    del self._scheduled[index]
                    return Draw(kind, 0.0)
            if not self.plan.active:
                return Draw(None, 0.0)
            pick, latency_pick, latency_value = self._rng.random(), self._rng.random(), self._rng.random()
        chosen: str | None = None
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += self.plan.rates.get(kind, 0.0)
            if pick < edge:
                chosen = kind
                break
        latency = 0.0
        if latency_pick < self.plan.latency_probability:
            low, high = self.plan.latency_range
            latency = low + (high - low) * latency_value
        return Draw(chosen, latency)
