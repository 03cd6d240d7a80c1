"""Decoding a response body with a bound on what it may grow to.

Every :class:`~leadexec_async._wire.Wire` reads the raw bytes from the socket
and decodes them here, so a cap is counted in decoded bytes and enforced at
each step: a decompressor is never asked for more than the room left (plus one
byte, to see that the cap was passed), so one small compressed chunk can never
inflate to gigabytes in memory.

Only ``gzip``, ``deflate`` and ``identity`` are accepted, which is what the
wires advertise in ``Accept-Encoding``; any other ``Content-Encoding``, or
more than one coding, is a :class:`httpx.DecodingError`.
"""

from __future__ import annotations

import zlib

import httpx

#: What a wire sends as ``Accept-Encoding``: exactly what :class:`BoundedDecoder` decodes.
ACCEPT_ENCODING = "gzip, deflate"

_GZIP = 16 + zlib.MAX_WBITS  # a gzip header and trailer
_ZLIB = zlib.MAX_WBITS  # a zlib header (what "deflate" means in HTTP)
_RAW = -zlib.MAX_WBITS  # headerless deflate, which some servers send as "deflate"


class BoundedDecoder:
    """Turns the raw chunks of one body into decoded bytes, never more than asked for.

    Call :meth:`feed` with each raw chunk and the room left under the cap; it
    returns at most ``room + 1`` decoded bytes, so a result longer than
    ``room`` means the cap was passed (the caller stops reading there). Call
    :meth:`flush` at the end of the body to check that it was complete.
    ``deflate`` is read as zlib-wrapped (what HTTP means) or as headerless
    deflate (what some servers send), told apart by its first two bytes.
    """

    __slots__ = ("_coding", "_pending", "_started", "_undecided", "_z")

    def __init__(self, content_encoding: str | None) -> None:
        coding = (content_encoding or "").strip().lower() or "identity"
        self._z: zlib._Decompress | None = None
        self._undecided = False
        self._pending = b""
        self._started = False
        if coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(_GZIP)
        elif coding == "deflate":
            self._undecided = True
        elif coding != "identity":
            raise httpx.DecodingError(f"unsupported Content-Encoding {coding[:40]!r}")
        self._coding = coding

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Decode ``chunk``; at most ``room + 1`` bytes come back (``room >= 0``)."""
        if self._undecided:
            chunk = self._pending + chunk
            if len(chunk) < 2:
                self._pending = chunk
                return b""
            self._pending = b""
            self._undecided = False
            first, second = chunk[0], chunk[1]
            wrapped = first & 0x0F == 8 and (first * 256 + second) % 31 == 0
            self._z = zlib.decompressobj(_ZLIB if wrapped else _RAW)
        z = self._z
        if z is None:
            return chunk[: room + 1]
        if z.eof:
            if chunk:
                # zlib would keep whatever follows the end marker in unused_data, without bound.
                raise httpx.DecodingError(f"data after the end of the {self._coding} body")
            return b""
        if chunk:
            self._started = True
        try:
            # With max_length, zlib stops once it has produced room + 1 bytes and keeps
            # the rest of the input in unconsumed_tail: never read, since the cap is passed.
            out = z.decompress(chunk, room + 1)
        except zlib.error:
            raise httpx.DecodingError(f"corrupt {self._coding} body") from None
        if z.eof and z.unused_data:
            raise httpx.DecodingError(f"data after the end of the {self._coding} body")
        return out

    def flush(self) -> None:
        """Raise :class:`httpx.DecodingError` if an encoded body ended part way."""
        if self._pending:
            raise httpx.DecodingError(f"{self._coding} body ended before its end marker")
        z = self._z
        if z is not None and self._started and not z.eof:
            raise httpx.DecodingError(f"{self._coding} body ended before its end marker")
