"""The emulator's settings and their defaults (shared by the command, the Python API and the plugin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._clock import Clock, monotonic
from ._faults import FaultPlan, parse_faults

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_FAULT_RETRY_AFTER",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN_TTL",
    "EmulatorConfig",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
# Used when neither credentials nor a static token are given: a local emulator
# must accept some credentials out of the box. They guard nothing of value.
DEFAULT_CLIENT_ID = "emulator-client"
DEFAULT_CLIENT_SECRET = "emulator-secret"  # noqa: S105 - a documented default of a local test server
DEFAULT_TOKEN_TTL = 3600.0
DEFAULT_BODY_LIMIT = 1024 * 1024  # bytes; a larger body is answered 400
# Retry-After of injected 429 / 503 faults: they simulate chance failures, not load,
# so the client may retry at once (its own backoff still applies).
DEFAULT_FAULT_RETRY_AFTER = 0


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that shapes one emulator.

    ``client_id``/``client_secret`` are the credentials the token endpoint accepts;
    ``token`` is one static bearer token also accepted. When none of the three is given
    the defaults :data:`DEFAULT_CLIENT_ID` / :data:`DEFAULT_CLIENT_SECRET` apply.
    ``rate_limit`` is requests per second per token (``None``: unlimited). ``faults`` is
    a :class:`FaultPlan` or its text form; ``seed`` fixes the fault sequence. ``db``
    keeps the records in SQLite. ``clock`` (seconds, monotonic) drives token expiry
    and the rate limit, so tests can move time instead of sleeping.
    """

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    token_ttl: float = DEFAULT_TOKEN_TTL
    rate_limit: float | None = None
    faults: FaultPlan | str | None = None
    seed: int | None = None
    db: str | Path | None = None
    body_limit: int = DEFAULT_BODY_LIMIT
    fault_retry_after: int = DEFAULT_FAULT_RETRY_AFTER
    clock: Clock = field(default=monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.client_id is None) != (self.client_secret is None):
            raise ValueError("client_id and client_secret go together: give both or neither")
        if self.client_id is None and self.token is None:
            object.__setattr__(self, "client_id", DEFAULT_CLIENT_ID)
            object.__setattr__(self, "client_secret", DEFAULT_CLIENT_SECRET)
        if self.token_ttl <= 0:
            raise ValueError("token_ttl must be positive")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("rate_limit must be positive")
        if self.body_limit < 1:
            raise ValueError("body_limit must be positive")
        if self.fault_retry_after < 0:
            raise ValueError("fault_retry_after must not be negative")
        if not isinstance(self.faults, FaultPlan):
            object.__setattr__(self, "faults", parse_faults(self.faults))

    @property
    def fault_plan(self) -> FaultPlan:
        """The parsed fault plan."""
        assert isinstance(self.faults, FaultPlan)
        return self.faults
