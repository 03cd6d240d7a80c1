"""ASGI plumbing of the emulator: answers, refusals, strict JSON, bearer tokens, dropped connections."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from .. import _constants as C
from ._schema import BodyError

__all__ = [
    "JSON",
    "TEXT",
    "ConnectionDropped",
    "Message",
    "Receive",
    "Reject",
    "Scope",
    "Send",
    "answer",
    "answer_error",
    "bearer",
    "decode",
    "dig",
    "drop",
    "put_at",
    "reject",
    "route_pattern",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"


class ConnectionDropped(Exception):
    """Raised by the app to drop a connection when the server gives no way to close it.

    Under uvicorn (how :func:`run_emulator` and ``leadexec emulator`` serve it) the
    connection is really closed instead. Under ``httpx.ASGITransport`` this exception
    reaches the caller, which is as close to a dropped connection as in-process gets.
    """


class Reject(Exception):
    """A refusal of the request: answered ``status`` with ``{"message", "field"?}``."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def reject(status: int, error: BodyError) -> Reject:
    """The refusal for a body or path check that failed."""
    return Reject(status, error.message, error.field)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def decode(body: bytes) -> Any:
    """Strict JSON: NaN, Infinity and numbers beyond a float's range are refused (400)."""
    try:
        return json.loads(body, parse_constant=_no_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        raise Reject(400, "the body is not valid JSON") from None


def dig(body: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` of nested mappings, or None where the path does not lead."""
    for part in path:
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


def put_at(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set the value at ``path`` (which must lead through mappings)."""
    for part in path[:-1]:
        body = body[part]
    body[path[-1]] = value


def route_pattern(template: str) -> re.Pattern[str]:
    """A regex for the spec's path ``template``: each ``{Param}`` a named group, a final ``/`` optional."""
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template.rstrip("/")))
    return re.compile(f"^{pattern}/?$")


def bearer(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


async def answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Send a whole answer with its content type and length."""
    head = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if headers:
        head.extend(headers)
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


async def answer_error(
    send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Send ``{"message": message}`` as JSON with ``status``."""
    await answer(send, status, json.dumps({"message": message}).encode(), JSON, headers)


async def drop(receive: Receive) -> None:
    """Close the connection without a byte of answer.

    An ASGI app cannot say "close without answering": uvicorn answers 500 when the app
    fails before starting a response, and once the status line is out the client has
    an answer. So reach the connection itself: uvicorn's ``receive`` is a method of its
    request cycle, which holds the asyncio transport. Close it (FIN, nothing written),
    then wait for the server to see the disconnect, so it neither answers 500 nor logs
    an error.

    ``receive`` a plain function (an in-process transport such as
    ``httpx.ASGITransport``): raise :class:`ConnectionDropped`. ``receive`` a method of
    a server object without a closable ``transport`` (uvicorn's internals changed, or
    another server): raise :class:`RuntimeError` saying so, which the server logs and
    answers 500, so a drop is never passed off as an answer (tests/emulator/test_faults.py
    checks the real drop on both of uvicorn's HTTP implementations).
    """
    cycle = getattr(receive, "__self__", None)
    if cycle is None:
        raise ConnectionDropped("the emulator dropped the connection")
    close = getattr(getattr(cycle, "transport", None), "close", None)
    if not callable(close):
        where = f"{type(cycle).__module__}.{type(cycle).__qualname__}"
        raise RuntimeError(
            f"the emulator cannot drop this connection: the server's request cycle ({where}) has no "
            "`transport` to close (uvicorn's internals changed?); the injected drop fault was not applied "
            "as a drop (see leadexec_async/emulator/_http.py, drop())"
        )
    close()
    with anyio.move_on_after(C.EMULATOR_DROP_WAIT):
        while (await receive())["type"] != "http.disconnect":
            pass
