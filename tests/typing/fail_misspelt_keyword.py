"""A misspelt keyword is refused by both checkers."""

from __future__ import annotations

import leadexec_async as lx


async def calls(le: lx.LeadExecClient, cid: int, mid: int) -> None:
    await le.delivery_accounts.create(cid, delivery_uid=mid, prcie=25.0)  # expect-error
    await le.clients.create(username="a", password="b", stauts="Active")  # expect-error
    await le.delivery_methods.create(cid, delivery_adress="https://x.example")  # expect-error
    await le.delivery_accounts.update(cid, 5, delivery_uid=mid, prcie=1.0, reset_omitted=True)  # expect-error
    await le.delivery_accounts.create(cid, delivery_uid=mid, criteria=[{"lead_feild_uid": 3}])  # expect-error
    record = lx.DeliveryAccountRecord(delivery_uid=mid, prcie=2.0)  # expect-error
    lx.DeliveryAccountRecord(delivery_uid=mid).evolve(prcie=3.0)  # expect-error
    print(record)
