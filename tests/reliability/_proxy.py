"""A small forward HTTP proxy on loopback: plain forwarding (absolute-form requests) and CONNECT tunnels.

It runs a raw asyncio server in a thread of its own. When ``credentials`` is
set, a request without the matching ``Proxy-Authorization: Basic`` header is
answered 407. ``seen`` lists ``(method, target)`` of every request it
accepted; ``refused`` counts the 407s.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
import urllib.parse
from typing import Self


class ForwardProxy:
    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        self.seen: list[tuple[str, str]] = []
        self.refused = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="proxy", daemon=True)

    def url(self, user: str | None = None, password: str | None = None) -> str:
        auth = ""
        if user is not None:
            auth = urllib.parse.quote(user, safe="") + ":" + urllib.parse.quote(password or "", safe="") + "@"
        return f"http://{auth}127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _authorised(self, head: list[bytes]) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        for line in head[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "proxy-authorization":
                return value.strip() == f"Basic {expected}"
        return False

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._one(reader, writer)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
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

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raw = await reader.readuntil(b"\r\n\r\n")
        head = raw[:-4].split(b"\r\n")
        method, target, _version = head[0].decode("latin-1").split(" ", 2)
        if not self._authorised(head):
            self.refused += 1
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
            )
            await writer.drain()
            return
        self.seen.append((method, target))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _pipe_both(reader, writer, up_reader, up_writer)
            return
        url = urllib.parse.urlsplit(target)
        length = 0
        kept = []
        for line in head[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            low = name.strip().lower()
            if low == "content-length":
                length = int(value)
            if low in ("proxy-authorization", "proxy-connection", "connection", "keep-alive"):
                continue
            kept.append(line)
        body = await reader.readexactly(length) if length else b""
        path = url.path + ("?" + url.query if url.query else "")
        up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
        request = f"{method} {path} HTTP/1.1\r\n".encode() + b"\r\n".join([*kept, b"Connection: close"])
        up_writer.write(request + b"\r\n\r\n" + body)
        await up_writer.drain()
        try:
            while chunk := await up_reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        finally:
            up_writer.close()


async def _pipe_both(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while chunk := await src.read(65536):
                dst.write(chunk)
                await dst.drain()
        finally:
            with contextlib.suppress(Exception):
                dst.close()

    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)
