"""The HTTP machinery under the pipeline, chosen at the first request.

``http_backend="auto"`` sends through :class:`~leadexec_async._aiohttp_wire.AiohttpWire`
under asyncio, which costs much less CPU per request than httpx with httpcore
for bulk work, and through httpx's own transport under trio (aiohttp runs on
asyncio only). ``"aiohttp"`` and ``"httpx"`` force one. A ``transport=`` or
``http_client=`` given by the caller always goes through httpx. Either way the
pool holds at least ``max_concurrency`` connections, so no request ever waits
for one.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

import httpx
import sniffio

from ._constants import KEEPALIVE_EXPIRY, USER_AGENT
from ._errors import ValidationError

if TYPE_CHECKING:
    from ._aiohttp_wire import AiohttpWire

VerifyTypes = ssl.SSLContext | str | bool


def pool_limits(max_concurrency: int) -> httpx.Limits:
    """Pool limits that never make a request wait under ``max_concurrency``."""
    return httpx.Limits(
        max_connections=max_concurrency,
        max_keepalive_connections=max_concurrency,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )


def use_wire(*, backend: str, transport: httpx.AsyncBaseTransport | None) -> bool:
    """Whether requests go through :class:`AiohttpWire` (else through an httpx client).

    ``http_backend="aiohttp"`` outside asyncio raises :class:`ValidationError`.
    """
    library = sniffio.current_async_library()
    if backend == "aiohttp" and library != "asyncio":
        raise ValidationError(
            f'http_backend="aiohttp" needs asyncio, but this code runs under {library}; '
            'use http_backend="httpx" or "auto"',
            field="http_backend",
        )
    return transport is None and backend in ("auto", "aiohttp") and library == "asyncio"


def build_wire(*, timeout: httpx.Timeout, verify: VerifyTypes, max_concurrency: int) -> AiohttpWire:
    """The SDK-owned aiohttp wire; call inside the running asyncio event loop."""
    from ._aiohttp_wire import AiohttpWire  # aiohttp is imported only where it is used

    try:
        return AiohttpWire(verify=verify, max_connections=max_concurrency, timeout=timeout, proxy=None)
    except (OSError, ssl.SSLError) as exc:
        raise ValidationError(
            f"verify: the CA bundle could not be loaded ({type(exc).__name__})", field="verify"
        ) from None


def build_http_client(
    *,
    backend: str,
    timeout: httpx.Timeout,
    verify: VerifyTypes,
    max_concurrency: int,
    transport: httpx.AsyncBaseTransport | None,
) -> httpx.AsyncClient:
    """The SDK-owned :class:`httpx.AsyncClient` (over ``transport`` when given, else httpx's
    own); call inside the running event loop."""
    if transport is None:
        transport = httpx.AsyncHTTPTransport(verify=verify, limits=pool_limits(max_concurrency))
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT, "Accept": "text/plain, application/json"},
        follow_redirects=False,
        trust_env=False,
    )
