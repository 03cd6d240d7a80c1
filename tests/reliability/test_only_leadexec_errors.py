"""Every exception leaving the SDK is a LeadExecError, whatever the HTTP library or the server throws.

Exceptions of no known kind (ValueError, UnicodeError, zlib.error, ssl.SSLError,
h11's and aiohttp's own errors, a bug) met while sending, while reading the
body or while parsing it: a create becomes OutcomeUnknownError (it may have
reached the server), any other call an APIConnectionError (or, for a 2xx that
could not be read, UnexpectedResponseError) and is not repeated. The original
is never chained (its arguments may hold what was sent); its type and redacted
text are in the message.
"""

from __future__ import annotations

import ssl
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import h11
import httpx
import pytest

import leadexec_async as lx
from leadexec_async import _resources

from ._support import all_strings_of_exception

pytestmark = pytest.mark.anyio

TOKEN = "catch-all-TOKEN-5566778899"


def _raising() -> list[BaseException]:
    return [
        ValueError(f"odd value near {TOKEN}"),
        UnicodeEncodeError("ascii", f"Bearer {TOKEN}\u00a0", 5, 6, "ordinal not in range(128)"),
        UnicodeDecodeError("utf-8", b"\xff\xfe", 0, 1, "invalid start byte"),
        zlib.error("Error -3 while decompressing data: incorrect header check"),
        ssl.SSLError(1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]"),
        h11.RemoteProtocolError("illegal header line"),
        aiohttp.ClientPayloadError("Response payload is not completed"),
        RuntimeError("a bug somewhere below"),
        KeyError("content-length"),
    ]


IDS = [type(e).__name__ for e in _raising()]


def _client(handler: Any) -> lx.LeadExecClient:
    return lx.LeadExecClient(access_token=TOKEN, transport=httpx.MockTransport(handler), retry_backoff=0.0)


def _assert_clean(error: BaseException) -> None:
    for text in all_strings_of_exception(error):
        for i in range(len(TOKEN) - 7):
            assert TOKEN[i : i + 8] not in text, text


def _no_raw(error: BaseException) -> None:
    """Nothing in the chain but LeadExecErrors and httpx's own failure types."""
    seen: BaseException | None = error
    while seen is not None:
        assert isinstance(seen, lx.LeadExecError | httpx.RequestError), type(seen)
        seen = seen.__cause__ or seen.__context__


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
async def test_an_unknown_exception_while_sending_a_create_is_outcome_unknown(
    anyio_backend: str, index: int
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise _raising()[index]

    async with _client(handler) as le:
        with pytest.raises(lx.OutcomeUnknownError) as caught:
            await le.delivery_methods.create(1, name="m")
    assert len(sent) == 1
    assert caught.value.attempts == 1
    assert IDS[index] in str(caught.value.__cause__)
    _no_raw(caught.value)
    _assert_clean(caught.value)


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
async def test_an_unknown_exception_on_an_update_is_a_connection_error_not_repeated(
    anyio_backend: str, index: int
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise _raising()[index]

    async with _client(handler) as le:
        with pytest.raises(lx.APIConnectionError) as caught:
            await le.delivery_methods.update(1, 2, name="m", reset_omitted=True)
    assert not isinstance(caught.value, lx.OutcomeUnknownError)
    assert len(sent) == 1
    _no_raw(caught.value)
    _assert_clean(caught.value)


class _FailingStream(httpx.AsyncByteStream):
    def __init__(self, exc: BaseException) -> None:
        self._exc = exc

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"12"
        raise self._exc


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
async def test_an_unknown_exception_while_reading_a_2xx_body_of_a_create_is_outcome_unknown(
    anyio_backend: str, index: int
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_FailingStream(_raising()[index]))

    async with _client(handler) as le:
        with pytest.raises(lx.OutcomeUnknownError) as caught:
            await le.delivery_methods.create(1, name="m")
    _no_raw(caught.value)
    _assert_clean(caught.value)


async def test_a_parser_that_fails_unexpectedly_is_unknown_for_a_create_and_unexpected_for_an_update(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(answer: Any) -> int:
        raise TypeError(f"a bug quoting {TOKEN}")

    monkeypatch.setattr(_resources, "parse_record_id", broken)
    async with _client(lambda r: httpx.Response(200, text="5")) as le:
        with pytest.raises(lx.OutcomeUnknownError) as unknown:
            await le.delivery_methods.create(1, name="m")
        with pytest.raises(lx.UnexpectedResponseError) as unexpected:
            await le.delivery_methods.update(1, 2, name="m", reset_omitted=True)
    assert unexpected.value.body == "<withheld>"
    for error in (unknown.value, unexpected.value):
        _no_raw(error)
        _assert_clean(error)
        assert error.attempts == 1


async def test_a_corrupt_gzip_2xx_on_a_create_is_outcome_unknown_and_bulk_says_so(anyio_backend: str) -> None:
    """The case that started it all: httpx.DecodingError escaped raw, and bulk said "not applied"."""
    from leadexec_async import bulk

    sent: list[httpx.Request] = []

    class Raw(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"\x1f\x8b\x08\x00garbage-not-gzip"

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Raw())

    async with _client(handler) as le:
        with pytest.raises(lx.OutcomeUnknownError):
            await le.delivery_methods.create(1, name="m")
        item = bulk.Upsert.delivery_method(1, {"ClientDeliveryUID": 0, "Name": "m"})
        results = [r async for r in bulk.upsert_many(le, [item])]
    assert results[0].outcome_unknown
    assert not results[0].ok
    assert len(sent) == 2


@pytest.mark.parametrize("http_backend", ["httpx", "aiohttp"])
async def test_a_ca_bundle_that_cannot_be_read_is_a_validation_error(
    anyio_backend: str, http_backend: str
) -> None:
    if http_backend == "aiohttp" and anyio_backend == "trio":
        pytest.skip("aiohttp runs on asyncio only")
    async with lx.LeadExecClient(
        access_token=TOKEN, verify="/nonexistent/ca.pem", http_backend=http_backend
    ) as le:
        with pytest.raises(lx.ValidationError) as caught:
            await le.clients.update(3, username="u", reset_omitted=True)
    assert caught.value.field == "verify"
    assert caught.value.__cause__ is None
