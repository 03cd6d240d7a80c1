"""pytest plugin of the emulator extra: fixtures that run a LeadExec emulator on loopback.

* ``leadexec_emulator``: a running emulator (an :class:`EmulatorServer`), emptied before
  each test. It has ``base_url``, ``client_id`` / ``client_secret`` (for the token
  endpoint), ``token`` (a static bearer token), ``state()``, ``reset()`` and
  ``schedule_fault()``. One server is shared by the session; a test marked
  ``@pytest.mark.leadexec_emulator(faults="503:0.2", seed=1, rate_limit=50)`` gets its own
  server with those :class:`EmulatorConfig` options instead.
* ``leadexec_emulator_factory``: ``factory(**options)`` starts another emulator, stopped
  at the end of the test.

This module is loaded by every pytest run once the package is installed, so it imports
nothing of the extra until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .. import _constants as C

if TYPE_CHECKING:
    from ._server import EmulatorServer

__all__ = ["leadexec_emulator", "leadexec_emulator_factory"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "leadexec_emulator(**options): run this test's leadexec_emulator with these EmulatorConfig options",
    )


def _start(**options: Any) -> EmulatorServer:
    try:
        from ._server import EmulatorServer
    except ModuleNotFoundError as exc:
        pytest.fail(
            f"the leadexec_emulator fixtures need the 'emulator' extra ({exc.name} is missing): "
            "pip install 'leadexec-async[emulator]'",
            pytrace=False,
        )
    if "client_id" not in options and "token" not in options:
        options.update(
            client_id=C.EMULATOR_FIXTURE_CLIENT_ID,
            client_secret=C.EMULATOR_FIXTURE_CLIENT_SECRET,
            token=C.EMULATOR_FIXTURE_TOKEN,
        )
    return EmulatorServer(**options).start()


@pytest.fixture(scope="session")
def _leadexec_emulator_shared() -> Iterator[EmulatorServer]:
    server = _start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def leadexec_emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    """Start emulators with any :class:`EmulatorConfig` options; all stop after the test."""
    started: list[EmulatorServer] = []

    def factory(**options: Any) -> EmulatorServer:
        server = _start(**options)
        started.append(server)
        return server

    try:
        yield factory
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture
def leadexec_emulator(
    request: pytest.FixtureRequest, leadexec_emulator_factory: Callable[..., EmulatorServer]
) -> EmulatorServer:
    """A running emulator, empty at the start of the test (see the module docstring)."""
    marker = request.node.get_closest_marker("leadexec_emulator")
    if marker is not None:
        if marker.args:
            raise TypeError("@pytest.mark.leadexec_emulator takes keyword options only")
        return leadexec_emulator_factory(**marker.kwargs)
    server: EmulatorServer = request.getfixturevalue("_leadexec_emulator_shared")
    server.reset()
    return server
