"""Updates never reset a field silently; whole records; the typed surface at run time.

An update that leaves out a field with a default is refused with a ValidationError that lists
them, and nothing is sent (a MockTransport counts the requests, and the emulator's own
counters and records show it); ``reset_omitted=True`` opts in. Records hold every field and
are sent whole, so changing one field keeps the others.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import attrs
import httpx
import pytest

import leadexec_async as lx
from leadexec_async._records import build_delivery_account
from leadexec_async._surface import DeliveryAccountsMethods
from leadexec_async.emulator import EmulatorServer

pytestmark = pytest.mark.anyio


class Counter:
    """A fake API that counts and keeps every request, answering id 77."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, text="77")


def client(api: Counter) -> lx.LeadExecClient:
    return lx.LeadExecClient(access_token="t", transport=httpx.MockTransport(api))


ACCOUNT_FIELDS = ("price", "hour_max", "day_max", "month_max", "week_max", "use_order", "status")


async def test_a_partial_update_is_refused_listing_what_it_would_reset_and_sends_nothing() -> None:
    api = Counter()
    async with client(api) as le:
        with pytest.raises(lx.ValidationError) as caught:
            await le.delivery_accounts.update(5, 9, delivery_uid=3, price=30.0)  # type: ignore[call-overload]
        message = str(caught.value)
        for name in ("hour_max", "day_max", "status", "account_type", "description", "agent_name"):
            assert name in message
        assert "price" not in message.split("reset:")[1]  # given, so not listed
        assert "reset_omitted=True" in message
        assert "nothing was sent" in message
        assert caught.value.field == "hour_max"
        with pytest.raises(lx.ValidationError, match=r"delivery method 4 .* type, status, date_added"):
            await le.delivery_methods.update(5, 4, name="m")  # type: ignore[call-overload]
        with pytest.raises(lx.ValidationError, match=r"client 8 .* date_added, user_uid") as refused:
            await le.clients.update(8, status="Suspended")  # type: ignore[call-overload]
        # a client's username and password are never reset (left out of the body), so not listed
        assert "password" not in str(refused.value)
        assert "username" not in str(refused.value)
    assert api.bodies == []


async def test_a_partial_wire_body_replacing_a_record_is_refused_too() -> None:
    api = Counter()
    async with client(api) as le:
        with pytest.raises(lx.ValidationError, match=r"HourMax, DayMax") as caught:
            await le.delivery_accounts.upsert(5, {"ClientAccountUID": 9, "DeliveryUID": 3, "Price": 1.0})
        assert caught.value.field == "HourMax"  # wire keys, as the body spells them
        with pytest.raises(lx.ValidationError, match=r"Info\.DateAdded"):
            await le.clients.upsert({"Info": {"ClientUID": 8, "Status": "Active"}})
        # A new record (id 0) takes the defaults: that is not a reset.
        assert await le.delivery_accounts.upsert(5, {"ClientAccountUID": 0, "DeliveryUID": 3}) == 77
    assert len(api.bodies) == 1
    assert api.bodies[0]["ClientAccountUID"] == 0


async def test_reset_omitted_opts_in_and_sends_the_defaults() -> None:
    api = Counter()
    async with client(api) as le:
        await le.delivery_accounts.update(5, 9, delivery_uid=3, price=30.0, reset_omitted=True)
        await le.delivery_accounts.upsert(5, {"ClientAccountUID": 9, "DeliveryUID": 3}, reset_omitted=True)
    (sent, upserted) = api.bodies
    assert (sent["ClientAccountUID"], sent["Price"], sent["DayMax"], sent["Status"]) == (9, 30.0, -1, 12)
    assert (upserted["ClientAccountUID"], upserted["Price"], upserted["HourMax"]) == (9, 0.0, -1)


async def test_an_update_naming_every_field_and_a_whole_model_are_sent() -> None:
    api = Counter()
    account = lx.DeliveryAccountRecord(delivery_uid=3, day_max=100, status="OnHold", description="Main")
    model = build_delivery_account(5, record_id=9, fields=account.keywords())
    async with client(api) as le:
        assert await le.delivery_accounts.update(5, 9, **account.keywords()) == 77
        assert await le.delivery_accounts.upsert(5, model) == 77
    first, second = api.bodies
    assert first == second
    assert (first["ClientAccountUID"], first["DayMax"], first["Status"], first["Description"]) == (
        9,
        100,
        11,
        "Main",
    )


