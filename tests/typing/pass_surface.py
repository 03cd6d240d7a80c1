"""Correct uses of the typed surface: both checkers must accept every line."""

from __future__ import annotations

import datetime as dt
from typing import assert_type

from leadexec_api_client.models import DeliveryAccount

import leadexec_async as lx
from leadexec_async.types import DeliveryDayRow


async def calls(le: lx.LeadExecClient) -> None:
    cid = await le.clients.create(username="acme", password="s3cret", status="Active")
    assert_type(cid, int)
    await le.clients.create(username="b", password="p", status=lx.ClientStatus.NEW, time_offset=-5)
    await le.clients.create(
        username="c",
        password="p",
        delivery_account_automation_type="Round Robin" if False else "RoundRobin",
        field_data=[{"client_field_uid": 4, "value": "x"}, {"ClientFieldUID": 5, "Value": "y"}],
    )
    mid = await le.delivery_methods.create(
        cid,
        name="Acme POST",
        type="HTTP POST",
        delivery_address="https://acme.example/in",
        field_settings=[lx.FieldSetting.static("source", "le"), {"field_name": "state", "field_type": 1}],
        delivery_days=[
            *lx.weekly("Mon", lx.WeekDay.TUESDAY, start=dt.time(9)),
            lx.on_date(dt.date(2025, 1, 2)),
        ],
    )
    await le.delivery_methods.create(cid, type=lx.DeliveryType.XML_JSON, date_added=dt.date(2024, 1, 1))
    days: list[DeliveryDayRow] = [{"week_day": "Mon", "start_time": dt.time(8)}]
    await le.delivery_methods.create(cid, type=9, delivery_days=days)
    aid = await le.delivery_accounts.create(
        cid,
        delivery_uid=mid,
        price=25,  # an int is a number
        status="OnHold",
        account_type="800 IVR",
        offer_duration="Yearly",
        criteria=[lx.Criteria.in_(12, ["CA", "NV"]), {"lead_field_uid": 3, "operator": "NotIn"}],
    )
    # An update that resets what it leaves out says so.
    await le.delivery_accounts.update(cid, aid, delivery_uid=mid, price=30.0, reset_omitted=True)
    await le.delivery_methods.update(cid, mid, name="renamed", reset_omitted=True)
    await le.clients.update(cid, status="Suspended", reset_omitted=True)
    # Upserts: a wire dict, a generated model, a record.
    await le.clients.upsert({"Info": {"Username": "d", "Password": "p", "Status": "New"}})
    await le.delivery_methods.upsert(cid, {"Name": "m", "Type": "HTTP GET", "FieldSettings": []})
    await le.delivery_accounts.upsert(cid, {"ClientAccountUID": 0, "DeliveryUID": mid, "Status": 12})
    model = DeliveryAccount.from_dict({})  # any generated model
    await le.delivery_accounts.upsert(cid, model, reset_omitted=True)


async def records(le: lx.LeadExecClient, cid: int, mid: int) -> None:
    account = lx.DeliveryAccountRecord(delivery_uid=mid, description="Main", price=25.0, day_max=100)
    aid = await le.delivery_accounts.upsert(cid, account)
    account = account.evolve(client_account_uid=aid)
    assert_type(account, lx.DeliveryAccountRecord)
    changed = account.evolve(price=30.0, status=lx.AccountStatus.ON_HOLD)
    assert_type(changed.price, float)
    await le.delivery_accounts.upsert(cid, changed)
    method = lx.DeliveryMethodRecord(name="m", type="E-Mail", email_address="x@example.com")
    await le.delivery_methods.upsert(cid, method.evolve(email_subject="New lead"))
    client = lx.ClientRecord(username="e", password="p", status="Active")
    await le.clients.upsert(client.evolve(notes="a note"))
    # Every field of a full update given: accepted without reset_omitted.
    await le.delivery_accounts.update(
        cid,
        aid,
        delivery_uid=mid,
        price=30.0,
        hour_max=-1,
        day_max=100,
        month_max=-1,
        week_max=-1,
        use_order=False,
        status="Open",
        delivery_delay=0,
        description="Main",
        redirect_url="",
        automation_enabled=False,
        alternate_posting=0,
        account_type="General",
        agent_name="",
        agent_phone="",
    )
    await le.delivery_accounts.update(cid, aid, **account.keywords(), reset_omitted=False)
    assert_type(lx.NOT_GIVEN, lx.NotGiven)
