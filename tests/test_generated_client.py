"""The generated low-level client sends what the reference documents (respx, no network)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest
import respx
from leadexec_api_client import AuthenticatedClient, Client
from leadexec_api_client.api.authorization import create_token
from leadexec_api_client.api.clients import upsert_client
from leadexec_api_client.api.delivery import upsert_delivery_account, upsert_delivery_method
from leadexec_api_client.models import (
    ClientUpsert,
    DeliveryAccount,
    DeliveryMethod,
    TokenRequest,
    TokenResponse,
)
from leadexec_api_client.models.grant_type import GrantType

from tests._reference import REFERENCE, load_sections

BASE = "https://api.leadexec.test"


def _examples() -> dict[str, dict[str, Any]]:
    if not REFERENCE.is_file():
        pytest.skip(f"API reference not found at {REFERENCE}")
    return {s.path: s.example for s in load_sections()}


def _norm(value: Any) -> Any:
    """Compare date-times by instant: the reference writes `Z`, the model writes `+00:00`."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, str) and len(value) >= 20 and value[4:5] == "-" and "T" in value:
        return datetime.fromisoformat(value)
    return value


def _keys(value: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(prefix + k)
            out |= _keys(v, prefix + k + ".")
    elif isinstance(value, list):
        for item in value:
            out |= _keys(item, prefix)
    return out


@pytest.mark.parametrize(
    ("path", "sent_path", "model", "module"),
    [
        ("/v1/clients", "/v1/clients", ClientUpsert, upsert_client),
        (
            "/v1/delivery/{ClientUID}/methods",
            "/v1/delivery/42/methods",
            DeliveryMethod,
            upsert_delivery_method,
        ),
        (
            "/v1/delivery/{ClientUID}/accounts/",
            "/v1/delivery/42/accounts/",
            DeliveryAccount,
            upsert_delivery_account,
        ),
    ],
)
@pytest.mark.anyio
async def test_operation_round_trips_the_reference_example(
    path: str, sent_path: str, model: Any, module: Any
) -> None:
    example = json.loads(json.dumps(_examples()[path]))
    if "ClientUID" in example:
        example["ClientUID"] = 42
    if model is DeliveryAccount:
        example["Status"] = 12  # the reference's 0 is outside 9-12 (see the spec)
        example["DeliveryUID"] = 7
    body = model.from_dict(example)
    assert _norm(body.to_dict()) == _norm(example)

    with respx.mock(base_url=BASE, assert_all_called=True) as mock:
        route = mock.route(path=sent_path).mock(return_value=httpx.Response(200, text="12345"))
        client = AuthenticatedClient(base_url=BASE, token="tok-123")
        async with client:
            kwargs = {"body": body} if model is ClientUpsert else {"client_uid": 42, "body": body}
            response = await module.asyncio_detailed(client=client, **kwargs)
    request = route.calls.last.request
    assert request.method == ("PATCH" if model is ClientUpsert else "PUT")
    assert request.url.path == sent_path
    assert request.headers["Authorization"] == "Bearer tok-123"
    sent = json.loads(request.content)
    assert _keys(sent) == _keys(example)
    assert _norm(sent) == _norm(example)
    assert response.status_code == 200
    assert int(response.content) == 12345


@pytest.mark.anyio
async def test_token_operation_sends_client_credentials_as_json() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as mock:
        route = mock.post("/v1/authorization/token").mock(
            return_value=httpx.Response(
                200, json={"access_token": "abc", "token_type": "Bearer", "expires_in": 3600, "error": None}
            )
        )
        async with Client(base_url=BASE) as client:
            parsed = await create_token.asyncio(
                client=client,
                body=TokenRequest(
                    client_id="id-1", client_secret="secret-1", grant_type=GrantType.CLIENT_CREDENTIALS
                ),
            )
    request = route.calls.last.request
    assert "Authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "client_id": "id-1",
        "client_secret": "secret-1",
        "grant_type": "client_credentials",
    }
    assert isinstance(parsed, TokenResponse)
    assert parsed.access_token == "abc"
    assert parsed.expires_in == 3600
