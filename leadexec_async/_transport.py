"""The HTTP machinery under the pipeline, chosen at the first request.

``http_backend="auto"`` takes aiohttp (through ``httpx_aiohttp``) under
asyncio, which costs much less CPU per request than httpcore for bulk work,
and httpx's own transport under trio (aiohttp runs on asyncio only).
``"aiohttp"`` and ``"httpx"`` force one. Either way the pool holds at least
``max_concurrency`` connections, so no request ever waits for one.

Two properties of ``httpx_aiohttp`` 0.2 would break the promise that a create
is never sent twice, and are corrected here:

* aiohttp silently re-sends an idempotent method (PUT, which the delivery
  endpoints use) once when a reused keep-alive connection drops; this is
  switched off on the session.
* ``httpx_aiohttp`` maps every ``aiohttp.ClientConnectionError`` (a dropped
  connection, a read timeout) to :class:`httpx.ConnectTimeout`, which reads as
  "never sent". Failures are mapped again here from the original aiohttp
  error: only connector errors and connect timeouts stay connect errors;
  anything after the connection was made becomes a read error or read timeout.

A proxy is given as one explicit URL (resolved by the client, environment
included); the :class:`httpx.AsyncClient` never reads the environment itself.
Under aiohttp its credentials are sent UTF-8 encoded like httpx does, on the
CONNECT of an ``https://`` request and on every forwarded ``http://`` one.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import AsyncIterator

import httpx
import sniffio

from ._constants import KEEPALIVE_EXPIRY, USER_AGENT
from ._errors import ValidationError

VerifyTypes = ssl.SSLContext | str | bool


def pool_limits(max_concurrency: int) -> httpx.Limits:
    """Pool limits that never make a request wait under ``max_concurrency``."""
    return httpx.Limits(
        max_connections=max_concurrency,
        max_keepalive_connections=max_concurrency,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )


def build_http_client(
    *,
    backend: str,
    timeout: httpx.Timeout,
    verify: VerifyTypes,
    max_concurrency: int,
    transport: httpx.AsyncBaseTransport | None,
    proxy: str | None = None,
) -> httpx.AsyncClient:
    """The SDK-owned :class:`httpx.AsyncClient`; call inside the running event loop.

    ``proxy`` is the one proxy URL every request goes through, or ``None``
    (resolved by the client, environment variables included; the
    :class:`httpx.AsyncClient` itself never reads the environment).
    """
    if transport is None:
        library = sniffio.current_async_library()
        limits = pool_limits(max_concurrency)
        use_aiohttp = backend == "aiohttp" or (backend == "auto" and library == "asyncio")
        if use_aiohttp and library != "asyncio":
            raise ValidationError(
                f'http_backend="aiohttp" needs asyncio, but this code runs under {library}; '
                'use http_backend="httpx" or "auto"',
                field="http_backend",
            )
        if use_aiohttp:
            transport = _aiohttp_transport(verify=verify, limits=limits, proxy=proxy)
        else:
            transport = httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=proxy)
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT, "Accept": "text/plain, application/json"},
        follow_redirects=False,
        trust_env=False,
    )


def _aiohttp_transport(
    *, verify: VerifyTypes, limits: httpx.Limits, proxy: str | None
) -> httpx.AsyncBaseTransport:
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    aiohttp_proxy = _proxy_for_aiohttp(proxy)
    forward_auth = aiohttp_proxy.headers.get("Proxy-Authorization") if aiohttp_proxy is not None else None
    connect_timeout = getattr(aiohttp, "ConnectionTimeoutError", ())
    read_timeout = (aiohttp.ServerTimeoutError, TimeoutError)

    def remap(exc: BaseException, *, sent: bool) -> httpx.TransportError:
        """The httpx error that tells truthfully whether the request may have been sent."""
        original = exc.__cause__ if isinstance(exc, httpx.TransportError) and exc.__cause__ else exc
        message = str(exc) or type(original).__name__
        if not sent:
            if connect_timeout and isinstance(original, connect_timeout):
                return httpx.ConnectTimeout(message)
            if isinstance(original, aiohttp.ClientConnectorError):
                return httpx.ConnectError(message)
            if isinstance(exc, httpx.UnsupportedProtocol):
                return exc
        if isinstance(original, read_timeout):
            return httpx.ReadTimeout(message)
        if isinstance(original, aiohttp.ServerDisconnectedError):
            return httpx.RemoteProtocolError(message)
        return httpx.ReadError(message)

    mapped = (httpx.TransportError, aiohttp.ClientError, TimeoutError)

    class Stream(httpx.AsyncByteStream):
        def __init__(self, inner: httpx.AsyncByteStream) -> None:
            self._inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self._inner:
                    yield chunk
            except mapped as exc:
                raise remap(exc, sent=True) from exc

        async def aclose(self) -> None:
            try:
                await self._inner.aclose()
            except mapped as exc:
                raise remap(exc, sent=True) from exc

    class Transport(AiohttpTransport):
        def get_client(self) -> aiohttp.ClientSession:
            session: aiohttp.ClientSession = super().get_client()
            # Never let aiohttp resend a PUT on its own (see the module docstring).
            session._retry_connection = False
            return session

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if forward_auth is not None and request.url.scheme == "http":
                # aiohttp sends proxy headers only on a CONNECT; a forwarded plain request
                # carries the proxy's credentials itself.
                request.headers["Proxy-Authorization"] = forward_auth
            try:
                response: httpx.Response = await super().handle_async_request(request)
            except mapped as exc:
                raise remap(exc, sent=False) from exc
            response.stream = Stream(response.stream)  # type: ignore[arg-type]
            return response

    transport: httpx.AsyncBaseTransport = Transport(
        verify=verify, limits=limits, trust_env=False, proxy=aiohttp_proxy
    )
    return transport


def _proxy_for_aiohttp(proxy: str | None) -> httpx.Proxy | None:
    """The proxy with its credentials as a ``Proxy-Authorization`` header, encoded in UTF-8 as
    httpx does (httpx-aiohttp would hand them to aiohttp, which encodes them in Latin-1)."""
    if proxy is None:
        return None
    url = httpx.URL(proxy)
    if not url.userinfo:
        return httpx.Proxy(url)
    credentials = f"{url.username}:{url.password}".encode()
    header = "Basic " + base64.b64encode(credentials).decode("ascii")
    return httpx.Proxy(url.copy_with(username=None, password=None), headers={"Proxy-Authorization": header})
