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

import anyio
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
            await le.clients.update(5, notes="n", reset_omitted=True)
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
            await le.clients.update(5, notes="n", reset_omitted=True)
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
            assert await le.clients.update(5, notes="n", reset_omitted=True) == 5
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


# ---------------------------------------------------------------- a provisioning run, record by record

PLAN = """\
clients:
  - key: c0
    username: acme
    password: ${PW}
    delivery_methods:
      - key: m1
        name: acme-post
        type: HTTP POST
        delivery_address: https://buyer.example/in
    delivery_accounts:
      - key: a1
        delivery_method: m1
        description: acme-account
        price: 12.5
"""
KEYS = [("client", "c0"), ("delivery_method", "c0/m1"), ("delivery_account", "c0/a1")]


class FakeServer:
    """Answers upserts with fresh ids (the same id again for an update); ``refuse`` maps a record
    name to the status its create gets."""

    def __init__(self, refuse: dict[str, int] | None = None) -> None:
        self.refuse = refuse or {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._next = 100

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append((request.method, body))
        info = body.get("Info", body)
        name = info.get("Username") or info.get("Name") or info.get("Description")
        rid = (
            info.get("ClientUID")
            if "Info" in body
            else body.get("ClientDeliveryUID", body.get("ClientAccountUID"))
        )
        if not rid and name in self.refuse:
            return httpx.Response(self.refuse[name], text=f"refused {name}")
        if not rid:
            self._next += 1
            rid = self._next
        return httpx.Response(200, text=str(rid))


async def _provision(server: FakeServer, ledger_path: Path, plan_text: str = PLAN, **runner: Any) -> Any:
    from leadexec_async.provision import Runner, parse_plan

    plan = parse_plan(plan_text, name="plan.yaml", environ={"PW": SECRET})
    async with _client(server, max_retries=0) as le:
        with Ledger(ledger_path, server="http://127.0.0.1:1") as ledger:
            return await Runner(plan, ledger, **runner).run(le)


def _preview(ledger_path: Path, plan_text: str = PLAN) -> dict[str, int]:
    from leadexec_async.provision import Runner, parse_plan

    plan = parse_plan(plan_text, name="plan.yaml", environ={"PW": SECRET})
    with Ledger(ledger_path, server="http://127.0.0.1:1") as ledger:
        return Runner(plan, ledger).preview().counts


def _rows(ledger_path: Path) -> dict[tuple[str, str], tuple[str, int | None, int | None]]:
    with Ledger(ledger_path, server="http://127.0.0.1:1") as ledger:
        return {(r.kind, r.key): (r.state, r.id, r.parent_id) for r in ledger.rows()}


async def test_a_plan_is_created_with_its_ids_then_left_unchanged(anyio_backend: str, tmp_path: Path) -> None:
    ledger_path = tmp_path / "l.sqlite"
    server = FakeServer()
    assert _preview(ledger_path)["create"] == 3
    first = await _provision(server, ledger_path)
    assert [(r.kind, r.key, r.outcome, r.id, r.error) for r in first.results] == [
        ("client", "c0", "created", 101, None),
        ("delivery_method", "c0/m1", "created", 102, None),
        ("delivery_account", "c0/a1", "created", 103, None),
    ]
    assert _rows(ledger_path) == {
        ("client", "c0"): ("done", 101, None),
        ("delivery_method", "c0/m1"): ("done", 102, 101),
        ("delivery_account", "c0/a1"): ("done", 103, 101),
    }
    report = first.as_json()
    assert report["records"][1] == {
        "kind": "delivery_method",
        "key": "c0/m1",
        "id": 102,
        "outcome": "created",
        "error": None,
    }
    assert (report["summary"]["created"], report["summary"]["total"], report["summary"]["requests"]) == (
        3,
        3,
        3,
    )
    assert report["summary"]["all_in_place"] is True
    assert report["summary"]["dry_run"] is False
    assert _preview(ledger_path)["unchanged"] == 3

    again = await _provision(server, ledger_path)
    assert [(r.outcome, r.id) for r in again.results] == [
        ("unchanged", 101),
        ("unchanged", 102),
        ("unchanged", 103),
    ]
    assert again.requests == 0
    assert len(server.requests) == 3


async def test_a_changed_record_is_sent_as_an_update_of_its_ledger_id(
    anyio_backend: str, tmp_path: Path
) -> None:
    ledger_path = tmp_path / "l.sqlite"
    server = FakeServer()
    await _provision(server, ledger_path)
    changed = PLAN.replace("name: acme-post", "name: acme-post-2")
    assert _preview(ledger_path, changed) == {
        "create": 0,
        "update": 1,
        "unchanged": 2,
        "unknown": 0,
        "skipped": 0,
    }
    run = await _provision(server, ledger_path, changed)
    assert [(r.outcome, r.id) for r in run.results] == [
        ("unchanged", 101),
        ("updated", 102),
        ("unchanged", 103),
    ]
    [(method, body)] = server.requests[3:]
    assert (method, body["ClientDeliveryUID"], body["ClientUID"], body["Name"]) == (
        "PUT",
        102,
        101,
        "acme-post-2",
    )
    assert _rows(ledger_path)[("delivery_method", "c0/m1")] == ("done", 102, 101)


async def test_a_refused_create_fails_its_record_and_skips_what_hangs_from_it(
    anyio_backend: str, tmp_path: Path
) -> None:
    ledger_path = tmp_path / "l.sqlite"
    run = await _provision(FakeServer(refuse={"acme-post": 400}), ledger_path)
    outcomes = {(r.kind, r.key): (r.outcome, r.id, r.error) for r in run.results}
    assert outcomes[("client", "c0")] == ("created", 101, None)
    outcome, rid, error = outcomes[("delivery_method", "c0/m1")]
    assert (outcome, rid) == ("failed", None)
    assert error is not None
    assert "400" in error
    assert outcomes[("delivery_account", "c0/a1")] == (
        "skipped",
        None,
        "delivery method 'c0/m1' is not in place",
    )
    # nothing was applied, so the ledger keeps no row for it: the next run creates it
    assert set(_rows(ledger_path)) == {("client", "c0")}
    assert run.as_json()["summary"]["all_in_place"] is False


async def test_an_unknown_create_is_recorded_whole_and_reported_not_resent(
    anyio_backend: str, tmp_path: Path
) -> None:
    ledger_path = tmp_path / "l.sqlite"
    server = FakeServer(refuse={"acme-account": 500})
    run = await _provision(server, ledger_path)
    assert run.results[2].outcome == "unknown"
    assert _rows(ledger_path)[("delivery_account", "c0/a1")] == ("unknown", None, 101)
    sent = len(server.requests)
    again = await _provision(server, ledger_path)
    last = again.results[2]
    assert last.outcome == "unknown"
    assert last.error is not None
    assert "--retry-unknown" in last.error
    assert len(server.requests) == sent  # never sent again without --retry-unknown
    assert _preview(ledger_path)["unknown"] == 1


# ---------------------------------------------------------------- redaction and the adaptive rate


def test_redaction_replaces_long_secrets_everywhere_and_short_ones_only_standing_alone() -> None:
    from leadexec_async._logging import redact

    assert redact("tokenabcdXYZ", ["abcd"]) == "token***XYZ"  # four characters: inside words too
    assert redact("Xab abX ab 9ab ab9 (ab)", ["ab"]) == "Xab abX *** 9ab ab9 (***)"
    assert redact("a-b c", ["", "zz"]) == "a-b c"  # an empty secret changes nothing


def test_an_idle_client_starts_a_fresh_window_before_reading_429s() -> None:
    """A 429 after an hour's silence is not read as a server that accepted almost nothing."""
    import math

    from leadexec_async import _constants as C
    from leadexec_async._limits import AdaptiveRateLimiter

    now = [0.0]
    limiter = AdaptiveRateLimiter(None, clock=lambda: now[0])
    for i in range(51):  # a busy first window, no 429
        now[0] = i * C.ADAPTIVE_WINDOW / 50
        limiter.on_response(200)
    assert limiter.rate == math.inf
    now[0] += 3600.0
    limiter.on_response(429)
    assert limiter.rate == math.inf  # a fresh window opened: nothing measured yet
    for _ in range(10):
        now[0] += C.ADAPTIVE_WINDOW / 10
        limiter.on_response(200)
    assert 0 < limiter.rate < math.inf  # measured over the fresh window


# ---------------------------------------------------------------- which values an error hides


async def test_a_secret_inside_a_longer_one_leaves_no_fragment_of_either(anyio_backend: str) -> None:
    """The longest secret is masked first, so a password that begins the token hides no tail of it."""
    token = "a-tok-abcdefgh-9876"  # sorts before the password: only length puts it first
    password = "tok-abcdefgh"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text=f"token {token} and password {password}")

    async with lx.LeadExecClient(access_token=token, transport=httpx.MockTransport(handler)) as le:
        with pytest.raises(lx.BadRequestError) as caught:
            await le.clients.create(username="u", password=password)
    shown = f"{caught.value} {caught.value.body}"
    assert "abcdefgh" not in shown
    assert "9876" not in shown  # no tail of the token is left after masking the password inside it