async def test_a_record_is_sent_whole_and_evolve_changes_only_what_it_names() -> None:
    api = Counter()
    account = lx.DeliveryAccountRecord(
        delivery_uid=3,
        price=25.0,
        day_max=100,
        hour_max=10,
        status="OnHold",
        account_type="Live Call",
        description="Main",
        criteria=[lx.Criteria.in_(12, ["CA", "NV"])],
    )
    async with client(api) as le:
        aid = await le.delivery_accounts.upsert(5, account)
        account = account.evolve(client_account_uid=aid)
        assert await le.delivery_accounts.upsert(5, account.evolve(price=30.0)) == 77
    created, changed = api.bodies
    assert created["ClientAccountUID"] == 0
    assert changed["ClientAccountUID"] == 77
    assert changed["Price"] == 30.0
    assert {k: v for k, v in changed.items() if k not in ("ClientAccountUID", "Price")} == {
        k: v for k, v in created.items() if k not in ("ClientAccountUID", "Price")
    }
    assert (changed["DayMax"], changed["HourMax"], changed["Status"], changed["AccountType"]) == (
        100,
        10,
        11,
        2,
    )
    assert changed["Criteria"][0]["Value"] == "CA,NV"
    # records are frozen attrs classes: attrs.evolve works as well, and is checked the same way
    assert attrs.evolve(account, price=1.0).price == 1.0
    with pytest.raises(lx.ValidationError, match="price"):
        attrs.evolve(account, price="cheap")


def test_records_are_checked_when_made_and_hide_their_secrets() -> None:
    with pytest.raises(lx.ValidationError, match=r"'prcie' .*did you mean 'price'"):
        lx.DeliveryAccountRecord(delivery_uid=3).evolve(prcie=3.0)  # type: ignore[call-arg]
    with pytest.raises(lx.ValidationError, match=r"status: 'Opne' is not a valid AccountStatus"):
        lx.DeliveryAccountRecord(delivery_uid=3, status="Opne")  # type: ignore[arg-type]
    with pytest.raises(lx.ValidationError, match="client_account_uid"):
        lx.DeliveryAccountRecord(delivery_uid=3, client_account_uid=-1)
    client = lx.ClientRecord(username="acme", password="hunter2-secret")
    method = lx.DeliveryMethodRecord(ftp_password="ftp-secret", smtp_password="smtp-secret")
    for text in (repr(client), str(client), repr(method)):
        assert "secret" not in text
        assert "'***'" in text
    assert client.password == "hunter2-secret"  # kept, only hidden from reprs


async def test_the_wrong_record_for_a_resource_is_refused() -> None:
    api = Counter()
    async with client(api) as le:
        with pytest.raises(lx.ValidationError, match="expected a DeliveryAccountRecord"):
            await le.delivery_accounts.upsert(5, lx.DeliveryMethodRecord())  # type: ignore[arg-type]
    assert api.bodies == []


async def test_untyped_callers_keep_the_sdk_errors() -> None:
    """Explicit signatures would raise Python's TypeError; untyped code still gets ValidationError."""
    api = Counter()
    untyped: Any
    async with client(api) as le:
        untyped = le.delivery_accounts
        with pytest.raises(lx.ValidationError, match=r"'prcie' is not a field .*did you mean 'price'"):
            await untyped.create(5, delivery_uid=3, prcie=25.0)
        with pytest.raises(lx.ValidationError, match="delivery_uid is required"):
            await untyped.create(5, price=25.0)
        with pytest.raises(lx.ValidationError, match="'client_account_uid' is not a keyword"):
            await untyped.update(5, 9, client_account_uid=9, reset_omitted=True)
        with pytest.raises(lx.ValidationError, match="username is required"):
            await le.clients.create(password="p")  # type: ignore[call-arg]
        with pytest.raises(lx.ValidationError, match="reset_omitted: expected True or False, got str"):
            await untyped.update(5, 9, delivery_uid=3, reset_omitted="yes")
        with pytest.raises(lx.ValidationError, match="'HTTP PSOT' is not a valid DeliveryType"):
            await le.delivery_methods.create(5, type="HTTP PSOT")  # type: ignore[arg-type]
    assert api.bodies == []


