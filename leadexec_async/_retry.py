"""Which failure may be repeated, and how long to wait before repeating it.

The API has no idempotency key, so a request is repeated only when repeating
it cannot create a second record:

=========================================  ===========  ==================  ===========
failure                                    update (id>0) create (id 0)       token
=========================================  ===========  ==================  ===========
no connection made (connect error,         retry        retry               retry
connect timeout, pool timeout)
may have reached the server (read/write    retry        OutcomeUnknownError retry
timeout, the attempt's deadline, dropped
connection, read/write error, protocol
error, a body that cannot be decoded or
is over its cap)
an exception of no known kind              raise        OutcomeUnknownError raise
408                                        retry        raise               retry
429                                        retry        retry               retry
500, 502, 504                              retry        OutcomeUnknownError retry
503                                        retry        retry               retry
other 5xx (incl. 520-527)                  raise        OutcomeUnknownError raise
501, 505, 511                              raise        raise               raise
any other status                           raise        raise               raise
=========================================  ===========  ==================  ===========

A 401 is handled by the pipeline (one token renewal, one resend) before this
table is consulted. Waits follow :meth:`RetryPolicy.delay`; a ``Retry-After``
longer than ``max_wait`` is never waited out (:meth:`RetryPolicy.honours`).
A bulk run sends again a call that ended in 429 through all its retries, as
:meth:`RetryPolicy.resend_delay` says.
"""

from __future__ import annotations

import email.utils
import enum
import math
import random
import time
from collections.abc import Callable

import httpx

from . import _constants as C
from ._wire import UnexpectedFailureError


class Kind(enum.IntEnum):
    """What a request does, which decides what may be repeated."""

    CREATE = 0  #: a record with id 0: repeating may duplicate it
    UPDATE = 1  #: a record with its id: repeating replaces it again
    TOKEN = 2  #: a token request: repeating is harmless


class Action(enum.IntEnum):
    """What to do with a failed attempt."""

    RETRY = 0
    RAISE = 1
    UNKNOWN = 2  #: a create may have been applied: raise OutcomeUnknownError


_REPEATABLE = frozenset({408, 429, 500, 502, 503, 504})
_CREATE_REPEATABLE = frozenset({429, 503})
_RANDOM = random.random  # the default jitter source (a name the parameter `random` does not shadow)
_NOT_APPLIED_5XX = frozenset({501, 503, 505, 511})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_NEVER_SENT_FATAL = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def classify_status(kind: Kind, status: int) -> Action:
    """The action for a non-2xx ``status`` (any integer, IANA-listed or not)."""
    if kind is Kind.CREATE:
        if status in _CREATE_REPEATABLE:
            return Action.RETRY
        if status >= 500 and status not in _NOT_APPLIED_5XX:
            return Action.UNKNOWN
        return Action.RAISE
    return Action.RETRY if status in _REPEATABLE else Action.RAISE


def classify_exception(kind: Kind, exc: httpx.RequestError) -> Action:
    """The action for a failure of the wire (see :mod:`leadexec_async._wire`)."""
    if isinstance(exc, _NOT_SENT):
        return Action.RETRY
    if isinstance(exc, _NEVER_SENT_FATAL):
        return Action.RAISE
    if kind is Kind.CREATE:
        return Action.UNKNOWN
    return Action.RAISE if isinstance(exc, UnexpectedFailureError) else Action.RETRY


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    Returns ``None`` when the value is missing or unreadable, and never a
    negative number. ``now`` is the current Unix time (for tests).
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RetryPolicy:
    """Retry knobs: how many repeats, the backoff curve and the longest honoured ``Retry-After``.

    Before repeat ``n`` (1-based) the wait is the server's ``Retry-After`` when
    it sent one, else ``min(initial * 2**(n-1), maximum) * (1 - 0.25 * random())``.
    """

    __slots__ = ("initial", "max_retries", "max_wait", "maximum", "random")

    def __init__(
        self,
        *,
        max_retries: int = C.DEFAULT_MAX_RETRIES,
        initial: float = C.DEFAULT_BACKOFF_INITIAL,
        maximum: float = C.DEFAULT_BACKOFF_MAX,
        max_wait: float = C.DEFAULT_MAX_RETRY_WAIT,
        random: Callable[[], float] = _RANDOM,
    ) -> None:
        self.max_retries = max_retries
        self.initial = initial
        self.maximum = maximum
        self.max_wait = max_wait
        self.random = random

    def delay(self, retry_number: int, retry_after: float | None) -> float:
        """Seconds to wait before repeat ``retry_number`` (1 for the first repeat)."""
        if retry_after is not None:
            return retry_after
        base = min(self.initial * 2.0 ** (retry_number - 1), self.maximum)
        return base * (1.0 - C.BACKOFF_JITTER * self.random())

    def honours(self, retry_after: float | None) -> bool:
        """Whether a server's ``Retry-After`` may be waited out (none given, or at most ``max_wait``)."""
        return retry_after is None or retry_after <= self.max_wait

    def resend_delay(self, resends: int, retry_after: float | None) -> float | None:
        """Seconds before a bulk run sends again a call that ended in :class:`RateLimitError`.

        A 429 is refused before anything is applied, so sending again is safe
        for creates too. ``resends`` is how many times the call was already
        sent again this way; the wait is its ``Retry-After``, or else the first
        backoff. ``None`` means fail with the error instead: after
        ``BULK_RATE_LIMITED_RESENDS`` resends, or when ``Retry-After`` is longer
        than ``max_wait``.
        """
        if resends >= C.BULK_RATE_LIMITED_RESENDS or not self.honours(retry_after):
            return None
        return self.delay(1, retry_after)
