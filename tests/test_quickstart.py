"""The quickstart of the README/issue, run as written against a MockTransport that checks every body.

Each request body is validated against its schema in spec/openapi.yaml with
a real JSON-Schema validator, and the fields the quickstart names are checked
on the wire.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

import leadexec_async as lx
from leadexec_async._specfile import spec_path

from ._helpers import run_quickstart

pytestmark = pytest.mark.anyio

SCHEMAS = {
    ("PATCH", "/v1/clients"): "ClientUpsert",
    ("PUT", "/v1/delivery/{cid}/methods"): "DeliveryMethod",
    ("PUT", "/v1/delivery/{cid}/accounts/"): "DeliveryAccount",
    ("POST", "/v1/authorization/token"): "TokenRequest",
}


class CheckingAPI:
    def __init__(self) -> None:
        spec = yaml.safe_load(spec_path().read_text())
        self.components = spec["components"]
        self.bodies: list[tuple[str, str, dict[str, Any]]] = []
        self.next_id = 500

    def validate(self, schema_name: str, body: dict[str, Any]) -> None:
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": self.components}
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(body)

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        path = request.url.path
        template = path
        for part in path.split("/"):
            if part.isdigit():
                template = path.replace(f"/{part}/", "/{cid}/")
        self.validate(SCHEMAS[(request.method, template)], body)
        self.bodies.append((request.method, path, body))
        if template.endswith("token"):
            return httpx.Response(
                200, json={"access_token": "qs", "token_type": "Bearer", "expires_in": 3600}
            )
        assert request.headers["Authorization"] == "Bearer qs"
        self.next_id += 1
        return httpx.Response(200, text=str(self.next_id), headers={"Content-Type": "text/plain"})


async def test_quickstart(monkeypatch: pytest.MonkeyPatch) -> None:
    api = CheckingAPI()
    monkeypatch.setenv("LEADEXEC_CLIENT_ID", "qs-id")
    monkeypatch.setenv("LEADEXEC_CLIENT_SECRET", "qs-secret")
    monkeypatch.delenv("LEADEXEC_ACCESS_TOKEN", raising=False)

    # The quickstart, as written (tests/_helpers.run_quickstart).
    async with lx.LeadExecClient(transport=httpx.MockTransport(api.handler)) as le:
        cid, mid, aid, again = await run_quickstart(le)

    assert (cid, mid, aid, again) == (501, 502, 503, 504)
    token, create, method, account, upsert = api.bodies
    assert token[2]["grant_type"] == "client_credentials"
    info = create[2]["Info"]
    assert (info["ClientUID"], info["Username"], info["Password"], info["Status"]) == (
        0,
        "acme",
        "s3cret",
        "Active",
    )
    assert method[1] == f"/v1/delivery/{cid}/methods"
    m = method[2]
    assert (m["ClientDeliveryUID"], m["ClientUID"], m["Type"], m["Name"]) == (0, cid, 0, "Acme POST")
    assert (m["LeadTypeUID"], m["DeliveryAddress"]) == (7, "https://acme.example/in")
    assert account[1] == f"/v1/delivery/{cid}/accounts/"
    a = account[2]
    assert (a["ClientAccountUID"], a["ClientUID"], a["DeliveryUID"]) == (0, cid, mid)
    assert (a["Price"], a["DayMax"], a["HourMax"], a["Status"]) == (25.0, 100, -1, 12)
    assert a["Criteria"] == [
        {
            "ClientCriteriaUID": 0,
            "LeadFieldUID": 12,
            "Type": "FieldValue",
            "Expression": "",
            "Operator": "In",
            "Value": "CA,NV",
        }
    ]
    u = upsert[2]
    assert (u["ClientAccountUID"], u["ClientUID"], u["Price"]) == (aid, cid, 30.0)
    # The one-field change sent the whole record: every other field as it was.
    assert {k: v for k, v in u.items() if k not in ("ClientAccountUID", "Price")} == {
        k: v for k, v in a.items() if k not in ("ClientAccountUID", "Price")
    }
