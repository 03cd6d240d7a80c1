"""The error tree of leadexec_async, and the one function that maps a response to an error.

Every exception the SDK raises derives from :class:`LeadExecError`. Messages
never contain tokens, client secrets or passwords.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any

import httpx

from ._constants import STATUS_BODY_PREVIEW

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "LeadExecError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "error_for_response",
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


class APIStatusError(LeadExecError):
    """The server answered with a non-success status.

    ``body`` is the response text (cut to a preview in the message),
    ``response`` the :class:`httpx.Response` itself.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: str) -> None:
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
        self, message: str, *, response: httpx.Response, body: str, retry_after: float | None
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


def _preview(body: str) -> str:
    body = body.strip()
    return body if len(body) <= STATUS_BODY_PREVIEW else body[:STATUS_BODY_PREVIEW] + "…"


def error_for_response(response: httpx.Response, *, retry_after: float | None = None) -> APIStatusError:
    """Return the error for a non-success ``response``; works for any status, IANA-listed or not."""
    status = response.status_code
    body = response.text
    reason = response.reason_phrase or "unknown status"
    message = f"{response.request.method} {response.request.url.path} answered {status} {reason}"
    preview = _preview(body)
    if preview:
        message += f": {preview}"
    if status == 429:
        return RateLimitError(message, response=response, body=body, retry_after=retry_after)
    if status >= 500:
        return ServerError(message, response=response, body=body)
    return _BY_STATUS.get(status, APIStatusError)(message, response=response, body=body)
