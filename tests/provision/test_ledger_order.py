"""The ledger rule a killed run depends on: every create is committed as ``intended`` before it leaves.

Checked at the wire, for every create of a real run against the emulator over
loopback, by reading the real ledger (a SQLite file, or a PostgreSQL server)
from a second connection (which sees only what is committed, so exactly what a
crash at that instant leaves).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import leadexec_async as lx
from leadexec_async.provision import Ledger, Runner, load_plan

from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_rows, write_plan


class _LedgerAtTheWire(httpx.AsyncBaseTransport):
    """A real loopback transport that, as each create leaves, reads the ledger from a second connection.

    Only what is committed is visible to another connection, so ``seen`` holds
    each create's ledger state as a crash at that instant would leave it.
    """

    def __init__(self, ledger: Path | str) -> None:
        self._wire = httpx.AsyncHTTPTransport()
        self._ledger = ledger
        self.seen: dict[str, str | None] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "Info" in body:  # a client
            name, record_id = body["Info"]["Username"], body["Info"]["ClientUID"]
        elif "Name" in body:  # a delivery method
            name, record_id = body["Name"], body["ClientDeliveryUID"]
        else:  # a delivery account
            name, record_id = body["Description"], body["ClientAccountUID"]
        if record_id == 0:
            self.seen[name] = self._state_of(name)
        return await self._wire.handle_async_request(request)

    def _state_of(self, name: str) -> str | None:
        # write_plan's names and keys: t-c0 is client c0, t-c0-m1 method c0/m1, t-c0-a1 account c0/a1
        client, _, child = name.removeprefix("t-").partition("-")
        if not child:
            where = ("client", client)
        else:
            where = ("delivery_method" if child[0] == "m" else "delivery_account", f"{client}/{child}")
        return ledger_rows(self._ledger).get(where, (None, None))[0]

    async def aclose(self) -> None:
        await self._wire.aclose()


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)


@pytest.mark.anyio
async def test_every_create_is_committed_as_intended_before_it_is_sent(
    leadexec_emulator: Any, tmp_path: Path, ledger_target: Path | str, anyio_backend: str
) -> None:
    """The ledger rule a killed run depends on, checked at the wire for every create."""
    clients = 3
    total = write_plan(tmp_path / "plan.yaml", clients)
    ledger_path = ledger_target
    wire = _LedgerAtTheWire(ledger_path)
    async with lx.LeadExecClient(
        access_token=leadexec_emulator.token, base_url=leadexec_emulator.base_url, transport=wire
    ) as le:
        with Ledger(ledger_path, server=Ledger.server_of(leadexec_emulator.base_url)) as ledger:
            summary = await Runner(load_plan(tmp_path / "plan.yaml"), ledger, concurrency=4).run(le)
    assert summary.counts["created"] == total
    assert len(wire.seen) == total  # every record went out as a create
    assert set(wire.seen.values()) == {"intended"}
    assert audit(leadexec_emulator.state(), ledger_path, clients).in_place == total
