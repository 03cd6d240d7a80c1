"""One call to the API, from first attempt to result or error.

Every request of a client walks :meth:`Pipeline.request`:

1. auth: the ``Authorization`` value (a token request, itself a pipeline
   call, when the token is missing or due; taken before a slot so that a
   caller waiting for a token holds none);
2. concurrency limiter, then rate limiter (the slot is held only while the
   request is on the wire, never during a backoff sleep);
3. send through the client's wire (:mod:`leadexec_async._wire`; aiohttp's
   under asyncio, see :mod:`leadexec_async._aiohttp_wire`) when it has one,
   else through its :class:`httpx.AsyncClient` (``transport=``,
   ``http_client=``, trio);
4. classify: 2xx goes to ``parse``; 401 gets one token renewal and one resend
   (a request answered 401 was refused, so resending a create is safe);
   anything else is looked up in :mod:`leadexec_async._retry`;
5. retry after a backoff, or raise. Every error raised after sending carries
   ``attempts``. Once the client is closed (:meth:`Pipeline.close`), no
   further attempt starts: a call waiting to retry raises
   :class:`~leadexec_async.ClientClosedError`.

A DEBUG line is logged per attempt and an INFO line per retry; messages are
only formatted when that level is on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from ._auth import ClientCredentialsAuth, StaticAuth
from ._constants import URL_CACHE_SIZE
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    LeadExecError,
    OutcomeUnknownError,
    UnexpectedResponseError,
    error_for_response,
)
from ._limits import ConcurrencyLimiter, RateLimiter
from ._logging import logger, redact
from ._reply import Reply, WireReply, send_json
from ._retry import Action, Kind, RetryPolicy, classify_exception, classify_status, parse_retry_after
from ._wire import Wire

T = TypeVar("T")
Auth = StaticAuth | ClientCredentialsAuth
Sleep = Callable[[float], Awaitable[None]]
Mask = Callable[[Mapping[str, Any]], Mapping[str, Any]]

_DEBUG = logging.DEBUG
_DETAIL_DEPTH = 8  # how far down an exception chain a failure's text is looked for
_INFO = logging.INFO
_perf = time.perf_counter
_SPENT = httpx.ByteStream(b"")  # stands in for the stream of a response already read


def _detail(failure: BaseException) -> str:
    """The failure's text, or else the first non-empty text down its chain (e.g. a TLS error under trio)."""
    exc: BaseException | None = failure
    for _ in range(_DETAIL_DEPTH):
        if exc is None:
            break
        text = str(exc)
        if text:
            return text if exc is failure else f"{type(exc).__name__}: {text}"
        exc = exc.__cause__ or exc.__context__
    return ""


