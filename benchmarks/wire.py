"""(5) Client CPU per request next to raw aiohttp, against a server that does almost nothing.

The server is a raw asyncio protocol in its own process that answers every
request ``200`` with the body ``1000001`` (no framework, no JSON parsing), so
nearly all the CPU this process spends is the client's. Each case sends ``n``
delivery-account creates from ``concurrency`` tasks on asyncio:

* raw aiohttp: ``aiohttp.ClientSession()`` with its defaults, ``put(url,
  json=body, headers={"Authorization": "Bearer ..."})``, ``raise_for_status()``
  and ``int(await response.read())``: what a user would write by hand;
* facade: ``LeadExecClient(access_token=..., base_url=..., max_concurrency=c)``
  as installed, ``le.delivery_accounts.create(...)`` (builds, validates and
  serialises the record, sends it, parses the id).

CPU is ``time.process_time`` of this process. The two cases alternate for
``rounds`` rounds against the same server and the best round of each counts.

``python -m benchmarks.wire --serve`` runs the server alone (it prints its port).
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import leadexec_async as lx

from ._report import Row
from ._workload import account_fields, account_wire

__all__ = ["TARGET", "measure", "run"]

TARGET = 2.0  # the facade's client CPU per request at most this many times raw aiohttp
_TOKEN = "bench-token"
_CLIENT_UID = 5
_DELIVERY_UID = 3
_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n1000001"


class _Answering(asyncio.Protocol):
    """Reads HTTP/1.1 requests (head and Content-Length body) and answers each at once."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            length = 0
            for line in buffer[:end].split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            total = end + 4 + length
            if len(buffer) < total:
                break
            buffer = buffer[total:]
            assert self._transport is not None
            self._transport.write(_ANSWER)
        self._buffer = buffer


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Answering, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


@contextmanager
def _server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.wire", "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


Send = Callable[[], Awaitable[object]]


async def _drive(send: Send, n: int, concurrency: int) -> None:
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await send()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _cpu_per_request(send: Send, n: int, concurrency: int) -> float:
    gc.collect()
    cpu = time.process_time()
    await _drive(send, n, concurrency)
    return (time.process_time() - cpu) / n


async def _measure(base_url: str, n: int, concurrency: int, rounds: int) -> dict[str, float]:
    import aiohttp

    body = account_wire(_CLIENT_UID, _DELIVERY_UID)
    fields = account_fields(_DELIVERY_UID)
    url = f"{base_url}/v1/delivery/{_CLIENT_UID}/accounts/"
    headers = {"Authorization": f"Bearer {_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        lx.LeadExecClient(access_token=_TOKEN, base_url=base_url, max_concurrency=concurrency) as le,
    ):
        put = session.put
        create = le.delivery_accounts.create

        async def raw() -> object:
            async with put(url, json=body, headers=headers) as response:
                response.raise_for_status()
                return int(await response.read())

        async def facade() -> object:
            return await create(_CLIENT_UID, **fields)

        cases: dict[str, Send] = {"raw aiohttp": raw, "facade": facade}
        for send in cases.values():  # open the connections and warm up
            await _drive(send, min(n, 8 * concurrency), concurrency)
        best = dict.fromkeys(cases, float("inf"))
        for _ in range(rounds):
            for name, send in cases.items():
                best[name] = min(best[name], await _cpu_per_request(send, n, concurrency))
    return best


def measure(n: int, concurrencies: tuple[int, ...] = (8, 32), rounds: int = 3) -> dict[int, dict[str, float]]:
    """``{concurrency: {"raw aiohttp": s, "facade": s}}``: best client CPU seconds per request."""
    with _server() as base_url:
        return {c: asyncio.run(_measure(base_url, n, c, rounds)) for c in concurrencies}


def run(n: int, concurrencies: tuple[int, ...] = (8, 32), rounds: int = 3) -> list[Row]:
    """The table rows of this benchmark."""
    rows: list[Row] = []
    for concurrency, best in measure(n, concurrencies, rounds).items():
        raw, facade = best["raw aiohttp"], best["facade"]
        detail = f"client CPU per request, best of {rounds} x {n}, minimal server"
        rows.append(
            Row("5 wire", f"c{concurrency} raw aiohttp.ClientSession.put", f"{raw * 1e6:.0f} µs", detail)
        )
        ratio = facade / raw
        rows.append(
            Row(
                "5 wire",
                f"c{concurrency} facade delivery_accounts.create",
                f"{facade * 1e6:.0f} µs",
                detail,
                ratio,
                f"<= {TARGET}x raw",
                ratio <= TARGET,
            )
        )
    return rows


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        asyncio.run(_serve())
    else:
        for row in run(int(sys.argv[1]) if sys.argv[1:] else 3000):
            print(row)