async def test_an_error_for_a_body_with_rows_is_redacted_and_keeps_plain_values(anyio_backend: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, text=f"username acme-buyer taken; smtp {SECRET}; ftp ftp-pw-1")

    async with _client(handler) as le:
        with pytest.raises(lx.ConflictError) as caught:
            await le.delivery_methods.create(
                3,
                name="m",
                type="E-Mail",
                smtp_password=SECRET,
                ftp_password="ftp-pw-1",
                field_settings=[lx.FieldSetting.static("acme-buyer", "v")],
            )
    body = caught.value.body
    assert isinstance(body, str)
    assert SECRET not in body
    assert "ftp-pw-1" not in body
    assert "acme-buyer" in body  # not a secret: error texts stay readable


async def test_a_connection_failure_that_quotes_a_secret_of_the_body_masks_it(anyio_backend: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused body with {SECRET}")

    async with _client(handler, max_retries=0) as le:
        with pytest.raises(lx.APIConnectionError) as caught:
            await le.clients.create(username="u", password=SECRET)
    assert str(caught.value) == "PATCH /v1/clients failed: ConnectError: proxy refused body with ***"


# ---------------------------------------------------------------- fingerprints and client bodies


def test_a_records_fingerprint_is_stable_across_releases() -> None:
    """A ledger outlives the SDK version that wrote it: the same plan record must hash the same, or
    every record of an old ledger would look changed and be sent again as an update. Changing the
    canonical form is a deliberate, documented break; these values then change with it."""
    from leadexec_async.provision.ledger import fingerprint

    fields = {"username": "acme", "password": "pw-é", "date_added": dt.date(2024, 6, 2), "notes": "naïve"}
    assert fingerprint("client", fields, {"client": None}) == (
        "9f0c39f13e4abd71ca0e1e52b6ed5953456d5f947b9564570bf4800614fa070c"
    )
    assert fingerprint("delivery_method", {"name": "m"}, {"client": 101}) == (
        "67331072d0eb2222a70e972dce458e065487134b7bb1e074d8e76a640a7089ae"
    )
    other = fingerprint("client", {**fields, "password": "pw-e"}, {"client": None})
    assert other != fingerprint("client", fields, {"client": None})  # a new password is a change


@pytest.mark.parametrize("key", ["FieldData", "field_data"])
async def test_client_field_data_in_an_upsert_body_is_sent(anyio_backend: str, key: str) -> None:
    requests: list[httpx.Request] = []
    body = {"Info": {"Username": "u", "Password": "p"}, key: [{"ClientFieldUID": 4, "Value": "v"}]}
    async with _client(_echo(requests)) as le:
        await le.clients.upsert(body)
        with pytest.raises(lx.ValidationError) as caught:
            await le.clients.upsert({**body, key: [{"ClientFieldUID": "x", "Value": "v"}]})
    assert _sent(requests)["FieldData"] == [{"ClientFieldUID": 4, "Value": "v"}]
    assert caught.value.field == f"{key}[0].ClientFieldUID"


def test_limits_refuse_bad_settings_naming_them() -> None:
    from leadexec_async._limits import RateLimiter

    for burst in (0, "2", 1.5):
        with pytest.raises(lx.ValidationError) as caught:
            RateLimiter(5.0, burst=burst)  # type: ignore[arg-type]
        assert caught.value.field == "burst"
        assert str(caught.value) == f"burst must be an integer >= 1, got {burst!r}"
    with pytest.raises(lx.ValidationError) as refused:
        lx.LeadExecClient(access_token="t", rate_limit=0)
    assert refused.value.field == "rate_limit"
    assert "rate_limit must be a positive number of requests per second, got 0" in str(refused.value)


async def test_a_3xx_answer_is_not_a_success(anyio_backend: str) -> None:
    async with _client(lambda request: httpx.Response(300, text="5")) as le:
        with pytest.raises(lx.APIStatusError) as caught:
            await le.clients.update(5, notes="n", reset_omitted=True)
    assert caught.value.status_code == 300


async def test_an_error_after_retries_counts_every_attempt(anyio_backend: str) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503, text="busy")

    async with _client(handler, max_retries=2, retry_backoff=0.001, retry_backoff_max=0.001) as le:
        with pytest.raises(lx.ServerError) as caught:
            await le.clients.update(5, notes="n", reset_omitted=True)
    assert caught.value.attempts == len(sent) == 3


