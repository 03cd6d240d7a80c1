"""BoundedDecoder: what it decodes, what it refuses, and that its output never passes the room given."""

from __future__ import annotations

import zlib

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadexec_async._decode import BoundedDecoder


def _gzip(data: bytes) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


def _zlib(data: bytes) -> bytes:
    return zlib.compress(data)


def _raw(data: bytes) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


def _decode_all(coding: str | None, body: bytes, step: int, cap: int) -> tuple[bytes, bool]:
    decoder = BoundedDecoder(coding)
    out = b""
    for i in range(0, len(body), step):
        room = cap - len(out)
        piece = decoder.feed(body[i : i + step], room)
        assert len(piece) <= room + 1
        if len(piece) > room:
            return out + piece[:room], True
        out += piece
    decoder.flush()
    return out, False


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=5000), step=st.integers(1, 700), cap=st.integers(0, 6000))
def test_every_coding_decodes_within_the_cap(data: bytes, step: int, cap: int) -> None:
    for coding, encode in (("gzip", _gzip), ("deflate", _zlib), ("deflate", _raw), (None, bytes)):
        out, over = _decode_all(coding, encode(data), step, cap)
        assert over == (len(data) > cap)
        assert out == data[:cap]


def test_a_bomb_is_never_inflated_past_the_room() -> None:
    bomb = _gzip(bytes(64 * 1024 * 1024))
    decoder = BoundedDecoder("gzip")
    assert len(decoder.feed(bomb, 4096)) == 4097


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, gzip", "compress"])
def test_other_codings_are_refused(coding: str) -> None:
    with pytest.raises(httpx.DecodingError):
        BoundedDecoder(coding)


def test_corrupt_cut_short_and_trailing_data_are_refused() -> None:
    body = _gzip(b"12345")
    with pytest.raises(httpx.DecodingError):
        BoundedDecoder("gzip").feed(body[:10] + bytes(b ^ 0x5A for b in body[10:]), 100)
    decoder = BoundedDecoder("gzip")
    decoder.feed(body[:-4], 100)
    with pytest.raises(httpx.DecodingError):
        decoder.flush()
    with pytest.raises(httpx.DecodingError):
        BoundedDecoder("gzip").feed(body + b"junk", 100)
    decoder = BoundedDecoder("gzip")
    assert decoder.feed(body, 100) == b"12345"
    with pytest.raises(httpx.DecodingError):
        decoder.feed(b"more", 100)
