"""An enum label that parse() does not know is refused by both checkers."""

from __future__ import annotations

import leadexec_async as lx


async def calls(le: lx.LeadExecClient, cid: int, mid: int) -> None:
    await le.delivery_methods.create(cid, type="HTTP PSOT")  # expect-error
    await le.clients.create(username="a", password="b", status="Actve")  # expect-error
    await le.delivery_accounts.create(cid, delivery_uid=mid, status=0)  # expect-error
    await le.delivery_accounts.create(cid, delivery_uid=mid, criteria=[{"operator": "Equl"}])  # expect-error
    lx.DeliveryAccountRecord(delivery_uid=mid, account_type="Live Cal")  # expect-error
    await le.delivery_methods.create(cid, type=lx.AccountType.GENERAL)  # expect-error
