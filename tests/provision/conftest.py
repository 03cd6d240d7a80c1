"""Fixtures of the provisioning tests: the ledger backends, SQLite and a real PostgreSQL server.

``ledger_target`` runs a test once per backend: a SQLite file (the default
path next to a plan in ``tmp_path``) and a fresh schema of a PostgreSQL
server the session starts itself (see ``_pgserver``). Where the machine has no
PostgreSQL server binary, the PostgreSQL cases are skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import _pgserver


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[_pgserver.PostgresServer]:
    """A PostgreSQL server for the whole session, in a temporary folder, stopped at the end."""
    bindir = _pgserver.find_bindir()
    if bindir is None:
        pytest.skip(
            "no PostgreSQL server binary here (initdb and pg_ctl are not on PATH, in pg_config --bindir "
            "or under /usr/lib/postgresql/*/bin): the PostgreSQL ledger is not tested"
        )
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        pytest.skip("psycopg is not installed (the 'postgres' extra): the PostgreSQL ledger is not tested")
    server = _pgserver.start(bindir)
    try:
        yield server
    finally:
        _pgserver.remove(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's ledger lives: ``tmp_path/plan.ledger.sqlite``, or a PostgreSQL URL (with a password)."""
    if request.param == "sqlite":
        return tmp_path / "plan.ledger.sqlite"
    return _pgserver.new_ledger_url(request.getfixturevalue("postgres_server"))
