"""The emulator under abuse: endless heads, silent and half-sent connections, absurd fault counts.

Bare sockets on loopback play the abusive client. Each case is bounded: the
server answers or closes long before the client has sent what it would.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from leadexec_async import _constants as C
from leadexec_async.emulator import EmulatorServer

from ._bodies import client_body

RAW_TIMEOUT = 10.0  # seconds a socket read may wait: a hang fails the test instead of blocking it
STALL = 0.3


@pytest.fixture(scope="module", params=["h11", "httptools"])
def any_server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    pytest.importorskip(request.param)
    with EmulatorServer(token="abuse", http=request.param, stall_timeout=STALL) as server:
        yield server


@pytest.fixture(scope="module")
def guarded() -> Iterator[EmulatorServer]:
    pytest.importorskip("httptools")
    with EmulatorServer(token="abuse", http="httptools", stall_timeout=STALL) as server:
        yield server


def _until_closed(sock: socket.socket) -> bytes:
    """Every byte the server sends until it closes the connection."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def test_a_head_that_never_ends_is_refused_once_past_the_limit(any_server: EmulatorServer) -> None:
    sent = 0
    with socket.create_connection(("127.0.0.1", any_server.port), timeout=RAW_TIMEOUT) as sock:
        sock.sendall(b"PATCH /v1/clients HTTP/1.1\r\nHost: e\r\nX-Endless: ")
        # The client would go on for 128 MiB: far more than the loopback socket buffers can
        # hold, so only a server that stops reading and closes can make sendall fail first,
        # however slowly a loaded machine runs the server.
        endless = 4096 * C.EMULATOR_MAX_HEAD
        try:
            while sent < endless:
                sock.sendall(b"a" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _until_closed(sock)
    assert sent < endless  # cut off before the client had sent it all
    assert answer == b"" or answer.startswith((b"HTTP/1.1 431 ", b"HTTP/1.1 400 "))


@pytest.mark.parametrize(
    "partial",
    [
        b"",
        b"PATCH /v1/clients HTTP/1.1\r\nHost: e\r\n",
        b"PATCH /v1/clients HTTP/1.1\r\nContent-Length: 100\r\n\r\n{",
    ],
    ids=["silent", "half-a-head", "half-a-body"],
)
def test_a_connection_silent_before_or_inside_a_request_is_closed(
    guarded: EmulatorServer, partial: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", guarded.port), timeout=RAW_TIMEOUT) as sock:
        started = time.monotonic()
        sock.sendall(partial)
        answer = _until_closed(sock)
        waited = time.monotonic() - started
    assert waited < RAW_TIMEOUT / 2  # closed by the server, not by the test's own timeout
    assert b"200" not in answer


def test_time_the_emulator_itself_takes_is_not_a_stall() -> None:
    pytest.importorskip("httptools")
    # every request waits 0.5-0.6 s inside the emulator, longer than the 0.3 s stall limit
    with (
        EmulatorServer(
            token="abuse", http="httptools", stall_timeout=STALL, faults="latency:1@0.5-0.6"
        ) as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer abuse"}) as client,
    ):
        first = client.patch("/v1/clients", json=client_body("slow"))
        second = client.patch("/v1/clients", json=client_body("slow2"))
    assert first.status_code == second.status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "500", "times": 100_000_000},
        {"kind": "500", "times": 10**30},
        {"kind": "500", "times": 0},
        {"kind": "500", "times": "3"},
        {"kind": "500", "times": True},
        {"kind": "500", "times": 2.5},
        {"kind": 500},
        {"kind": "500", "operation": ["upsert_client"]},
        ["500"],
        "500",
    ],
    ids=repr,
)
def test_bad_fault_requests_are_answered_400_and_schedule_nothing(
    any_server: EmulatorServer, spec: object
) -> None:
    any_server.reset()
    with httpx.Client(base_url=any_server.base_url) as client:
        response = client.post("/_emulator/faults", json=spec)
        assert response.status_code == 400, response.text
        assert client.post("/_emulator/faults", json={"kind": "500", "times": 1}).status_code == 200
    assert len(any_server.emulator.faults._scheduled) == 1


def test_faults_waiting_to_be_drawn_are_bounded(any_server: EmulatorServer) -> None:
    any_server.reset()
    limit = C.EMULATOR_MAX_FAULT_TIMES
    with httpx.Client(base_url=any_server.base_url) as client:
        assert client.post("/_emulator/faults", json={"kind": "503", "times": limit}).status_code == 200
        refused = client.post("/_emulator/faults", json={"kind": "503", "times": 1})
    assert refused.status_code == 400
    assert str(limit) in refused.json()["message"]
    assert len(any_server.emulator.faults._scheduled) == limit
    any_server.reset()
