"""lx.LeadExecClient against the emulator over loopback sockets, on asyncio (aiohttp) and trio (httpx)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import leadexec_async as lx
from leadexec_async.emulator import EmulatorServer, ManualClock

from .._helpers import run_quickstart

pytestmark = pytest.mark.anyio

CLIENT_ID, CLIENT_SECRET = "integration-id", "integration-secret"
TTL = 3600


async def _instant(_: float) -> None:
    await anyio.lowlevel.checkpoint()


class Emu:
    def __init__(self, server: EmulatorServer, clock: ManualClock) -> None:
        self.server, self.clock = server, clock

    def client(self, **options: Any) -> lx.LeadExecClient:
        options.setdefault("client_id", CLIENT_ID)
        options.setdefault("client_secret", CLIENT_SECRET)
        return lx.LeadExecClient(base_url=self.server.base_url, sleep=_instant, **options)

    def outcomes(self, operation: str) -> dict[str, int]:
        found: dict[str, int] = self.server.state()["counters"]["by_operation_outcome"].get(operation, {})
        return found

    def records(self, kind: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.server.state()[kind]
        return found


@pytest.fixture(scope="module")
def _emu_module() -> Iterator[Emu]:
    clock = ManualClock()
    with EmulatorServer(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_ttl=TTL, clock=clock
    ) as server:
        yield Emu(server, clock)


@pytest.fixture
def emu(_emu_module: Emu) -> Emu:
    _emu_module.server.reset()
    return _emu_module


async def _client_method_account(le: lx.LeadExecClient) -> tuple[int, int, int]:
    cid = await le.clients.create(username="acme", password="s3cret", status="Active")
    mid = await le.delivery_methods.create(
        cid, name="Acme POST", type="HTTP POST", lead_type_uid=7, delivery_address="https://acme.example/in"
    )
    aid = await le.delivery_accounts.create(
        cid,
        delivery_uid=mid,
        description="Main",
        price=25.0,
        day_max=100,
        criteria=[lx.Criteria.in_(lead_field_uid=12, values=["CA", "NV"])],
    )
    return cid, mid, aid


async def test_quickstart_unchanged_but_for_the_base_url(emu: Emu, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADEXEC_BASE_URL", emu.server.base_url)
    monkeypatch.setenv("LEADEXEC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("LEADEXEC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.delenv("LEADEXEC_ACCESS_TOKEN", raising=False)
    async with lx.LeadExecClient() as le:
        cid, mid, aid, again = await run_quickstart(le)
    assert again == aid
    (client,) = emu.records("clients")
    assert (client["Info"]["ClientUID"], client["Info"]["Status"]) == (cid, "Active")
    (method,) = emu.records("delivery_methods")
    assert (method["ClientDeliveryUID"], method["DeliveryAddress"]) == (mid, "https://acme.example/in")
    (account,) = emu.records("delivery_accounts")
    assert (account["ClientAccountUID"], account["Price"]) == (aid, 30.0)
    # The one-field change kept every other field of the account.
    assert (account["DayMax"], account["Description"], account["Criteria"][0]["Value"]) == (
        100,
        "Main",
        "CA,NV",
    )


async def test_every_operation_creates_and_replaces(emu: Emu) -> None:
    async with emu.client() as le:
        cid, mid, aid = await _client_method_account(le)
        assert await le.clients.update(cid, username="acme", status="Suspended", reset_omitted=True) == cid
        assert (
            await le.delivery_methods.update(cid, mid, name="renamed", type="HTTP GET", reset_omitted=True)
            == mid
        )
        assert (
            await le.delivery_accounts.update(
                cid, aid, delivery_uid=mid, description="B", price=3.0, reset_omitted=True
            )
            == aid
        )
        second = await le.clients.upsert({"Info": {"Username": "beta", "Password": "pw", "Status": "New"}})
    assert second == cid + 1
    assert [c["Info"]["Status"] for c in emu.records("clients")] == ["Suspended", "New"]
    assert emu.records("delivery_methods")[0]["Name"] == "renamed"
    assert emu.records("delivery_accounts")[0]["Description"] == "B"
    counters = emu.server.state()["counters"]
    assert counters["creates_applied"] == {"clients": 2, "delivery_methods": 1, "delivery_accounts": 1}
    assert counters["updates_applied"] == {"clients": 1, "delivery_methods": 1, "delivery_accounts": 1}
    assert emu.outcomes("create_token") == {"200": 1}


async def test_error_statuses_reach_the_caller_as_their_errors(emu: Emu) -> None:
    async with emu.client() as le:
        cid, mid, _ = await _client_method_account(le)
        other = await le.clients.create(username="other", password="pw", status="Active")
        with pytest.raises(lx.ConflictError):
            await le.clients.create(username="acme", password="pw", status="Active")
        with pytest.raises(lx.NotFoundError):
            await le.clients.update(cid + 500, username="ghost", status="Active", reset_omitted=True)
        with pytest.raises(lx.NotFoundError):
            await le.delivery_methods.update(
                other, mid, name="not theirs", type="HTTP POST", reset_omitted=True
            )
        with pytest.raises(lx.BadRequestError) as bad:
            await le.delivery_accounts.create(other, delivery_uid=mid, description="wrong method", price=1.0)
        assert "DeliveryUID" in str(bad.value)
    async with emu.client(client_secret="wrong") as le:
        with pytest.raises(lx.AuthenticationError):
            await le.clients.create(username="x", password="pw", status="Active")
    assert len(emu.records("clients")) == 2
    assert emu.outcomes("upsert_client")["409"] == 1


async def test_rate_limit_429_carries_retry_after() -> None:
    clock = ManualClock()  # frozen: the bucket never refills during the test
    with EmulatorServer(
        rate_limit=1, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=clock
    ) as server:
        emu = Emu(server, clock)
        async with emu.client(max_retries=0) as le:
            await le.clients.create(username="a", password="pw", status="Active")
            with pytest.raises(lx.RateLimitError) as limited:
                await le.clients.create(username="b", password="pw", status="Active")
        assert limited.value.retry_after == 1
        assert len(emu.records("clients")) == 1


@pytest.mark.parametrize("kind", ["429", "503"])
async def test_creates_are_retried_through_429_and_503(emu: Emu, kind: str) -> None:
    emu.server.schedule_fault(kind, operation="upsert_client", times=2)
    emu.server.schedule_fault(kind, operation="upsert_delivery_method", times=2)
    async with emu.client(max_retries=2) as le:
        cid = await le.clients.create(username="acme", password="pw", status="Active")
        await le.delivery_methods.create(cid, name="m", type="HTTP POST")
    assert emu.outcomes("upsert_client") == {kind: 2, "200": 1}
    assert emu.outcomes("upsert_delivery_method") == {kind: 2, "200": 1}
    assert len(emu.records("clients")) == 1
    assert len(emu.records("delivery_methods")) == 1


@pytest.mark.parametrize("kind", ["500", "503", "drop-after", "drop-before"])
async def test_updates_are_retried_through_any_failure(emu: Emu, kind: str) -> None:
    async with emu.client(max_retries=2) as le:
        cid = await le.clients.create(username="acme", password="pw", status="Active")
        emu.server.schedule_fault(kind, operation="upsert_client", times=2)
        assert await le.clients.update(cid, username="acme", status="Dead", reset_omitted=True) == cid
    assert emu.records("clients")[0]["Info"]["Status"] == "Dead"
    assert emu.outcomes("upsert_client") == {"200": 2, kind: 2}


@pytest.mark.parametrize(
    ("operation", "kind", "stored"),
    [
        ("upsert_client", "drop-after", 1),
        ("upsert_client", "500", 1),
        ("upsert_client", "drop-before", 0),
        ("upsert_delivery_method", "drop-after", 1),
        ("upsert_delivery_account", "drop-after", 1),
    ],
)
async def test_create_with_unknown_outcome_is_sent_once(
    emu: Emu, operation: str, kind: str, stored: int
) -> None:
    kinds = {
        "upsert_client": "clients",
        "upsert_delivery_method": "delivery_methods",
        "upsert_delivery_account": "delivery_accounts",
    }
    async with emu.client(max_retries=3) as le:
        cid = await le.clients.create(username="owner", password="pw", status="Active")
        mid = await le.delivery_methods.create(cid, name="m", type="HTTP POST")
        before = len(emu.records(kinds[operation]))
        emu.server.schedule_fault(kind, operation=operation)
        if operation == "upsert_client":
            create = le.clients.create(username="acme", password="pw", status="Active")
        elif operation == "upsert_delivery_method":
            create = le.delivery_methods.create(cid, name="m2", type="HTTP POST")
        else:
            create = le.delivery_accounts.create(cid, delivery_uid=mid, description="a", price=1.0)
        with pytest.raises(lx.OutcomeUnknownError) as unknown:
            await create
        assert unknown.value.operation
        assert "pw" not in str(unknown.value)
    assert len(emu.records(kinds[operation])) == before + stored
    assert emu.outcomes(operation)[kind] == 1  # sent exactly once, never repeated


async def test_expired_token_is_renewed_and_the_request_resent(emu: Emu) -> None:
    async with emu.client() as le:
        cid = await le.clients.create(username="acme", password="pw", status="Active")
        emu.clock.advance(TTL)  # the emulator's tokens expire; the client's clock has not moved
        assert await le.clients.update(cid, username="acme", status="Late", reset_omitted=True) == cid
        await le.delivery_methods.create(cid, name="m", type="HTTP POST")
    assert emu.outcomes("create_token") == {"200": 2}
    assert emu.outcomes("upsert_client") == {"200": 2, "401": 1}
    assert emu.outcomes("upsert_delivery_method") == {"200": 1}


async def test_static_token_is_not_renewed(emu: Emu) -> None:
    async with emu.client(access_token="not-a-token", client_id=None, client_secret=None) as le:
        with pytest.raises(lx.AuthenticationError):
            await le.clients.create(username="acme", password="pw", status="Active")
    assert emu.outcomes("upsert_client") == {"401": 1}
    assert emu.outcomes("create_token") == {}