async def test_retry_after_is_read_on_429_and_503_only(anyio_backend: str) -> None:
    """A 500 with ``Retry-After: 30`` is retried on the backoff (an update), not after 30 s."""
    answers = iter([httpx.Response(500, headers={"Retry-After": "30"}), httpx.Response(200, text="5")])
    async with _client(lambda request: next(answers), retry_backoff=0.001, retry_backoff_max=0.001) as le:
        with anyio.fail_after(10):
            assert await le.clients.update(5, notes="n", reset_omitted=True) == 5


async def test_a_refused_update_reports_the_records_ledger_id(anyio_backend: str, tmp_path: Path) -> None:
    ledger_path = tmp_path / "l.sqlite"
    server = FakeServer()
    await _provision(server, ledger_path)

    def refuse_updates(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="no")

    from leadexec_async.provision import Runner, parse_plan

    changed = PLAN.replace("name: acme-post", "name: acme-post-2")
    plan = parse_plan(changed, name="plan.yaml", environ={"PW": SECRET})
    async with _client(refuse_updates, max_retries=0) as le:
        with Ledger(ledger_path, server="http://127.0.0.1:1") as ledger:
            run = await Runner(plan, ledger).run(le)
    method = run.results[1]
    assert (method.outcome, method.id) == ("failed", 102)  # still in place as 102, not updated
    assert _rows(ledger_path)[("delivery_method", "c0/m1")] == ("done", 102, 101)
