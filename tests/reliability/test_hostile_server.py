"""The client against a broken or hostile server on loopback.

Bounded memory and time, every failure a LeadExecError.

One server behaviour per case (see ``_hostile.py``), run on asyncio (both
HTTP backends) and trio. Each case measures the peak RSS growth of the whole
process while the call runs, and the time it took, against generous bounds;
and asserts the error's class and how a create is classified (a create that
may have been applied is OutcomeUnknownError, and bulk reports it
``outcome_unknown``). Memory bounds are far below what reading the server's
answer would cost (hundreds of MB to GB), and time bounds far below "never".
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest
import sniffio

import leadexec_async as lx
from leadexec_async import bulk

from ._hostile import (
    CHUNK,
    HostileServer,
    PeakMemory,
    corrupt_gzip,
    endless,
    gzip_bomb,
    head,
    trickle,
)

pytestmark = pytest.mark.anyio

TOKEN = "hostile-TOKEN-0a1b2c3d4e"
MB = 1024 * 1024
MAX_GROWTH = 40 * MB  # peak RSS growth allowed while a call runs
MAX_SECONDS = 15.0  # a call against any hostile server ends well within this


@pytest.fixture(params=["httpx", "aiohttp"])
def backend(request: pytest.FixtureRequest, anyio_backend: str) -> str:
    if request.param == "aiohttp" and anyio_backend == "trio":
        pytest.skip("aiohttp runs on asyncio only")
    return str(request.param)


async def _instant(seconds: float) -> None:
    await anyio.lowlevel.checkpoint()


def _client(server: HostileServer, backend: str, **kwargs: Any) -> lx.LeadExecClient:
    kwargs.setdefault("max_retries", 1)
    return lx.LeadExecClient(
        access_token=TOKEN,
        base_url=server.url,
        http_backend=backend,
        sleep=_instant,
        trust_env=False,
        **kwargs,
    )


async def _measure(call: Callable[[], Any]) -> tuple[BaseException | None, float, int]:
    """Run ``call``; return what it raised, the seconds it took and the peak RSS growth."""
    raised: BaseException | None = None
    started = time.monotonic()
    with PeakMemory() as memory:
        try:
            with anyio.fail_after(60):  # a hang fails the test rather than the run
                await call()
        except Exception as exc:  # the test judges it
            raised = exc
    return raised, time.monotonic() - started, memory.growth


def _bounded(elapsed: float, growth: int) -> None:
    assert elapsed < MAX_SECONDS, f"took {elapsed:.1f} s"
    assert growth < MAX_GROWTH, f"memory grew by {growth / MB:.0f} MB"


# -- behaviours ----------------------------------------------------------------------------


async def corrupt_gzip_2xx(w: asyncio.StreamWriter, _: bytes) -> None:
    body = corrupt_gzip()
    w.write(head("200 OK", "Content-Encoding: gzip", f"Content-Length: {len(body)}") + body)


async def huge_id_body(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(head("200 OK", f"Content-Length: {200 * MB}"))
    await endless(w)


async def endless_chunked_2xx(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(head("200 OK", "Transfer-Encoding: chunked"))
    await endless(w, b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))


async def endless_chunked_400(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(head("400 Bad Request", "Transfer-Encoding: chunked"))
    await endless(w, b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))


async def gzip_bomb_2xx(w: asyncio.StreamWriter, _: bytes) -> None:
    body = gzip_bomb()
    w.write(head("200 OK", "Content-Encoding: gzip", f"Content-Length: {len(body)}") + body)


async def gzip_bomb_500(w: asyncio.StreamWriter, _: bytes) -> None:
    body = gzip_bomb()
    status = "500 Internal Server Error"
    w.write(head(status, "Content-Encoding: gzip", f"Content-Length: {len(body)}") + body)


async def one_byte_per_tick(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(head("200 OK", "Content-Length: 1000"))
    await trickle(w, b"1" * 1000, 0.2)


async def cut_short(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(head("200 OK", "Content-Length: 100") + b"12")
    await w.drain()
    w.close()


async def garbage_status_line(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(b"HELLO THERE \x00\xff\r\n\r\n")
    await w.drain()
    w.close()


async def endless_header(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(b"HTTP/1.1 200 OK\r\nX-Endless: ")
    await endless(w, b"a" * 65536)


async def gzip_then_endless_junk(w: asyncio.StreamWriter, _: bytes) -> None:
    z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    member = z.compress(b"12") + z.flush()
    w.write(head("200 OK", "Content-Encoding: gzip", "Transfer-Encoding: chunked"))
    w.write(b"%x\r\n%s\r\n" % (len(member), member))
    await endless(w, b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))


async def unknown_encoding(w: asyncio.StreamWriter, _: bytes) -> None:
    w.write(head("200 OK", "Content-Encoding: br", "Content-Length: 5") + b"12345")


CREATE_CASES = {
    "corrupt gzip on a 2xx": corrupt_gzip_2xx,
    "a 200 MB id body": huge_id_body,
    "a never-ending chunked body": endless_chunked_2xx,
    "a gzip bomb (1 MB inflating to 1 GiB)": gzip_bomb_2xx,
    "one byte every 0.2 s": one_byte_per_tick,
    "a body cut short": cut_short,
    "a garbage status line": garbage_status_line,
    "a header that never ends": endless_header,
    "an encoding it did not ask for": unknown_encoding,
    "a gzip body followed by endless junk": gzip_then_endless_junk,
}


@pytest.mark.parametrize("case", list(CREATE_CASES))
async def test_a_create_against_a_hostile_server_is_unknown_fast_and_small(backend: str, case: str) -> None:
    with HostileServer(CREATE_CASES[case]) as server:
        async with _client(server, backend, timeout=1.0, attempt_timeout=2.0) as le:
            raised, elapsed, growth = await _measure(lambda: le.delivery_methods.create(1, name="m"))
        assert server.requests == 1  # a create that may have been applied is never sent again
    assert isinstance(raised, lx.OutcomeUnknownError), repr(raised)
    assert raised.attempts == 1
    _bounded(elapsed, growth)


@pytest.mark.parametrize("case", ["a 200 MB id body", "a never-ending chunked body", "one byte every 0.2 s"])
async def test_an_update_against_a_hostile_server_is_retried_then_a_connection_error(
    backend: str, case: str
) -> None:
    with HostileServer(CREATE_CASES[case]) as server:
        async with _client(server, backend, timeout=1.0, attempt_timeout=1.5) as le:
            raised, elapsed, growth = await _measure(
                lambda: le.delivery_methods.update(1, 5, name="m", reset_omitted=True)
            )
        assert server.requests == 2  # retried once (max_retries=1): an update may be repeated
    assert isinstance(raised, lx.APIConnectionError), repr(raised)
    assert not isinstance(raised, lx.OutcomeUnknownError)
    _bounded(elapsed, growth)


async def test_the_attempt_deadline_is_a_timeout(backend: str) -> None:
    with HostileServer(one_byte_per_tick) as server:
        async with _client(server, backend, timeout=1.0, attempt_timeout=1.0, max_retries=0) as le:
            raised, elapsed, _ = await _measure(
                lambda: le.delivery_methods.update(1, 5, name="m", reset_omitted=True)
            )
    assert isinstance(raised, lx.APITimeoutError), repr(raised)
    assert "longer than 1 s" in str(raised)
    assert elapsed < 5.0  # the read timeout (1 s) alone would never fire: a byte comes every 0.2 s


async def test_an_endless_error_body_is_kept_up_to_max_error_body(backend: str) -> None:
    with HostileServer(endless_chunked_400) as server:
        async with _client(server, backend, max_error_body=1000) as le:
            raised, elapsed, growth = await _measure(
                lambda: le.delivery_methods.update(1, 5, name="m", reset_omitted=True)
            )
    assert isinstance(raised, lx.BadRequestError), repr(raised)
    assert raised.body == "7" * 1000
    assert raised.response.truncated
    assert "cut at the max_error_body cap" in str(raised)
    _bounded(elapsed, growth)


async def test_a_gzip_bomb_on_an_error_answer_is_cut_at_its_cap(backend: str) -> None:
    with HostileServer(gzip_bomb_500) as server:
        async with _client(server, backend, max_retries=0) as le:
            raised, elapsed, growth = await _measure(
                lambda: le.delivery_methods.update(1, 5, name="m", reset_omitted=True)
            )
    assert isinstance(raised, lx.ServerError), repr(raised)
    assert len(raised.body) == lx.LeadExecClient.__init__.__kwdefaults__["max_error_body"]
    assert set(raised.body) == {"\0"}
    _bounded(elapsed, growth)


async def test_a_huge_token_answer_is_refused_without_reading_it(backend: str) -> None:
    with HostileServer(huge_id_body) as server:
        le = lx.LeadExecClient(
            client_id="id",
            client_secret="hostile-SECRET-77aa",
            base_url=server.url,
            http_backend=backend,
            sleep=_instant,
            max_retries=1,
            trust_env=False,
        )
        async with le:
            raised, elapsed, growth = await _measure(
                lambda: le.delivery_methods.update(1, 5, name="m", reset_omitted=True)
            )
    assert isinstance(raised, lx.APIConnectionError), repr(raised)
    assert "BodyTooLargeError" in str(raised)
    _bounded(elapsed, growth)


@pytest.mark.parametrize("case", ["corrupt gzip on a 2xx", "a body cut short", "a 200 MB id body"])
async def test_bulk_reports_such_creates_as_outcome_unknown(backend: str, case: str) -> None:
    with HostileServer(CREATE_CASES[case]) as server:
        async with _client(server, backend, timeout=1.0, attempt_timeout=2.0) as le:
            items = [
                bulk.Upsert.delivery_method(1, {"ClientDeliveryUID": 0, "Name": f"m{i}"}) for i in range(3)
            ]
            results = [r async for r in bulk.upsert_many(le, items, concurrency=3)]
        assert server.requests == 3
    assert [r.ok for r in results] == [False] * 3
    assert [r.outcome_unknown for r in results] == [True] * 3
    assert all(isinstance(r.error, lx.OutcomeUnknownError) for r in results)


async def test_the_client_is_usable_after_a_hostile_answer(backend: str) -> None:
    """A connection left part-read is closed, never handed to the next request."""
    answers = [huge_id_body]

    async def first_huge_then_fine(w: asyncio.StreamWriter, h: bytes) -> None:
        if answers:
            await answers.pop()(w, h)
        else:
            w.write(head("200 OK", "Content-Length: 2") + b"42")

    with HostileServer(first_huge_then_fine) as server:
        async with _client(server, backend, max_concurrency=1) as le:
            with pytest.raises(lx.OutcomeUnknownError):
                await le.delivery_methods.create(1, name="m")
            with anyio.fail_after(10):
                assert await le.delivery_methods.create(1, name="m") == 42
    assert sniffio.current_async_library() in ("asyncio", "trio")
