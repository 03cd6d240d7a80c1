"""The real HTTP stacks on loopback: a create is never sent twice, whatever the transport does.

A raw HTTP/1.1 server on 127.0.0.1 counts every request it reads, and answers,
drops the connection, or never answers, as each test scripts it. Under asyncio
the client uses its default aiohttp transport, under trio httpx's own.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from anyio.abc import SocketStream

import leadexec_async as lx
from leadexec_async._aiohttp_wire import AiohttpWire
from leadexec_async._httpx_wire import HttpxWire
from tests.conftest import FakeAPI

pytestmark = pytest.mark.anyio


class RawServer:
    def __init__(self, script: list[str]) -> None:
        self.script = script  # per request: "ok", "drop" or "hang"; then "ok"
        self.received: list[bytes] = []
        self.port = 0

    async def handle(self, stream: SocketStream) -> None:
        buffer = b""
        async with stream:
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        buffer += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                        return
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buffer) < length:
                    buffer += await stream.receive()
                body, buffer = buffer[:length], buffer[length:]
                self.received.append(body)
                action = self.script.pop(0) if self.script else "ok"
                if action == "drop":
                    return
                if action == "hang":
                    await anyio.sleep_forever()
                answer = str(700 + len(self.received)).encode()
                await stream.send(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    + f"Content-Length: {len(answer)}\r\n\r\n".encode()
                    + answer
                )


@asynccontextmanager
async def serving(script: list[str]) -> AsyncIterator[RawServer]:
    server = RawServer(script)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server.handle)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()


def _client(server: RawServer, api: FakeAPI, **kwargs: object) -> lx.LeadExecClient:
    return lx.LeadExecClient(
        access_token="t",
        base_url=f"http://127.0.0.1:{server.port}",
        sleep=api.sleep,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_create_dropped_on_a_reused_connection_is_sent_once(api: FakeAPI) -> None:
    async with serving(["ok", "drop"]) as server:
        async with _client(server, api) as le:
            assert await le.delivery_accounts.create(5, delivery_uid=1) == 701
            with pytest.raises(lx.OutcomeUnknownError) as caught:
                await le.delivery_accounts.create(5, delivery_uid=1, description="second")
        assert len(server.received) == 2  # aiohttp would have re-sent the PUT by itself
    assert caught.value.attempts == 1
    assert caught.value.payload["Description"] == "second"


async def test_create_without_answer_is_a_read_timeout_not_a_connect_timeout(api: FakeAPI) -> None:
    async with serving(["hang"]) as server:
        async with _client(server, api, timeout=httpx.Timeout(5.0, read=0.2)) as le:
            with pytest.raises(lx.OutcomeUnknownError) as caught:
                await le.delivery_methods.create(5, name="m")
        assert len(server.received) == 1
    cause = caught.value.__cause__
    assert isinstance(cause, lx.APITimeoutError)
    assert isinstance(cause.__cause__, httpx.ReadTimeout)


async def test_update_dropped_is_repeated(api: FakeAPI) -> None:
    async with serving(["drop"]) as server:
        async with _client(server, api) as le:
            assert await le.delivery_methods.update(5, 9, name="m", reset_omitted=True) == 702
        assert len(server.received) == 2


async def test_refused_connection_is_retried_and_reported_as_connection_error(api: FakeAPI) -> None:
    # a loopback port held bound but not listening: every connection is refused, and no other
    # process can start listening there while the test runs
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        le = lx.LeadExecClient(access_token="t", base_url=f"http://127.0.0.1:{port}", sleep=api.sleep)
        async with le:
            with pytest.raises(lx.APIConnectionError) as caught:
                await le.delivery_methods.create(5, name="m")
    assert not isinstance(caught.value, lx.OutcomeUnknownError)
    assert caught.value.attempts == 3
    assert len(api.sleeps) == 2


async def test_owned_transport_is_closed_on_aclose(api: FakeAPI) -> None:
    async with serving([]) as server:
        le = _client(server, api)
        async with le:
            await le.delivery_methods.update(5, 1, reset_omitted=True)
            wire = le._pipeline()._wire
        if isinstance(wire, AiohttpWire):  # aiohttp under asyncio
            assert wire.session.closed
        else:
            assert isinstance(wire, HttpxWire)
            transport = wire.client._transport
            assert isinstance(transport, httpx.AsyncHTTPTransport)
            assert transport._pool.connections == []
