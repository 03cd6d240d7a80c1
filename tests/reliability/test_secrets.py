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
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
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


# ---------------------------------------------------------------- every fragment, every escaped form
#
# The rule (issue "hostile server", item 4): no secret may show whole, as any 8-character
# piece, or JSON- or URL-escaped, in the str/repr/args of an error and its chain, in any
# log record of any logger, or in anything reachable from the error's attributes. The
# oracle below is written here, independently of the SDK's redaction.

FRAGMENT = 8
NON_ASCII_PASSWORD = 'pä"ss\\wörd-€-秘密-ÄÖÜ-1a2b'
NON_ASCII_SECRET = "clïent-sécret-ñ-9z8y7x"
PLAIN_TOKEN = "edge-TOKEN-abcdefghijklmnopqrstuvwxyz-0123456789"  # 45 characters


def forms_of(secret: str) -> set[str]:
    """The secret as is, JSON-escaped (ASCII-only and not) and URL-escaped (upper- and lower-case %XX)."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for quoted in (urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)):
        forms.add(quoted)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quoted))
    return forms


def pieces_of(secret: str) -> set[str]:
    out: set[str] = set()
    for form in forms_of(secret):
        if len(form) < FRAGMENT:
            out.add(form)
        out.update(form[i : i + FRAGMENT] for i in range(len(form) - FRAGMENT + 1))
    return out


def assert_no_piece(texts: Iterable[str], secrets: Iterable[str], where: str) -> None:
    blob = "\n".join(texts)
    for secret in secrets:
        found = sorted(p for p in pieces_of(secret) if p in blob)
        assert not found, f"pieces of a secret in {where}: {found[:3]}"


def reachable_strings(root: object, depth: int = 8) -> Iterator[str]:
    """str and repr of everything reachable from ``root``'s attributes, items and chain (bounded)."""
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        obj, level = stack.pop()
        if id(obj) in seen or level > depth or (callable(obj) and not isinstance(obj, BaseException)):
            continue
        seen.add(id(obj))
        try:
            yield str(obj)
            yield repr(obj)
        except Exception:
            continue
        if isinstance(obj, str | bytes | int | float | bool | type(None)):
            if isinstance(obj, bytes):
                yield obj.decode("utf-8", "replace")
            continue
        children: list[object] = []
        if isinstance(obj, BaseException):
            children += [obj.__cause__, obj.__context__, *obj.args]
        if isinstance(obj, Mapping | httpx.Headers):
            children += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            children += list(obj)
        for name in getattr(obj, "__dict__", {}):
            children.append(getattr(obj, name, None))
        for klass in type(obj).__mro__:
            for name in getattr(klass, "__slots__", ()):
                children.append(getattr(obj, name, None))
        stack.extend((c, level + 1) for c in children if c is not None)


