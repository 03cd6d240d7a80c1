"""Retries that never duplicate: the decision table, backoff, Retry-After, attempts."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import anyio
import httpx
import pytest

import leadexec_async as lx
from leadexec_async._retry import (
    Action,
    Kind,
    RetryPolicy,
    classify_exception,
    classify_status,
    parse_retry_after,
)
from tests.conftest import FakeAPI

CREATE_FIELDS: dict[str, Any] = {"delivery_uid": 7, "description": "Main", "price": 25.0}


def _status(code: int, **headers: str) -> httpx.Response:
    return httpx.Response(code, text=f"status {code}", headers=headers)


async def _create(le: lx.LeadExecClient) -> int:
    return await le.delivery_accounts.create(42, **CREATE_FIELDS)


async def _update(le: lx.LeadExecClient) -> int:
    return await le.delivery_accounts.update(42, 5, **CREATE_FIELDS, reset_omitted=True)


# -- the decision table -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "create", "update"),
    [
        (408, Action.RAISE, Action.RETRY),
        (429, Action.RETRY, Action.RETRY),
        (500, Action.UNKNOWN, Action.RETRY),
        (502, Action.UNKNOWN, Action.RETRY),
        (503, Action.RETRY, Action.RETRY),
        (504, Action.UNKNOWN, Action.RETRY),
        (501, Action.RAISE, Action.RAISE),
        (520, Action.UNKNOWN, Action.RAISE),
        (499, Action.RAISE, Action.RAISE),
        (400, Action.RAISE, Action.RAISE),
        (404, Action.RAISE, Action.RAISE),
        (409, Action.RAISE, Action.RAISE),
    ],
)
def test_status_table(status: int, create: Action, update: Action) -> None:
    assert classify_status(Kind.CREATE, status) is create
    assert classify_status(Kind.UPDATE, status) is update
    assert classify_status(Kind.TOKEN, status) is update


@pytest.mark.parametrize(
    ("exc", "create"),
    [
        (httpx.ConnectError("refused"), Action.RETRY),
        (httpx.ConnectTimeout("slow connect"), Action.RETRY),
        (httpx.PoolTimeout("pool"), Action.RETRY),
        (httpx.ReadTimeout("slow answer"), Action.UNKNOWN),
        (httpx.WriteTimeout("slow body"), Action.UNKNOWN),
        (httpx.ReadError("reset"), Action.UNKNOWN),
        (httpx.WriteError("broken pipe"), Action.UNKNOWN),
        (httpx.RemoteProtocolError("server disconnected"), Action.UNKNOWN),
        (httpx.UnsupportedProtocol("ftp"), Action.RAISE),
    ],
)
def test_exception_table(exc: httpx.TransportError, create: Action) -> None:
    assert classify_exception(Kind.CREATE, exc) is create
    expected = Action.RAISE if create is Action.RAISE else Action.RETRY
    assert classify_exception(Kind.UPDATE, exc) is expected
    assert classify_exception(Kind.TOKEN, exc) is expected


# -- backoff and Retry-After ------------------------------------------------------


def test_backoff_doubles_from_half_a_second_up_to_eight() -> None:
    no_jitter = RetryPolicy(random=lambda: 0.0)
    assert [no_jitter.delay(n, None) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    full_jitter = RetryPolicy(random=lambda: 1.0)
    assert full_jitter.delay(1, None) == pytest.approx(0.375)
    assert full_jitter.delay(9, None) == pytest.approx(6.0)
    assert no_jitter.delay(3, 12.5) == 12.5  # Retry-After wins


def test_retry_after_formats() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    for bad in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(bad) is None


# -- updates are repeated ------------------------------------------------------------

REPEATED_FOR_UPDATES = [
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
    httpx.WriteTimeout("slow"),
    httpx.RemoteProtocolError("dropped"),
    httpx.ReadError("reset"),
    *(_status(code) for code in (408, 429, 500, 502, 503, 504)),
]


@pytest.mark.anyio
@pytest.mark.parametrize("failure", REPEATED_FOR_UPDATES, ids=repr)
async def test_update_is_repeated(api: FakeAPI, failure: Any) -> None:
    api.answers.append(failure)
    async with api.client() as le:
        assert await _update(le) == 1001
    assert len(api.requests) == 2
    assert len(api.sleeps) == 1


@pytest.mark.anyio
async def test_update_gives_up_after_max_retries_with_attempts(api: FakeAPI) -> None:
    api.answers.extend(_status(503) for _ in range(5))
    async with api.client(max_retries=2) as le:
        with pytest.raises(lx.ServerError) as caught:
            await _update(le)
    assert caught.value.status_code == 503
    assert caught.value.attempts == 3
    assert len(api.requests) == 3
    assert len(api.sleeps) == 2


@pytest.mark.anyio
async def test_max_retries_zero_sends_once(api: FakeAPI) -> None:
    api.answers.append(httpx.ConnectError("refused"))
    async with api.client(max_retries=0) as le:
        with pytest.raises(lx.APIConnectionError) as caught:
            await _update(le)
    assert caught.value.attempts == 1
    assert len(api.requests) == 1


# -- creates are repeated only when certainly not applied -------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.PoolTimeout("no connection"),
        _status(429),
        _status(503),
    ],
    ids=repr,
)
async def test_create_is_repeated_when_not_applied(api: FakeAPI, failure: Any) -> None:
    api.answers.append(failure)
    async with api.client() as le:
        assert await _create(le) == 1001
    assert len(api.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow answer"),
        httpx.WriteTimeout("slow body"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("server disconnected without answering"),
        _status(500),
        _status(502),
        _status(504),
        _status(520),
    ],
    ids=repr,
)
async def test_create_that_may_have_landed_is_sent_exactly_once(api: FakeAPI, failure: Any) -> None:
    api.answers.extend([failure, _status(200)])  # a repeat would succeed: it must not happen
    async with api.client() as le:
        with pytest.raises(lx.OutcomeUnknownError) as caught:
            await le.clients.create(username="acme", password="s3cret-pw")
    assert len(api.requests) == 1
    error = caught.value
    assert error.attempts == 1
    assert error.operation == "upsert_client"
    assert error.payload["Info"]["Password"] == "***"
    assert error.payload["Info"]["Username"] == "acme"
    assert "s3cret-pw" not in str(error)
    assert error.__cause__ is not None
    if isinstance(failure, httpx.Response):
        assert isinstance(error.__cause__, lx.ServerError)
        assert error.__cause__.status_code == failure.status_code
    else:
        assert isinstance(error.__cause__, lx.APIConnectionError)
        # a redacted copy of the transport failure, of its type, with nothing chained below it
        assert type(error.__cause__.__cause__) is type(failure)
        assert error.__cause__.__cause__.__cause__ is None
    assert api.sleeps == []


@pytest.mark.anyio
async def test_create_dropped_after_sending_reaches_transport_once(api: FakeAPI) -> None:
    """The exactly-once rule, counted at the transport itself."""
    sent: list[bytes] = []

    def drop_after_reading(request: httpx.Request) -> httpx.Response:
        sent.append(request.read())
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    transport = httpx.MockTransport(drop_after_reading)
    async with lx.LeadExecClient(access_token="t", transport=transport, sleep=api.sleep) as le:
        with pytest.raises(lx.OutcomeUnknownError):
            await _create(le)
    assert len(sent) == 1
    assert json.loads(sent[0])["ClientAccountUID"] == 0


@pytest.mark.anyio
async def test_create_408_is_raised_not_repeated(api: FakeAPI) -> None:
    api.answers.append(_status(408))
    async with api.client() as le:
        with pytest.raises(lx.APIStatusError) as caught:
            await _create(le)
    assert caught.value.status_code == 408
    assert len(api.requests) == 1


# -- statuses outside the IANA list --------------------------------------------------


@pytest.mark.anyio
async def test_unlisted_statuses_do_not_crash(api: FakeAPI) -> None:
    api.answers.extend([_status(499), _status(520), _status(299)])
    async with api.client() as le:
        with pytest.raises(lx.APIStatusError) as e499:
            await _update(le)
        with pytest.raises(lx.ServerError) as e520:
            await _update(le)
        with pytest.raises(lx.UnexpectedResponseError) as e299:
            await _update(le)
    assert type(e499.value) is lx.APIStatusError
    assert e499.value.status_code == 499
    assert e520.value.status_code == 520
    assert e520.value.attempts == 1
    assert e299.value.status_code == 299
    assert len(api.requests) == 3


# -- Retry-After --------------------------------------------------------------------


@pytest.mark.anyio
async def test_retry_after_seconds_is_honoured(api: FakeAPI) -> None:
    api.answers.append(_status(429, **{"Retry-After": "3"}))
    async with api.client() as le:
        await _create(le)
    assert api.sleeps == [3.0]


@pytest.mark.anyio
async def test_retry_after_http_date_is_honoured(api: FakeAPI) -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    api.answers.append(_status(503, **{"Retry-After": when}))
    async with api.client() as le:
        await _update(le)
    assert len(api.sleeps) == 1
    assert 15.0 <= api.sleeps[0] <= 20.0


@pytest.mark.anyio
async def test_retry_after_beyond_cap_raises_at_once(api: FakeAPI) -> None:
    api.answers.append(_status(429, **{"Retry-After": "120"}))
    async with api.client(max_retry_wait=60.0) as le:
        with pytest.raises(lx.RateLimitError) as caught:
            await _create(le)
    assert caught.value.retry_after == 120.0
    assert caught.value.attempts == 1
    assert api.sleeps == []
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_retry_after_cap_is_configurable(api: FakeAPI) -> None:
    api.answers.append(_status(429, **{"Retry-After": "120"}))
    async with api.client(max_retry_wait=300.0) as le:
        await _create(le)
    assert api.sleeps == [120.0]


@pytest.mark.anyio
async def test_backoff_knobs_reach_the_sleeps(api: FakeAPI) -> None:
    api.answers.extend([_status(503), _status(503)])
    async with api.client(retry_backoff=0.01, retry_backoff_max=0.015) as le:
        await _update(le)
    assert len(api.sleeps) == 2
    assert 0.0075 <= api.sleeps[0] <= 0.01
    assert 0.01125 <= api.sleeps[1] <= 0.015


# -- a backoff sleep holds no slot -------------------------------------------------------


@pytest.mark.anyio
async def test_backoff_sleep_holds_no_concurrency_slot() -> None:
    """With one slot, a second call must get through while the first sleeps before its repeat."""
    second_arrived = anyio.Event()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append(body["Description"])
        if body["Description"] == "first" and calls.count("first") == 1:
            return _status(503)
        if body["Description"] == "second":
            second_arrived.set()
        return httpx.Response(200, text="77")

    async def sleep(_: float) -> None:
        await second_arrived.wait()  # only returns if the slot was free for the second call

    le = lx.LeadExecClient(
        access_token="t", transport=httpx.MockTransport(handler), max_concurrency=1, sleep=sleep
    )
    async with le:
        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    lambda: le.delivery_accounts.update(
                        1, 2, delivery_uid=3, description="first", reset_omitted=True
                    )
                )
                await anyio.lowlevel.checkpoint()
                while not calls:
                    await anyio.lowlevel.checkpoint()
                tg.start_soon(
                    lambda: le.delivery_accounts.update(
                        1, 4, delivery_uid=3, description="second", reset_omitted=True
                    )
                )
    assert calls == ["first", "second", "first"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.CREATE, Action.UNKNOWN), (Kind.UPDATE, Action.RAISE), (Kind.TOKEN, Action.RAISE)],
)
def test_a_failure_of_no_known_kind_is_never_repeated(kind: Kind, expected: Action) -> None:
    """An unexpected exception in the response path: a create may have been applied (unknown);
    an update or a token request is not repeated, since the same failure would likely come again."""
    from leadexec_async._wire import UnexpectedFailureError

    assert classify_exception(kind, UnexpectedFailureError("ValueError: boom")) is expected
    # an ordinary read error after sending is still repeated for an update
    assert classify_exception(Kind.UPDATE, httpx.ReadError("x")) is Action.RETRY
