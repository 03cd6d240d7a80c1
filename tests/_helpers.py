"""Helpers shared by test packages: the README quickstart, and the emulator's records by name."""

from __future__ import annotations

from typing import Any

import leadexec_async as lx


async def run_quickstart(le: lx.LeadExecClient) -> tuple[int, int, int, int]:
    """The README's quickstart as written, inside ``async with LeadExecClient(...) as le``.

    Returns the ids it got: (client, delivery method, delivery account, the account again).
    """
    cid = await le.clients.create(username="acme", password="s3cret", status="Active")
    mid = await le.delivery_methods.create(
        cid,
        name="Acme POST",
        type="HTTP POST",
        lead_type_uid=7,
        delivery_address="https://acme.example/in",
    )
    account = lx.DeliveryAccountRecord(
        delivery_uid=mid,
        description="Main",
        price=25.0,
        day_max=100,
        criteria=[lx.Criteria.in_(lead_field_uid=12, values=["CA", "NV"])],
    )
    aid = await le.delivery_accounts.upsert(cid, account)
    account = account.evolve(client_account_uid=aid)
    again = await le.delivery_accounts.upsert(cid, account.evolve(price=30.0))
    return cid, mid, aid, again


def records_by_name(state: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The emulator's stored records (``state()``) grouped by their plan name.

    A client is named by its Username, a delivery method by its Name, an account by
    its Description; each entry holds the record's ``id`` and, below a client, its
    ``client`` (and an account's ``method``).
    """
    by_name: dict[str, list[dict[str, Any]]] = {}
    for c in state["clients"]:
        by_name.setdefault(c["Info"]["Username"], []).append({"id": c["Info"]["ClientUID"]})
    for m in state["delivery_methods"]:
        by_name.setdefault(m["Name"], []).append({"id": m["ClientDeliveryUID"], "client": m["ClientUID"]})
    for a in state["delivery_accounts"]:
        by_name.setdefault(a["Description"], []).append(
            {"id": a["ClientAccountUID"], "client": a["ClientUID"], "method": a["DeliveryUID"]}
        )
    return by_name
