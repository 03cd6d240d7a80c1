"""Proxies: ``proxy=`` and ``trust_env=`` (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY), the same on every backend.

Against a real forward proxy on loopback (``_proxy.py``): plain forwarding to
the emulator (an ``http://`` loopback base URL, explicit ``proxy=``) and a
CONNECT tunnel to a TLS server on loopback (``https://``, from ``proxy=`` and
from ``HTTPS_PROXY``). Credentials in a proxy URL are secrets: they reach the
proxy, and nothing else.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

import leadexec_async as lx
from leadexec_async.emulator import EmulatorServer

from ._proxy import ForwardProxy
from ._support import all_strings_of_exception
from .test_transport_security import certificate, tls_server  # noqa: F401 - fixtures used below

pytestmark = pytest.mark.anyio

TOKEN = "proxy-test-token"
PROXY_USER = "proxy-user"
PROXY_PASSWORD = "proxy-PASSWORD-ä@:/-4f3e2d1c"  # reserved URL characters: written %-escaped in the URL
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "REQUEST_METHOD",
)


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["httpx", "aiohttp"])
def backend(request: pytest.FixtureRequest, anyio_backend: str) -> str:
    if request.param == "aiohttp" and anyio_backend == "trio":
        pytest.skip("aiohttp runs on asyncio only")
    return str(request.param)


async def test_requests_go_through_the_proxy_given_with_its_credentials(backend: str) -> None:
    with (
        EmulatorServer(token=TOKEN) as emulator,
        ForwardProxy(credentials=(PROXY_USER, PROXY_PASSWORD)) as proxy,
    ):
        async with lx.LeadExecClient(
            access_token=TOKEN,
            base_url=emulator.base_url,
            http_backend=backend,
            proxy=proxy.url(PROXY_USER, PROXY_PASSWORD),
        ) as le:
            cid = await le.clients.create(username="u", password="pw")
            assert await le.clients.update(cid, username="u2", password="pw", reset_omitted=True) == cid
        state = emulator.state()
        base_url = emulator.base_url
    assert [m for m, _ in proxy.seen] == ["PATCH", "PATCH"]
    assert all(t.startswith(base_url + "/v1/clients") for _, t in proxy.seen)
    assert proxy.refused == 0
    assert len(state["clients"]) == 1


async def test_wrong_proxy_credentials_fail_clearly_and_hide_the_password(backend: str) -> None:
    with (
        EmulatorServer(token=TOKEN) as emulator,
        ForwardProxy(credentials=(PROXY_USER, "the-right-one")) as proxy,
    ):
        async with lx.LeadExecClient(
            access_token=TOKEN,
            base_url=emulator.base_url,
            http_backend=backend,
            proxy=proxy.url(PROXY_USER, PROXY_PASSWORD),
            max_retries=0,
        ) as le:
            assert PROXY_PASSWORD not in repr(vars(le))
            with pytest.raises(lx.LeadExecError) as caught:
                await le.clients.update(3, username="u", password="pw", reset_omitted=True)
    assert proxy.refused == 1
    assert proxy.seen == []
    texts = "\n".join(all_strings_of_exception(caught.value))
    assert "407" in texts
    for piece in (PROXY_PASSWORD, "proxy-PASSWORD", "4f3e2d1c", "%C3%A4%40%3A%2F"):
        assert piece not in texts


async def test_a_connect_tunnel_carries_https_from_proxy_and_from_the_environment(
    backend: str,
    tls_server: Any,  # noqa: F811 - the fixture imported above
    certificate: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, _ = certificate
    trusted = ssl.create_default_context(cafile=str(cert))
    base_url = f"https://127.0.0.1:{tls_server.server_address[1]}"
    with ForwardProxy(credentials=(PROXY_USER, PROXY_PASSWORD)) as proxy:
        async with lx.LeadExecClient(
            access_token=TOKEN,
            base_url=base_url,
            http_backend=backend,
            verify=trusted,
            proxy=proxy.url(PROXY_USER, PROXY_PASSWORD),
        ) as le:
            assert await le.clients.update(3, username="u", reset_omitted=True) == 7
        monkeypatch.setenv("HTTPS_PROXY", proxy.url(PROXY_USER, PROXY_PASSWORD))
        async with lx.LeadExecClient(
            access_token=TOKEN, base_url=base_url, http_backend=backend, verify=trusted
        ) as le:
            assert await le.clients.update(3, username="u", reset_omitted=True) == 7
        async with lx.LeadExecClient(  # trust_env=False: straight to the server
            access_token=TOKEN, base_url=base_url, http_backend=backend, verify=trusted, trust_env=False
        ) as le:
            assert await le.clients.update(3, username="u", reset_omitted=True) == 7
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with lx.LeadExecClient(  # NO_PROXY names the host: straight to the server
            access_token=TOKEN, base_url=base_url, http_backend=backend, verify=trusted
        ) as le:
            assert await le.clients.update(3, username="u", reset_omitted=True) == 7
    target = f"127.0.0.1:{tls_server.server_address[1]}"
    assert proxy.seen == [("CONNECT", target), ("CONNECT", target)]
    assert tls_server.answered == 4


# -- resolution (no traffic) -------------------------------------------------------------


def _proxy_of(le: lx.LeadExecClient) -> str | None:
    return le._proxy.value if le._proxy is not None else None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HTTPS_PROXY": "http://corp:3128"}, "http://corp:3128"),
        ({"https_proxy": "http://corp:3128"}, "http://corp:3128"),
        ({"ALL_PROXY": "http://all:8080"}, "http://all:8080"),
        ({"HTTPS_PROXY": "http://corp:3128", "ALL_PROXY": "http://all:8080"}, "http://corp:3128"),
        ({"HTTP_PROXY": "http://plain:3128"}, None),  # the base URL is https://
        ({"HTTPS_PROXY": "corp:3128"}, "http://corp:3128"),  # host:port alone reads as http://
        ({"HTTPS_PROXY": "http://corp:3128", "NO_PROXY": "api.leadexec.net"}, None),
        ({"HTTPS_PROXY": "http://corp:3128", "NO_PROXY": ".leadexec.net"}, None),
        ({"HTTPS_PROXY": "http://corp:3128", "NO_PROXY": "*"}, None),
        ({"HTTPS_PROXY": "http://corp:3128", "NO_PROXY": "other.example"}, "http://corp:3128"),
    ],
)
def test_the_environment_is_read_once_at_construction(
    env: dict[str, str], expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    le = lx.LeadExecClient(access_token="t")
    assert _proxy_of(le) == expected
    assert _proxy_of(lx.LeadExecClient(access_token="t", trust_env=False)) is None
    monkeypatch.setenv("HTTPS_PROXY", "http://changed-later:1")
    assert _proxy_of(le) == expected  # read when the client was made, not per request


def test_a_loopback_http_base_url_is_never_proxied_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://corp:3128")
    monkeypatch.setenv("ALL_PROXY", "http://corp:3128")
    assert _proxy_of(lx.LeadExecClient(access_token="t", base_url="http://127.0.0.1:8080")) is None


@pytest.mark.parametrize(
    ("proxy", "base_url", "problem"),
    [
        ("socks5://127.0.0.1:1080", None, "http:// or https://"),
        ("ftp://proxy:21", None, "http:// or https://"),
        ("http://", None, "with a host"),
        ("http://corp:3128/path", None, "no path"),
        ("http://corp:3128", "http://127.0.0.1:8080", "on loopback"),
        ("http://user:s3cret-PROXY-pw@corp:3128", "http://127.0.0.1:8080", "on loopback"),
    ],
)
def test_an_unusable_proxy_is_refused_at_construction(proxy: str, base_url: str | None, problem: str) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", proxy=proxy, base_url=base_url)
    assert caught.value.field == "proxy"
    assert problem in str(caught.value)
    assert "s3cret" not in "\n".join(all_strings_of_exception(caught.value))


def test_an_unusable_proxy_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://user:s3cret-PROXY-pw@127.0.0.1:1080")
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t")
    assert "ALL_PROXY" in str(caught.value)
    assert "trust_env=False" in str(caught.value)
    assert "s3cret" not in "\n".join(all_strings_of_exception(caught.value))
    lx.LeadExecClient(access_token="t", trust_env=False)  # the way out


def test_proxy_with_a_transport_or_http_client_is_refused() -> None:
    import httpx

    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", proxy="http://corp:3128", transport=httpx.MockTransport(print))
    assert caught.value.field == "proxy"


def test_proxy_credentials_never_show_in_the_clients_repr() -> None:
    le = lx.LeadExecClient(access_token="t", proxy="http://user:s3cret-PROXY-pw@corp:3128")
    assert "s3cret" not in repr(le) + repr(vars(le)) + str(le)


def test_the_environment_is_not_read_for_connections_the_caller_owns(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    monkeypatch.setenv("HTTPS_PROXY", "socks5://would-be-refused:1080")
    le = lx.LeadExecClient(access_token="t", transport=httpx.MockTransport(print))
    assert _proxy_of(le) is None
    with pytest.raises(lx.ValidationError):  # the same variable, read for the SDK's own connections
        lx.LeadExecClient(access_token="t")
