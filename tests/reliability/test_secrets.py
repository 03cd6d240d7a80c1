"""No token, client secret or password in logs, reprs, exception text (the whole chain) or provisioning files.

Extends tests/test_security.py: logging at DEBUG on the root logger and on
``leadexec_async``, a fake API that echoes back everything it receives
(the Authorization header and the body), and every error path: validation
errors, 4xx, 5xx, OutcomeUnknownError, token failures, an unusable 2xx, a
provisioning run with its report and SQLite ledger. Each error is searched
through ``str``, ``repr`` and ``args`` of it and of every exception chained
to it (``__cause__`` / ``__context__``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

import leadexec_async as lx
from leadexec_async.provision import Ledger, PlanError, Runner, parse_plan

from ._support import CountingTransport, all_strings_of_exception

pytestmark = pytest.mark.anyio

STATIC_TOKEN = "static-TOKEN-9f8e7d6c"
CLIENT_SECRET = "client-SECRET-5b4a3928"
PASSWORD = "user-PASSWORD-1a2b3c4d"
FTP_PASSWORD = "ftp-PASSWORD-5e6f7a8b"
SMTP_PASSWORD = "smtp-PASSWORD-9c0d1e2f"
ISSUED = "issued-TOKEN-"  # every token the fake token endpoint issues starts so
SECRETS = [STATIC_TOKEN, CLIENT_SECRET, PASSWORD, FTP_PASSWORD, SMTP_PASSWORD, ISSUED]


def echo(status: int) -> Callable[[httpx.Request], httpx.Response]:
    """An answer that repeats the request back: headers and body (as a careless server or proxy might)."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen = {"headers": dict(request.headers), "body": request.content.decode()}
        return httpx.Response(status, json=seen)

    return answer


class EchoAPI:
    """Answers from scripted lists; the token endpoint issues ``issued-TOKEN-<n>``."""

    def __init__(self) -> None:
        self.answers: list[Any] = []
        self.token_answers: list[Any] = []
        self.issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        queue = self.token_answers if request.url.path.endswith("/authorization/token") else self.answers
        if queue:
            answer = queue.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return answer(request) if callable(answer) else answer  # type: ignore[no-any-return]
        if queue is self.token_answers:
            self.issued += 1
            return httpx.Response(
                200,
                json={"access_token": f"{ISSUED}{self.issued}", "token_type": "Bearer", "expires_in": 3600},
            )
        return httpx.Response(200, text="41")


def assert_clean(texts: Iterator[str] | list[str], where: str) -> None:
    blob = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in blob, f"{secret!r} found in {where}"


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = [caplog.text]
    for record in caplog.records:
        out.append(record.getMessage())
        out.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            out.extend(all_strings_of_exception(record.exc_info[1]))
    return out


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # root
    caplog.set_level(logging.DEBUG, logger="leadexec_async")
    return caplog


async def _errors_of(calls: list[Callable[[], Any]]) -> list[BaseException]:
    errors: list[BaseException] = []
    for call in calls:
        try:
            await call()
        except lx.LeadExecError as exc:
            errors.append(exc)
        else:
            raise AssertionError("the call was meant to fail")
    return errors


