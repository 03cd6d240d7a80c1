"""Auth: static tokens, client credentials with single flight, renewal, one resend on 401."""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

import leadexec_async as lx
from leadexec_async._auth import ClientCredentialsAuth, StaticAuth
from tests.conftest import FakeAPI

pytestmark = pytest.mark.anyio

CREDS: dict[str, Any] = {"client_id": "id-abc", "client_secret": "secret-xyz-987"}


async def _call(le: lx.LeadExecClient, n: int = 1) -> int:
    return await le.delivery_methods.update(42, n, name=f"m{n}", reset_omitted=True)


async def test_static_token_is_sent_as_bearer(api: FakeAPI) -> None:
    async with api.client(access_token="abc123") as le:
        await _call(le)
    assert api.requests[0].headers["Authorization"] == "Bearer abc123"
    assert api.token_requests == []


async def test_client_credentials_fetch_a_token_first(api: FakeAPI) -> None:
    async with api.client(**CREDS) as le:
        await _call(le)
        await _call(le, 2)
    assert len(api.token_requests) == 1
    token_request = api.token_requests[0]
    assert token_request.method == "POST"
    assert json.loads(token_request.content) == {
        "client_id": "id-abc",
        "client_secret": "secret-xyz-987",
        "grant_type": "client_credentials",
    }
    assert "Authorization" not in token_request.headers
    assert [r.headers["Authorization"] for r in api.requests] == ["Bearer tok-1", "Bearer tok-1"]


async def test_single_flight_under_100_concurrent_calls(api: FakeAPI) -> None:
    api.token_yields = 20  # every caller reaches the token step while the first request is out
    async with api.client(**CREDS, max_concurrency=100) as le, anyio.create_task_group() as tg:
        for n in range(1, 101):
            tg.start_soon(_call, le, n)
    assert len(api.token_requests) == 1
    assert len(api.requests) == 100
    assert {r.headers["Authorization"] for r in api.requests} == {"Bearer tok-1"}


async def test_a_failed_token_request_fails_every_waiting_caller_once(api: FakeAPI) -> None:
    api.token_answers.append(httpx.Response(401, json={"error": "invalid_client"}))
    api.token_yields = 20
    errors: list[BaseException] = []

    async def call(le: lx.LeadExecClient, n: int) -> None:
        try:
            await _call(le, n)
        except lx.AuthenticationError as exc:
            errors.append(exc)

    async with api.client(**CREDS) as le, anyio.create_task_group() as tg:
        for n in range(1, 21):
            tg.start_soon(call, le, n)
    assert len(api.token_requests) == 1
    assert len(errors) == 20
    assert api.requests == []


async def test_token_request_is_retried(api: FakeAPI) -> None:
    api.token_answers.extend([httpx.ReadTimeout("slow"), httpx.Response(503)])
    async with api.client(**CREDS) as le:
        await _call(le)
    assert len(api.token_requests) == 3
    assert len(api.sleeps) == 2


async def test_token_renewed_before_it_expires(api: FakeAPI) -> None:
    now = [0.0]
    le = api.client(**CREDS)
    assert isinstance(le._auth, ClientCredentialsAuth)
    le._auth._clock = lambda: now[0]
    async with le:
        await _call(le)
        now[0] = 3500.0  # 100 s left: still good
        await _call(le, 2)
        now[0] = 3545.0  # 55 s left: renewed before use
        await _call(le, 3)
    assert len(api.token_requests) == 2
    assert [r.headers["Authorization"] for r in api.requests] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


async def test_renewal_margin_with_a_clock() -> None:
    now = [1000.0]
    fetched: list[float] = []

    async def fetch() -> tuple[str, float]:
        fetched.append(now[0])
        return f"t{len(fetched)}", 3600.0

    auth = ClientCredentialsAuth("id", "secret", clock=lambda: now[0], margin=60.0)
    auth.bind(fetch)
    assert await auth.get() == "Bearer t1"
    now[0] += 3600 - 61
    assert auth.current() == "Bearer t1"
    now[0] += 2  # 59 s before expiry: due
    assert auth.current() is None
    assert await auth.get() == "Bearer t2"
    assert fetched == [1000.0, 1000.0 + 3541]


async def test_waiters_take_the_token_fetched_for_them_even_when_it_is_already_due() -> None:
    # A token living less than twice its fetch time is due again when the fetch ends;
    # every caller waiting on that fetch still takes its token (one fetch, not one per waiter).
    now = [1000.0]
    fetches = 0
    release = anyio.Event()

    async def fetch() -> tuple[str, float]:
        nonlocal fetches
        fetches += 1
        await release.wait()
        now[0] += 10.0  # the fetch took 10 s; the token lives 4 s
        return f"t{fetches}", 4.0

    auth = ClientCredentialsAuth("id", "secret", clock=lambda: now[0])
    auth.bind(fetch)
    got: list[str] = []

    async def caller() -> None:
        got.append(await auth.get())

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(caller)
        await anyio.wait_all_tasks_blocked()
        release.set()
    assert fetches == 1
    assert got == ["Bearer t1"] * 5


