"""A :class:`~leadexec_async._wire.Wire` over an :class:`httpx.AsyncClient`.

Used with the SDK's own client (httpx's transport under trio or with ``http_backend="httpx"``,
or over the ``transport=`` given), and with a caller's
``http_client=``. The answer is streamed: raw chunks are decoded by
:class:`~leadexec_async._decode.BoundedDecoder`, so the caps count decoded
bytes, and past a cap the response is closed without reading the rest (a
connection left part-read is closed, never returned to the pool). httpx's own
decoding is bypassed; ``Accept-Encoding`` names only what the decoder reads.
"""

from __future__ import annotations

from collections.abc import Mapping

import anyio
import httpx

from ._constants import URL_CACHE_SIZE
from ._decode import ACCEPT_ENCODING, BoundedDecoder
from ._wire import Answer, BodyTooLargeError

_SPENT = httpx.ByteStream(b"")  # stands in for the stream of a response already closed
# Seconds given to closing a response after a failure or a cancellation (shielded).
_CLOSE_GRACE = 5.0


class HttpxWire:
    """Sends through ``client``; :meth:`aclose` closes it only when ``owned``."""

    __slots__ = ("_urls", "client", "owned")

    def __init__(self, client: httpx.AsyncClient, *, owned: bool) -> None:
        self.client = client
        self.owned = owned
        # url -> parsed URL: parsing is a sizeable part of httpx's cost per request, and
        # bulk work repeats few URLs (bounded: cleared when full).
        self._urls: dict[str, httpx.URL] = {}

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
        """See :meth:`leadexec_async._wire.Wire.send`."""
        parsed = self._urls.get(url)
        if parsed is None:
            parsed = httpx.URL(url)
            if len(self._urls) >= URL_CACHE_SIZE:
                self._urls.clear()
            self._urls[url] = parsed
        client = self.client
        request = client.build_request(method, parsed, headers=headers, content=content)
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = await client.send(request, stream=True)
        try:
            status = response.status_code
            ok = 200 <= status < 300
            cap = max_body if ok else max_error_body
            parts: list[bytes] = []
            truncated = False
            if response.is_stream_consumed:
                # A response made in memory (httpx.MockTransport, respx): httpx has already read
                # and decoded it, so only the cap is left to apply.
                body = response.content
                if len(body) > cap:
                    if ok:
                        raise BodyTooLargeError(f"the {status} answer's body is longer than {cap} bytes")
                    body, truncated = body[:cap], True
                parts.append(body)
            else:
                decoder = BoundedDecoder(response.headers.get("Content-Encoding"))
                size = 0
                async for chunk in response.aiter_raw():
                    room = cap - size
                    out = decoder.feed(chunk, room)
                    if len(out) > room:
                        if ok:
                            raise BodyTooLargeError(f"the {status} answer's body is longer than {cap} bytes")
                        parts.append(out[:room])
                        truncated = True
                        break
                    if out:
                        parts.append(out)
                        size += len(out)
                if not truncated:
                    decoder.flush()
        finally:
            # Closing a response not read to its end closes its connection. Shielded, so that
            # a cancellation (the attempt's deadline) cannot leave it open. A body read to its
            # end has closed the response already (httpx does it), so the usual answer skips this.
            if not response.is_closed:
                with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_GRACE):
                    await response.aclose()
            # httpx links a response and its stream both ways, so every response would wait
            # for the cycle collector; it is closed by now, so drop the link.
            response.stream = _SPENT
        return Answer(status, response.headers, b"".join(parts), truncated)

    async def aclose(self) -> None:
        """Close the client when this wire owns it."""
        if self.owned:
            await self.client.aclose()
