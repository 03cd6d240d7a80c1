"""A small hostile HTTP server on loopback, and a sampler of this process's peak memory.

:class:`HostileServer` runs a raw asyncio server in a thread of its own (so
the test itself may run on asyncio or trio). It reads each request (headers
and a ``Content-Length`` body), then hands the connection to one behaviour: a
coroutine ``behaviour(writer, request_head)`` that writes whatever a broken or
malicious server might. Every behaviour streams from small fixed buffers, so
the server's own memory stays flat whatever it sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from functools import cache
from types import TracebackType
from typing import Self

import psutil

Behaviour = Callable[[asyncio.StreamWriter, bytes], Awaitable[None]]

CHUNK = b"7" * 65536  # what endless bodies are made of: digits, so a greedy client would read on


class HostileServer:
    """Serves ``behaviour`` to every connection on 127.0.0.1; ``requests`` counts the requests read."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    if length:
                        await reader.readexactly(length)
                    self.requests += 1
                    await self.behaviour(writer, head)
                    await writer.drain()
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                pass
            finally:
                tasks.discard(task)
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class PeakMemory:
    """Samples this process's RSS in a thread; ``growth`` is the peak minus the RSS at the start (bytes)."""

    def __init__(self, every: float = 0.005) -> None:
        self._every = every
        self._proc = psutil.Process(os.getpid())
        self._done = threading.Event()
        self.start = self.peak = 0
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def __enter__(self) -> Self:
        self.start = self.peak = self._proc.memory_info().rss
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join(5)
        self.peak = max(self.peak, self._proc.memory_info().rss)

    def _sample(self) -> None:
        while not self._done.wait(self._every):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.start


# -- behaviours ------------------------------------------------------------------------


def head(status: str, *headers: str) -> bytes:
    return ("HTTP/1.1 " + status + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n").encode()


async def endless(writer: asyncio.StreamWriter, chunk: bytes = CHUNK) -> None:
    """Write ``chunk`` until the client goes away."""
    while True:
        writer.write(chunk)
        await writer.drain()


@cache
def gzip_bomb(inflated: int = 1024 * 1024 * 1024) -> bytes:
    """A gzip body of zeros that inflates to ``inflated`` bytes (a multiple of 1 MiB; ~1 MB for 1 GiB).

    After a full flush a deflate compressor starts afresh, so each 1 MiB block of
    zeros compresses to the same bytes: one block is compressed and repeated.
    """
    block = bytes(1024 * 1024)
    blocks = inflated // len(block)
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
    segment = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
    end = z.flush()
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (blocks * len(block)) & 0xFFFFFFFF)
    return header + first + segment * (blocks - 1) + end + trailer


def corrupt_gzip() -> bytes:
    good = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = good.compress(b"12345") + good.flush()
    return body[:10] + bytes(b ^ 0x5A for b in body[10:])


async def trickle(writer: asyncio.StreamWriter, data: bytes, every: float) -> None:
    for i in range(len(data)):
        writer.write(data[i : i + 1])
        await writer.drain()
        await asyncio.sleep(every)


def elapsed_since(started: float) -> float:
    return time.monotonic() - started
