"""Limits on what a connection may make the emulator hold, whatever the client sends.

uvicorn's httptools protocol buffers a request head without limit and never
closes a connection that stays silent before or in the middle of a request (its
keep-alive timeout only runs between requests). :func:`guarded_httptools`
returns that protocol with two limits added:

* a request head (request line and headers) longer than ``max_head`` bytes is
  answered ``431`` and the connection closed;
* a connection that sends nothing for ``stall`` seconds while a request is
  due or half-sent (before its first request, inside a head or a body) is
  closed. Time the application itself takes (an injected latency) does not
  count, and between requests uvicorn's keep-alive timeout applies.

With uvicorn's h11 protocol (``http="h11"``, or when httptools is missing) the
head is bounded by h11's own ``max_incomplete_event_size`` (uvicorn's
``h11_max_incomplete_event_size``, answered 400); it has no stall limit.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["guarded_httptools"]

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain\r\ncontent-length: 24\r\nconnection: close\r\n\r\n"
    b"request head is too long"
)


def guarded_httptools(max_head: int, stall: float) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with a bound on request heads and on silent half-sent requests."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpTools(HttpToolsProtocol):
        _head = 0  # bytes received while a head was being read
        _heading = True  # a request head is due or being read
        _waiting = True  # a request is due or half-sent: silence counts
        _stall: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:  # an asyncio.Transport
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._heading:
                self._head += len(data)
            super().data_received(data)
            if self.transport.is_closing():
                self._disarm()
            elif self._heading and self._head > max_head:
                self.transport.write(_TOO_LARGE)
                self.transport.close()
                self._disarm()
            elif self._waiting:
                self._arm()
            else:
                self._disarm()

        def on_message_begin(self) -> None:
            self._waiting = True
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._heading = False
            self._head = 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._waiting = False
            self._heading = True
            super().on_message_complete()

        def _arm(self) -> None:
            self._disarm()
            self._stall = self.loop.call_later(stall, self._stalled)

        def _disarm(self) -> None:
            if self._stall is not None:
                self._stall.cancel()
                self._stall = None

        def _stalled(self) -> None:
            self._stall = None
            if self._waiting and not self.transport.is_closing():
                self.transport.close()

    return GuardedHttpTools