async def test_401_renews_once_and_resends_once(api: FakeAPI) -> None:
    api.answers.append(httpx.Response(401, text="expired"))
    async with api.client(**CREDS) as le:
        assert await le.delivery_methods.create(42, name="new") == 1001
    assert len(api.token_requests) == 2
    assert [r.headers["Authorization"] for r in api.requests] == ["Bearer tok-1", "Bearer tok-2"]
    # a create answered 401 was refused, so it was safe to send it again
    assert all(json.loads(r.content)["ClientDeliveryUID"] == 0 for r in api.requests)


async def test_second_401_is_final(api: FakeAPI) -> None:
    api.answers.extend([httpx.Response(401), httpx.Response(401), httpx.Response(200, text="1")])
    async with api.client(**CREDS) as le:
        with pytest.raises(lx.AuthenticationError) as caught:
            await _call(le)
    assert caught.value.attempts == 2
    assert len(api.token_requests) == 2
    assert len(api.requests) == 2


async def test_concurrent_401s_share_one_renewal(api: FakeAPI) -> None:
    api.answers.extend(httpx.Response(401) for _ in range(10))
    api.token_yields = 20
    async with api.client(**CREDS) as le, anyio.create_task_group() as tg:
        for n in range(1, 11):
            tg.start_soon(_call, le, n)
    assert len(api.token_requests) == 2
    assert len(api.requests) == 20


async def test_a_401_answered_after_the_renewal_takes_the_renewed_token(api: FakeAPI) -> None:
    """Refused only after another caller renewed the token: resent with that token, no third one fetched."""
    late_sent, renewed = anyio.Event(), anyio.Event()
    sent: list[tuple[str, str]] = []

    async def wire(request: httpx.Request) -> httpx.Response:
        if request.url.path != FakeAPI.TOKEN_PATH:
            name, header = json.loads(request.content)["Name"], request.headers["Authorization"]
            sent.append((name, header))
            if header == "Bearer tok-1" and name == "early":
                await late_sent.wait()  # both are on the wire with the first token
                return httpx.Response(401)
            if header == "Bearer tok-1" and name == "late":
                late_sent.set()
                await renewed.wait()  # refused only after "early" came back with the new token
                return httpx.Response(401)
            if name == "early":
                renewed.set()
        answer: httpx.Response = api.handler(request)
        return answer

    le = api.client(**CREDS, transport=httpx.MockTransport(wire))

    async def call(n: int, name: str) -> None:
        await le.delivery_methods.update(42, n, name=name, reset_omitted=True)

    async with le, anyio.create_task_group() as tg:
        tg.start_soon(call, 1, "early")
        tg.start_soon(call, 2, "late")
    assert len(api.token_requests) == 2
    assert sorted(sent) == [
        ("early", "Bearer tok-1"),
        ("early", "Bearer tok-2"),
        ("late", "Bearer tok-1"),
        ("late", "Bearer tok-2"),
    ]


async def test_static_token_401_is_not_resent(api: FakeAPI) -> None:
    api.answers.append(httpx.Response(401))
    async with api.client() as le:
        with pytest.raises(lx.AuthenticationError) as caught:
            await _call(le)
    assert caught.value.attempts == 1
    assert len(api.requests) == 1


async def test_unusable_token_answer(api: FakeAPI) -> None:
    api.token_answers.append(httpx.Response(200, json={"error": "nope"}))
    async with api.client(**CREDS) as le:
        with pytest.raises(lx.UnexpectedResponseError) as caught:
            await _call(le)
    assert caught.value.attempts == 1
    assert api.requests == []


async def test_a_token_answer_nested_too_deep_is_unexpected_and_withheld(api: FakeAPI) -> None:
    api.token_answers.append(httpx.Response(200, content=b"[" * 10_000))
    async with api.client(**CREDS) as le:
        with pytest.raises(lx.UnexpectedResponseError) as caught:
            await _call(le)
    assert caught.value.body == "<token response withheld>"
    assert caught.value.__cause__ is None  # no parsing error chained: nothing of the body
    assert caught.value.__context__ is None
    assert api.requests == []


def test_environment_fallbacks(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("LEADEXEC_BASE_URL", "http://127.0.0.1:9999/")
    le = lx.LeadExecClient()
    assert le.base_url == "http://127.0.0.1:9999"
    assert isinstance(le._auth, StaticAuth)
    monkeypatch.delenv("LEADEXEC_ACCESS_TOKEN")
    monkeypatch.setenv("LEADEXEC_CLIENT_ID", "env-id")
    monkeypatch.setenv("LEADEXEC_CLIENT_SECRET", "env-secret")
    le = lx.LeadExecClient()
    assert isinstance(le._auth, ClientCredentialsAuth)
    assert le._auth.client_id == "env-id"
    # explicit arguments win over the environment
    le = lx.LeadExecClient(access_token="arg-token")
    assert le._auth.current() == "Bearer arg-token"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({}, "access_token"), ({"client_id": "x"}, "client_secret"), ({"client_secret": "y"}, "client_id")],
)
def test_missing_credentials_are_named(api: FakeAPI, kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(**kwargs)
    assert caught.value.field == field