def all_log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = log_texts(caplog)
    for record in caplog.records:
        out.append(str(record.msg))
        if record.exc_text:
            out.append(record.exc_text)
    return out


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Root and the libraries under the SDK at DEBUG (httpcore's trace lines included)."""
    caplog.set_level(logging.DEBUG)
    for name in ("leadexec_async", "httpx", "httpcore", "aiohttp", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _edge_bodies(secret: str, preview: int) -> list[str]:
    """Bodies whose preview of ``preview`` characters is cut at each position inside ``secret``."""
    return ["x" * (preview - k) + secret + " tail" for k in range(1, len(secret))]


async def test_a_secret_cut_at_the_status_preview_edge_leaves_no_piece(
    anyio_backend: str, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    from leadexec_async._constants import STATUS_BODY_PREVIEW

    bodies = _edge_bodies(PLAIN_TOKEN, STATUS_BODY_PREVIEW) + _edge_bodies(
        NON_ASCII_PASSWORD, STATUS_BODY_PREVIEW
    )
    api = EchoAPI()
    api.answers += [httpx.Response(400, text=b) for b in bodies]
    errors: list[BaseException] = []
    async with lx.LeadExecClient(access_token=PLAIN_TOKEN, transport=httpx.MockTransport(api)) as le:
        for _ in bodies:
            with pytest.raises(lx.BadRequestError) as caught:
                await le.clients.update(3, username="u", password=NON_ASCII_PASSWORD, reset_omitted=True)
            errors.append(caught.value)
    for error in errors:
        assert_no_piece(all_strings_of_exception(error), [PLAIN_TOKEN, NON_ASCII_PASSWORD], str(error)[-80:])
        assert_no_piece(reachable_strings(error), [PLAIN_TOKEN, NON_ASCII_PASSWORD], "the error's attributes")
    assert "xxxx" in str(errors[0])  # the preview is there, only the secret went
    assert_no_piece(all_log_texts(every_logger_at_debug), [PLAIN_TOKEN, NON_ASCII_PASSWORD], "the logs")


async def test_a_secret_cut_at_the_id_preview_edge_leaves_no_piece(anyio_backend: str) -> None:
    from leadexec_async._constants import ID_BODY_PREVIEW

    bodies = _edge_bodies(NON_ASCII_PASSWORD, ID_BODY_PREVIEW)
    api = EchoAPI()
    api.answers += [httpx.Response(200, text=b) for b in bodies]
    async with lx.LeadExecClient(access_token=PLAIN_TOKEN, transport=httpx.MockTransport(api)) as le:
        for _ in bodies:
            with pytest.raises(lx.UnexpectedResponseError) as caught:
                await le.clients.update(3, username="u", password=NON_ASCII_PASSWORD, reset_omitted=True)
            assert_no_piece(reachable_strings(caught.value), [NON_ASCII_PASSWORD], str(caught.value)[-60:])


def _escaped_echo(style: str) -> Callable[[httpx.Request], httpx.Response]:
    """Echo the request body and Authorization header, JSON- or URL-escaped, in the body and a header."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen = request.content.decode() + " " + request.headers.get("Authorization", "")
        if style == "json-ascii":
            text = json.dumps({"echo": seen}, ensure_ascii=True)
        elif style == "json":
            text = json.dumps({"echo": seen}, ensure_ascii=False)
        else:
            text = "echo=" + urllib.parse.quote(seen, safe="")
        header = urllib.parse.quote(seen, safe="")[:2000]
        return httpx.Response(409, text=text, headers={"X-Echo": header})

    return answer


@pytest.mark.parametrize("style", ["json-ascii", "json", "url"])
async def test_secrets_echoed_back_escaped_are_hidden(
    anyio_backend: str, style: str, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    api = EchoAPI()
    api.answers += [_escaped_echo(style)] * 2
    le = lx.LeadExecClient(
        client_id="cid", client_secret=NON_ASCII_SECRET, transport=httpx.MockTransport(api)
    )
    async with le:
        errors = await _errors_of(
            [
                lambda: le.clients.create(username="u", password=NON_ASCII_PASSWORD),
                lambda: le.delivery_methods.update(
                    1, 2, name="m", ftp_password=NON_ASCII_PASSWORD, reset_omitted=True
                ),
            ]
        )
    issued = f"{ISSUED}1"
    assert all(isinstance(e, lx.ConflictError) for e in errors)
    assert "echo" in errors[0].body  # type: ignore[attr-defined]
    for error in errors:
        assert_no_piece(all_strings_of_exception(error), [NON_ASCII_PASSWORD, issued], f"{style}: {error}")
        assert_no_piece(reachable_strings(error), [NON_ASCII_PASSWORD, issued], f"{style}: attributes")
    assert_no_piece(all_log_texts(every_logger_at_debug), [NON_ASCII_PASSWORD, NON_ASCII_SECRET], "the logs")


async def test_a_token_endpoint_echoing_a_non_ascii_secret_escaped_hides_it(anyio_backend: str) -> None:
    api = EchoAPI()
    api.token_answers.append(
        lambda r: httpx.Response(400, text=json.dumps({"got": r.content.decode()}, ensure_ascii=True))
    )
    le = lx.LeadExecClient(
        client_id="cid", client_secret=NON_ASCII_SECRET, transport=httpx.MockTransport(api)
    )
    async with le:
        with pytest.raises(lx.BadRequestError) as caught:
            await le.clients.update(3, username="u", password="pw-12345678", reset_omitted=True)
    assert "\\u00ef" in json.dumps(NON_ASCII_SECRET)  # the echo really is escaped
    assert_no_piece(reachable_strings(caught.value), [NON_ASCII_SECRET], str(caught.value))


@pytest.mark.parametrize(
    "token",
    [
        "tok-with-CR\r-abcdef123",
        "tok-with-LF\n-abcdef123",
        "tok-with-NUL\0-abcdef12",
        "tok-with-TAB\t-abcdef12",
        "tok-with-nbsp\u00a0-abcdef",
        "tök-non-ascii-abcdef123",
        "tok-" + "a" * 9000,
    ],
)
def test_a_static_token_that_cannot_be_a_header_is_refused_without_quoting_it(token: str) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token=token)
    assert caught.value.field == "access_token"
    assert_no_piece(all_strings_of_exception(caught.value), [token], "ValidationError")
    assert "token is visible ASCII only" in str(caught.value) or "longer than" in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        {"access_token": "fetched-CRLF\r\nX-Evil: 1", "token_type": "Bearer", "expires_in": 60},
        {"access_token": "fetched-nbsp\u00a0-token1", "token_type": "Bearer", "expires_in": 60},
        {"access_token": "fetched-" + "b" * 9000, "token_type": "Bearer", "expires_in": 60},
        {"access_token": "fetched-token-ok-1", "token_type": "Bearer", "expires_in": True},
        {"access_token": "fetched-token-ok-2", "token_type": "Bearer", "expires_in": "3600"},
        {"access_token": "fetched-token-ok-3", "token_type": "Bearer", "expires_in": 0},
        {"access_token": "fetched-token-ok-4", "token_type": "Bearer", "expires_in": -5},
        {"access_token": "fetched-token-ok-5", "token_type": "Bearer", "expires_in": 1e400},
        {"access_token": "fetched-token-ok-6", "token_type": "MAC", "expires_in": 60},
        {"access_token": "fetched-token-ok-7", "expires_in": 60},
    ],
)
async def test_an_unusable_fetched_token_is_refused_with_the_body_withheld(
    anyio_backend: str, answer: dict[str, Any], every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    body = (
        json.dumps(answer)
        if answer.get("expires_in") != 1e400
        else json.dumps(answer).replace("Infinity", "1e400")
    )
    api = EchoAPI()
    api.token_answers.append(httpx.Response(200, text=body))
    paths: list[str] = []

    def counting(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return api(request)

    le = lx.LeadExecClient(
        client_id="cid", client_secret=CLIENT_SECRET, transport=httpx.MockTransport(counting)
    )
    async with le:
        with pytest.raises(lx.UnexpectedResponseError) as caught:
            await le.clients.update(3, username="u", password=PASSWORD, reset_omitted=True)
    assert caught.value.body == "<token response withheld>"
    assert paths == ["/v1/authorization/token"]  # nothing was sent with it, and not asked again
    token = answer["access_token"]
    assert_no_piece(reachable_strings(caught.value), [token, CLIENT_SECRET], str(caught.value))
    assert_no_piece(all_log_texts(every_logger_at_debug), [token, CLIENT_SECRET], "the logs")


def test_a_lower_case_bearer_token_type_is_accepted() -> None:
    from leadexec_async._client import _parse_token
    from leadexec_async._wire import Answer

    body = json.dumps({"access_token": "abc-123", "token_type": "bearer", "expires_in": 30}).encode()
    assert _parse_token(Answer(200, {}, body)) == ("abc-123", 30.0)


async def test_a_piece_of_a_secret_quoted_by_the_server_is_hidden(anyio_backend: str) -> None:
    """A server (or a proxy) that quotes only part of a secret: every 8-character piece is hidden."""
    cuts = [PLAIN_TOKEN[i : i + 10] for i in range(0, len(PLAIN_TOKEN) - 10, 3)]
    cuts += [NON_ASCII_PASSWORD[i : i + 9] for i in range(0, len(NON_ASCII_PASSWORD) - 9, 2)]
    api = EchoAPI()
    api.answers += [httpx.Response(403, text=f"refused, saw {cut!r} here") for cut in cuts]
    async with lx.LeadExecClient(access_token=PLAIN_TOKEN, transport=httpx.MockTransport(api)) as le:
        for _ in cuts:
            with pytest.raises(lx.PermissionDeniedError) as caught:
                await le.clients.update(3, username="u", password=NON_ASCII_PASSWORD, reset_omitted=True)
            assert "refused, saw" in str(caught.value)
            assert_no_piece(
                reachable_strings(caught.value), [PLAIN_TOKEN, NON_ASCII_PASSWORD], str(caught.value)
            )


@pytest.mark.parametrize("http_backend", ["httpx", "aiohttp"])
async def test_a_real_server_echoing_the_token_everywhere_leaves_no_piece_in_errors_or_any_log(
    anyio_backend: str, http_backend: str, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    """Over a real loopback connection: the token in the reason phrase, a header and the body
    (httpx logs the reason phrase at INFO, httpcore the headers at DEBUG)."""
    if http_backend == "aiohttp" and anyio_backend == "trio":
        pytest.skip("aiohttp runs on asyncio only")
    import asyncio

    from ._hostile import HostileServer

    async def echo_everywhere(writer: asyncio.StreamWriter, request_head: bytes) -> None:
        auth = next(
            line.split(b":", 1)[1].strip()
            for line in request_head.split(b"\r\n")
            if line.lower().startswith(b"authorization:")
        )
        body = request_head + b" " + json.dumps({"auth": auth.decode()}).encode()
        writer.write(
            b"HTTP/1.1 400 "
            + auth
            + b"\r\nX-Echo: "
            + auth
            + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
        )

    with HostileServer(echo_everywhere) as server:
        async with lx.LeadExecClient(
            access_token=PLAIN_TOKEN, base_url=server.url, http_backend=http_backend, trust_env=False
        ) as le:
            with pytest.raises(lx.BadRequestError) as caught:
                await le.clients.update(3, username="u", password=NON_ASCII_PASSWORD, reset_omitted=True)
    assert "X-Echo" in caught.value.response.headers
    assert_no_piece(reachable_strings(caught.value), [PLAIN_TOKEN, NON_ASCII_PASSWORD], "the error")
    texts = all_log_texts(every_logger_at_debug)
    assert (
        any("HTTP Request" in t or "receive_response_headers" in t for t in texts)
        or http_backend == "aiohttp"
    )
    assert_no_piece(texts, [PLAIN_TOKEN, NON_ASCII_PASSWORD], "the logs")
