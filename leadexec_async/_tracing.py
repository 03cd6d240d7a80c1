"""OpenTelemetry tracing: one span per LeadExec call, retry waits as its events.

Off unless asked for (``LeadExecClient(tracing=...)`` or ``LEADEXEC_TRACING``).
While it is off this module never imports ``opentelemetry`` and the pipeline
is the plain one: nothing is paid per call. :func:`note_retry` is the one
function the request loop calls on every retry; with no call being traced it
does one context-variable lookup.

A traced call is the whole of one ``Pipeline.request()``: every attempt, the
backoff sleeps between them, and a token request it had to make first (a
child span of its own). The span is the current span while the call runs, so
the spans of HTTP instrumentation (one per attempt) nest under it.

What a span carries, and only this (no body value, header, token, secret or
error message; an error's text may quote a server's answer, which may echo
the request, so only its class is recorded):

==============================  ===================================================
attribute                       value
==============================  ===================================================
``leadexec.operation``          the generated operation: ``upsert_client``,
                                ``upsert_delivery_method``, ``upsert_delivery_account``,
                                ``create_token``
``leadexec.record_kind``        ``client``, ``delivery_method``, ``delivery_account``
                                or ``token``
``leadexec.request_kind``       ``create`` (id 0), ``update`` or ``token``
``http.request.method``         ``PATCH``, ``PUT`` or ``POST``
``leadexec.attempts``           HTTP attempts made (0 when none was sent; not
                                set on a cancelled call)
``http.response.status_code``   the last answer's status, when one came
``leadexec.outcome``            ``done``, ``unknown`` (a create that may or may not
                                have been applied), ``error`` or ``cancelled``
``error.type``                  the error's class name (``ConflictError``,
                                ``OutcomeUnknownError``...), when it failed
``leadexec.record_id``          the id answered, when done (not for tokens)
==============================  ===================================================

Each retry adds an event ``leadexec.retry`` with ``leadexec.retry.reason``
(the status, such as ``"503"``, the transport failure's class name, or
``"401, renewing the token"``), ``leadexec.retry.delay_s`` (the wait before
the next attempt) and ``leadexec.retry.attempt`` (the attempt that failed).
A failed call's span status is ERROR with the error's class name as its
description.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from ._constants import ENV_TRACING, TRACER_NAME, TRACING_OFF, TRACING_ON
from ._errors import (
    APIStatusError,
    LeadExecError,
    OutcomeUnknownError,
    UnexpectedResponseError,
    ValidationError,
)
from ._retry import Kind
from ._version import __version__

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

__all__ = ["CallTracer", "make_tracer", "note_retry"]

T = TypeVar("T")
Send = Callable[..., Awaitable[T]]

#: ``leadexec.record_kind`` of each operation (anything else is reported as itself).
RECORD_KINDS: Mapping[str, str] = {
    "upsert_client": "client",
    "upsert_delivery_method": "delivery_method",
    "upsert_delivery_account": "delivery_account",
    "create_token": "token",
}
_REQUEST_KINDS = {Kind.CREATE: "create", Kind.UPDATE: "update", Kind.TOKEN: "token"}


class _Call:
    """What one traced call has seen so far."""

    __slots__ = ("retries", "span", "status")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.retries = 0
        self.status: int | None = None


# The call being traced in this task (None when nothing is traced, or tracing is off).
_current: ContextVar[_Call | None] = ContextVar("leadexec_async_traced_call", default=None)


def note_retry(reason: str, attempt: int, delay: float) -> None:
    """Record a retry of the call being traced, if any: the pipeline calls this where it
    decides to repeat an attempt (before its backoff sleep or token renewal).

    ``reason`` must hold no secret: a status code, an exception class name, a fixed text.
    """
    call = _current.get()
    if call is None:
        return
    call.retries += 1
    call.span.add_event(
        "leadexec.retry",
        {
            "leadexec.retry.reason": reason,
            "leadexec.retry.delay_s": float(delay),
            "leadexec.retry.attempt": attempt,
        },
    )


class CallTracer:
    """Wraps each pipeline call in a span of ``tracer`` (an OpenTelemetry ``Tracer``)."""

    __slots__ = ("_error", "_internal", "_tracer", "_use_span")

    def __init__(self, tracer: Tracer) -> None:
        from opentelemetry.trace import SpanKind, StatusCode, use_span

        self._tracer = tracer
        self._use_span = use_span
        self._internal = SpanKind.INTERNAL
        self._error = StatusCode.ERROR

    async def trace(
        self,
        send: Send[T],
        kind: Kind,
        method: str,
        path: str,
        body: Mapping[str, Any],
        headers: dict[str, str],
        operation: str,
        parse: Callable[[Any], T],
        max_body: int,
    ) -> T:
        """``send(kind, method, path, body, headers, operation, parse, max_body)`` inside one span.

        ``parse`` is wrapped to note the status of the answer it is given (an
        :class:`httpx.Response`'s ``status_code``, or a wire answer's ``status``).
        """
        span = self._tracer.start_span(
            f"leadexec.{operation}",
            kind=self._internal,
            attributes={
                "leadexec.operation": operation,
                "leadexec.record_kind": RECORD_KINDS.get(operation, operation),
                "leadexec.request_kind": _REQUEST_KINDS[kind],
                "http.request.method": method.upper(),
            },
        )
        call = _Call(span)

        def parse_answer(response: Any) -> T:
            status = getattr(response, "status_code", None)
            call.status = status if isinstance(status, int) else getattr(response, "status", None)
            return parse(response)

        token = _current.set(call)
        outcome = "cancelled"  # unless it ends with an answer or a LeadExecError
        try:
            with self._use_span(
                span, end_on_exit=False, record_exception=False, set_status_on_exception=False
            ):
                result = await send(kind, method, path, body, headers, operation, parse_answer, max_body)
        except LeadExecError as error:
            outcome = "unknown" if isinstance(error, OutcomeUnknownError) else "error"
            span.set_attribute("leadexec.attempts", error.attempts)
            status = _status_of(error)
            if status is not None:
                span.set_attribute("http.response.status_code", status)
            span.set_attribute("error.type", type(error).__name__)
            span.set_status(self._error, type(error).__name__)
            raise
        else:
            outcome = "done"
            span.set_attribute("leadexec.attempts", call.retries + 1)
            if call.status is not None:
                span.set_attribute("http.response.status_code", call.status)
            if kind is not Kind.TOKEN and isinstance(result, int) and not isinstance(result, bool):
                span.set_attribute("leadexec.record_id", result)
            return result
        finally:
            _current.reset(token)
            span.set_attribute("leadexec.outcome", outcome)
            span.end()


def _status_of(error: LeadExecError) -> int | None:
    """The HTTP status behind ``error`` (an OutcomeUnknownError's cause for a 5xx), if any."""
    seen: BaseException | None = error
    for _ in range(3):
        if isinstance(seen, APIStatusError | UnexpectedResponseError):
            return seen.status_code
        if seen is None:
            break
        seen = seen.__cause__
    return None


def make_tracer(tracing: object) -> CallTracer | None:
    """The :class:`CallTracer` for ``LeadExecClient(tracing=...)``, or None when tracing is off.

    ``None`` reads ``LEADEXEC_TRACING`` (``1``/``true``/``on``/``yes``, or
    ``0``/``false``/``off``/``no``/unset); ``False`` is off; ``True`` uses the
    global tracer provider (OpenTelemetry's, including one set later); a
    ``TracerProvider`` uses that provider. Tracing needs the ``opentelemetry-api``
    package (the ``otel`` extra): asking for it without the package raises
    :class:`ValidationError`, and nothing of OpenTelemetry is imported while it is off.
    """
    if tracing is None:
        value = os.environ.get(ENV_TRACING, "").strip().lower()
        if value in TRACING_OFF:
            return None
        if value not in TRACING_ON:
            raise ValidationError(
                f"{ENV_TRACING}: expected one of {', '.join(TRACING_ON + TRACING_OFF[1:])}, got {value!r}",
                field="tracing",
            )
        tracing = True
    if tracing is False:
        return None
    try:
        from opentelemetry import trace
    except ImportError as exc:
        raise ValidationError(
            "tracing: needs the opentelemetry-api package; "
            "install it with pip install 'leadexec-async[otel]'",
            field="tracing",
        ) from exc
    if tracing is True:
        return CallTracer(trace.get_tracer(TRACER_NAME, __version__))
    if isinstance(tracing, trace.TracerProvider):
        return CallTracer(tracing.get_tracer(TRACER_NAME, __version__))
    raise ValidationError(
        f"tracing: expected True, False or an OpenTelemetry TracerProvider, got {type(tracing).__name__}",
        field="tracing",
    )
