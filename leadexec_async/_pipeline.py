"""One call to the API, from first attempt to result or error.

Every request of a client walks :meth:`Pipeline.request`:

1. auth: the ``Authorization`` value (a token request, itself a pipeline
   call, when the token is missing or due; taken before a slot so that a
   caller waiting for a token holds none);
2. concurrency limiter, then rate limiter (the slot is held only while the
   request is on the wire, never during a backoff sleep);
3. send through the client's :class:`~leadexec_async._wire.Wire`, under the
   attempt's overall deadline, with the answer's body capped (``max_body`` for
   a 2xx, ``max_error_body`` for the rest, in decoded bytes);
4. classify: 2xx goes to ``parse``; 401 gets one token renewal and one resend
   (a request answered 401 was refused, so resending a create is safe);
   anything else is looked up in :mod:`leadexec_async._retry`;
5. retry after a backoff, or raise. Every error raised after sending carries
   ``attempts``. Once the client is closed (:meth:`Pipeline.close`), no
   further attempt starts: a call waiting to retry raises
   :class:`~leadexec_async.ClientClosedError`.

A DEBUG line is logged per attempt and an INFO line per retry; messages are
only formatted when that level is on.

Every failure leaves as a :class:`~leadexec_async.LeadExecError`: an
exception of no known kind met while sending or parsing becomes
:class:`~leadexec_async._wire.UnexpectedFailureError` (a create failing so is
an unknown outcome). Secrets are taken out of every error before its message
is cut to a preview; transport exceptions are chained as redacted copies of
their own type, never as the originals (whose arguments may hold a header).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
import httpx

from ._auth import ClientCredentialsAuth, StaticAuth
from ._constants import ID_BODY_PREVIEW, USER_AGENT
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    LeadExecError,
    OutcomeUnknownError,
    UnexpectedResponseError,
    ValidationError,
    error_for_response,
    preview,
)
from ._limits import ConcurrencyLimiter, RateLimiter
from ._logging import Redactor, logger, redact
from ._retry import Action, Kind, RetryPolicy, classify_exception, classify_status, parse_retry_after
from ._tracing import CallTracer, note_retry  # [tracing]
from ._wire import Answer, AttemptTimeoutError, UnexpectedFailureError, Wire

T = TypeVar("T")
Auth = StaticAuth | ClientCredentialsAuth
Sleep = Callable[[float], Awaitable[None]]
Mask = Callable[[Mapping[str, Any]], Mapping[str, Any]]
#: Turns a 2xx answer into the result; raises :class:`Rejected` when the body is not what was expected.
Parse = Callable[[Answer], T]

_DEBUG = logging.DEBUG
_DETAIL_DEPTH = 8  # how far down an exception chain a failure's text is looked for
_INFO = logging.INFO
_perf = time.perf_counter
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_ACCEPT = "text/plain, application/json"
_WITHHELD = "<withheld>"
_WITHHELD_TOKEN = "<token response withheld>"  # noqa: S105 (a placeholder, not a secret)


class Rejected(Exception):
    """Raised by a parse callback: the 2xx body is not what was expected.

    ``what`` ends the message (``"... answered 200 {what}"``); the pipeline adds
    a redacted preview of the body, or withholds the body when ``withhold``.
    """

    def __init__(self, what: str, *, withhold: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.withhold = withhold


def _detail(failure: BaseException) -> str:
    """The failure's text, or else the first non-empty text down its chain (e.g. a TLS error under trio)."""
    exc: BaseException | None = failure
    for _ in range(_DETAIL_DEPTH):
        if exc is None:
            break
        try:
            text = str(exc)
        except Exception:
            text = ""
        if text:
            return text if exc is failure else f"{type(exc).__name__}: {text}"
        exc = exc.__cause__ or exc.__context__
    return ""


def _copy(failure: httpx.RequestError, text: str) -> httpx.RequestError:
    """A failure of ``failure``'s type carrying only ``text`` (redacted), with nothing chained."""
    try:
        copy = type(failure)(text)
    except Exception:
        copy = httpx.TransportError(text)
    copy.__cause__ = None
    copy.__context__ = None
    copy.__suppress_context__ = True
    return copy


