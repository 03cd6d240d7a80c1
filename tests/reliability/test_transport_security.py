"""Transport security: plain http only to loopback, no redirect followed, TLS verified unless turned off
explicitly (and loudly).

Extends tests/test_security.py with generated hosts, tricky URLs, the
environment and the ``leadexec provision`` command, and proves TLS
verification against a real TLS server on loopback (a throw-away
certificate made with the ``openssl`` command), on asyncio (aiohttp) and
trio (httpx).
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadexec_async as lx
from leadexec_async._aiohttp_wire import AiohttpWire
from leadexec_async._httpx_wire import HttpxWire
from leadexec_async.cli import main as leadexec

from ._support import CountingTransport

# ---------------------------------------------------------------- plain http


def _public_ipv4() -> st.SearchStrategy[str]:
    return st.ip_addresses(v=4).filter(lambda ip: not ip.is_loopback).map(str)


def _public_ipv6() -> st.SearchStrategy[str]:
    return st.ip_addresses(v=6).filter(lambda ip: not ip.is_loopback).map(lambda ip: f"[{ip}]")


HOSTNAME = st.from_regex(r"\A[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,3}\Z").filter(
    lambda h: h != "localhost"
)


@settings(max_examples=150, deadline=None)
@given(host=_public_ipv4() | _public_ipv6() | HOSTNAME, port=st.none() | st.integers(1, 65535))
def test_plain_http_to_any_other_host_is_refused(host: str, port: int | None) -> None:
    url = f"http://{host}" + (f":{port}" if port else "")
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", base_url=url)
    assert caught.value.field == "base_url"
    assert "http://" in str(caught.value)
    # the same URL over https is fine
    lx.LeadExecClient(access_token="t", base_url=url.replace("http://", "https://", 1))


@settings(max_examples=60, deadline=None)
@given(ip=st.ip_addresses(network="127.0.0.0/8") | st.just(ipaddress.ip_address("::1")))
def test_plain_http_to_loopback_is_allowed(ip: Any) -> None:
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    assert lx.LeadExecClient(access_token="t", base_url=f"http://{host}:8080").base_url.startswith("http://")


@settings(max_examples=40, deadline=None)
@given(ip=st.ip_addresses(network="127.0.0.0/8"))
def test_ipv4_mapped_loopback_is_refused_on_every_python(ip: Any) -> None:
    """``::ffff:127.x.y.z`` is refused on 3.11-3.13 alike (3.13's ipaddress calls it loopback, 3.11's not)."""
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", base_url=f"http://[::ffff:{ip}]:8080")
    assert caught.value.field == "base_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1.nip.io",  # a public name that merely starts like loopback
        "http://localhost.evil.example",
        "http://127.0.0.1@evil.example",  # userinfo: the host is evil.example
        "http://evil.example#@127.0.0.1",  # fragment: the host is evil.example
        "http://evil.example\\@127.0.0.1",
        "http://[::ffff:7f00:1]",  # IPv4-mapped: not accepted as loopback (conservative)
        "http://0.0.0.0",
        "http://2130706433",  # 127.0.0.1 as one number: refused rather than guessed
        "HTTP://api.leadexec.net",
        "ws://127.0.0.1",
        "file:///etc/passwd",
        "//api.leadexec.net",
        "api.leadexec.net",
        "",
    ],
)
def test_tricky_base_urls_are_refused(url: str) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", base_url=url or " ")
    assert caught.value.field == "base_url"


def test_the_environment_base_url_is_held_to_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADEXEC_BASE_URL", "http://api.leadexec.net")
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t")
    assert caught.value.field == "base_url"


def test_provision_refuses_plain_http_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("clients:\n  - key: a\n    username: a\n    password: p\n", encoding="utf-8")
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", "t")
    status = leadexec(["provision", str(plan), "--base-url", "http://api.leadexec.net", "--progress", "none"])
    assert status == 2
    assert "http://" in capsys.readouterr().err


@pytest.mark.anyio
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_are_not_followed(anyio_backend: str, status: int) -> None:
    """A redirect (say, to plain http elsewhere) is an error: the token never goes to another place."""
    transport = CountingTransport(
        lambda r: httpx.Response(status, headers={"Location": "http://evil.example/v1/clients"})
    )
    async with lx.LeadExecClient(access_token="t", transport=transport) as le:
        with pytest.raises(lx.APIStatusError) as caught:
            await le.clients.update(3, username="u", reset_omitted=True)
    assert caught.value.status_code == status
    assert [r.url.host for r in transport.requests] == ["api.leadexec.net"]


# ---------------------------------------------------------------- TLS against a real server


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.answered += 1  # type: ignore[attr-defined]
        body = b"7"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_PATCH = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for IP 127.0.0.1 only (not for "localhost")."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[ThreadingHTTPServer]:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.answered = 0  # type: ignore[attr-defined]
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _url(server: ThreadingHTTPServer, host: str = "127.0.0.1") -> str:
    return f"https://{host}:{server.server_address[1]}"


@pytest.mark.anyio
async def test_an_untrusted_certificate_is_refused_by_default(
    anyio_backend: str, tls_server: ThreadingHTTPServer
) -> None:
    async with lx.LeadExecClient(access_token="t", base_url=_url(tls_server), retry_backoff=0.0) as le:
        with pytest.raises(lx.APIConnectionError):
            await le.clients.update(3, username="u", reset_omitted=True)
    assert tls_server.answered == 0  # type: ignore[attr-defined]


def test_a_certificate_failure_says_so_under_trio(tls_server: ThreadingHTTPServer) -> None:
    async def call() -> lx.APIConnectionError:
        async with lx.LeadExecClient(access_token="t", base_url=_url(tls_server), max_retries=0) as le:
            with pytest.raises(lx.APIConnectionError) as caught:
                await le.clients.update(3, username="u", reset_omitted=True)
        return caught.value

    error = anyio.run(call, backend="trio")
    assert "certificate" in str(error).lower()


@pytest.mark.anyio
async def test_a_trusted_certificate_works_and_its_host_name_is_checked(
    anyio_backend: str, tls_server: ThreadingHTTPServer, certificate: tuple[Path, Path]
) -> None:
    cert, _ = certificate
    trusted = ssl.create_default_context(cafile=str(cert))
    async with lx.LeadExecClient(access_token="t", base_url=_url(tls_server), verify=trusted) as le:
        assert await le.clients.update(3, username="u", reset_omitted=True) == 7
    # the same certificate does not name "localhost": the host name check refuses it
    async with lx.LeadExecClient(
        access_token="t", base_url=_url(tls_server, "localhost"), verify=trusted, max_retries=0
    ) as le:
        with pytest.raises(lx.APIConnectionError):
            await le.clients.update(3, username="u", reset_omitted=True)
    assert tls_server.answered == 1  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_verification_is_off_only_when_asked_and_then_with_a_warning(
    anyio_backend: str, tls_server: ThreadingHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="leadexec_async"):
        le = lx.LeadExecClient(access_token="t", base_url=_url(tls_server), verify=False)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "verification is disabled" in warnings[0].getMessage()
    async with le:
        assert await le.clients.update(3, username="u", reset_omitted=True) == 7


def _unverified_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _no_hostname_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    return context


@pytest.mark.parametrize(
    "make", [_unverified_context, _no_hostname_context], ids=["cert-none", "no-hostname"]
)
def test_an_ssl_context_that_does_not_verify_warns(make: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="leadexec_async"):
        lx.LeadExecClient(access_token="t", verify=make())
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "disabled" in caplog.records[0].getMessage()


@pytest.mark.parametrize("value", [0, None, 1, [], b"cert.pem"], ids=repr)
def test_verify_values_that_are_not_a_setting_are_refused_at_once(value: Any) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", verify=value)
    assert caught.value.field == "verify"


@pytest.mark.anyio
async def test_a_default_context_verifies_certificates_and_host_names(anyio_backend: str) -> None:
    """What the SDK builds when nothing is said: CERT_REQUIRED and host-name checks, on both backends."""
    async with lx.LeadExecClient(access_token="t") as le:
        wire = le._pipeline()._wire
        if isinstance(wire, AiohttpWire):  # aiohttp under asyncio
            context = wire.ssl_context
        else:
            assert isinstance(wire, HttpxWire)
            context = wire.client._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True