def test_the_typed_signatures_show_the_spec_defaults_and_descriptions() -> None:
    params = inspect.signature(DeliveryAccountsMethods().create).parameters
    assert params["day_max"].default == -1
    assert params["day_max"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["status"].default is lx.AccountStatus.OPEN
    assert params["offer_name"].default is lx.NOT_GIVEN
    assert params["delivery_uid"].default is inspect.Parameter.empty
    doc = DeliveryAccountsMethods.create.__doc__ or ""
    assert "day_max: Most leads in the current day; -1 means no maximum. Wire key DayMax. Default: -1." in doc


# --- against the emulator ------------------------------------------------------------------------


@pytest.fixture
def emulator(leadexec_emulator: EmulatorServer) -> EmulatorServer:
    return leadexec_emulator


def _emu_client(server: EmulatorServer) -> lx.LeadExecClient:
    assert server.token
    return lx.LeadExecClient(access_token=server.token, base_url=server.base_url)


async def test_the_issues_one_field_update_against_the_emulator(emulator: EmulatorServer) -> None:
    """The account of the issue: a one-field update is refused (nothing reaches the server), and
    the record way changes the price and keeps every other field."""
    async with _emu_client(emulator) as le:
        cid = await le.clients.create(username="acme", password="s3cret")
        mid = await le.delivery_methods.create(cid, name="m", delivery_address="https://x.example")
        account = lx.DeliveryAccountRecord(
            delivery_uid=mid,
            day_max=100,
            hour_max=10,
            status="OnHold",
            account_type="Live Call",
            description="Buyer A",
            criteria=[lx.Criteria.equal(12, "CA")],
        )
        aid = await le.delivery_accounts.upsert(cid, account)
        account = account.evolve(client_account_uid=aid)
        before = emulator.state()
        with pytest.raises(lx.ValidationError, match="day_max"):
            await le.delivery_accounts.update(cid, aid, delivery_uid=mid, price=30.0)  # type: ignore[call-overload]
        after = emulator.state()
        assert after["delivery_accounts"] == before["delivery_accounts"]
        assert after["counters"] == before["counters"]  # not one request reached the server
        assert await le.delivery_accounts.upsert(cid, account.evolve(price=30.0)) == aid
    (stored,) = emulator.state()["delivery_accounts"]
    assert stored["Price"] == 30.0
    assert (stored["DayMax"], stored["HourMax"], stored["Status"], stored["AccountType"]) == (100, 10, 11, 2)
    assert (stored["Description"], stored["Criteria"][0]["Value"]) == ("Buyer A", "CA")


async def test_a_client_record_keeps_its_fields_and_is_never_sent_without_a_reason(
    emulator: EmulatorServer,
) -> None:
    async with _emu_client(emulator) as le:
        client_record = lx.ClientRecord(username="acme", password="s3cret", notes="VIP", time_offset=-5)
        cid = await le.clients.upsert(client_record)
        # kept without its password: an update leaves it out of the body
        kept = attrs.evolve(client_record, client_uid=cid, password=None)
        assert await le.clients.upsert(kept.evolve(status="Suspended")) == cid
    (stored,) = emulator.state()["clients"]
    info = stored["Info"]
    assert (info["Status"], info["Notes"], info["TimeOffset"]) == ("Suspended", "VIP", -5)


def test_a_record_keeps_each_value_in_one_normal_form() -> None:
    account = lx.DeliveryAccountRecord(delivery_uid=3, price=2, status="on hold", account_type=2)
    assert account.status is lx.AccountStatus.ON_HOLD
    assert account.account_type is lx.AccountType.LIVE_CALL
    assert account.price == 2.0
    assert isinstance(account.price, float)
    assert account == account.evolve(status=11)  # the same record, however it was spelt
    assert account != account.evolve(status="Open")
    client = lx.ClientRecord(username="u", date_added="2024-01-02")
    assert client.date_added.isoformat() == "2024-01-02T00:00:00-08:00"  # type: ignore[union-attr]
