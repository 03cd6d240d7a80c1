"""Where the ``Authorization`` header comes from.

:class:`StaticAuth` sends a bearer token given by the caller; it cannot be
renewed, so a 401 is final. :class:`ClientCredentialsAuth` asks
``POST /v1/authorization/token`` for a token: one request serves every
concurrent caller (single flight), the token is renewed
``TOKEN_RENEW_MARGIN`` seconds before ``expires_in`` runs out (at half its
life for short-lived tokens), and :meth:`ClientCredentialsAuth.renew` replaces
a token the server refused, once for all the callers that saw it refused.

Tokens and secrets are held in :class:`~leadexec_async._logging.Secret`, so no
repr shows them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import anyio

from ._constants import PAST_TOKENS_HIDDEN, TOKEN_RENEW_MARGIN
from ._logging import Secret, logger

#: Fetches a token: returns ``(access_token, expires_in_seconds)``.
TokenFetcher = Callable[[], Awaitable[tuple[str, float]]]


class StaticAuth:
    """A fixed bearer token."""

    __slots__ = ("_header",)
    renewable = False

    def __init__(self, token: str) -> None:
        self._header = Secret("Bearer " + token)

    def current(self) -> str | None:
        """The header value; always available."""
        return self._header.value

    async def get(self) -> str:
        """The header value."""
        return self._header.value

    async def renew(self, stale: str) -> str:
        """A static token cannot be renewed; returns it unchanged."""
        return self._header.value

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in messages."""
        return (self._header.value[7:],)

    def __repr__(self) -> str:
        return "StaticAuth(token=***)"


class _Flight:
    """One token request in progress: waiters wait on ``done``, then take ``header`` or ``failure``.

    Neither is set when the leader was cancelled: a waiter then leads a new request.
    """

    __slots__ = ("done", "failure", "header")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.failure: Exception | None = None
        self.header: Secret | None = None


class ClientCredentialsAuth:
    """Client-credentials tokens with single-flight fetching and early renewal."""

    renewable = True

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = TOKEN_RENEW_MARGIN,
    ) -> None:
        self.client_id = client_id
        self.client_secret = Secret(client_secret)
        self._clock = clock
        self._margin = margin
        self._fetch: TokenFetcher | None = None
        self._header: Secret | None = None
        self._past: list[Secret] = []  # tokens replaced lately: a server may still quote them
        self._renew_at = -float("inf")
        self._flight: _Flight | None = None

    def bind(self, fetch: TokenFetcher) -> None:
        """Set the function that performs the token request (the pipeline's)."""
        self._fetch = fetch

    def current(self) -> str | None:
        """The header value if a token is held and not yet due for renewal, else ``None``."""
        header = self._header
        if header is not None and self._clock() < self._renew_at:
            return header.value
        return None

    async def get(self) -> str:
        """The header value, fetching a token first when none is valid."""
        header = self.current()
        if header is not None:
            return header
        return await self._refresh(None)

    async def renew(self, stale: str) -> str:
        """Replace the token ``stale`` (refused by the server) unless another caller already did."""
        return await self._refresh(stale)

    async def _refresh(self, stale: str | None) -> str:
        while True:
            header = self._header
            if header is not None and header.value != stale and self._clock() < self._renew_at:
                return header.value
            flight = self._flight
            if flight is None:
                return await self._lead()
            await flight.done.wait()
            if flight.failure is not None:
                raise flight.failure
            if flight.header is not None:
                # The token fetched for this caller, even if already due again (a token that
                # lives less than twice its fetch time would otherwise be fetched once per waiter).
                return flight.header.value

    async def _lead(self) -> str:
        assert self._fetch is not None, "ClientCredentialsAuth used before bind()"
        flight = self._flight = _Flight()
        try:
            started = self._clock()
            token, expires_in = await self._fetch()
            if self._header is not None:
                self._past = [*self._past[-(PAST_TOKENS_HIDDEN - 1) :], self._header]
            header = self._header = flight.header = Secret("Bearer " + token)
            self._renew_at = started + expires_in - min(self._margin, expires_in / 2)
            logger.debug("access token obtained, valid for %s s", expires_in)
            return header.value
        except Exception as exc:
            flight.failure = exc
            raise
        finally:
            self._flight = None
            flight.done.set()

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in messages: the secret, the current token and the
        few it replaced."""
        held = [self._header] if self._header is not None else []
        return (self.client_secret.value, *(h.value[7:] for h in (*self._past, *held)))

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(client_id={self.client_id!r}, client_secret=***)"
