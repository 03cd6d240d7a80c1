"""The seam between the pipeline and an HTTP library: one request out, one bounded answer back.

The pipeline (:mod:`leadexec_async._pipeline`) sends every attempt through a
:class:`Wire`. A wire owns its connections and returns an :class:`Answer` whose
body is already read, decoded and bounded, so nothing the server sends can make
the SDK hold more than the caps given to :meth:`Wire.send`.

Failures are raised as :class:`httpx.RequestError` subclasses, whatever library
is underneath, because :mod:`leadexec_async._retry` classifies on them:

* :class:`httpx.ConnectError`, :class:`httpx.ConnectTimeout`,
  :class:`httpx.PoolTimeout`: nothing of the request left the client;
* :class:`httpx.UnsupportedProtocol`, :class:`httpx.LocalProtocolError`: the
  request could not be formed, nothing was sent;
* everything else (:class:`httpx.WriteError`, :class:`httpx.WriteTimeout`,
  :class:`httpx.ReadError`, :class:`httpx.ReadTimeout`,
  :class:`httpx.RemoteProtocolError`, :class:`httpx.DecodingError`,
  :class:`BodyTooLargeError`): the request may have reached the server.

The overall deadline of one attempt is not the wire's business: the pipeline
cancels :meth:`Wire.send` when it expires, and a wire must leave no half-read
connection in its pool when cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx


class BodyTooLargeError(httpx.DecodingError):
    """A success body went past its cap (counted after decoding); the rest was not read."""


class AttemptTimeoutError(httpx.ReadTimeout):
    """One attempt ran past its overall deadline (``attempt_timeout``); classified as a read timeout."""


class UnexpectedFailureError(httpx.TransportError):
    """Raised by the pipeline in place of an exception of no known kind met in the response path.

    It may have happened after the request was sent, so a create failing so is
    an unknown outcome; other requests are not repeated (the same would
    likely happen again). Its message is the original's type and redacted text;
    the original is not chained (its arguments may hold what was sent).
    """


class Answer:
    """One HTTP answer, read whole within the caps.

    ``headers`` looks names up case-insensitively (``headers.get("Retry-After")``).
    ``body`` is the decoded body. ``truncated`` is true when a non-2xx body went
    past its cap: only its first bytes were kept, and the connection was closed.
    """

    __slots__ = ("body", "headers", "status", "truncated")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes, truncated: bool = False) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.truncated = truncated

    def __repr__(self) -> str:
        return f"<Answer {self.status}, {len(self.body)} bytes{' (truncated)' if self.truncated else ''}>"


class Wire(Protocol):
    """What the pipeline needs of an HTTP library."""

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        *,
        max_body: int,
        max_error_body: int,
    ) -> Answer:
        """Send one request and read its answer.

        ``headers`` are sent as given (with what the library itself must add:
        Host, Content-Length, and only the Accept-Encoding values this wire can
        decode within a cap). A 2xx body longer than ``max_body`` decoded bytes
        raises :class:`BodyTooLargeError`; any other body is kept up to
        ``max_error_body`` decoded bytes and marked ``truncated`` past that.
        Past a cap the rest is not read and the connection is closed.
        An unknown ``Content-Encoding`` or a corrupt encoded body raises
        :class:`httpx.DecodingError`.
        """
        ...

    async def aclose(self) -> None:
        """Close every connection; no further :meth:`send`."""
        ...
