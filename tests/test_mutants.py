"""Tests written to kill surviving mutants of ``make mutants`` (docs/mutants.md).

Each names the promise it guards and goes through the client (with
``httpx.MockTransport``: these are unit tests of the client's own rules) or
another public entry point, so it outlives rewrites of the modules it was
written for.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import leadexec_async as lx
from leadexec_async._retry import RetryPolicy
from leadexec_async.provision import Ledger

pytestmark = pytest.mark.anyio

SECRET = "pw-Zq7-never-shown"


def _client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> lx.LeadExecClient:
    return lx.LeadExecClient(access_token="t", transport=httpx.MockTransport(handler), **options)


def _sent(requests: list[httpx.Request]) -> Any:
    [request] = requests
    return json.loads(request.content)


# ---------------------------------------------------------------- a create that may have been applied


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(httpx.ReadTimeout("timed out"), "failed after sending (ReadTimeout)"), (500, "answered 500")],
    ids=["timeout", "500"],
)
async def test_an_unknown_create_says_what_happened_and_what_to_do(
    anyio_backend: str, answer: Any, reason: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, text="boom")

    async with _client(handler, max_retries=3) as le:
        with pytest.raises(lx.OutcomeUnknownError) as caught:
            await le.clients.create(username="u", password=SECRET)
    assert str(caught.value).startswith(
        f"PATCH /v1/clients (a create) {reason}; the record may or may not exist, "
        "so it was not sent again. Look it up before retrying."
    )
    assert SECRET not in str(caught.value)


# ---------------------------------------------------------------- what a failure's message shows


@pytest.mark.parametrize(
    ("failure", "detail"),
    [
        (httpx.ConnectError("connection refused"), "ConnectError: connection refused"),
        (httpx.ConnectError(""), "ConnectError: no detail"),
    ],
    ids=["own-text", "no-text"],
)
async def test_a_connection_failure_names_its_cause(anyio_backend: str, failure: Any, detail: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    async with _client(handler, max_retries=0) as le:
        with pytest.raises(lx.APIConnectionError) as caught:
            await le.clients.update(5, notes="n")
    assert str(caught.value) == f"PATCH /v1/clients failed: {detail}"


async def test_a_connection_failure_without_text_shows_the_first_cause_that_has_some(
    anyio_backend: str,
) -> None:
    """E.g. a TLS failure under trio: the transport error is empty, the SSL error under it is not."""

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise ConnectionResetError("reset by peer during the handshake")
        except ConnectionResetError as cause:
            raise httpx.ConnectError("") from cause

    async with _client(handler, max_retries=0) as le:
        with pytest.raises(lx.APIConnectionError) as caught:
            await le.clients.update(5, notes="n")
    assert str(caught.value) == (
        "PATCH /v1/clients failed: ConnectError: ConnectionResetError: reset by peer during the handshake"
    )


async def test_an_error_answer_keeps_its_body_with_the_secret_masked(anyio_backend: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text=f'{{"message": "bad password {SECRET}", "field": "Password"}}')

    async with _client(handler) as le:
        with pytest.raises(lx.BadRequestError) as caught:
            await le.clients.create(username="u", password=SECRET)
    body = caught.value.body
    assert isinstance(body, str)
    assert "bad password" in body
    assert '"field": "Password"' in body
    assert SECRET not in body
    assert SECRET not in str(caught.value)


async def test_a_retry_is_logged_with_the_method_path_and_attempt(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([httpx.Response(503, text="busy"), httpx.Response(200, text="5")])

    async with _client(lambda request: next(answers), retry_backoff=0.001, retry_backoff_max=0.001) as le:
        with caplog.at_level(logging.INFO, logger="leadexec_async"):
            assert await le.clients.update(5, notes="n") == 5
    [line] = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert line.startswith("PATCH /v1/clients: ")
    assert "503" in line
    assert "on attempt 1; retrying in 0.00 s" in line


# ---------------------------------------------------------------- retry policy edges


def test_a_retry_after_of_exactly_the_longest_wait_is_honoured() -> None:
    policy = RetryPolicy(max_wait=60.0)
    assert policy.honours(60.0)
    assert not policy.honours(60.5)
    assert policy.honours(None)


def test_a_bulk_resend_after_429_waits_the_servers_retry_after() -> None:
    policy = RetryPolicy(initial=0.5, max_wait=60.0, random=lambda: 0.0)
    assert policy.resend_delay(0, 7.0) == 7.0
    assert policy.resend_delay(0, None) == 0.5  # no Retry-After: the first backoff
    assert policy.resend_delay(0, 61.0) is None  # longer than the longest wait: fail instead


# ---------------------------------------------------------------- rows the record builders complete


def _echo(requests: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, text="9")

    return handler


@pytest.mark.parametrize(
    ("day", "week_day"),
    [(dt.date(2024, 6, 2), 0), (dt.date(2024, 6, 3), 1), (dt.date(2024, 6, 8), 6)],
    ids=["sunday", "monday", "saturday"],
)
async def test_a_dated_delivery_day_gets_the_week_day_of_its_date(
    anyio_backend: str, day: dt.date, week_day: int
) -> None:
    requests: list[httpx.Request] = []
    async with _client(_echo(requests)) as le:
        await le.delivery_methods.create(3, name="m", type="HTTP POST", delivery_days=[{"StaticDate": day}])
    [row] = _sent(requests)["DeliveryDays"]
    assert row["WeekDay"] == week_day  # 0 = Sunday, as the reference numbers the days


async def test_a_week_day_given_with_a_date_is_kept(anyio_backend: str) -> None:
    requests: list[httpx.Request] = []
    async with _client(_echo(requests)) as le:
        await le.delivery_methods.create(
            3, name="m", type="HTTP POST", delivery_days=[{"StaticDate": dt.date(2024, 6, 2), "WeekDay": 3}]
        )
    assert _sent(requests)["DeliveryDays"][0]["WeekDay"] == 3


@pytest.mark.parametrize("has_map", [True, False])
async def test_has_map_given_by_the_caller_is_kept(anyio_backend: str, has_map: bool) -> None:
    requests: list[httpx.Request] = []
    setting = {"FieldName": "n", "FieldType": 1, "LeadFieldUID": 1, "hasMap": has_map}
    setting["FieldMappings"] = [{"FieldValue": "a", "DeliveryValue": "b"}]
    async with _client(_echo(requests)) as le:
        await le.delivery_methods.create(3, name="m", type="HTTP POST", field_settings=[setting])
    assert _sent(requests)["FieldSettings"][0]["hasMap"] is has_map


async def test_an_expression_criteria_row_is_sent_and_an_empty_one_refused(anyio_backend: str) -> None:
    requests: list[httpx.Request] = []
    async with _client(_echo(requests)) as le:
        await le.delivery_accounts.create(3, delivery_uid=4, criteria=[lx.Criteria.expression("[x] > 1")])
        with pytest.raises(lx.ValidationError) as caught:
            await le.delivery_accounts.create(
                3, delivery_uid=4, criteria=[{"Type": "Expression", "Expression": ""}]
            )
    assert _sent(requests)["Criteria"][0]["Expression"] == "[x] > 1"
    assert caught.value.field == "criteria[0].expression"


# ---------------------------------------------------------------- the ledger


def test_a_ledger_names_its_server_with_the_port() -> None:
    assert Ledger.server_of("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080"
    assert Ledger.server_of("https://api.leadexec.net") == "https://api.leadexec.net"
    assert Ledger.server_of("http://127.0.0.1:8080") != Ledger.server_of("http://127.0.0.1:8081")


def test_an_unknown_row_keeps_its_parent_and_fingerprint(tmp_path: Path) -> None:
    """The next run needs both: the parent to find the record, the fingerprint to see a change."""
    with Ledger(tmp_path / "l.sqlite", server="http://127.0.0.1:1") as ledger:
        ledger.unknown("delivery_method", "m1", parent_id=77, fingerprint="f-1", error="timed out")
        row = ledger.get("delivery_method", "m1")
    assert row is not None
    assert (row.state, row.id, row.parent_id, row.fingerprint) == ("unknown", None, 77, "f-1")
