"""Security: plain http only to loopback, TLS off only on request (with a warning), no secret in
logs, reprs or messages, and the logging contract (DEBUG per attempt, INFO per retry, LEADEXEC_LOG)."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

import leadexec_async as lx
from tests.conftest import FakeAPI

TOKEN = "tok-SENSITIVE-1"
SECRET = "client-SECRET-2"
CLIENT_PASSWORD = "pw-SECRET-3"
PASSWORDS = {"ftp_password": "ftp-SECRET-4", "smtp_password": "smtp-SECRET-5"}
ALL_SECRETS = [TOKEN, SECRET, CLIENT_PASSWORD, *PASSWORDS.values(), "tok-1", "tok-2"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.9.8.7",
        "http://[::1]:9000/api",
        "http://localhost:1",
        "http://LOCALHOST",
    ],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert lx.LeadExecClient(access_token="t", base_url=url).base_url == url.rstrip("/").lower()


@pytest.mark.parametrize(
    "url", ["http://api.leadexec.net", "http://10.0.0.1", "http://128.0.0.1", "http://localhost.evil.example"]
)
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t", base_url=url)
    assert caught.value.field == "base_url"
    assert "http://" in str(caught.value)


def test_tls_verification_off_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="leadexec_async"):
        lx.LeadExecClient(access_token="t")
        assert not caplog.records
        lx.LeadExecClient(access_token="t", verify=False)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "verification is disabled" in caplog.records[0].getMessage()


def test_reprs_hide_secrets() -> None:
    for le in (
        lx.LeadExecClient(access_token=TOKEN),
        lx.LeadExecClient(client_id="cid", client_secret=SECRET),
    ):
        shown = repr(le) + str(le) + repr(le._auth) + repr(vars(le))
        assert TOKEN not in shown
        assert SECRET not in shown


@pytest.mark.anyio
async def test_no_secret_in_logs_or_errors(api: FakeAPI, caplog: pytest.LogCaptureFixture) -> None:
    """A noisy run: renewals, retries, failures that echo what they received."""

    def echo(status: int) -> Callable[[httpx.Request], httpx.Response]:
        def answer(request: httpx.Request) -> httpx.Response:
            text = f"rejected {request.headers['Authorization']} {request.content.decode()}"
            return httpx.Response(status, text=text)

        return answer

    api.token_answers.append(httpx.Response(503, text=f"busy {SECRET}"))
    api.answers.extend(
        [
            httpx.Response(401, text="expired"),
            httpx.Response(502),
            echo(400),
            httpx.ReadTimeout(f"timed out {TOKEN}"),
            echo(500),
            httpx.RemoteProtocolError("dropped"),
            echo(504),
        ]
    )
    errors: list[Exception] = []
    with caplog.at_level(logging.DEBUG, logger="leadexec_async"):
        async with api.client(client_id="cid", client_secret=SECRET, max_retries=1) as le:
            for call in (
                le.delivery_methods.update(1, 2, name="m", **PASSWORDS, reset_omitted=True),
                le.delivery_methods.update(1, 2, name="m", **PASSWORDS, reset_omitted=True),
                le.delivery_methods.create(1, name="m", **PASSWORDS),
                le.clients.create(username="u", password=CLIENT_PASSWORD),
            ):
                try:
                    await call
                except lx.LeadExecError as exc:
                    errors.append(exc)
    assert [type(e) for e in errors] == [
        lx.BadRequestError,
        lx.ServerError,
        lx.OutcomeUnknownError,
        lx.OutcomeUnknownError,
    ]
    assert "rejected Bearer ***" in str(errors[0])
    texts = [r.getMessage() for r in caplog.records] + [str(e) for e in errors]
    texts += [str(getattr(e, "body", "")) for e in errors] + [repr(getattr(e, "payload", "")) for e in errors]
    texts += [str(e.__cause__) for e in errors]
    blob = "\n".join(texts)
    for secret in ALL_SECRETS:
        assert secret not in blob, secret
    method, client = errors[2], errors[3]
    assert isinstance(method, lx.OutcomeUnknownError)
    assert isinstance(client, lx.OutcomeUnknownError)
    assert method.payload["FTPPassword"] == method.payload["SMTPPassword"] == "***"
    assert client.payload["Info"]["Password"] == "***"


@pytest.mark.anyio
async def test_log_lines_per_attempt_and_per_retry(api: FakeAPI, caplog: pytest.LogCaptureFixture) -> None:
    api.answers.append(httpx.Response(503))
    with caplog.at_level(logging.DEBUG, logger="leadexec_async"):
        async with api.client() as le:
            await le.delivery_methods.update(42, 3, name="m", reset_omitted=True)
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(debug) == 2
    assert debug[0].startswith("PUT /v1/delivery/42/methods -> 503 in ")
    assert debug[0].endswith("ms (attempt 1)")
    assert debug[1].startswith("PUT /v1/delivery/42/methods -> 200 in ")
    assert len(info) == 1
    assert "503 on attempt 1; retrying in" in info[0]


@pytest.mark.anyio
async def test_nothing_is_formatted_when_logging_is_off(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadexec_async._logging import logger

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("logged while the level is off")

    monkeypatch.setattr(logger, "debug", boom)
    monkeypatch.setattr(logger, "info", boom)
    monkeypatch.setattr(logger, "level", logging.WARNING)
    api.answers.append(httpx.Response(503))
    async with api.client() as le:
        await le.delivery_methods.update(42, 3, name="m", reset_omitted=True)
    assert len(api.requests) == 2


@pytest.mark.parametrize(("value", "lines"), [("debug", 2), ("info", 1), ("", 0)])
def test_leadexec_log_switches_logging_on(value: str, lines: int) -> None:
    script = (
        "import anyio, httpx, leadexec_async as lx\n"
        "n = []\n"
        "def h(r):\n"
        "    n.append(r)\n"
        "    return httpx.Response(503 if len(n) == 1 else 200, text='7')\n"
        "async def main():\n"
        "    async with lx.LeadExecClient(access_token='t', transport=httpx.MockTransport(h),\n"
        "                                 retry_backoff=0.0) as le:\n"
        "        await le.delivery_methods.update(1, 2, name='m', reset_omitted=True)\n"
        "anyio.run(main)\n"
    )
    env = {"LEADEXEC_LOG": value, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    out = [line for line in done.stderr.splitlines() if "leadexec_async" in line]
    assert len(out) == lines + (1 if value == "debug" else 0), done.stderr


def test_redact_masks_long_secrets_anywhere_and_short_ones_standing_alone() -> None:
    from leadexec_async._logging import redact

    text = "token tok-SENSITIVE-1 in xtok-SENSITIVE-1x; password 'pw' in 'pwned'"
    assert redact(text, ["tok-SENSITIVE-1", "pw"]) == "token *** in x***x; password '***' in 'pwned'"
    assert redact("nothing here", ["", "absent"]) == "nothing here"
