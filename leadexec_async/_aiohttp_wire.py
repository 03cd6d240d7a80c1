"""The asyncio wire: one request out and one bounded answer back, over aiohttp's public API.

:class:`AiohttpWire` implements :class:`~leadexec_async._wire.Wire` with an
:class:`aiohttp.ClientSession` made for the SDK alone, and does as little as it
can per request: the headers go to aiohttp as the dict they come in, the answer's
headers come back as aiohttp's own case-insensitive mapping, and no httpx
request or response object is ever built.

What it promises beyond the protocol:

* **Nothing is sent twice.** aiohttp resends an idempotent request (PUT, which
  the delivery endpoints use) once by itself when a reused keep-alive
  connection fails under it. A client middleware (aiohttp's public
  ``middlewares`` hook, 3.12 and later) turns exactly those failures into one
  that aiohttp does not resend; the pipeline then classifies it like any other
  failure after sending.
* **Bounded answers.** Responses are not decompressed by aiohttp
  (``auto_decompress=False``); the raw chunks go through
  :class:`~leadexec_async._decode.BoundedDecoder`, and the caps are counted in
  decoded bytes as they stream. Past a cap nothing more is read and the
  connection is closed, never put back in the pool. Status lines and headers
  are bounded by aiohttp's own parser limits.
* **Truthful failures.** Every failure is an :class:`httpx.RequestError`
  (see :mod:`leadexec_async._wire` for what each one means). Only errors that
  aiohttp raises before a connection is in hand (connecting, TLS, a proxy that
  refuses the tunnel, a connect timeout) say "nothing was sent"; everything
  else may have reached the server. aiohttp's messages are not passed on where
  they could quote what the server sent or a header value, and no aiohttp
  exception is chained, so nothing of a request's headers travels in an error.
* **Cancellation.** Cancelled at any point, the connection in use is closed
  (aiohttp closes it while the request is being sent; this wire while the
  answer is read), so the pool never keeps a half-read connection.

Timeouts follow :class:`httpx.Timeout` as closely as aiohttp allows:
``connect`` bounds each socket connect with its TLS handshake, ``pool`` plus
``connect`` the whole wait for a connection, and ``read`` each wait for bytes
of the answer, which starts once the request is written. aiohttp has no write
timeout: a request body is small and goes to the socket buffer at once, and a
server that does not read it trips the read timeout instead (as well as the
pipeline's deadline for the whole attempt).
"""

from __future__ import annotations

import base64
import os
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import aiohttp
import httpx

from ._constants import KEEPALIVE_EXPIRY
from ._decode import ACCEPT_ENCODING, BoundedDecoder
from ._wire import Answer, BodyTooLargeError

if TYPE_CHECKING:
    from aiohttp.client_reqrep import ClientRequest, ClientResponse

__all__ = ["AiohttpWire"]

VerifyTypes = ssl.SSLContext | str | bool
_Handler = Callable[["ClientRequest"], Awaitable["ClientResponse"]]


class _FailedAfterConnecting(Exception):
    """Carries a failure that aiohttp would answer by resending the request by itself."""

    def __init__(self, original: BaseException) -> None:
        super().__init__()
        self.original = original


async def _never_resend(request: ClientRequest, handler: _Handler) -> ClientResponse:
    """aiohttp resends an idempotent request when a failure of these two kinds comes out of
    the handler; raising another exception in their place leaves the decision to the pipeline."""
    try:
        return await handler(request)
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
        raise  # failed to connect: nothing was sent, and aiohttp does not resend these
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise _FailedAfterConnecting(exc) from None


def ssl_context(verify: VerifyTypes) -> ssl.SSLContext:
    """The TLS context for ``verify``: httpx's (certifi's CA bundle) for ``True``/``False``, the
    caller's own context, or one trusting the CA file or directory at the path given."""
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return httpx.create_ssl_context(verify=verify, trust_env=False)


