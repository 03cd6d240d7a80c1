"""The request every benchmark sends: one delivery account, as the facade and as raw JSON."""

from __future__ import annotations

from typing import Any

import leadexec_async as lx

__all__ = ["ACCOUNT_FIELDS", "account_fields", "account_wire", "ok_handler"]

ACCOUNT_FIELDS: dict[str, Any] = {
    "description": "Main",
    "price": 25.0,
    "day_max": 100,
}


def account_fields(delivery_uid: int) -> dict[str, Any]:
    """Keywords of ``le.delivery_accounts.create(client_uid, **fields)``; built once, reused per call."""
    return {
        "delivery_uid": delivery_uid,
        **ACCOUNT_FIELDS,
        "criteria": [lx.Criteria.in_(lead_field_uid=12, values=["CA", "NV"])],
    }


def account_wire(client_uid: int, delivery_uid: int, *, description: str = "Main") -> dict[str, Any]:
    """The JSON body the facade sends for :func:`account_fields` (what a user would write by hand)."""
    return {
        "ClientAccountUID": 0,
        "ClientUID": client_uid,
        "DeliveryUID": delivery_uid,
        "Price": 25.0,
        "HourMax": -1,
        "DayMax": 100,
        "MonthMax": -1,
        "WeekMax": -1,
        "useOrder": False,
        "Status": 12,
        "DeliveryDelay": 0,
        "Description": description,
        "RedirectURL": "",
        "AutomationEnabled": False,
        "AlternatePosting": 0,
        "AccountType": 0,
        "AgentName": "",
        "AgentPhone": "",
        "Criteria": [
            {
                "ClientCriteriaUID": 0,
                "LeadFieldUID": 12,
                "Type": "FieldValue",
                "Expression": "",
                "Operator": "In",
                "Value": "CA,NV",
            }
        ],
    }


class ok_handler:
    """A MockTransport handler answering every request 200 with a fresh text id."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: Any) -> Any:
        import httpx

        self.count += 1
        return httpx.Response(200, content=str(1000 + self.count).encode(), headers=_TEXT)


_TEXT = {"Content-Type": "text/plain; charset=utf-8"}
