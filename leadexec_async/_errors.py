"""The error tree of leadexec_async, and the one function that maps a response to an error.

Every exception the SDK raises derives from :class:`LeadExecError`. Messages
never contain tokens, client secrets or passwords.
"""

from __future__ import annotations

import http
import reprlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._constants import STATUS_BODY_PREVIEW
from ._logging import Redactor

if TYPE_CHECKING:
    from ._wire import Answer

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "ErrorResponse",
    "LeadExecError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestSummary",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "error_for_response",
    "preview",
    "shown",
]

# How much of a value an error message quotes: long text, big numbers and deep nesting are cut.
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 80
_SHOWN.maxlong = 40
_SHOWN.maxlevel = 3
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = _SHOWN.maxfrozenset = 4


def shown(value: object) -> str:
    """A short ``repr`` of ``value`` for an error message, whatever its size or depth."""
    if isinstance(value, int) and value.bit_length() > 128:
        return f"<an integer of {value.bit_length()} bits>"
    try:
        return _SHOWN.repr(value)
    except Exception:  # a repr that fails (or an object too odd to show)
        return f"<{type(value).__name__}>"


class LeadExecError(Exception):
    """Base class of every error raised by leadexec_async.

    ``attempts`` is the number of HTTP attempts made for the call that failed
    (0 when nothing was sent).
    """

    attempts: int = 0


class ValidationError(LeadExecError, ValueError):
    """Bad input, found before anything was sent.

    ``field`` names the offending field (a dotted path such as
    ``Criteria[0].Operator`` or a keyword name), or is ``None`` when the error
    is about the call as a whole.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ClientClosedError(LeadExecError, RuntimeError):
    """The client was used after :meth:`LeadExecClient.aclose`, or closed while a call waited to retry."""


class UnexpectedResponseError(LeadExecError):
    """The server answered 2xx, but not with the integer id the API documents."""

    def __init__(self, message: str, *, status_code: int, body: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class RequestSummary:
    """What was sent, without its headers or body: ``method`` and ``url``."""

    __slots__ = ("method", "url")

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url

    def __repr__(self) -> str:
        return f"<RequestSummary {self.method} {self.url}>"


class ErrorResponse:
    """The answer an :class:`APIStatusError` was made from, with every secret taken out.

    ``status_code``; ``headers`` (an :class:`httpx.Headers`, case-insensitive,
    values redacted); ``text``, the decoded body as kept (at most
    ``max_error_body`` bytes, redacted); ``truncated``, true when the body was
    longer and cut; ``request``, a :class:`RequestSummary` (method and URL
    only: no headers, no body).
    """

    __slots__ = ("headers", "request", "status_code", "text", "truncated")

    def __init__(
        self, status_code: int, headers: httpx.Headers, text: str, truncated: bool, request: RequestSummary
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.text = text
        self.truncated = truncated
        self.request = request

    def __repr__(self) -> str:
        return f"<ErrorResponse {self.status_code}{' (truncated)' if self.truncated else ''}>"


class APIStatusError(LeadExecError):
    """The server answered with a non-success status.

    ``body`` is the response text, as kept (at most ``max_error_body`` bytes)
    and with secrets taken out (cut to a preview in the message); ``response``
    is an :class:`ErrorResponse` (status, redacted headers and body, the
    request's method and URL).
    """

    def __init__(self, message: str, *, response: ErrorResponse, body: str) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class BadRequestError(APIStatusError):
    """400: the server refused the body."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, unknown or expired, or the credentials are wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not touch this record."""


class NotFoundError(APIStatusError):
    """404: the client or record does not exist."""


class ConflictError(APIStatusError):
    """409: the record clashes with another (e.g. a client ``Username`` already taken)."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, when it gave one."""

    def __init__(
        self, message: str, *, response: ErrorResponse, body: str, retry_after: float | None
    ) -> None:
        super().__init__(message, response=response, body=body)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the server failed."""


class APIConnectionError(LeadExecError):
    """The request could not be completed at the transport level (connect, read, write)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class OutcomeUnknownError(APIConnectionError):
    """A create may have reached the server and nothing tells whether it was applied.

    It is never retried: sending it again could create a second record.
    ``payload`` is the wire body that was sent, with secrets masked;
    ``__cause__`` is the underlying failure (a transport error or an
    :class:`APIStatusError` for 500, 502 and 504).
    """

    def __init__(self, message: str, *, payload: Mapping[str, Any], operation: str) -> None:
        super().__init__(message)
        self.payload = payload
        self.operation = operation


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
}


def preview(body: str, limit: int = STATUS_BODY_PREVIEW) -> str:
    """The part of a (redacted) body an error message quotes: its first ``limit`` characters."""
    body = body.strip()
    return body if len(body) <= limit else body[:limit] + "…"


def status_phrase(status: int) -> str:
    """The standard reason phrase of ``status``, or ``"unknown status"``."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "unknown status"


def error_for_response(
    answer: Answer,
    *,
    method: str,
    path: str,
    url: str = "",
    retry_after: float | None = None,
    secrets: Iterable[str] = (),
) -> APIStatusError:
    """Return the error for a non-success ``answer``; works for any status, IANA-listed or not.

    ``secrets`` are taken out of the body and the headers before anything is
    cut or quoted.
    """
    hide = Redactor(secrets)
    status = answer.status
    body = hide(answer.body.decode("utf-8", "replace"))
    message = f"{method.upper()} {path} answered {status} {status_phrase(status)}"
    shown_part = preview(body)
    if shown_part:
        message += f": {shown_part}"
    if answer.truncated:
        message += " (body cut at the max_error_body cap)"
    headers = httpx.Headers([(k, hide(v)) for k, v in answer.headers.items()])
    response = ErrorResponse(
        status, headers, body, answer.truncated, RequestSummary(method.upper(), url or path)
    )
    if status == 429:
        return RateLimitError(message, response=response, body=body, retry_after=retry_after)
    if status >= 500:
        return ServerError(message, response=response, body=body)
    return _BY_STATUS.get(status, APIStatusError)(message, response=response, body=body)
