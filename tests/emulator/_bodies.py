"""Valid wire bodies for the emulator tests, and a small synchronous helper around httpx."""

from __future__ import annotations

import copy
from typing import Any

import httpx

DATE = "2024-05-01T08:30:00"


def client_body(
    username: str | None = "buyer-1", *, client_uid: int = 0, status: str = "Active"
) -> dict[str, Any]:
    info: dict[str, Any] = {"ClientUID": client_uid, "DateAdded": DATE, "Status": status}
    if username is not None:
        info.update(Username=username, Password="s3cret-pw")
    return {"Info": info, "FieldData": [{"ClientFieldUID": 4, "Value": "north"}]}


def method_body(client_uid: int, *, method_uid: int = 0, name: str = "post to buyer") -> dict[str, Any]:
    strings = [
        "XML", "EmailTemplate", "EmailSubject", "FTPUser", "FTPPassword", "FTPPath", "EmailAddress",
        "ResponseSearch", "DeliveryAddress", "SMTPServer", "SMTPUsername", "SMTPPassword", "fAddress",
        "tAddress", "NotifyCC", "NotifyBCC", "NotifyEmail", "ClientEmail",
    ]  # fmt: skip
    body: dict[str, Any] = dict.fromkeys(strings, "")
    body.update(
        ClientDeliveryUID=method_uid,
        ClientUID=client_uid,
        Type=0,
        Name=name,
        Status=True,
        DateAdded=DATE,
        inTesting=False,
        LeadTypeUID=3,
        useRegEx=False,
        SMTPAuth=False,
        EmailNotify=False,
        LeadCatUID=0,
        FieldSettings=[
            {
                "DeliverySettingUID": 0, "DeliveryUID": 0, "Delete": False, "Format": "", "FieldType": 1,
                "FieldName": "first_name", "Value": "", "LeadFieldUID": 11, "Expr": "", "hasMap": False,
            }
        ],
        DeliveryDays=[],
    )  # fmt: skip
    return body


def account_body(
    client_uid: int, method_uid: int, *, account_uid: int = 0, price: float = 12.5
) -> dict[str, Any]:
    return {
        "ClientAccountUID": account_uid, "ClientUID": client_uid, "DeliveryUID": method_uid, "Price": price,
        "HourMax": -1, "DayMax": 50, "MonthMax": -1, "WeekMax": -1, "useOrder": False, "Status": 12,
        "DeliveryDelay": 0, "Description": "main account", "RedirectURL": "", "AutomationEnabled": True,
        "AlternatePosting": 0, "AccountType": 0, "AgentName": "", "AgentPhone": "",
        "Criteria": [
            {"ClientCriteriaUID": 0, "LeadFieldUID": 7, "Type": "FieldValue", "Expression": "",
             "Operator": "Equal", "Value": "CA"}
        ],
    }  # fmt: skip


class Api:
    """Raw calls to an emulator, with a token fetched from its credentials."""

    def __init__(self, server: Any, token: str | None = None) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=10)
        self.token = token or self.fetch_token()

    def fetch_token(self) -> str:
        response = self.http.post(
            "/v1/authorization/token",
            json={
                "client_id": self.server.client_id,
                "client_secret": self.server.client_secret,
                "grant_type": "client_credentials",
            },
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.patch("/v1/clients", json=body, headers=self._auth())

    def method(self, client_uid: int, body: dict[str, Any]) -> httpx.Response:
        return self.http.put(f"/v1/delivery/{client_uid}/methods", json=body, headers=self._auth())

    def account(self, client_uid: int, body: dict[str, Any]) -> httpx.Response:
        return self.http.put(f"/v1/delivery/{client_uid}/accounts/", json=body, headers=self._auth())

    def raw(self, method: str, path: str, content: bytes, **headers: str) -> httpx.Response:
        return self.http.request(method, path, content=content, headers={**self._auth(), **headers})

    def make_client(self, username: str = "buyer-1") -> int:
        response = self.client(client_body(username))
        assert response.status_code == 200, response.text
        return int(response.text)

    def make_method(self, client_uid: int) -> int:
        response = self.method(client_uid, method_body(client_uid))
        assert response.status_code == 200, response.text
        return int(response.text)

    def close(self) -> None:
        self.http.close()


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    """A copy of ``body`` with the field at ``path`` removed."""
    out = copy.deepcopy(body)
    target = out
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return out


def setting(body: dict[str, Any], value: Any, *path: str | int) -> dict[str, Any]:
    """A copy of ``body`` with the field at ``path`` set to ``value``."""
    out = copy.deepcopy(body)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out
