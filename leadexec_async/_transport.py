"""The HTTP machinery under the pipeline, chosen at the first request.

``http_backend="auto"`` sends through :class:`~leadexec_async._aiohttp_wire.AiohttpWire`
under asyncio, which costs much less CPU per request than httpx with httpcore
for bulk work, and through :class:`~leadexec_async._httpx_wire.HttpxWire` over
httpx's own transport under trio (aiohttp runs on asyncio only). ``"aiohttp"``
and ``"httpx"`` force one. A ``transport=`` or ``http_client=`` given by the
caller always goes through :class:`~leadexec_async._httpx_wire.HttpxWire`.
Either way the pool holds at least ``max_concurrency`` connections, so no
request ever waits for one.

A proxy is given as one explicit URL (resolved by the client, environment
included); neither httpx nor aiohttp ever reads the environment itself.
"""

from __future__ import annotations

import ssl

import httpx
import sniffio

from ._constants import KEEPALIVE_EXPIRY
from ._errors import ValidationError
from ._httpx_wire import HttpxWire
from ._wire import Wire

VerifyTypes = ssl.SSLContext | str | bool


def pool_limits(max_concurrency: int) -> httpx.Limits:
    """Pool limits that never make a request wait under ``max_concurrency``."""
    return httpx.Limits(
        max_connections=max_concurrency,
        max_keepalive_connections=max_concurrency,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )


def build_wire(
    *,
    backend: str,
    timeout: httpx.Timeout,
    verify: VerifyTypes,
    max_concurrency: int,
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: httpx.AsyncClient | None = None,
    proxy: str | None = None,
) -> Wire:
    """The wire of a client; call inside the running event loop.

    A caller's ``http_client`` is wrapped as is (and never closed by the
    wire). Otherwise the SDK owns what it builds: :class:`AiohttpWire` under
    asyncio unless ``backend`` is ``"httpx"`` or a ``transport`` is given, else
    an :class:`httpx.AsyncClient` over ``transport`` or httpx's own transport.
    ``proxy`` is the one proxy URL every request goes through, or ``None``.
    ``http_backend="aiohttp"`` outside asyncio raises :class:`ValidationError`.
    """
    if http_client is not None:
        return HttpxWire(http_client, owned=False)
    if transport is None:
        library = sniffio.current_async_library()
        use_aiohttp = backend == "aiohttp" or (backend == "auto" and library == "asyncio")
        if use_aiohttp and library != "asyncio":
            raise ValidationError(
                f'http_backend="aiohttp" needs asyncio, but this code runs under {library}; '
                'use http_backend="httpx" or "auto"',
                field="http_backend",
            )
        if use_aiohttp:
            from ._aiohttp_wire import AiohttpWire  # aiohttp is imported only where it is used

            return AiohttpWire(verify=verify, max_connections=max_concurrency, timeout=timeout, proxy=proxy)
        transport = httpx.AsyncHTTPTransport(verify=verify, limits=pool_limits(max_concurrency), proxy=proxy)
    client = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)
    return HttpxWire(client, owned=True)