class Pipeline:
    """The request loop shared by every resource and by the token request."""

    __slots__ = (
        "_auth",
        "_base",
        "_closed",
        "_concurrency",
        "_http",
        "_mask",
        "_policy",
        "_rate",
        "_secret_fields",
        "_sleep",
        "_urls",
        "_wire",
    )

    def __init__(
        self,
        *,
        http: httpx.AsyncClient | None,
        base_url: str,
        auth: Auth | None,
        concurrency: ConcurrencyLimiter,
        rate: RateLimiter | None,
        policy: RetryPolicy,
        sleep: Sleep,
        mask: Mask,
        secret_fields: frozenset[str] = frozenset(),
        wire: Wire | None = None,
    ) -> None:
        if (http is None) == (wire is None):
            raise ValueError("a pipeline sends through an httpx client or a wire, exactly one")
        self._http = http
        self._wire = wire
        self._base = base_url
        # path -> parsed URL: parsing a URL string is a sizeable part of httpx's cost per
        # request, and bulk work repeats few paths (bounded: cleared when full).
        self._urls: dict[str, httpx.URL] = {}
        self._auth = auth
        self._concurrency = concurrency
        self._rate = rate
        self._policy = policy
        self._sleep = sleep
        self._mask = mask
        self._secret_fields = secret_fields
        self._closed = False

    def close(self) -> None:
        """Refuse every further attempt (the client is closing its connections)."""
        self._closed = True

    async def request(
        self,
        kind: Kind,
        method: str,
        path: str,
        body: Mapping[str, Any],
        headers: dict[str, str],
        operation: str,
        parse: Callable[[Reply], T],
    ) -> T:
        """Send ``body`` as JSON to ``path`` until it succeeds or may not be repeated.

        ``headers`` is owned by the call (the pipeline adds ``Authorization``
        to it). ``parse`` turns a 2xx response into the result; its
        :class:`LeadExecError` gets ``attempts`` set like any other.
        """
        wire = self._wire
        target = self._base + path
        url = None if wire is not None else self._urls.get(path)
        if url is None and wire is None:
            url = httpx.URL(target)
            if len(self._urls) >= URL_CACHE_SIZE:
                self._urls.clear()
            self._urls[path] = url
        auth = None if kind is Kind.TOKEN else self._auth
        policy = self._policy
        concurrency = self._concurrency
        rate = self._rate
        send = self._http.request if self._http is not None else None
        attempt = 0
        retries = 0
        renewed = False
        header = ""
        while True:
            if auth is not None:
                current = auth.current()
                header = current if current is not None else await auth.get()
                headers["Authorization"] = header
            attempt += 1
            response: Reply | None = None
            failure: httpx.RequestError | None = None
            await concurrency.acquire()
            try:
                if rate is not None:
                    await rate.acquire()
                if self._closed:
                    raise self._closed_error(attempt - 1)
                started = _perf()
                try:
                    if wire is not None:
                        response = await send_json(wire, method, target, body, headers)
                    else:
                        assert send is not None
                        assert url is not None
                        sent = await send(method, url, json=body, headers=headers)
                        # httpx links a response and its stream both ways, so every response
                        # would wait for the cycle collector; the body is read and the stream
                        # closed by now, so drop the link and let it go when it is no longer used.
                        sent.stream = _SPENT
                        response = sent
                except httpx.RequestError as exc:
                    failure = exc
            finally:
                concurrency.release()

            if response is not None:
                status = response.status_code
                if logger.isEnabledFor(_DEBUG):
                    logger.debug(
                        "%s %s -> %d in %.1f ms (attempt %d)",
                        method.upper(),
                        path,
                        status,
                        (_perf() - started) * 1000.0,
                        attempt,
                    )
                if rate is not None:
                    rate.on_response(status)
                if 200 <= status < 300:
                    try:
                        return parse(response)
                    except LeadExecError as exc:
                        exc.attempts = attempt
                        self._redact(exc, body)
                        raise
                if status == 401 and auth is not None and auth.renewable and not renewed:
                    renewed = True
                    await auth.renew(header)
                    self._log_retry(method, path, "401, renewing the token", attempt, 0.0)
                    continue
                action = classify_status(kind, status)
                retry_after = (
                    parse_retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
                )
                if action is Action.RETRY and retries < policy.max_retries and policy.honours(retry_after):
                    retries += 1
                    delay = policy.delay(retries, retry_after)
                    self._log_retry(method, path, str(status), attempt, delay)
                    await self._sleep(delay)
                    continue
                error: LeadExecError = self._status_error(response, retry_after, body)
                if action is Action.UNKNOWN:
                    error = self._unknown(method, path, body, operation, error)
            else:
                assert failure is not None
                if logger.isEnabledFor(_DEBUG):
                    logger.debug(
                        "%s %s -> %s after %.1f ms (attempt %d)",
                        method.upper(),
                        path,
                        type(failure).__name__,
                        (_perf() - started) * 1000.0,
                        attempt,
                    )
                action = classify_exception(kind, failure)
                if action is Action.RETRY and retries < policy.max_retries:
                    retries += 1
                    delay = policy.delay(retries, None)
                    self._log_retry(method, path, type(failure).__name__, attempt, delay)
                    await self._sleep(delay)
                    continue
                error = self._connection_error(method, path, failure, body)
                if action is Action.UNKNOWN:
                    error = self._unknown(method, path, body, operation, error)
            error.attempts = attempt
            raise error

    # -- helpers (error path only) ------------------------------------------------

    @staticmethod
    def _closed_error(attempts: int) -> ClientClosedError:
        error = ClientClosedError("the LeadExecClient was closed before this call could finish")
        error.attempts = attempts
        return error

    def _secrets(self, body: Mapping[str, Any]) -> list[str]:
        """Every string that must not reach a message: the credentials (a token request's
        ``client_secret`` among them), and the body's password values."""
        found = list(self._auth.secrets()) if self._auth is not None else []
        fields = self._secret_fields
        stack: list[Any] = [body]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                for key, value in item.items():
                    if key in fields and isinstance(value, str):
                        found.append(value)
                    elif isinstance(value, Mapping | list):
                        stack.append(value)
            elif isinstance(item, list):
                stack.extend(item)
        return sorted(found, key=len, reverse=True)

    def _redact(self, error: LeadExecError, body: Mapping[str, Any]) -> None:
        """Take every secret out of ``error``'s message and of the body it quotes."""
        secrets = self._secrets(body)
        error.args = tuple(redact(a, secrets) if isinstance(a, str) else a for a in error.args)
        if isinstance(error, APIStatusError | UnexpectedResponseError):
            error.body = redact(error.body, secrets)

    def _status_error(
        self, response: Reply, retry_after: float | None, body: Mapping[str, Any]
    ) -> APIStatusError:
        full = response.to_httpx() if isinstance(response, WireReply) else response
        assert isinstance(full, httpx.Response)
        error = error_for_response(full, retry_after=retry_after)
        self._redact(error, body)
        return error

    def _connection_error(
        self, method: str, path: str, failure: httpx.RequestError, body: Mapping[str, Any]
    ) -> APIConnectionError:
        detail = redact(_detail(failure), self._secrets(body)) or "no detail"
        message = f"{method.upper()} {path} failed: {type(failure).__name__}: {detail}"
        cls = APITimeoutError if isinstance(failure, httpx.TimeoutException) else APIConnectionError
        error = cls(message)
        error.__cause__ = failure
        return error

    def _unknown(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any],
        operation: str,
        cause: LeadExecError,
    ) -> OutcomeUnknownError:
        reason = (
            f"answered {cause.status_code}"
            if isinstance(cause, APIStatusError)
            else f"failed after sending ({type(cause.__cause__ or cause).__name__})"
        )
        error = OutcomeUnknownError(
            f"{method.upper()} {path} (a create) {reason}; the record may or may not exist, "
            "so it was not sent again. Look it up before retrying.",
            payload=self._mask(body),
            operation=operation,
        )
        error.__cause__ = cause
        return error

    @staticmethod
    def _log_retry(method: str, path: str, reason: str, attempt: int, delay: float) -> None:
        if logger.isEnabledFor(_INFO):
            logger.info(
                "%s %s: %s on attempt %d; retrying in %.2f s", method.upper(), path, reason, attempt, delay
            )
