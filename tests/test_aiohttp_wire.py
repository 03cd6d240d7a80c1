"""AiohttpWire against raw asyncio servers on loopback: caps, decoding, failures, no resend, cancellation.

Each test scripts what a server does with each connection (a coroutine given
the connection's reader and writer); the server records every request it
reads and notices when the client closes a connection. aiohttp runs on
asyncio only, so these tests do too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

import leadexec_async as lx
from leadexec_async._aiohttp_wire import AiohttpWire
from leadexec_async._wire import Answer, BodyTooLargeError

pytestmark = pytest.mark.asyncio

Behaviour = Callable[["Conn"], Awaitable[None]]
TIMEOUT = httpx.Timeout(5.0)


class Conn:
    """One accepted connection: read requests from it, write answers to it."""

    def __init__(self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer

    async def request(self) -> tuple[bytes, bytes] | None:
        """The next request's head and body, or None when the client closed the connection."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        self.server.requests.append((head, body))
        return head, body

    async def answer(self, status: int, body: bytes, *headers: str) -> None:
        lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()

    async def wait_closed_by_client(self) -> None:
        """Return once the client has closed its end (EOF or reset)."""
        with contextlib.suppress(ConnectionError):
            while await self.reader.read(65536):
                pass
        self.server.closed_by_client += 1


