"""examples/fastapi_app.py against the emulator: onboarding, one shared client, error mapping, clean shutdown.

The app runs in-process (its ASGI lifespan driven here, requests through
``httpx.ASGITransport``) on asyncio and trio, talking to a real emulator over
loopback; one test also runs it under uvicorn in a subprocess and stops it
with SIGINT, the way it runs in production.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from examples import fastapi_app
from leadexec_async.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-do-not-leak-7731"
SHUTDOWN_NOISE = ("Event loop is closed", "Unclosed", "unclosed", "Task was destroyed", "Traceback")


def buyer(username: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": username,
        "password": PASSWORD,
        "status": "Active",
        "delivery_method": {
            "name": f"{username} POST",
            "type": "HTTP POST",
            "delivery_address": f"https://{username}.example/in",
        },
        "delivery_account": {
            "description": "Main",
            "price": 25.0,
            "day_max": 100,
            "states": ["CA", "NV"],
            "state_lead_field_uid": 12,
        },
    }
    for key, value in changes.items():
        if isinstance(value, dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, leadexec_emulator: EmulatorServer) -> EmulatorServer:
    """The service's environment pointed at the emulator, with its static token."""
    for name in ("ACCESS_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "MAX_CONCURRENCY", "RATE_LIMIT"):
        monkeypatch.delenv(f"LEADEXEC_{name}", raising=False)
    monkeypatch.setenv("LEADEXEC_BASE_URL", leadexec_emulator.base_url)
    assert leadexec_emulator.token
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", leadexec_emulator.token)
    return leadexec_emulator


@contextmanager
def no_shutdown_noise(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail if a warning, an unraisable exception or an asyncio error log appears inside the block."""
    unraisable: list[Any] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    caplog.set_level(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
            gc.collect()  # an unclosed session or transport complains when collected
    finally:
        sys.unraisablehook = previous_hook
    assert not unraisable, [u.exc_value for u in unraisable]
    assert not [w for w in caught if not issubclass(w.category, DeprecationWarning)], [
        str(w.message) for w in caught
    ]
    noisy = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("asyncio", "aiohttp")) and r.levelno >= logging.WARNING
    ]
    assert not noisy
    assert not [t for t in SHUTDOWN_NOISE if t in caplog.text]
    assert PASSWORD not in caplog.text


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Run ``app``'s ASGI lifespan (startup, then shutdown on exit) and yield an HTTP client on it."""
    to_app, app_inbox = anyio.create_memory_object_stream[dict[str, Any]](2)
    app_outbox, from_app = anyio.create_memory_object_stream[dict[str, Any]](2)

    async def lifespan() -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await app(scope, app_inbox.receive, app_outbox.send)

    with to_app, app_inbox, app_outbox, from_app:
        async with anyio.create_task_group() as tg:
            tg.start_soon(lifespan)
            await to_app.send({"type": "lifespan.startup"})
            started = await from_app.receive()
            assert started["type"] == "lifespan.startup.complete", started
            try:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://buyers.test") as http:
                    yield http
            finally:
                await to_app.send({"type": "lifespan.shutdown"})
                stopped = await from_app.receive()
                assert stopped["type"] == "lifespan.shutdown.complete", stopped


def counted(emulator: EmulatorServer, operation: str) -> dict[str, int]:
    outcomes: dict[str, int] = emulator.state()["counters"]["by_operation_outcome"].get(operation, {})
    return outcomes


# -- the happy path and the shared client ---------------------------------------------


@pytest.mark.anyio
async def test_onboards_a_buyer_and_closes_its_client(
    env: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = fastapi_app.create_app()
    with no_shutdown_noise(caplog):
        async with served(app) as http:
            answer = await http.post("/buyers", json=buyer("acme"))
            le = app.state.leadexec
            assert not le.closed
        assert le.closed  # the lifespan closed the one client

    assert answer.status_code == 201, answer.text
    ids = answer.json()
    state = env.state()
    [client] = state["clients"]
    [method] = state["delivery_methods"]
    [account] = state["delivery_accounts"]
    assert client["Info"]["ClientUID"] == ids["client_id"]
    assert client["Info"]["Username"] == "acme"
    assert method["ClientDeliveryUID"] == ids["delivery_method_id"]
    assert method["ClientUID"] == ids["client_id"]
    assert method["Type"] == 0  # HTTP POST
    assert account["ClientAccountUID"] == ids["delivery_account_id"]
    assert account["DeliveryUID"] == ids["delivery_method_id"]
    assert account["DayMax"] == 100
    assert [(c["LeadFieldUID"], c["Operator"], c["Value"]) for c in account["Criteria"]] == [
        (12, "In", "CA,NV")
    ]


@pytest.mark.anyio
async def test_changing_the_price_sends_the_whole_account(env: EmulatorServer) -> None:
    app = fastapi_app.create_app()
    async with served(app) as http:
        ids = (await http.post("/buyers", json=buyer("acme"))).json()
        change = {**buyer("acme")["delivery_account"], "price": 30.0}
        change["delivery_method_id"] = ids["delivery_method_id"]
        path = f"/buyers/{ids['client_id']}/accounts/{ids['delivery_account_id']}"
        answer = await http.put(path, json=change)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"delivery_account_id": ids["delivery_account_id"]}
    [account] = env.state()["delivery_accounts"]
    assert (account["Price"], account["DayMax"], account["Description"]) == (30.0, 100, "Main")
    assert [c["Value"] for c in account["Criteria"]] == ["CA,NV"]


@pytest.mark.anyio
async def test_200_concurrent_requests_share_one_client_without_pool_timeouts(
    env: EmulatorServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Client credentials: one shared client means one token request for all 200 requests.
    monkeypatch.delenv("LEADEXEC_ACCESS_TOKEN")
    monkeypatch.setenv("LEADEXEC_CLIENT_ID", str(env.client_id))
    monkeypatch.setenv("LEADEXEC_CLIENT_SECRET", str(env.client_secret))
    monkeypatch.setenv("LEADEXEC_MAX_CONCURRENCY", "4")
    # 600 API calls through 4 slots: waiting for the pool (instead of the SDK's own
    # limiter) for even a millisecond would raise PoolTimeout.
    app = fastapi_app.create_app(timeout=httpx.Timeout(10.0, pool=0.001))
    count = 200
    answers: list[httpx.Response] = []

    with no_shutdown_noise(caplog):
        async with served(app) as http:
            assert app.state.leadexec._max_concurrency == 4

            async def one(i: int) -> None:
                answers.append(await http.post("/buyers", json=buyer(f"buyer-{i}")))

            async with anyio.create_task_group() as tg:
                for i in range(count):
                    tg.start_soon(one, i)

    assert sorted(a.status_code for a in answers) == [201] * count, {a.text for a in answers}
    state = env.state()
    assert len(state["clients"]) == len(state["delivery_methods"]) == len(state["delivery_accounts"]) == count
    assert len({c["Info"]["Username"] for c in state["clients"]}) == count
    assert counted(env, "create_token") == {"200": 1}
    assert state["counters"]["requests"] == 3 * count + 1


# -- errors -> HTTP ------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"delivery_method": {"type": "carrier pigeon"}}, "delivery_method.type"),
        ({"status": "Dormant"}, "status"),
        ({"delivery_account": {"states": ["CA,NV"]}}, "delivery_account.states"),
    ],
)
async def test_sdk_validation_error_is_422_and_nothing_is_sent(
    env: EmulatorServer, changes: dict[str, Any], field: str
) -> None:
    async with served(fastapi_app.create_app()) as http:
        answer = await http.post("/buyers", json=buyer("bad", **changes))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "invalid"
    assert body["field"] == field
    assert body["created"] == {}
    assert env.state()["counters"]["requests"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (buyer("bad", delivery_account={"price": -1}), ["body", "delivery_account", "price"]),
        ({k: v for k, v in buyer("bad").items() if k != "delivery_method"}, ["body", "delivery_method"]),
    ],
)
async def test_request_body_errors_are_422_without_echoing_the_input(
    env: EmulatorServer, body: dict[str, Any], loc: list[str]
) -> None:
    async with served(fastapi_app.create_app()) as http:
        answer = await http.post("/buyers", json=body)
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["detail"]] == [loc]
    assert PASSWORD not in answer.text
    assert env.state()["counters"]["requests"] == 0