class Pipeline:
    """The request loop shared by every resource and by the token request."""

    __slots__ = (
        "_attempt_timeout",
        "_auth",
        "_base",
        "_closed",
        "_concurrency",
        "_extra_secrets",
        "_mask",
        "_max_error_body",
        "_policy",
        "_rate",
        "_secret_fields",
        "_sleep",
        "_wire",
    )

    def __init__(
        self,
        *,
        wire: Wire,
        base_url: str,
        auth: Auth | None,
        concurrency: ConcurrencyLimiter,
        rate: RateLimiter | None,
        policy: RetryPolicy,
        sleep: Sleep,
        mask: Mask,
        attempt_timeout: float,
        max_error_body: int,
        secret_fields: frozenset[str] = frozenset(),
        extra_secrets: tuple[str, ...] = (),
    ) -> None:
        self._wire = wire
        self._base = base_url
        self._auth = auth
        self._concurrency = concurrency
        self._rate = rate
        self._policy = policy
        self._sleep = sleep
        self._mask = mask
        self._attempt_timeout = attempt_timeout
        self._max_error_body = max_error_body
        self._secret_fields = secret_fields
        self._extra_secrets = extra_secrets
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
        parse: Parse[T],
        max_body: int,
    ) -> T:
        """Send ``body`` as JSON to ``path`` until it succeeds or may not be repeated.

        ``headers`` is owned by the call (the pipeline adds ``Authorization``,
        ``Content-Type``, ``Accept`` and ``User-Agent`` to it, so every wire
        sends the same request). ``parse`` turns a 2xx answer into the
        result (its body at most ``max_body`` decoded bytes); its
        :class:`LeadExecError` gets ``attempts`` set like any other.
        """
        url = self._base + path
        try:
            content = _encode_json(body).encode()
        except (TypeError, ValueError, RecursionError) as exc:
            raise self._unsendable(exc, body) from None
        headers["Content-Type"] = "application/json"
        headers["Accept"] = _ACCEPT
        headers["User-Agent"] = USER_AGENT
        auth = None if kind is Kind.TOKEN else self._auth
        policy = self._policy
        concurrency = self._concurrency
        rate = self._rate
        send = self._wire.send
        deadline = self._attempt_timeout
        max_error_body = self._max_error_body
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
            answer: Answer | None = None
            failure: httpx.RequestError | None = None
            await concurrency.acquire()
            try:
                if rate is not None:
                    await rate.acquire()
                if self._closed:
                    raise self._closed_error(attempt - 1)
                started = _perf()
                try:
                    with anyio.move_on_after(deadline) as scope:
                        answer = await send(
                            method, url, headers, content, max_body=max_body, max_error_body=max_error_body
                        )
                    if scope.cancelled_caught:
                        answer = None
                        failure = AttemptTimeoutError(f"the attempt took longer than {deadline:g} s")
                except httpx.RequestError as exc:
                    failure = exc
                except Exception as exc:  # a last resort: nothing else may leave as is
                    failure = UnexpectedFailureError(f"{type(exc).__name__}: {_detail(exc)}")
            finally:
                concurrency.release()

            if answer is not None:
                status = answer.status
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
                    return self._parsed(kind, method, path, body, operation, parse, answer, attempt)
                if status == 401 and auth is not None and auth.renewable and not renewed:
                    renewed = True
                    await auth.renew(header)
                    self._log_retry(method, path, "401, renewing the token", attempt, 0.0)
                    continue
                action = classify_status(kind, status)
                retry_after = (
                    parse_retry_after(answer.headers.get("Retry-After")) if status in (429, 503) else None
                )
                if action is Action.RETRY and retries < policy.max_retries and policy.honours(retry_after):
                    retries += 1
                    delay = policy.delay(retries, retry_after)
                    self._log_retry(method, path, str(status), attempt, delay)
                    await self._sleep(delay)
                    continue
                error: LeadExecError = error_for_response(
                    answer,
                    method=method,
                    path=path,
                    url=url,
                    retry_after=retry_after,
                    secrets=self._secrets(body),
                )
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

    def _parsed(
        self,
        kind: Kind,
        method: str,
        path: str,
        body: Mapping[str, Any],
        operation: str,
        parse: Parse[T],
        answer: Answer,
        attempt: int,
    ) -> T:
        """``parse(answer)``, or the error of a 2xx answer that could not be read."""
        try:
            return parse(answer)
        except Rejected as rejected:
            error: LeadExecError = self._rejected(kind, method, path, answer, rejected, body)
        except LeadExecError as exc:
            self._redact(exc, body)
            error = exc
        except Exception as exc:  # a last resort: a create was applied, so its outcome is unknown
            failure = UnexpectedFailureError(f"{type(exc).__name__} while reading the answer")
            if kind is Kind.CREATE:
                error = self._unknown(
                    method, path, body, operation, self._connection_error(method, path, failure, body)
                )
            else:
                error = UnexpectedResponseError(
                    f"{method.upper()} {path} answered {answer.status} with a body that could not be read "
                    f"({type(exc).__name__})",
                    status_code=answer.status,
                    body=_WITHHELD_TOKEN if kind is Kind.TOKEN else _WITHHELD,
                )
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
        ``client_secret`` among them), the proxy's, and the body's password values."""
        found = list(self._auth.secrets()) if self._auth is not None else []
        found.extend(self._extra_secrets)
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
        hide = Redactor(self._secrets(body))
        error.args = tuple(hide(a) if isinstance(a, str) else a for a in error.args)
        if isinstance(error, APIStatusError | UnexpectedResponseError):
            error.body = hide(error.body)

    def _rejected(
        self, kind: Kind, method: str, path: str, answer: Answer, rejected: Rejected, body: Mapping[str, Any]
    ) -> UnexpectedResponseError:
        message = f"{method.upper()} {path} answered {answer.status} {rejected.what}"
        if rejected.withhold:
            kept = _WITHHELD_TOKEN if kind is Kind.TOKEN else _WITHHELD
        else:
            kept = redact(answer.body.decode("utf-8", "replace"), self._secrets(body))
            message += f": {preview(kept, ID_BODY_PREVIEW)!r}"
        return UnexpectedResponseError(message, status_code=answer.status, body=kept)

    def _unsendable(self, exc: Exception, body: Mapping[str, Any]) -> ValidationError:
        """A body that cannot be written as JSON (the builders make this unreachable); nothing was sent."""
        text = redact(f"{type(exc).__name__}: {exc}", self._secrets(body))
        return ValidationError(f"the request body cannot be sent as JSON: {text}")

    def _connection_error(
        self, method: str, path: str, failure: httpx.RequestError, body: Mapping[str, Any]
    ) -> APIConnectionError:
        detail = redact(_detail(failure), self._secrets(body)) or "no detail"
        message = f"{method.upper()} {path} failed: {type(failure).__name__}: {detail}"
        cls = APITimeoutError if isinstance(failure, httpx.TimeoutException) else APIConnectionError
        error = cls(message)
        error.__cause__ = _copy(failure, detail)
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
        note_retry(reason, attempt, delay)  # [tracing] a span event, when the call is traced
        if logger.isEnabledFor(_INFO):
            logger.info(
                "%s %s: %s on attempt %d; retrying in %.2f s", method.upper(), path, reason, attempt, delay
            )


# -- [tracing] hook: the pipeline of a client with tracing on ---------------------------


class TracedPipeline(Pipeline):
    """A :class:`Pipeline` whose every call is one span (:mod:`leadexec_async._tracing`).

    A subclass, so that a client without tracing runs the plain loop at no cost.
    """

    __slots__ = ("_tracer",)

    def __init__(self, *, tracer: CallTracer, **options: Any) -> None:
        super().__init__(**options)
        self._tracer = tracer

    async def request(
        self,
        kind: Kind,
        method: str,
        path: str,
        body: Mapping[str, Any],
        headers: dict[str, str],
        operation: str,
        parse: Parse[T],
        max_body: int,
    ) -> T:
        """:meth:`Pipeline.request` inside one span."""
        return await self._tracer.trace(
            super().request, kind, method, path, body, headers, operation, parse, max_body
        )