class AiohttpWire:
    """A :class:`~leadexec_async._wire.Wire` over one :class:`aiohttp.ClientSession`.

    Create it inside the running asyncio event loop. ``max_connections`` is
    the size of the pool (the client's ``max_concurrency``, so no request
    waits for a connection); ``proxy`` is one ``http://`` or ``https://``
    proxy URL that every request goes through, or ``None`` for direct
    connections. The environment is never read. Credentials in the proxy URL
    are sent as ``Proxy-Authorization`` encoded in UTF-8 (as httpx does;
    aiohttp's own encoding is Latin-1): on the CONNECT of an ``https://``
    request, and on every ``http://`` request forwarded by the proxy (which
    aiohttp would send without them).
    """

    __slots__ = ("_forward_auth", "_proxy_headers", "_request", "_session", "ssl_context")

    def __init__(
        self,
        *,
        verify: VerifyTypes,
        max_connections: int,
        timeout: httpx.Timeout,
        proxy: str | None = None,
    ) -> None:
        connect = timeout.connect
        proxy, auth = _split_proxy(proxy)
        # Proxy-Authorization: on the CONNECT of a tunnel, and in a forwarded plain request.
        self._proxy_headers = {"Proxy-Authorization": auth} if auth is not None else None
        self._forward_auth = auth
        #: the TLS settings of every connection (verification, CA bundle)
        self.ssl_context = ssl_context(verify)
        connector = aiohttp.TCPConnector(
            limit=max_connections,
            limit_per_host=0,
            ssl=self.ssl_context,
            keepalive_timeout=KEEPALIVE_EXPIRY,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=None if connect is None or timeout.pool is None else connect + timeout.pool,
                sock_connect=connect,
                sock_read=timeout.read,
            ),
            headers={"Accept-Encoding": ACCEPT_ENCODING},
            auto_decompress=False,
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            proxy=proxy,
            middlewares=(_never_resend,),
        )
        self._request = self._session.request

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session underneath (for tests and diagnostics)."""
        return self._session

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        *,
        max_body: int,
        max_error_body: int,
    ) -> Answer:
        """Send one request and read its answer within the caps (see :class:`~leadexec_async._wire.Wire`)."""
        # Failures are raised outside the ``except`` blocks, so that no aiohttp exception
        # rides along as ``__context__`` either.
        failure: httpx.RequestError | None = None
        forward_auth = self._forward_auth
        if forward_auth is not None and url.startswith("http:"):
            headers = {**headers, "Proxy-Authorization": forward_auth}
        response = None
        try:
            response = await self._request(
                method,
                url,
                headers=headers,
                data=content,
                allow_redirects=False,
                proxy_headers=self._proxy_headers,
            )
        except Exception as exc:
            failure = _failure(exc)
        if response is None:
            assert failure is not None  # the request either answered or failed
            raise failure
        # From here on the connection is ours: it goes back to the pool only when the
        # body was read to its end; on every other way out (a cap, an error, a
        # cancellation) it is closed.
        done = False
        answer = None
        try:
            status = response.status
            answer_headers = response.headers
            success = 200 <= status < 300
            limit = max_body if success else max_error_body
            coding = answer_headers.get("Content-Encoding")
            length = response.content_length
            if success and coding is None and length is not None and length > limit:
                raise BodyTooLargeError(f"the answer's body is {length} bytes, over the cap of {limit}")
            body, over = await _read(response.content, coding, limit)
            if over and success:
                raise BodyTooLargeError(f"the answer's body went past the cap of {limit} decoded bytes")
            answer = Answer(status, answer_headers, body, over)
            done = not over
        except httpx.RequestError as exc:  # a cap or a decoding failure, raised here
            failure = exc
        except Exception as exc:
            failure = _failure(_FailedAfterConnecting(exc))
        finally:
            if done:
                response.release()
            else:
                response.close()
        if answer is None or failure is not None:
            assert failure is not None  # the body was either read or failed
            raise failure
        return answer

    async def aclose(self) -> None:
        """Close every connection of the pool; no :meth:`send` after this."""
        await self._session.close()


def _split_proxy(proxy: str | None) -> tuple[str | None, str | None]:
    """The proxy URL without its credentials, and the ``Proxy-Authorization`` value made of them
    (UTF-8, percent-escapes undone), or ``None`` when it has none."""
    if proxy is None:
        return None, None
    url = httpx.URL(proxy)
    if not url.userinfo:
        return proxy, None
    credentials = f"{url.username}:{url.password}".encode()
    bare = str(url.copy_with(username=None, password=None))
    return bare, "Basic " + base64.b64encode(credentials).decode("ascii")


async def _read(stream: aiohttp.StreamReader, coding: str | None, limit: int) -> tuple[bytes, bool]:
    """The decoded body, at most ``limit`` bytes, and whether there was more (then not read)."""
    decoder = BoundedDecoder(coding) if coding is not None else None
    readany = stream.readany
    at_eof = stream.at_eof
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = await readany()
        if not chunk:
            break
        if decoder is not None:
            chunk = decoder.feed(chunk, limit - size)
        size += len(chunk)
        if size > limit:
            parts.append(chunk[: len(chunk) - (size - limit)])
            return b"".join(parts), True
        parts.append(chunk)
        if at_eof():
            break
    if decoder is not None:
        decoder.flush()
    return (parts[0] if len(parts) == 1 else b"".join(parts)), False


def _failure(exc: BaseException) -> httpx.RequestError:
    """The httpx error that says truthfully whether the request may have reached the server.

    Messages name the kind of failure and, for connection failures, aiohttp's
    own text (host, port and the system's reason); never what the server sent.
    """
    if isinstance(exc, _FailedAfterConnecting):
        return _after_sending(exc.original)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout("timed out connecting to the server")
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ServerFingerprintMismatch):
        return httpx.ConnectError(str(exc) or type(exc).__name__)
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return httpx.ConnectError(f"the proxy refused to open a tunnel (it answered {exc.status})")
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol("the request URL cannot be sent by aiohttp")
    if isinstance(exc, ValueError | TypeError) and not isinstance(exc, aiohttp.ClientError):
        # aiohttp checks headers before writing them (CR, LF or NUL in a value, say)
        return httpx.LocalProtocolError(f"the request could not be formed ({type(exc).__name__})")
    if isinstance(exc, RuntimeError) and not isinstance(exc, aiohttp.ClientError):
        return httpx.ConnectError("the connection pool is closed")
    return _after_sending(exc)


def _after_sending(exc: BaseException) -> httpx.RequestError:
    """A failure once the request may have left: it may have reached the server."""
    name = type(exc).__name__
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(f"timed out waiting for the answer ({name})")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError("the server closed the connection without a complete answer")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError("the answer's body was cut short or malformed")
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError("the answer is not well-formed HTTP/1.1")
    if isinstance(exc, OSError) and exc.strerror:
        return httpx.ReadError(f"{name}: {exc.strerror}")
    return httpx.ReadError(name)
