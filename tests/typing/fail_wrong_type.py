"""A value of the wrong type is refused by both checkers."""

from __future__ import annotations

import leadexec_async as lx


async def calls(le: lx.LeadExecClient, cid: int, mid: int) -> None:
    await le.clients.create(username=123, password="p")  # expect-error
    await le.delivery_accounts.create(cid, delivery_uid=mid, price="25")  # expect-error
    await le.delivery_accounts.create(cid, delivery_uid=mid, day_max=1.5)  # expect-error
    await le.delivery_methods.create(cid, in_testing="yes")  # expect-error
    await le.delivery_methods.create("5", name="m")  # expect-error
    row = lx.Criteria.equal(1, "CA")
    await le.delivery_accounts.create(cid, delivery_uid=mid, criteria=row)  # expect-error
    await le.delivery_accounts.upsert(cid, {"DeliveryUID": "7"})  # expect-error
    lx.DeliveryAccountRecord(delivery_uid=mid).evolve(day_max="100")  # expect-error