async def test_validation_errors_never_show_the_secrets_of_the_call(
    anyio_backend: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    transport = CountingTransport()
    le = lx.LeadExecClient(access_token=STATIC_TOKEN, transport=transport)
    async with le:
        errors = await _errors_of(
            [
                lambda: le.clients.create(username=123, password=PASSWORD),
                lambda: le.clients.create(username="u", password=PASSWORD, status="Activ"),
                lambda: le.clients.create(username="u", password=[PASSWORD]),
                lambda: le.clients.update(0, password=PASSWORD, reset_omitted=True),
                lambda: le.clients.upsert(
                    {"Info": {"Username": "u", "Password": PASSWORD}, "Extra": PASSWORD}
                ),
                lambda: le.clients.upsert({"Info": {"Username": "u", "Pasword": PASSWORD}}),
                lambda: le.delivery_methods.create(
                    1, ftp_password=FTP_PASSWORD, smtp_password=SMTP_PASSWORD, type="Fax"
                ),
                lambda: le.delivery_methods.create(1, ftp_password=(FTP_PASSWORD,)),
                lambda: le.delivery_methods.upsert(1, {"FTPPassword": FTP_PASSWORD, "Nme": "x"}),
                lambda: le.delivery_methods.upsert(-1, {"SMTPPassword": SMTP_PASSWORD}),
            ]
        )
        assert_clean([repr(le), str(le), repr(le._auth), repr(vars(le))], "the client's repr")
    assert all(isinstance(e, lx.ValidationError) for e in errors)
    assert transport.requests == []
    for error in errors:
        assert_clean(all_strings_of_exception(error), f"{type(error).__name__}: {error}")
    assert_clean(log_texts(debug_logs), "the logs")


async def test_every_api_error_path_hides_tokens_secrets_and_passwords(
    anyio_backend: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    api = EchoAPI()
    api.answers += [
        echo(400),  # 1: update -> BadRequestError
        echo(403),  # 2: update -> PermissionDeniedError
        echo(404),  # 3
        echo(409),  # 4: client create -> ConflictError
        echo(502),
        echo(502),
        echo(502),  # 5: update -> ServerError after retries
        echo(500),  # 6: create -> OutcomeUnknownError (cause: ServerError)
        httpx.RemoteProtocolError("Server disconnected without sending a response."),  # 7: create -> unknown
        httpx.ReadTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.ReadTimeout("timed out"),  # 8
        echo(401),
        echo(401),  # 9: renewed once, then final AuthenticationError
        echo(429),
        echo(429),
        echo(429),  # 10: RateLimitError
        echo(200),  # 11: a 2xx without an id (an echo service behind a wrong base_url)
    ]
    le = lx.LeadExecClient(
        client_id="cid", client_secret=CLIENT_SECRET, transport=httpx.MockTransport(api), retry_backoff=0.0
    )
    secret_fields = {"ftp_password": FTP_PASSWORD, "smtp_password": SMTP_PASSWORD}
    async with le:
        errors = await _errors_of(
            [
                lambda: le.delivery_methods.update(1, 2, name="m", **secret_fields, reset_omitted=True),
                lambda: le.delivery_methods.update(1, 2, name="m", **secret_fields, reset_omitted=True),
                lambda: le.delivery_methods.update(1, 2, name="m", **secret_fields, reset_omitted=True),
                lambda: le.clients.create(username="u", password=PASSWORD),
                lambda: le.delivery_methods.update(1, 2, name="m", **secret_fields, reset_omitted=True),
                lambda: le.delivery_methods.create(1, name="m", **secret_fields),
                lambda: le.clients.create(username="u", password=PASSWORD),
                lambda: le.clients.update(3, username="u", password=PASSWORD, reset_omitted=True),
                lambda: le.clients.update(3, username="u", password=PASSWORD, reset_omitted=True),
                lambda: le.delivery_methods.update(1, 2, name="m", **secret_fields, reset_omitted=True),
            ]
        )
        assert_clean([repr(le), repr(le._auth), repr(vars(le))], "the client's repr")
    kinds = [type(e) for e in errors]
    assert kinds == [
        lx.BadRequestError,
        lx.PermissionDeniedError,
        lx.NotFoundError,
        lx.ConflictError,
        lx.ServerError,
        lx.OutcomeUnknownError,
        lx.OutcomeUnknownError,
        lx.APITimeoutError,
        lx.AuthenticationError,
        lx.RateLimitError,
    ]
    for error in errors:
        assert_clean(all_strings_of_exception(error), f"{type(error).__name__}: {error}")
    assert errors[5].payload["FTPPassword"] == "***"  # type: ignore[attr-defined]
    assert errors[6].payload["Info"]["Password"] == "***"  # type: ignore[attr-defined]
    assert_clean(log_texts(debug_logs), "the logs")


async def test_a_2xx_without_an_id_that_echoes_the_request_hides_the_secrets(anyio_backend: str) -> None:
    api = EchoAPI()
    api.answers.append(echo(200))
    async with lx.LeadExecClient(access_token=STATIC_TOKEN, transport=httpx.MockTransport(api)) as le:
        with pytest.raises(lx.UnexpectedResponseError) as caught:
            await le.clients.update(3, username="u", password=PASSWORD, reset_omitted=True)
    assert_clean(all_strings_of_exception(caught.value), "UnexpectedResponseError")


async def test_token_failures_hide_the_client_secret(
    anyio_backend: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    api = EchoAPI()
    api.token_answers += [
        echo(401),  # wrong credentials: final
        echo(500),
        echo(500),
        echo(500),  # the token endpoint keeps failing
        lambda r: httpx.Response(200, text=f"not json {r.content.decode()}"),  # unusable answer
        lambda r: httpx.Response(200, json={"access_token": "", "expires_in": 5, "echo": r.content.decode()}),
        httpx.ConnectError("connection refused"),
        httpx.ConnectError("connection refused"),
        httpx.ConnectError("connection refused"),
    ]
    le = lx.LeadExecClient(
        client_id="cid", client_secret=CLIENT_SECRET, transport=httpx.MockTransport(api), retry_backoff=0.0
    )
    async with le:
        errors = await _errors_of(
            [lambda: le.clients.update(3, username="u", password=PASSWORD, reset_omitted=True)] * 5
        )
    assert [type(e) for e in errors] == [
        lx.AuthenticationError,
        lx.ServerError,
        lx.UnexpectedResponseError,
        lx.UnexpectedResponseError,
        lx.APIConnectionError,
    ]
    for error in errors:
        assert_clean(all_strings_of_exception(error), f"{type(error).__name__}: {error}")
    assert_clean(log_texts(debug_logs), "the logs")


async def test_concurrent_token_waiters_share_a_failure_that_hides_the_secret(anyio_backend: str) -> None:
    api = EchoAPI()
    token_requests = 0

    async def slow_refusal(request: httpx.Request) -> httpx.Response:
        nonlocal token_requests
        token_requests += 1
        for _ in range(50):  # let every caller reach the token wait
            await anyio.lowlevel.checkpoint()
        return echo(401)(request)

    api.token_answers.append(slow_refusal)
    errors: list[BaseException] = []
    le = lx.LeadExecClient(client_id="cid", client_secret=CLIENT_SECRET, transport=httpx.MockTransport(api))

    async def one() -> None:
        try:
            await le.delivery_methods.update(1, 2, name="m", ftp_password=FTP_PASSWORD, reset_omitted=True)
        except lx.LeadExecError as exc:
            errors.append(exc)

    async with le, anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    assert token_requests == 1
    assert len(errors) == 20
    assert all(isinstance(e, lx.AuthenticationError) for e in errors)
    for error in errors:
        assert_clean(all_strings_of_exception(error), f"{type(error).__name__}: {error}")


# ---------------------------------------------------------------- provisioning: report, ledger, plan errors

PLAN = f"""
clients:
  - key: acme
    username: acme
    password: {PASSWORD}
    delivery_methods:
      - key: post
        name: post
        ftp_password: {FTP_PASSWORD}
        smtp_password: {SMTP_PASSWORD}
      - key: mail
        name: mail
        smtp_password: {SMTP_PASSWORD}
    delivery_accounts:
      - key: main
        delivery_method: post
      - key: spare
        delivery_method: mail
  - key: beta
    username: beta
    password: {PASSWORD}
"""


async def test_provisioning_report_and_ledger_hold_no_secret(
    anyio_backend: str, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    plan = parse_plan(PLAN, name="plan.yaml")
    assert_clean([repr(r) for r in plan.records], "plan record reprs")
    api = EchoAPI()
    # acme created; post: 400 echo (failed); mail: 500 echo (unknown); beta: dropped after sending (unknown)
    by_name = {"post": echo(400), "mail": echo(500)}

    def route(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        name = body.get("Name") or body.get("Info", {}).get("Username")
        if name == "beta":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if name in by_name:
            return by_name[name](request)
        return httpx.Response(200, text=str(100 + len(api.answers)))

    api.answers.extend([route] * 10)
    ledger_path = tmp_path / "plan.ledger.sqlite"
    async with lx.LeadExecClient(
        client_id="cid", client_secret=CLIENT_SECRET, transport=httpx.MockTransport(api), max_retries=0
    ) as le:
        with Ledger(ledger_path, server="https://api.leadexec.net") as ledger:
            summary = await Runner(plan, ledger, concurrency=2).run(le)
    outcomes = {r.key: r.outcome for r in summary.results}
    assert outcomes["acme/post"] == "failed"
    assert outcomes["acme/mail"] == "unknown"
    assert outcomes["beta"] == "unknown"
    report = json.dumps(summary.as_json())
    assert "answered 400" in report  # the errors are there, without their secrets
    assert_clean([report, repr(summary)], "the report")
    for path in sorted(tmp_path.iterdir()):  # noqa: ASYNC240 - a few small files, after the run
        assert_clean([path.read_bytes().decode("utf-8", "replace")], str(path))
    assert_clean(log_texts(debug_logs), "the logs")


def test_plan_errors_never_quote_a_secret_value() -> None:
    bad = (
        PLAN.replace("name: post", "name: post\n        type: Fax")
        .replace(
            f"password: {PASSWORD}\n    delivery_methods", f"password: [{PASSWORD}]\n    delivery_methods"
        )
        .replace("key: beta", f"key: beta\n    pasword: {PASSWORD}")
    )
    with pytest.raises(PlanError) as caught:
        parse_plan(bad, name="plan.yaml")
    assert len(caught.value.problems) == 3
    assert_clean(all_strings_of_exception(caught.value), "PlanError")
    assert_clean([str(p) for p in caught.value.problems], "plan problems")
