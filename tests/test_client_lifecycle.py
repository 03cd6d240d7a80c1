"""Lifecycle and configuration: aclose, use after close, owned vs caller's http client, the HTTP backend."""

from __future__ import annotations

import httpx
import pytest
import sniffio

import leadexec_async as lx
from leadexec_async import _constants as C
from leadexec_async._aiohttp_wire import AiohttpWire
from leadexec_async._httpx_wire import HttpxWire
from tests.conftest import FakeAPI

pytestmark = pytest.mark.anyio


async def test_aclose_twice_is_harmless_and_use_after_close_is_clear(api: FakeAPI) -> None:
    le = api.client()
    await le.delivery_methods.create(1, name="m")
    await le.aclose()
    await le.aclose()
    assert le.closed
    with pytest.raises(lx.ClientClosedError, match="closed"):
        await le.delivery_methods.create(1, name="m")
    with pytest.raises(lx.ClientClosedError):
        async with le:
            pass
    assert len(api.requests) == 1


async def test_a_call_waiting_to_retry_when_the_client_closes_raises_client_closed(api: FakeAPI) -> None:
    api.answers.append(httpx.ConnectError("refused"))
    le: lx.LeadExecClient | None = None

    async def close_during_backoff(seconds: float) -> None:
        assert le is not None
        await le.aclose()

    le = api.client(sleep=close_during_backoff)
    with pytest.raises(lx.ClientClosedError, match="closed") as caught:
        await le.delivery_methods.update(1, 2, name="m", reset_omitted=True)
    assert caught.value.attempts == 1  # the failed attempt; the retry was never sent
    assert len(api.requests) == 1


async def test_closed_before_first_request(api: FakeAPI) -> None:
    async with api.client() as le:
        pass
    with pytest.raises(lx.ClientClosedError):
        await le.clients.create(username="u", password="p")
    assert api.requests == []


async def test_owned_http_client_is_closed(api: FakeAPI) -> None:
    le = api.client()
    async with le:
        await le.delivery_methods.create(1, name="m")
        wire = le._pipeline()._wire
        assert isinstance(wire, HttpxWire)
        assert wire.owned
    assert wire.client.is_closed


async def test_callers_http_client_is_left_open(api: FakeAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(api.handler)) as http:
        async with lx.LeadExecClient(access_token="t", http_client=http) as le:
            assert await le.delivery_methods.create(1, name="m") == 1001
        assert not http.is_closed
        assert api.requests[0].url == "https://api.leadexec.net/v1/delivery/1/methods"


async def test_default_backend_follows_the_event_loop(api: FakeAPI) -> None:
    async with lx.LeadExecClient(access_token="t", base_url="http://127.0.0.1:9") as le:
        wire = le._pipeline()._wire
    if sniffio.current_async_library() == "asyncio":
        assert isinstance(wire, AiohttpWire)
    else:
        assert isinstance(wire, HttpxWire)
        assert wire.owned
        assert isinstance(wire.client._transport, httpx.AsyncHTTPTransport)


async def test_a_transport_given_goes_through_httpx_on_every_backend(api: FakeAPI) -> None:
    async with api.client(
        http_backend="aiohttp" if sniffio.current_async_library() == "asyncio" else "auto"
    ) as le:
        assert await le.delivery_methods.create(1, name="m") == 1001
        wire = le._pipeline()._wire
        assert isinstance(wire, HttpxWire)
        assert isinstance(wire.client._transport, httpx.MockTransport)


async def test_http_backend_httpx_is_plain_httpx(api: FakeAPI) -> None:
    async with lx.LeadExecClient(access_token="t", http_backend="httpx", max_concurrency=40) as le:
        wire = le._pipeline()._wire
    assert isinstance(wire, HttpxWire)
    transport = wire.client._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    assert transport._pool._max_connections >= 40


async def test_http_backend_aiohttp_needs_asyncio(api: FakeAPI) -> None:
    le = lx.LeadExecClient(access_token="t", http_backend="aiohttp")
    if sniffio.current_async_library() == "asyncio":
        async with le:
            assert isinstance(le._pipeline()._wire, AiohttpWire)
    else:
        with pytest.raises(lx.ValidationError) as caught:
            await le.delivery_methods.create(1, name="m")
        assert caught.value.field == "http_backend"
        await le.aclose()


def test_default_timeout_is_finite() -> None:
    le = lx.LeadExecClient(access_token="t")
    timeout = le._timeout
    assert timeout.connect == C.DEFAULT_CONNECT_TIMEOUT == 5.0
    assert timeout.read == timeout.write == timeout.pool == 30.0
    assert lx.LeadExecClient(access_token="t", timeout=12)._timeout.read == 12.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": None}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": httpx.Timeout(None)}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_retry_wait": -1}, "max_retry_wait"),
        ({"retry_backoff": float("nan")}, "retry_backoff"),
        ({"http_backend": "curl"}, "http_backend"),
        (
            {
                "transport": httpx.MockTransport(lambda r: httpx.Response(200)),
                "http_client": httpx.AsyncClient(),
            },
            "transport",
        ),
        ({"base_url": "ftp://api.leadexec.net"}, "base_url"),
        ({"base_url": "https://user:pw@api.leadexec.net"}, "base_url"),
    ],
)
def test_bad_configuration_is_named(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert field in str(caught.value)