@pytest.mark.anyio
async def test_taken_username_is_409(env: EmulatorServer) -> None:
    async with served(fastapi_app.create_app()) as http:
        first = await http.post("/buyers", json=buyer("acme"))
        second = await http.post("/buyers", json=buyer("acme"))
    assert first.status_code == 201
    assert second.status_code == 409, second.text
    assert second.json()["error"] == "conflict"
    assert len(env.state()["clients"]) == 1


@pytest.mark.anyio
async def test_rate_limit_is_503_with_retry_after(env: EmulatorServer) -> None:
    # The SDK retries a 429 twice (max_retries=2); the third one reaches the service.
    env.schedule_fault("429", operation="upsert_client", times=3)
    async with served(fastapi_app.create_app()) as http:
        answer = await http.post("/buyers", json=buyer("acme"))
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.json()["error"] == "rate_limited"
    assert counted(env, "upsert_client") == {"429": 3}
    assert env.state()["clients"] == []


@pytest.mark.anyio
async def test_upstream_status_error_is_502_and_lists_what_was_created(env: EmulatorServer) -> None:
    env.schedule_fault("503", operation="upsert_delivery_method", times=3)
    async with served(fastapi_app.create_app()) as http:
        answer = await http.post("/buyers", json=buyer("acme"))
    assert answer.status_code == 502, answer.text
    body = answer.json()
    assert body["error"] == "upstream_status"
    assert body["upstream_status"] == 503
    assert "Retry-After" not in answer.headers
    [client] = env.state()["clients"]
    assert body["created"] == {"client_id": client["Info"]["ClientUID"]}


