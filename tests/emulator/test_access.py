"""Tokens (issue, expiry, static token) and the per-token rate limit, on a clock the test moves."""

from __future__ import annotations

import httpx
import pytest

from leadexec_async.emulator import EmulatorServer, ManualClock
from leadexec_async.emulator._access import RateLimiter

from ._bodies import Api, client_body


def test_wrong_credentials_are_401(api: Api) -> None:
    for client_id, secret in (("test-id", "nope"), ("other", "test-secret"), ("", "")):
        response = api.http.post(
            "/v1/authorization/token",
            json={"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"},
        )
        assert response.status_code == (400 if not client_id else 401)
        assert "test-secret" not in response.text


def test_token_answer_matches_the_spec(api: Api) -> None:
    response = api.http.post(
        "/v1/authorization/token",
        json={"client_id": "test-id", "client_secret": "test-secret", "grant_type": "client_credentials"},
    )
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["error"] is None
    assert body["access_token"] != api.token  # a new token each time


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer unknown-token", "Basic dGVzdA==", "static-test-token"]
)
def test_missing_or_unknown_token_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = api.http.patch("/v1/clients", json=client_body(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert api.server.state()["clients"] == []


def test_static_token_is_accepted(api: Api) -> None:
    response = api.http.patch(
        "/v1/clients", json=client_body(), headers={"Authorization": "Bearer static-test-token"}
    )
    assert response.status_code == 200


def test_tokens_expire_after_the_ttl() -> None:
    clock = ManualClock()
    with EmulatorServer(token_ttl=60, clock=clock) as server:
        api = Api(server)
        assert api.client(client_body("a")).status_code == 200
        clock.advance(59.5)
        assert api.client(client_body("b")).status_code == 200
        clock.advance(0.5)
        assert api.client(client_body("c")).status_code == 401
        api.token = api.fetch_token()  # renewal
        assert api.client(client_body("c")).status_code == 200
        api.close()


def test_rate_limit_answers_429_with_retry_after_per_token() -> None:
    clock = ManualClock()
    with EmulatorServer(
        rate_limit=3, token="static", client_id="i", client_secret="s", clock=clock
    ) as server:
        api = Api(server)
        statuses = [api.client(client_body(f"u{n}")).status_code for n in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = api.client(client_body("u9"))
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "1"
        other = api.http.patch(
            "/v1/clients", json=client_body("v"), headers={"Authorization": "Bearer static"}
        )
        assert other.status_code == 200  # another token has its own bucket
        clock.advance(1 / 3)
        assert api.client(client_body("u4")).status_code == 200
        assert api.client(client_body("u5")).status_code == 429
        assert server.state()["counters"]["by_operation_outcome"]["upsert_client"] == {"200": 5, "429": 3}
        assert len(server.state()["clients"]) == 5
        api.close()


def test_token_bucket_retry_after_is_whole_seconds() -> None:
    clock = ManualClock()
    slow = RateLimiter(0.25, clock)  # one request every 4 s
    assert slow.acquire("t") == 0
    assert slow.acquire("t") == 4
    clock.advance(3.5)
    assert slow.acquire("t") == 1  # 0.5 s rounds up to a whole second
    clock.advance(0.5)
    assert slow.acquire("t") == 0


def test_default_credentials_apply_when_none_are_given() -> None:
    with EmulatorServer() as server:
        response = httpx.post(
            server.base_url + "/v1/authorization/token",
            json={
                "client_id": server.client_id,
                "client_secret": server.client_secret,
                "grant_type": "client_credentials",
            },
        )
        assert response.status_code == 200
        assert server.client_id == "emulator-client"