class Server:
    def __init__(self, behave: Behaviour) -> None:
        self.behave = behave
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0
        self.closed_by_client = 0
        self.client_closed = asyncio.Event()
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.behave(Conn(self, reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/delivery/5/accounts/"


@contextlib.asynccontextmanager
async def serving(behave: Behaviour) -> AsyncIterator[Server]:
    server = Server(behave)
    listener = await asyncio.start_server(server._handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(listener.wait_closed(), 5)


@contextlib.asynccontextmanager
async def wire_for(**kwargs: Any) -> AsyncIterator[AiohttpWire]:
    kwargs.setdefault("timeout", TIMEOUT)
    wire = AiohttpWire(verify=True, max_connections=kwargs.pop("max_connections", 4), **kwargs)
    try:
        yield wire
    finally:
        await wire.aclose()


async def send(wire: AiohttpWire, url: str, *, max_body: int = 1000, max_error_body: int = 100) -> Answer:
    return await wire.send(
        "PUT",
        url,
        {"Content-Type": "application/json", "Authorization": "Bearer tok"},
        b'{"a":1}',
        max_body=max_body,
        max_error_body=max_error_body,
    )


def answering(status: int, body: bytes, *headers: str, then: str = "keep") -> Behaviour:
    """Answer every request on the connection with ``status`` and ``body``."""

    async def behave(conn: Conn) -> None:
        while await conn.request() is not None:
            await conn.answer(status, body, *headers)
            if then == "wait-close":
                await conn.wait_closed_by_client()
                conn.server.client_closed.set()
                return

    return behave


# -- answers within and past the caps --------------------------------------------------


async def test_a_small_answer_is_read_whole_and_its_headers_are_case_insensitive() -> None:
    async with (
        serving(answering(200, b"1000001", "Retry-After: 3", "X-Thing: a")) as server,
        wire_for() as wire,
    ):
        first = await send(wire, server.url)
        second = await send(wire, server.url)
    assert (first.status, first.body, first.truncated) == (200, b"1000001", False)
    assert first.headers.get("retry-after") == "3"
    assert first.headers.get("X-THING") == "a"
    assert second.body == b"1000001"
    assert server.connections == 1  # the connection went back to the pool and was reused
    head = server.requests[0][0].lower()
    assert b"accept-encoding: gzip, deflate\r\n" in head
    assert b"authorization: bearer tok\r\n" in head
    assert server.requests[0][1] == b'{"a":1}'


async def test_a_success_body_declared_past_its_cap_is_an_error_before_reading() -> None:
    async with serving(answering(200, b"7" * 5000)) as server, wire_for() as wire:
        with pytest.raises(BodyTooLargeError):
            await send(wire, server.url, max_body=1000)
        assert (await send(wire, server.url, max_body=10_000)).body == b"7" * 5000  # the pool still works


def streaming(status: int, head: bytes, chunk: bytes) -> Behaviour:
    """Answer the first request with ``head`` then ``chunk`` after ``chunk`` until the client goes."""

    async def behave(conn: Conn) -> None:
        await conn.request()
        conn.writer.write(f"HTTP/1.1 {status} X\r\n".encode() + head + b"\r\n")
        with contextlib.suppress(ConnectionError):
            for _ in range(100_000):  # over a gigabyte if nobody stops reading
                conn.writer.write(chunk)
                await conn.writer.drain()
        conn.server.client_closed.set()

    return behave


async def test_an_endless_chunked_success_body_stops_at_the_cap_and_the_connection_is_closed() -> None:
    chunk = b"4000\r\n" + b"9" * 0x4000 + b"\r\n"
    async with (
        serving(streaming(200, b"Transfer-Encoding: chunked\r\n", chunk)) as server,
        wire_for() as wire,
    ):
        with pytest.raises(BodyTooLargeError):
            await send(wire, server.url, max_body=100_000)
        await asyncio.wait_for(server.client_closed.wait(), 10)


async def test_an_error_body_past_its_cap_is_kept_truncated_and_the_connection_is_closed() -> None:
    head = b"Content-Length: 2000000000\r\nRetry-After: 1\r\n"
    async with serving(streaming(503, head, b"e" * 0x4000)) as server, wire_for() as wire:
        answer = await send(wire, server.url, max_error_body=100)
        await asyncio.wait_for(server.client_closed.wait(), 10)
    assert answer.status == 503
    assert answer.body == b"e" * 100
    assert answer.truncated
    assert answer.headers.get("Retry-After") == "1"


async def test_an_error_body_within_its_cap_is_whole() -> None:
    async with serving(answering(404, b"no such thing")) as server, wire_for() as wire:
        answer = await send(wire, server.url, max_error_body=100)
    assert (answer.status, answer.body, answer.truncated) == (404, b"no such thing", False)


# -- decoding -----------------------------------------------------------------------------


async def test_gzip_and_deflate_answers_are_decoded() -> None:
    for coding, packed in (("gzip", gzip.compress(b"4242")), ("deflate", zlib.compress(b"4242"))):
        async with (
            serving(answering(200, packed, f"Content-Encoding: {coding}")) as server,
            wire_for() as wire,
        ):
            answer = await send(wire, server.url)
        assert answer.body == b"4242", coding


async def test_a_gzip_bomb_is_decoded_no_further_than_the_cap() -> None:
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # 200 MiB in about 200 KB
    assert len(bomb) < 1024 * 1024
    async with serving(answering(200, bomb, "Content-Encoding: gzip")) as server, wire_for() as wire:
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLargeError):
                await send(wire, server.url, max_body=64 * 1024)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # an error answer that is a bomb is kept up to its cap
        error_bomb = await asyncio.wait_for(_error_bomb(wire, bomb), 30)
    assert peak < 8 * 1024 * 1024  # the bomb itself is 200 KB; decoding it whole would take 200 MiB
    assert error_bomb.truncated
    assert error_bomb.body == b"\0" * 100


async def _error_bomb(wire: AiohttpWire, bomb: bytes) -> Answer:
    async with serving(answering(500, bomb, "Content-Encoding: gzip")) as server:
        return await send(wire, server.url, max_error_body=100)


@pytest.mark.parametrize(
    ("coding", "body"),
    [("gzip", b"\x1f\x8b\x08\x00garbage-not-gzip"), ("gzip", gzip.compress(b"12345")[:-9]), ("br", b"x")],
    ids=["corrupt", "cut-short", "unknown-coding"],
)
async def test_a_corrupt_or_unknown_encoding_is_a_decoding_error(coding: str, body: bytes) -> None:
    async with serving(answering(200, body, f"Content-Encoding: {coding}")) as server, wire_for() as wire:
        with pytest.raises(httpx.DecodingError):
            await send(wire, server.url)


# -- failures: what was sent, and never twice ----------------------------------------------


async def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as sock:  # bound, not listening: every connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        async with wire_for() as wire:
            with pytest.raises(httpx.ConnectError) as caught:
                await send(wire, f"http://127.0.0.1:{port}/x")
    # nothing of aiohttp's (or of the request) is chained, not even as the context
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


async def test_a_drop_after_the_request_was_read_is_not_a_connect_error() -> None:
    async def behave(conn: Conn) -> None:
        await conn.request()  # read it, answer nothing, close

    async with serving(behave) as server, wire_for() as wire:
        with pytest.raises(httpx.TransportError) as caught:
            await send(wire, server.url)
    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert not isinstance(caught.value, httpx.ConnectError | httpx.ConnectTimeout)
    assert len(server.requests) == 1


async def test_a_put_dropped_on_a_reused_connection_is_not_resent() -> None:
    """aiohttp resends an idempotent request by itself in this case, unless the wire stops it."""

    async def behave(conn: Conn) -> None:
        if await conn.request() is None:
            return
        await conn.answer(200, b"701")
        await conn.request()  # the second request on the kept-alive connection: dropped

    async with serving(behave) as server, wire_for() as wire:
        assert (await send(wire, server.url)).body == b"701"
        with pytest.raises(httpx.TransportError) as caught:
            await send(wire, server.url)
    assert not isinstance(caught.value, httpx.ConnectError)
    assert len(server.requests) == 2  # a resend would be a third, on a new connection
    assert server.connections == 1


async def test_no_answer_within_the_read_timeout_is_a_read_timeout() -> None:
    async def behave(conn: Conn) -> None:
        await conn.request()
        await conn.wait_closed_by_client()

    async with serving(behave) as server, wire_for(timeout=httpx.Timeout(5.0, read=0.2)) as wire:
        with pytest.raises(httpx.ReadTimeout):
            await send(wire, server.url)
    assert len(server.requests) == 1


async def test_a_malformed_status_line_is_a_protocol_error_that_does_not_quote_it() -> None:
    async def behave(conn: Conn) -> None:
        await conn.request()
        conn.writer.write(b"HTTP/1.1 2x0 Bearer tok-echoed\r\n\r\n")
        await conn.writer.drain()

    async with serving(behave) as server, wire_for() as wire:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await send(wire, server.url)
    assert "tok" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


async def test_a_header_value_with_a_line_break_is_refused_before_sending() -> None:
    async with serving(answering(200, b"1")) as server, wire_for() as wire:
        with pytest.raises(httpx.LocalProtocolError) as caught:
            await wire.send(
                "PUT",
                server.url,
                {"Authorization": "Bearer a\r\nX: b"},
                b"{}",
                max_body=10,
                max_error_body=10,
            )
    assert "Bearer" not in str(caught.value)
    assert server.requests == []


# -- cancellation ----------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["before-the-answer", "inside-the-body"])
async def test_a_cancelled_send_closes_its_connection(when: str) -> None:
    reached = asyncio.Event()

    async def behave(conn: Conn) -> None:
        await conn.request()
        if when == "inside-the-body":
            conn.writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n12345")
            await conn.writer.drain()
        reached.set()
        await conn.wait_closed_by_client()
        conn.server.client_closed.set()

    async with serving(behave) as server, wire_for() as wire:
        task = asyncio.ensure_future(send(wire, server.url))
        await asyncio.wait_for(reached.wait(), 5)
        if when == "inside-the-body":
            await asyncio.sleep(0)  # let the client take the head in
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(server.client_closed.wait(), 5)  # closed at once, not at aclose
        connector = wire.session.connector
        assert connector is not None
        assert sum(len(c) for c in connector._conns.values()) == 0  # nothing half-read kept


# -- proxy -------------------------------------------------------------------------------------


class ForwardProxy:
    """A loopback HTTP forward proxy: takes absolute-form requests and relays them to the origin."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                self.heads.append(head)
                lines = head.split(b"\r\n")
                method, target, version = lines[0].split(b" ")
                url = httpx.URL(target.decode())
                length = 0
                kept = []
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                    if line and name.strip().lower() not in (b"proxy-authorization", b"connection"):
                        kept.append(line)
                body = await reader.readexactly(length)
                upstream_r, upstream_w = await asyncio.open_connection(url.host, url.port)
                path = url.raw_path
                upstream_w.write(b" ".join([method, path, version]) + b"\r\n" + b"\r\n".join(kept))
                upstream_w.write(b"\r\nConnection: close\r\n\r\n" + body)
                await upstream_w.drain()
                answer = await upstream_r.read()  # the origin closes after answering
                upstream_w.close()
                writer.write(answer)
                await writer.drain()
        finally:
            writer.close()


async def test_requests_go_through_the_proxy_given_with_its_credentials() -> None:
    proxy = ForwardProxy()
    listener = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = listener.sockets[0].getsockname()[1]

    async def behave(conn: Conn) -> None:
        await conn.request()
        await conn.answer(200, b"808", "Connection: close")

    try:
        async with (
            serving(behave) as server,
            wire_for(proxy=f"http://user:pa55@127.0.0.1:{proxy.port}") as wire,
        ):
            answer = await send(wire, server.url)
    finally:
        listener.close()
        await listener.wait_closed()
    assert answer.body == b"808"
    assert len(proxy.heads) == 1
    head = proxy.heads[0].lower()
    assert head.startswith(f"put {server.url} http/1.1\r\n".lower().encode())
    assert b"proxy-authorization: basic dxnlcjpwytu1\r\n" in head  # user:pa55
    origin_head = server.requests[0][0].lower()
    assert b"proxy-authorization" not in origin_head
    assert b"authorization: bearer tok" in origin_head


# -- through the client ----------------------------------------------------------------------


async def test_a_create_answered_2xx_with_a_corrupt_body_is_outcome_unknown() -> None:
    async with (
        serving(answering(200, b"\x1f\x8b\x08\x00garbage", "Content-Encoding: gzip")) as server,
        lx.LeadExecClient(access_token="t", base_url=f"http://127.0.0.1:{server.port}") as le,
    ):
        assert isinstance(le._pipeline()._wire, AiohttpWire)
        with pytest.raises(lx.OutcomeUnknownError):
            await le.delivery_accounts.create(5, delivery_uid=1)
    assert len(server.requests) == 1
