"""Every bad body gets 400 naming the field, never 500; the rules come from the spec itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from leadexec_async._specfile import spec_path
from leadexec_async.emulator import Emulator, EmulatorConfig
from leadexec_async.emulator._schema import load_schemas

from ._bodies import Api, account_body, client_body, method_body, setting, without


def _error(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert isinstance(body["message"], str)
    assert body["message"]
    return body


def test_valid_bodies_are_accepted(api: Api) -> None:
    client = api.make_client()
    method = api.make_method(client)
    response = api.account(client, account_body(client, method))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert int(response.text) > 0


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: without(b, "Info", "Status"), "Info.Status"),
        (lambda b: without(b, "Info"), "Info"),
        (lambda b: setting(b, "Working-ish", "Info", "Status"), "Info.Status"),
        (lambda b: setting(b, "7", "Info", "ClientUID"), "Info.ClientUID"),
        (lambda b: setting(b, -1, "Info", "ClientUID"), "Info.ClientUID"),
        (lambda b: setting(b, 2**31, "Info", "UserUID"), "Info.UserUID"),
        (lambda b: setting(b, 15, "Info", "TimeOffset"), "Info.TimeOffset"),
        (lambda b: setting(b, "yesterday", "Info", "DateAdded"), "Info.DateAdded"),
        (lambda b: setting(b, "2024-13-01T00:00:00", "Info", "DateAdded"), "Info.DateAdded"),
        (lambda b: setting(b, 1, "Info", "Nickname"), "Info.Nickname"),
        (lambda b: setting(b, "x", "FieldData", 0, "ClientFieldUID"), "FieldData[0].ClientFieldUID"),
        (lambda b: without(b, "Info", "Username"), "Info.Username"),  # x-required-on-create
        (lambda b: without(b, "Info", "Password"), "Info.Password"),
    ],
)
def test_client_body_errors_name_the_field(api: Api, mutate: Any, field: str) -> None:
    error = _error(api.client(mutate(client_body())))
    assert error["field"] == field
    assert field in error["message"]
    assert api.server.state()["clients"] == []


def test_username_and_password_are_required_only_on_create(api: Api) -> None:
    client = api.make_client()
    update = client_body(None, client_uid=client)
    assert api.client(update).status_code == 200
    assert "Username" not in api.server.state()["clients"][0]["Info"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: setting(b, 12, "Type"), "Type"),
        (lambda b: setting(b, "0", "Type"), "Type"),
        (lambda b: without(b, "SMTPPassword"), "SMTPPassword"),
        (lambda b: setting(b, 9, "FieldSettings", 0, "FieldType"), "FieldSettings[0].FieldType"),
        (lambda b: setting(b, None, "Status"), "Status"),
        (lambda b: setting(b, [{"DeliveryDayUID": 0}], "DeliveryDays"), "DeliveryDays[0].DeliveryUID"),
    ],
)
def test_method_body_errors_name_the_field(api: Api, mutate: Any, field: str) -> None:
    client = api.make_client()
    error = _error(api.method(client, mutate(method_body(client))))
    assert error["field"] == field


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: setting(b, 0, "Status"), "Status"),
        (lambda b: setting(b, -0.01, "Price"), "Price"),
        (lambda b: setting(b, -2, "HourMax"), "HourMax"),
        (lambda b: setting(b, "Like", "Criteria", 0, "Operator"), "Criteria[0].Operator"),
        (lambda b: setting(b, 1.5, "DayMax"), "DayMax"),
        (lambda b: setting(b, True, "DeliveryDelay"), "DeliveryDelay"),
    ],
)
def test_account_body_errors_name_the_field(api: Api, mutate: Any, field: str) -> None:
    client = api.make_client()
    method = api.make_method(client)
    error = _error(api.account(client, mutate(account_body(client, method))))
    assert error["field"] == field


def test_messages_never_echo_the_value(api: Api) -> None:
    body = setting(client_body(), 123456789, "Info", "Password")
    error = _error(api.client(body))
    assert error["field"] == "Info.Password"
    assert "123456789" not in json.dumps(error)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b'"text"',
        b'{"Info": {"ClientUID": 0, "DateAdded": "2024-01-01T00:00:00", "Status": "New", "UserUID": NaN}}',
        b'{"Info": {"ClientUID": 1e400, "DateAdded": "2024-01-01T00:00:00", "Status": "New"}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"Info": {"ClientUID": ' + b"9" * 5000 + b"}}",
    ],
)
def test_malformed_json_is_400_never_500(api: Api, content: bytes) -> None:
    _error(api.raw("PATCH", "/v1/clients", content, **{"content-type": "application/json"}))
    assert api.server.state()["counters"]["by_operation_outcome"]["upsert_client"] == {"400": 1}


def test_huge_body_is_400_and_the_server_stays_up(api: Api) -> None:
    huge = json.dumps(setting(client_body(), "x" * (2 * 1024 * 1024), "Info", "Notes")).encode()
    error = _error(api.raw("PATCH", "/v1/clients", huge, **{"content-type": "application/json"}))
    assert "larger than" in error["message"]
    streamed = api.http.patch(
        "/v1/clients",
        content=iter([b"x" * 65536] * 40),  # no Content-Length: chunked
        headers={"Authorization": f"Bearer {api.token}"},
    )
    _error(streamed)
    assert api.make_client() > 0


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", "at least 1"), ("abc", "integer"), ("99999999999", "int32")]
)
def test_path_client_uid_is_validated_from_the_spec(api: Api, raw: str, expected: str) -> None:
    error = _error(api.raw("PUT", f"/v1/delivery/{raw}/methods", json.dumps(method_body(1)).encode()))
    assert error["field"] == "ClientUID"
    assert expected in error["message"]


def test_token_request_is_validated(api: Api) -> None:
    bad = {"client_id": "test-id", "client_secret": "test-secret", "grant_type": "password"}
    error = _error(api.http.post("/v1/authorization/token", json=bad))
    assert error["field"] == "grant_type"
    error = _error(
        api.http.post("/v1/authorization/token", json={**bad, "grant_type": "client_credentials", "x": 1})
    )
    assert error["field"] == "x"


def _edited_spec(tmp_path: Path, edit: Any) -> Path:
    document = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    edit(document["components"]["schemas"])
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


async def _patch_client(app: Emulator, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as http:
        return await http.patch("/v1/clients", json=body, headers={"Authorization": "Bearer t"})


@pytest.mark.anyio
async def test_rules_are_read_from_the_spec_not_restated(tmp_path: Path) -> None:
    """Editing the spec changes what the emulator accepts: no rule is written twice."""

    def edit(schemas: dict[str, Any]) -> None:
        schemas["ClientInfo"]["x-required-on-create"] = ["Notes"]
        schemas["ClientStatus"]["enum"].append("Dormant")

    edited = Emulator(EmulatorConfig(token="t"), schemas=load_schemas(_edited_spec(tmp_path, edit)))
    stock = Emulator(EmulatorConfig(token="t"))
    dormant = setting(client_body(), "Dormant", "Info", "Status")
    assert (await _patch_client(stock, dormant)).status_code == 400
    assert (await _patch_client(edited, dormant)).json()["field"] == "Info.Notes"
    accepted = await _patch_client(edited, setting(dormant, "vip", "Info", "Notes"))
    assert accepted.status_code == 200
    no_login = without(
        without(setting(client_body(), "vip", "Info", "Notes"), "Info", "Username"), "Info", "Password"
    )
    assert (await _patch_client(edited, no_login)).status_code == 200
    assert (await _patch_client(stock, no_login)).json()["field"] == "Info.Username"
