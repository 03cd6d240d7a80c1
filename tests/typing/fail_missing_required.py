"""A field required on create, left out, is refused by both checkers; so is an update that
would reset the fields it leaves out without saying reset_omitted=True."""

from __future__ import annotations

import leadexec_async as lx


async def calls(le: lx.LeadExecClient, cid: int, mid: int) -> None:
    await le.clients.create(password="p")  # expect-error
    await le.clients.create(username="a")  # expect-error
    await le.delivery_accounts.create(cid, price=25.0)  # expect-error
    lx.DeliveryAccountRecord(price=1.0)  # expect-error
    await le.delivery_methods.create(cid, field_settings=[{"field_type": 1}])  # expect-error
    await le.delivery_accounts.update(cid, 9, delivery_uid=mid, price=30.0)  # expect-error
    await le.clients.update(cid, status="Suspended")  # expect-error
