"""Who may call, and how often: bearer tokens and the per-token rate limit."""

from __future__ import annotations

import hmac
import math
import secrets
import threading

from ._clock import Clock

__all__ = ["RateLimiter", "Tokens"]


class Tokens:
    """Issues expiring bearer tokens for one id/secret pair, and accepts one optional static token."""

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        static_token: str | None,
        ttl: float,
        clock: Clock,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._static = static_token
        self.ttl = ttl
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def credentials_match(self, client_id: str, client_secret: str) -> bool:
        """True when the pair is the configured one (compared in constant time)."""
        if self._client_id is None or self._client_secret is None:
            return False
        same_id = hmac.compare_digest(client_id.encode(), self._client_id.encode())
        same_secret = hmac.compare_digest(client_secret.encode(), self._client_secret.encode())
        return same_id and same_secret

    def issue(self) -> str:
        """Return a new token valid for ``ttl`` seconds from now."""
        token = "emu_" + secrets.token_urlsafe(24)
        now = self._clock()
        with self._lock:
            if len(self._expiry) > 10_000:  # drop expired tokens now and then
                self._expiry = {t: e for t, e in self._expiry.items() if e > now}
            self._expiry[token] = now + self.ttl
        return token

    def valid(self, token: str) -> bool:
        """True for the static token or an issued token that has not expired."""
        if self._static is not None and hmac.compare_digest(token.encode(), self._static.encode()):
            return True
        expiry = self._expiry.get(token)
        return expiry is not None and self._clock() < expiry


class RateLimiter:
    """A token bucket per key: ``rate`` requests per second, bursts of up to ``rate``
    (at least one).

    :meth:`acquire` returns 0 when the request may go on, otherwise the whole number of
    seconds (at least 1) after which one will be allowed: the ``Retry-After`` value.
    """

    def __init__(self, rate: float, clock: Clock) -> None:
        if rate <= 0:
            raise ValueError("rate limit must be positive")
        self.rate = rate
        self._capacity = max(1.0, rate)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Refill every bucket."""
        with self._lock:
            self._buckets.clear()

    def acquire(self, key: str) -> int:
        """Take one request from ``key``'s bucket; return 0, or the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))
