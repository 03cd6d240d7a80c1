"""Injected faults: parsing, seeded determinism, and drops that really close the connection."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from leadexec_async.emulator import EmulatorServer, create_app, parse_faults

from ._bodies import Api, client_body

RAW_TIMEOUT = 5.0


def _raw_exchange(server: EmulatorServer, token: str, body: dict[str, object]) -> bytes:
    """Send one PATCH /v1/clients over a bare socket; return every byte the server sent before closing."""
    payload = json.dumps(body).encode()
    request = (
        b"PATCH /v1/clients HTTP/1.1\r\nHost: emulator\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=RAW_TIMEOUT) as sock:
        sock.sendall(request)
        received = b""
        while True:
            chunk = sock.recv(65536)  # blocks until data or EOF; the timeout fails the test
            if not chunk:
                return received
            received += chunk
            if b"\r\n\r\n" in received:  # a full answer would keep the connection open: stop here
                return received


@pytest.fixture
def uvicorn_errors() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_parse_faults() -> None:
    plan = parse_faults("429:0.05, 503:0.05,500:0.02,drop-before:0.02,drop-after:0.01,latency:0.01-0.2")
    assert plan.rates == {"429": 0.05, "503": 0.05, "500": 0.02, "drop-before": 0.02, "drop-after": 0.01}
    assert (plan.latency_probability, plan.latency_range) == (1.0, (0.01, 0.2))
    assert parse_faults("latency:0.5@0-0.1").latency_probability == 0.5
    assert not parse_faults("").active


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("418:0.1", "unknown fault kind '418'"),
        ("429:abc", "not a number"),
        ("429:1.5", "between 0 and 1"),
        ("429:0.6,503:0.6", "more than 1"),
        ("latency:0.3", "LOW-HIGH"),
        ("latency:0.3-0.1", "LOW <= HIGH"),
        ("429", "KIND:VALUE"),
        ("429:0.1,429:0.2", "twice"),
    ],
)
def test_bad_fault_specs_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_faults(text)


@pytest.fixture(scope="module", params=["h11", "httptools"])
def http_server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """An emulator on each of uvicorn's HTTP implementations: the drop must work on both."""
    pytest.importorskip(request.param)
    with EmulatorServer(token="raw", http=request.param) as server:
        yield server


def test_drop_before_closes_without_an_answer_and_applies_nothing(
    http_server: EmulatorServer, uvicorn_errors: list[logging.LogRecord]
) -> None:
    http_server.reset()
    http_server.schedule_fault("drop-before", operation="upsert_client")
    assert _raw_exchange(http_server, "raw", client_body()) == b""
    state = http_server.state()
    assert state["clients"] == []
    assert state["counters"]["faults"]["drop-before"] == 1
    assert state["counters"]["by_operation_outcome"]["upsert_client"] == {"drop-before": 1}
    assert _raw_exchange(http_server, "raw", client_body()).startswith(b"HTTP/1.1 200 ")  # still serving
    assert uvicorn_errors == []


def test_drop_after_applies_then_closes_without_an_answer(
    http_server: EmulatorServer, uvicorn_errors: list[logging.LogRecord]
) -> None:
    http_server.reset()
    http_server.schedule_fault("drop-after", operation="upsert_client")
    assert _raw_exchange(http_server, "raw", client_body()) == b""
    state = http_server.state()
    assert len(state["clients"]) == 1
    assert state["counters"]["creates_applied"]["clients"] == 1
    assert state["counters"]["faults"]["drop-after"] == 1
    assert uvicorn_errors == []


def test_a_drop_on_a_kept_alive_connection_reaches_httpx_as_a_transport_error(api: Api) -> None:
    api.make_client("first")  # the pooled connection is now open
    api.server.schedule_fault("drop-after", operation="upsert_client")
    with pytest.raises(httpx.RemoteProtocolError):
        api.client(client_body("second"))
    assert api.client(client_body("third")).status_code == 200  # a new connection works


class _CycleWithoutTransport:
    """A server's request cycle that, unlike uvicorn's today, keeps no ``transport``."""

    def __init__(self, receive: Any) -> None:
        self._receive = receive

    async def receive(self) -> Any:
        return await self._receive()


@pytest.mark.anyio
async def test_a_drop_the_server_cannot_do_fails_loudly_instead_of_answering(anyio_backend: str) -> None:
    # What a uvicorn that no longer exposes its transport would look like to the emulator.
    app = create_app(token="t")

    async def served(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, _CycleWithoutTransport(receive).receive, send)

    app.schedule_fault("drop-after", operation="upsert_client")
    transport = httpx.ASGITransport(app=served)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        with pytest.raises(RuntimeError, match=r"cannot drop this connection.*_CycleWithoutTransport"):
            await http.patch("/v1/clients", json=client_body(), headers={"Authorization": "Bearer t"})


def test_500_applies_the_request_then_fails(api: Api) -> None:
    api.server.schedule_fault("500", operation="upsert_client")
    response = api.client(client_body())
    assert response.status_code == 500
    assert len(api.server.state()["clients"]) == 1


@pytest.mark.parametrize("kind", ["429", "503"])
def test_429_and_503_refuse_before_anything(api: Api, kind: str) -> None:
    api.server.schedule_fault(kind)
    response = api.client(client_body())
    assert response.status_code == int(kind)
    assert response.headers["retry-after"] == "0"
    assert api.server.state()["clients"] == []


def _outcomes(server: EmulatorServer, count: int) -> list[str]:
    api = Api(server, token="static")
    seen = []
    for n in range(count):
        try:
            seen.append(str(api.client(client_body(f"user-{n}")).status_code))
        except httpx.TransportError:
            seen.append("dropped")
    api.close()
    return seen


def test_same_seed_same_fault_sequence() -> None:
    faults = "429:0.15,503:0.15,500:0.1,drop-before:0.1,drop-after:0.1,latency:0.2@0.001-0.002"
    options = {"faults": faults, "token": "static"}
    with EmulatorServer(seed=7, **options) as first:
        sequence = _outcomes(first, 40)
        counters = first.state()["counters"]["faults"]
        first.reset()
        assert _outcomes(first, 40) == sequence  # reset restarts the sequence
    with EmulatorServer(seed=7, **options) as again:
        assert _outcomes(again, 40) == sequence
    with EmulatorServer(seed=8, **options) as other:
        assert _outcomes(other, 40) != sequence
    assert {"200", "429", "503", "500", "dropped"} <= set(sequence)
    assert counters["latency"] > 0
    assert counters["drop-before"] + counters["drop-after"] == sequence.count("dropped")
    assert counters["429"] == sequence.count("429")
