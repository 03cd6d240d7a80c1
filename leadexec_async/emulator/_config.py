"""The emulator's settings and their defaults (shared by the command, the Python API and the plugin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import _constants as C
from ._clock import Clock, monotonic
from ._faults import FaultPlan, parse_faults

__all__ = ["EmulatorConfig"]


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that shapes one emulator.

    ``client_id``/``client_secret`` are the credentials the token endpoint accepts;
    ``token`` is one static bearer token also accepted. When none of the three is given
    the defaults ``EMULATOR_CLIENT_ID`` / ``EMULATOR_CLIENT_SECRET`` of
    :mod:`leadexec_async._constants` apply.
    ``rate_limit`` is requests per second per token (``None``: unlimited). ``faults`` is
    a :class:`FaultPlan` or its text form; ``seed`` fixes the fault sequence. ``db``
    keeps the records in SQLite. ``clock`` (seconds, monotonic) drives token expiry
    and the rate limit, so tests can move time instead of sleeping.
    """

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    token_ttl: float = C.EMULATOR_TOKEN_TTL
    rate_limit: float | None = None
    faults: FaultPlan | str | None = None
    seed: int | None = None
    db: str | Path | None = None
    body_limit: int = C.EMULATOR_BODY_LIMIT
    fault_retry_after: int = C.EMULATOR_FAULT_RETRY_AFTER
    clock: Clock = field(default=monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.client_id is None) != (self.client_secret is None):
            raise ValueError("client_id and client_secret go together: give both or neither")
        if self.client_id is None and self.token is None:
            object.__setattr__(self, "client_id", C.EMULATOR_CLIENT_ID)
            object.__setattr__(self, "client_secret", C.EMULATOR_CLIENT_SECRET)
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
