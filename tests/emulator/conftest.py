"""Fixtures of the emulator tests: one shared server, reset per test, and a raw API helper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("jsonschema")

from leadexec_async.emulator import EmulatorServer

from ._bodies import Api


@pytest.fixture(scope="package")
def shared_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        client_id="test-id", client_secret="test-secret", token="static-test-token"
    ) as server:
        yield server


@pytest.fixture
def server(shared_server: EmulatorServer) -> EmulatorServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.close()
