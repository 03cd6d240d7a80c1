"""LeadExecClient: configuration, lifecycle and the three resources."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import ssl
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio
import httpx
from leadexec_api_client.api.authorization import create_token
from leadexec_api_client.models import TokenRequest
from leadexec_api_client.models.grant_type import GrantType

from . import _constants as C
from ._auth import ClientCredentialsAuth, StaticAuth
from ._errors import ClientClosedError, ValidationError, shown
from ._limits import AdaptiveRateLimiter, ConcurrencyLimiter, RateLimiter
from ._logging import Secret, configure_from_env, logger, unwatch_secrets, watch_secrets
from ._pipeline import Pipeline, Rejected, TracedPipeline
from ._records import SECRET_FIELDS, masked_wire
from ._resources import (
    CLIENTS,
    DELIVERY_ACCOUNTS,
    DELIVERY_METHODS,
    ClientsResource,
    DeliveryAccountsResource,
    DeliveryMethodsResource,
)
from ._retry import Kind, RetryPolicy
from ._tracing import make_tracer
from ._transport import VerifyTypes, build_wire
from ._wire import Answer, Wire

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

__all__ = ["LeadExecClient", "pacing_of"]

Sleep = Callable[[float], Awaitable[None]]


class LeadExecClient:
    """An async client of the LeadExec Account API; use it with ``async with`` or call :meth:`aclose`.

    Credentials: ``access_token`` (a bearer token), or ``client_id`` and
    ``client_secret`` (tokens are then fetched from
    ``POST /v1/authorization/token`` and renewed before they expire). Missing
    arguments fall back to ``LEADEXEC_ACCESS_TOKEN``, ``LEADEXEC_CLIENT_ID``,
    ``LEADEXEC_CLIENT_SECRET`` and ``LEADEXEC_BASE_URL``.

    Arguments:
        base_url: the API root; ``https://`` only, except ``http://`` to a loopback host.
        timeout: seconds for each phase of a request (float), or an
            :class:`httpx.Timeout`. Default: 5 s to connect, 30 s each to write,
            to wait for/read the answer and to take a pooled connection.
        max_retries: repeats after the first attempt, for failures that may be
            repeated without creating a record twice (see :mod:`leadexec_async._retry`).
        max_concurrency: requests in flight at once across everything sharing
            this client, token requests included.
        rate_limit: the most requests per second across the client; ``None``
            sets no client-side ceiling. Either way the rate adapts to the
            server's: it slows down to what the server accepts when answers
            come back 429, and probes back up (never above ``rate_limit``);
            see :class:`~leadexec_async._limits.AdaptiveRateLimiter`.
        transport: an :class:`httpx.AsyncBaseTransport` to send through (tests, proxies).
        http_client: an :class:`httpx.AsyncClient` owned by the caller; it is
            not closed by :meth:`aclose`, and its pool should hold at least
            ``max_concurrency`` connections.
        max_retry_wait: the longest ``Retry-After`` honoured, in seconds; a
            longer one raises at once (:class:`RateLimitError` for a 429).
        retry_backoff: the first backoff in seconds (doubling per repeat, up to
            ``retry_backoff_max``, minus up to 25 % jitter).
        verify: TLS verification (``True``, a CA bundle path or an
            :class:`ssl.SSLContext`). ``False`` disables it and logs a WARNING.
        http_backend: ``"auto"`` (aiohttp under asyncio, httpx under trio),
            ``"aiohttp"`` or ``"httpx"``; chosen at the first request.
        sleep: the function awaited between attempts (tests pass an instant one).
        attempt_timeout: seconds one attempt may take as a whole (connect,
            send and read together), however the server trickles its answer;
            past it the attempt fails like a read timeout (a create becomes
            :class:`OutcomeUnknownError`, an update is retried). Default: the
            sum of the connect, write and read phases of ``timeout`` (65 s).
        max_error_body: bytes of an error answer's body kept (after
            decoding) for ``APIStatusError.body``; the rest is not read and the
            connection is closed. Default 64 KiB. Success bodies have fixed
            caps (4 KiB for a record id, 16 KiB for a token answer).
        proxy: the URL of an HTTP proxy (``http://`` or ``https://``, with
            ``user:password@`` when it needs them: they are kept secret) that
            every request goes through. Not with ``transport`` or ``http_client``.
        trust_env: when no ``proxy`` is given, take it from ``HTTPS_PROXY``
            (``HTTP_PROXY`` for an ``http://`` base URL), else ``ALL_PROXY``,
            unless ``NO_PROXY`` names the host; read once, here. A loopback
            ``http://`` base URL is never sent through a proxy from the
            environment. ``False`` ignores these variables.
        tracing: OpenTelemetry spans, one per call (the ``otel`` extra): ``True``
            uses the global tracer provider, a ``TracerProvider`` uses that one,
            ``False`` turns tracing off; ``None`` (default) reads
            ``LEADEXEC_TRACING`` (``1``/``true``/``on``/``yes``; off when unset).
            The tracing guide lists the attributes and events.
    """

    def __init__(
        self,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = C.DEFAULT_TIMEOUT,
        max_retries: int = C.DEFAULT_MAX_RETRIES,
        max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY,
        rate_limit: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        max_retry_wait: float = C.DEFAULT_MAX_RETRY_WAIT,
        retry_backoff: float = C.DEFAULT_BACKOFF_INITIAL,
        retry_backoff_max: float = C.DEFAULT_BACKOFF_MAX,
        verify: VerifyTypes = True,
        http_backend: str = C.DEFAULT_HTTP_BACKEND,
        sleep: Sleep | None = None,
        attempt_timeout: float | None = None,
        max_error_body: int = C.DEFAULT_MAX_ERROR_BODY,
        proxy: str | None = None,
        trust_env: bool = True,
        tracing: bool | TracerProvider | None = C.DEFAULT_TRACING,
    ) -> None:
        configure_from_env()
        self._base_url = _check_base_url(base_url or os.environ.get(C.ENV_BASE_URL) or C.DEFAULT_BASE_URL)
        self._auth = _pick_auth(access_token, client_id, client_secret)
        self._timeout = _check_timeout(timeout)
        if attempt_timeout is None:
            phases = (self._timeout.connect, self._timeout.write, self._timeout.read)
            attempt_timeout = sum(p for p in phases if p is not None)  # all set (_check_timeout)
        else:
            _check_seconds("attempt_timeout", attempt_timeout, positive=True)
        self._attempt_timeout = float(attempt_timeout)
        _check_int("max_error_body", max_error_body, 0)
        self._max_error_body = max_error_body
        if not isinstance(trust_env, bool):
            raise ValidationError(
                f"trust_env: expected True or False, got {shown(trust_env)}", field="trust_env"
            )
        if proxy is not None and (transport is not None or http_client is not None):
            raise ValidationError(
                "proxy: applies to the SDK's own connections; with transport= or http_client=, "
                "configure the proxy there",
                field="proxy",
            )
        own_connections = transport is None and http_client is None
        proxy_url = _pick_proxy(proxy, trust_env and own_connections, self._base_url)
        self._proxy = Secret(proxy_url) if proxy_url is not None else None
        _check_int("max_retries", max_retries, 0)
        _check_int("max_concurrency", max_concurrency, 1)
        for name, value in (
            ("max_retry_wait", max_retry_wait),
            ("retry_backoff", retry_backoff),
            ("retry_backoff_max", retry_backoff_max),
        ):
            _check_seconds(name, value)
        if http_backend not in C.HTTP_BACKENDS:
            raise ValidationError(
                f"http_backend: expected one of {', '.join(C.HTTP_BACKENDS)}, got {http_backend!r}",
                field="http_backend",
            )
        if transport is not None and http_client is not None:
            raise ValidationError("pass transport or http_client, not both", field="transport")
        _check_verify(verify, self._base_url)
        self._max_concurrency = max_concurrency
        self._rate: RateLimiter = AdaptiveRateLimiter(rate_limit)
        self._policy = RetryPolicy(
            max_retries=max_retries,
            initial=retry_backoff,
            maximum=retry_backoff_max,
            max_wait=max_retry_wait,
        )
        self._verify = verify
        self._http_backend = http_backend
        self._transport = transport
        self._http = http_client  # the caller's, wrapped as is and never closed here
        self._wire: Wire | None = None
        self._sleep = sleep or anyio.sleep
        self._tracer = make_tracer(tracing)  # [tracing] None when off: opentelemetry is not imported
        self._live: Pipeline | None = None
        self._closed = False
        auth, proxy_secrets = self._auth, _proxy_secrets(proxy_url)
        watch_secrets(self, lambda: (*auth.secrets(), *proxy_secrets))
        self.clients = ClientsResource(self._pipeline, CLIENTS)
        self.delivery_methods = DeliveryMethodsResource(self._pipeline, DELIVERY_METHODS)
        self.delivery_accounts = DeliveryAccountsResource(self._pipeline, DELIVERY_ACCOUNTS)

    # -- lifecycle ---------------------------------------------------------------

    def _pipeline(self) -> Pipeline:
        """The pipeline of this client, built at the first request (inside the event loop)."""
        live = self._live
        if live is not None:
            return live
        if self._closed:
            raise ClientClosedError("this LeadExecClient is closed; create a new one to send more requests")
        if self._wire is None:
            try:
                self._wire = build_wire(
                    backend=self._http_backend,
                    timeout=self._timeout,
                    verify=self._verify,
                    max_concurrency=self._max_concurrency,
                    transport=self._transport,
                    http_client=self._http,
                    proxy=self._proxy.value if self._proxy is not None else None,
                )
            except (OSError, ssl.SSLError, ValueError) as exc:
                if isinstance(exc, ValidationError):
                    raise
                # A CA bundle that cannot be read is the usual cause; nothing was sent.
                raise ValidationError(
                    f"verify: the TLS settings could not be loaded ({type(exc).__name__}: "
                    f"{exc.strerror if isinstance(exc, OSError) and exc.strerror else exc})",
                    field="verify",
                ) from None
        make: Callable[..., Pipeline] = (  # [tracing] a span per call when tracing is on
            Pipeline if self._tracer is None else partial(TracedPipeline, tracer=self._tracer)
        )
        live = self._live = make(
            wire=self._wire,
            base_url=self._base_url,
            auth=self._auth,
            concurrency=ConcurrencyLimiter(self._max_concurrency),
            rate=self._rate,
            policy=self._policy,
            sleep=self._sleep,
            mask=masked_wire,
            attempt_timeout=self._attempt_timeout,
            max_error_body=self._max_error_body,
            secret_fields=SECRET_FIELDS,
            extra_secrets=_proxy_secrets(self._proxy.value if self._proxy is not None else None),
        )
        if isinstance(self._auth, ClientCredentialsAuth):
            self._auth.bind(self._fetch_token)
        return live

    async def _fetch_token(self) -> tuple[str, float]:
        assert isinstance(self._auth, ClientCredentialsAuth)
        request = TokenRequest(
            client_id=self._auth.client_id,
            client_secret=self._auth.client_secret.value,
            grant_type=GrantType.CLIENT_CREDENTIALS,
        )
        kwargs = create_token._get_kwargs(body=request)
        return await self._pipeline().request(
            Kind.TOKEN,
            kwargs["method"],
            kwargs["url"],
            kwargs["json"],
            kwargs["headers"],
            "create_token",
            _parse_token,
            C.MAX_TOKEN_BODY,
        )

    async def aclose(self) -> None:
        """Close the connections this client opened; calling it again does nothing.

        A caller-owned ``http_client`` is left open. Requests after this raise
        :class:`ClientClosedError`.
        """
        if self._closed:
            return
        self._closed = True
        unwatch_secrets(self)
        live, self._live = self._live, None
        if live is not None:
            live.close()  # a call waiting to retry raises ClientClosedError instead of sending
        wire, self._wire = self._wire, None
        if wire is not None:
            await wire.aclose()  # a caller's http_client is not closed (see HttpxWire.owned)

    async def __aenter__(self) -> Self:
        if self._closed:
            raise ClientClosedError("this LeadExecClient is closed; create a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has run."""
        return self._closed

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._base_url

    def __repr__(self) -> str:
        auth = "none"
        if isinstance(self._auth, StaticAuth):
            auth = "access_token"
        elif isinstance(self._auth, ClientCredentialsAuth):
            auth = "client_credentials"
        state = "closed" if self._closed else "open"
        return (
            f"<LeadExecClient {state} base_url={self._base_url!r} auth={auth} "
            f"max_concurrency={self._max_concurrency} max_retries={self._policy.max_retries}>"
        )


def pacing_of(le: object) -> tuple[RetryPolicy, Sleep]:
    """The retry policy and the sleep of ``le`` if it is a :class:`LeadExecClient`, else the defaults.

    Bulk runs use them to pace the calls they send again, so those follow the
    client's configuration (``max_retry_wait``, ``retry_backoff``, ``sleep``).
    """
    if isinstance(le, LeadExecClient):
        return le._policy, le._sleep
    return RetryPolicy(), anyio.sleep


# -- configuration checks (construction time only) --------------------------------


def _parse_token(answer: Answer) -> tuple[str, float]:
    """``(access_token, expires_in)`` from a 2xx token answer.

    Anything unusable raises :class:`Rejected`, so that the pipeline raises
    :class:`UnexpectedResponseError` with the body withheld (it may hold a
    token): not a JSON object; ``access_token`` missing, empty, longer than
    ``MAX_TOKEN_LENGTH`` or holding anything but visible ASCII (it goes into a
    header); ``expires_in`` not a positive finite number (booleans and strings
    are refused); ``token_type`` other than ``Bearer`` (in any case).
    """
    try:
        data = json.loads(answer.body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise Rejected("without a usable token (not a JSON object)", withhold=True)
    access = data.get("access_token")
    if not isinstance(access, str) or token_problem(access) is not None:
        raise Rejected("without a usable token (access_token missing or unusable)", withhold=True)
    expires = data.get("expires_in")
    if (
        isinstance(expires, bool)
        or not isinstance(expires, int | float)
        or not math.isfinite(expires)
        or expires <= 0
    ):
        raise Rejected("without a usable token (expires_in is not a positive number)", withhold=True)
    token_type = data.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise Rejected("without a usable token (token_type is not Bearer)", withhold=True)
    return access, float(expires)


def token_problem(token: str) -> str | None:
    """What makes ``token`` unusable in an ``Authorization`` header, or ``None``; never quotes it."""
    if not token:
        return "it is empty"
    if len(token) > C.MAX_TOKEN_LENGTH:
        return f"it is longer than {C.MAX_TOKEN_LENGTH} characters"
    for position, char in enumerate(token):
        if "!" <= char <= "~":
            continue
        if char == " ":
            what = "a space"
        elif char in "\r\n":
            what = "a line break (CR or LF)"
        elif char == "\0":
            what = "a NUL character"
        elif ord(char) < 32 or ord(char) == 127:
            what = "a control character"
        elif char in "\u00a0\u2007\u202f":
            what = "a no-break space (non-ASCII)"
        else:
            what = "a non-ASCII character"
        return f"it contains {what} at position {position}; a token is visible ASCII only"
    return None


def _pick_auth(
    access_token: str | None, client_id: str | None, client_secret: str | None
) -> StaticAuth | ClientCredentialsAuth:
    if access_token is None and client_id is None and client_secret is None:
        env = os.environ
        access_token = env.get(C.ENV_ACCESS_TOKEN) or None
        if access_token is None:
            client_id = env.get(C.ENV_CLIENT_ID) or None
            client_secret = env.get(C.ENV_CLIENT_SECRET) or None
    if access_token is not None:
        if not isinstance(access_token, str) or not access_token.strip(" \t"):
            raise ValidationError("access_token: expected a non-empty string", field="access_token")
        token = access_token.strip(" \t")
        problem = token_problem(token)
        if problem is not None:
            raise ValidationError(f"access_token: unusable, {problem}", field="access_token")
        return StaticAuth(token)
    if client_id and client_secret:
        if not isinstance(client_id, str) or not isinstance(client_secret, str):
            raise ValidationError("client_id and client_secret must be strings", field="client_id")
        return ClientCredentialsAuth(client_id, client_secret)
    if client_id or client_secret:
        missing = "client_secret" if client_id else "client_id"
        raise ValidationError(
            f"{missing} is missing: the client-credentials flow needs both client_id and client_secret",
            field=missing,
        )
    raise ValidationError(
        "no credentials: pass access_token, or client_id and client_secret, or set "
        f"{C.ENV_ACCESS_TOKEN} (or {C.ENV_CLIENT_ID} and {C.ENV_CLIENT_SECRET})",
        field="access_token",
    )


def _check_base_url(value: str) -> str:
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValidationError(f"base_url: not a URL: {value!r}", field="base_url") from exc
    if url.scheme not in ("https", "http") or not url.host:
        raise ValidationError(
            f"base_url: expected an https:// URL with a host, got {value!r}", field="base_url"
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ValidationError(
            f"base_url: plain http:// is refused for {url.host!r} (tokens would travel unencrypted); "
            "use https://, or http:// only to a loopback host (127.0.0.0/8, ::1, localhost)",
            field="base_url",
        )
    if url.query or url.fragment or url.userinfo:
        raise ValidationError(
            "base_url: must not contain credentials, a query or a fragment", field="base_url"
        )
    return str(url).rstrip("/")


def _pick_proxy(proxy: object, trust_env: bool, base_url: str) -> str | None:
    """The proxy URL for ``base_url``: ``proxy`` checked, or else one from the environment."""
    base = httpx.URL(base_url)
    if proxy is not None:
        if not isinstance(proxy, str):
            raise ValidationError(f"proxy: expected a URL string, got {type(proxy).__name__}", field="proxy")
        return _check_proxy_url(proxy, "proxy", base)
    if not trust_env or (base.scheme == "http" and _is_loopback(base.host)):
        return None
    found = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass_environment(base.host, found):  # type: ignore[attr-defined]
        return None
    value = found.get(base.scheme) or found.get("all")
    if not value:
        return None
    name = f"{base.scheme.upper()}_PROXY" if found.get(base.scheme) else "ALL_PROXY"
    if "://" not in value:
        value = "http://" + value  # "host:port" is read as an HTTP proxy, as curl does
    return _check_proxy_url(value, f"{name} (from the environment; trust_env=False ignores it)", base)


def _check_proxy_url(value: str, name: str, base: httpx.URL) -> str:
    """``value`` if it is a usable proxy URL for ``base``; the message never shows its credentials."""
    field = "proxy"
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ValidationError(f"{name}: not a URL", field=field) from None
    if url.scheme not in C.PROXY_SCHEMES or not url.host:
        raise ValidationError(
            f"{name}: expected an http:// or https:// proxy URL with a host, got scheme {url.scheme[:20]!r}",
            field=field,
        )
    if url.query or url.fragment or url.path not in ("", "/"):
        raise ValidationError(f"{name}: a proxy URL has no path, query or fragment", field=field)
    if base.scheme == "http" and not _is_loopback(url.host):
        raise ValidationError(
            f"{name}: the base URL is plain http:// (loopback only), so its proxy must be on loopback "
            "too (tokens would otherwise travel unencrypted)",
            field=field,
        )
    return str(url)


def _proxy_secrets(proxy: str | None) -> tuple[str, ...]:
    """The credentials in a proxy URL (user and password, as written and decoded)."""
    if proxy is None:
        return ()
    parts = urllib.parse.urlsplit(proxy)
    found: list[str] = []
    for value in (parts.username, parts.password):
        if value:
            found += [value, urllib.parse.unquote(value)]
    return tuple(dict.fromkeys(found))


def _check_verify(verify: object, base_url: str) -> None:
    """Refuse a ``verify`` that is no setting; log a WARNING whenever it turns a TLS check off."""
    if verify is True or (isinstance(verify, str) and verify):
        return
    if verify is False:
        logger.warning("TLS certificate verification is disabled for %s", base_url)
    elif isinstance(verify, ssl.SSLContext):
        if verify.verify_mode == ssl.CERT_NONE:
            logger.warning(
                "TLS certificate verification is disabled for %s (the SSLContext given does not verify)",
                base_url,
            )
        elif not verify.check_hostname:
            logger.warning(
                "TLS host-name checking is disabled for %s (the SSLContext given does not check it)", base_url
            )
    else:
        raise ValidationError(
            "verify: expected True, False, the path of a CA bundle or an ssl.SSLContext, "
            f"got {type(verify).__name__}",
            field="verify",
        )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    # IPv4-mapped IPv6 (::ffff:127.0.0.1) is refused on every Python: 3.13's ipaddress calls it
    # loopback, 3.11 and 3.12 do not, and the rule is the documented list (127.0.0.0/8, ::1, localhost).
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return False
    return ip.is_loopback


def _check_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if any(p is None or not math.isfinite(p) or p <= 0 for p in phases):
            raise ValidationError(
                "timeout: every phase of an httpx.Timeout must be a positive finite number of seconds",
                field="timeout",
            )
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ValidationError(
            f"timeout: expected seconds (a number) or an httpx.Timeout, got {type(timeout).__name__}",
            field="timeout",
        )
    _check_seconds("timeout", timeout, positive=True)
    return httpx.Timeout(float(timeout))


def _check_int(name: str, value: Any, minimum: int) -> None:
    if type(value) is not int or value < minimum:
        raise ValidationError(f"{name}: expected an integer >= {minimum}, got {value!r}", field=name)


def _check_seconds(name: str, value: Any, *, positive: bool = False) -> None:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value > 0 if positive else value >= 0)
    )
    if not ok:
        what = "a positive" if positive else "a non-negative"
        raise ValidationError(f"{name}: expected {what} finite number of seconds, got {value!r}", field=name)