@pytest.mark.anyio
async def test_outcome_unknown_is_502_never_resent(
    env: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The account is stored, then the connection drops before the answer.
    env.schedule_fault("drop-after", operation="upsert_delivery_account")
    async with served(fastapi_app.create_app()) as http:
        answer = await http.post("/buyers", json=buyer("acme"))
    assert answer.status_code == 502, answer.text
    body = answer.json()
    assert body["error"] == "outcome_unknown"
    assert body["retry"] is False
    assert body["operation"] == "upsert_delivery_account"
    assert set(body["created"]) == {"client_id", "delivery_method_id"}
    assert "Retry-After" not in answer.headers
    state = env.state()
    assert len(state["delivery_accounts"]) == 1  # applied once, and not sent again
    assert counted(env, "upsert_delivery_account") == {"drop-after": 1}
    assert PASSWORD not in answer.text
    assert PASSWORD not in caplog.text


@pytest.mark.anyio
async def test_unreachable_api_is_502(monkeypatch: pytest.MonkeyPatch, env: EmulatorServer) -> None:
    # a loopback port held bound but not listening: connections are refused, and no other
    # process can start listening there while the test runs
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("LEADEXEC_BASE_URL", f"http://127.0.0.1:{port}")
        async with served(fastapi_app.create_app(max_retries=0)) as http:
            answer = await http.post("/buyers", json=buyer("acme"))
    assert answer.status_code == 502, answer.text
    assert answer.json()["error"] == "upstream_unreachable"


# -- under uvicorn, stopped with Ctrl-C --------------------------------------------------


def _listening_socket() -> socket.socket:
    """A socket already bound to a free loopback port and listening: handed to uvicorn with ``--fd``,
    so no other process can take the port between choosing it and serving on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def test_runs_under_uvicorn_and_shuts_down_cleanly(env: EmulatorServer) -> None:
    listener = _listening_socket()
    port = listener.getsockname()[1]
    environ = {
        **os.environ,
        "PYTHONWARNINGS": "always",  # ResourceWarnings (unclosed sockets, sessions) are printed
        "LEADEXEC_MAX_CONCURRENCY": "4",
    }
    command = [sys.executable, "-m", "uvicorn", "examples.fastapi_app:app", "--fd", str(listener.fileno())]
    with listener:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            pass_fds=(listener.fileno(),),
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20.0
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)  # polling a real condition (the port answers), bounded by the deadline

        async def onboard_many() -> list[int]:
            async with httpx.AsyncClient(base_url=base, timeout=10.0) as http:
                statuses: list[int] = []

                async def one(i: int) -> None:
                    statuses.append((await http.post("/buyers", json=buyer(f"uv-{i}"))).status_code)

                async with anyio.create_task_group() as tg:
                    for i in range(50):
                        tg.start_soon(one, i)
                return statuses

        assert anyio.run(onboard_many) == [201] * 50
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=20)[0]
    assert process.returncode == 0, output
    assert "Application shutdown complete" in output
    assert not [t for t in (*SHUTDOWN_NOISE, "Warning") if t in output], output
    assert PASSWORD not in output
    assert len(env.state()["delivery_accounts"]) == 50


# -- tracing ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_each_leadexec_call_of_a_request_is_a_span_under_the_request_span(env: EmulatorServer) -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    env.schedule_fault("503", operation="upsert_delivery_account", times=1)
    app = fastapi_app.create_app(tracing=provider)
    async with served(app) as http:
        # what a server instrumentation (opentelemetry-instrumentation-fastapi) would open
        with provider.get_tracer("test").start_as_current_span("POST /buyers") as request_span:
            answer = await http.post("/buyers", json=buyer("traced"))
    assert answer.status_code == 201, answer.text
    ids = answer.json()
    spans = [s for s in exporter.get_finished_spans() if s.name.startswith("leadexec.")]
    assert [s.name for s in spans] == [
        "leadexec.upsert_client",
        "leadexec.upsert_delivery_method",
        "leadexec.upsert_delivery_account",
    ]
    assert all(s.parent is not None and s.parent.span_id == request_span.context.span_id for s in spans)
    attributes = [dict(s.attributes or {}) for s in spans]
    assert [a["leadexec.record_id"] for a in attributes] == [
        ids["client_id"],
        ids["delivery_method_id"],
        ids["delivery_account_id"],
    ]
    assert [a["leadexec.attempts"] for a in attributes] == [1, 1, 2]
    assert [e.name for e in spans[2].events] == ["leadexec.retry"]
    assert all(a["leadexec.outcome"] == "done" for a in attributes)
    assert PASSWORD not in "".join(s.to_json() for s in exporter.get_finished_spans())
    provider.shutdown()
