"""OpenTelemetry tracing: one span per call, its attributes, retry events, no secret, no cost when off.

Spans go to the OpenTelemetry SDK's ``InMemorySpanExporter`` through a
provider given to the client (``tracing=provider``), against the emulator
over loopback, on asyncio and trio.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")
pytest.importorskip("uvicorn")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import leadexec_async as lx
from leadexec_async._pipeline import Pipeline, TracedPipeline
from leadexec_async.emulator import EmulatorServer

pytestmark = pytest.mark.anyio

PASSWORD = "pw-Zq8v1Lr4Xk2Ny7"
FTP_PASSWORD = "ftp-Jd5Wm3Qe9Tb6Uc"
SMTP_PASSWORD = "smtp-Hs4Ra8Kv2Pn5Fo"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.clear()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


def client(emu: EmulatorServer, provider: TracerProvider, **options: Any) -> lx.LeadExecClient:
    if "client_id" not in options:
        options["access_token"] = emu.token
    return lx.LeadExecClient(base_url=emu.base_url, tracing=provider, **options)


def only(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [s for s in exporter.get_finished_spans() if s.name == name]
    return span


async def test_a_create_is_one_span_with_its_attributes(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with client(leadexec_emulator, provider) as le:
        cid = await le.clients.create(username="acme", password=PASSWORD)
        mid = await le.delivery_methods.update(
            cid,
            await le.delivery_methods.create(cid, name="m", delivery_address="https://a.example/in"),
            reset_omitted=True,
        )
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == [
        "leadexec.upsert_client",
        "leadexec.upsert_delivery_method",
        "leadexec.upsert_delivery_method",
    ]
    assert dict(spans[0].attributes or {}) == {
        "leadexec.operation": "upsert_client",
        "leadexec.record_kind": "client",
        "leadexec.request_kind": "create",
        "http.request.method": "PATCH",
        "leadexec.attempts": 1,
        "http.response.status_code": 200,
        "leadexec.outcome": "done",
        "leadexec.record_id": cid,
    }
    update = dict(spans[2].attributes or {})
    assert update["leadexec.record_kind"] == "delivery_method"
    assert update["leadexec.request_kind"] == "update"
    assert update["http.request.method"] == "PUT"
    assert update["leadexec.record_id"] == mid
    assert all(s.status.status_code is StatusCode.UNSET and not s.events for s in spans)
    assert all(s.parent is None for s in spans)  # no application span around them here


async def test_retry_waits_are_events_and_attempts_are_counted(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    leadexec_emulator.schedule_fault("503", operation="upsert_client", times=2)
    async with client(leadexec_emulator, provider, retry_backoff=0.01) as le:
        await le.clients.create(username="acme", password=PASSWORD)
    span = only(exporter, "leadexec.upsert_client")
    attributes = span.attributes or {}
    assert attributes["leadexec.attempts"] == 3
    assert attributes["http.response.status_code"] == 200
    assert attributes["leadexec.outcome"] == "done"
    assert [e.name for e in span.events] == ["leadexec.retry", "leadexec.retry"]
    first, second = (dict(e.attributes or {}) for e in span.events)
    assert first["leadexec.retry.reason"] == "503"
    assert first["leadexec.retry.attempt"] == 1
    assert second["leadexec.retry.attempt"] == 2
    # the emulator's injected 503 says Retry-After: 0, which is what the client waits
    assert first["leadexec.retry.delay_s"] == second["leadexec.retry.delay_s"] == 0.0


async def test_a_transport_failure_retry_names_the_failure_and_its_backoff(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with client(leadexec_emulator, provider, retry_backoff=0.02) as le:
        cid = await le.clients.create(username="acme", password=PASSWORD)
        leadexec_emulator.schedule_fault("drop-before", operation="upsert_client", times=1)
        # an update is resent after a dropped connection
        await le.clients.update(cid, username="acme", reset_omitted=True)
    _, update = exporter.get_finished_spans()
    attributes = update.attributes or {}
    assert attributes["leadexec.request_kind"] == "update"
    assert attributes["leadexec.attempts"] == 2
    assert attributes["leadexec.outcome"] == "done"
    [event] = update.events
    retry = dict(event.attributes or {})
    assert retry["leadexec.retry.reason"].endswith("Error")  # the httpx failure's class name
    assert retry["leadexec.retry.attempt"] == 1
    assert 0.02 * 0.75 <= retry["leadexec.retry.delay_s"] <= 0.02  # the first backoff, minus jitter


async def test_an_unknown_create_is_outcome_unknown_with_its_status(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    leadexec_emulator.schedule_fault("500", operation="upsert_client", times=1)
    leadexec_emulator.schedule_fault("drop-after", operation="upsert_delivery_method", times=1)
    async with client(leadexec_emulator, provider) as le:
        with pytest.raises(lx.OutcomeUnknownError):
            await le.clients.create(username="acme", password=PASSWORD)
        cid = await le.clients.create(username="acme2", password=PASSWORD)
        with pytest.raises(lx.OutcomeUnknownError):
            await le.delivery_methods.create(cid, name="m", delivery_address="https://a.example/in")
    first, _, method = exporter.get_finished_spans()
    for span in (first, method):
        attributes = span.attributes or {}
        assert attributes["leadexec.outcome"] == "unknown"
        assert attributes["error.type"] == "OutcomeUnknownError"
        assert attributes["leadexec.attempts"] == 1
        assert span.status.status_code is StatusCode.ERROR
        assert span.status.description == "OutcomeUnknownError"
        assert not span.events  # a create that may have been applied is never retried
    assert (first.attributes or {})["http.response.status_code"] == 500
    assert "http.response.status_code" not in (method.attributes or {})  # no answer came
    assert "leadexec.record_id" not in (method.attributes or {})


async def test_an_error_is_its_class_and_status(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with client(leadexec_emulator, provider) as le:
        await le.clients.create(username="acme", password=PASSWORD)
        with pytest.raises(lx.ConflictError):
            await le.clients.create(username="acme", password=PASSWORD)
    span = exporter.get_finished_spans()[1]
    attributes = span.attributes or {}
    assert attributes["leadexec.outcome"] == "error"
    assert attributes["error.type"] == "ConflictError"
    assert attributes["http.response.status_code"] == 409
    assert attributes["leadexec.attempts"] == 1
    assert span.status.status_code is StatusCode.ERROR


async def test_the_token_request_is_a_child_span_of_the_call_that_needed_it(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with client(
        leadexec_emulator,
        provider,
        client_id=leadexec_emulator.client_id,
        client_secret=leadexec_emulator.client_secret,
    ) as le:
        await le.clients.create(username="acme", password=PASSWORD)
        await le.clients.create(username="acme2", password=PASSWORD)
    token, first, second = exporter.get_finished_spans()  # a child ends before its parent
    assert token.name == "leadexec.create_token"
    assert token.parent is not None
    assert token.parent.span_id == first.context.span_id
    assert token.context.trace_id == first.context.trace_id
    attributes = token.attributes or {}
    assert attributes["leadexec.record_kind"] == attributes["leadexec.request_kind"] == "token"
    assert attributes["http.request.method"] == "POST"
    assert attributes["leadexec.outcome"] == "done"
    assert "leadexec.record_id" not in attributes  # the result is a token: never recorded
    assert second.name == "leadexec.upsert_client"
    assert second.parent is None


async def test_a_cancelled_call_ends_its_span(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    import anyio

    async with client(leadexec_emulator, provider, retry_backoff=30.0) as le:
        cid = await le.clients.create(username="acme", password=PASSWORD)
        leadexec_emulator.schedule_fault("drop-before", operation="upsert_client", times=1)
        with anyio.move_on_after(0.3) as scope:
            # cancelled in its 22-30 s backoff
            await le.clients.update(cid, username="acme", reset_omitted=True)
    assert scope.cancelled_caught
    _, span = exporter.get_finished_spans()
    attributes = span.attributes or {}
    assert attributes["leadexec.outcome"] == "cancelled"
    assert "leadexec.attempts" not in attributes
    assert "error.type" not in attributes
    assert [e.name for e in span.events] == ["leadexec.retry"]
    assert span.end_time is not None


def _secrets_and_fragments(*secrets: str) -> set[str]:
    found = set()
    for secret in secrets:
        found.add(secret)
        found.update(secret[i : i + 8] for i in range(len(secret) - 7))
    return found


def _everything_in(spans: tuple[ReadableSpan, ...]) -> list[str]:
    """Every string a span carries: its name, status, attributes, events, links and its JSON form."""
    texts: list[str] = []
    for span in spans:
        texts.append(span.name)
        texts.append(span.status.description or "")
        texts.extend(f"{k}={v}" for k, v in (span.attributes or {}).items())
        for event in span.events:
            texts.append(event.name)
            texts.extend(f"{k}={v}" for k, v in (event.attributes or {}).items())
        texts.append(span.to_json())
    return texts


async def test_no_secret_reaches_a_span(
    leadexec_emulator: EmulatorServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    leadexec_emulator.schedule_fault("503", operation="upsert_delivery_method", times=1)
    leadexec_emulator.schedule_fault("500", operation="upsert_delivery_account", times=1)
    async with client(
        leadexec_emulator,
        provider,
        client_id=leadexec_emulator.client_id,
        client_secret=leadexec_emulator.client_secret,
        retry_backoff=0.01,
    ) as le:
        cid = await le.clients.create(username="acme", password=PASSWORD)
        with pytest.raises(lx.ConflictError):
            await le.clients.create(username="acme", password=PASSWORD)
        mid = await le.delivery_methods.create(
            cid,
            name="ftp",
            type="FTP",
            delivery_address="ftp.example",
            ftp_password=FTP_PASSWORD,
            smtp_password=SMTP_PASSWORD,
        )
        with pytest.raises(lx.OutcomeUnknownError):
            await le.delivery_accounts.create(cid, delivery_uid=mid, description="d", price=1.0)
        await le.clients.update(cid, username="acme", password=PASSWORD, reset_omitted=True)
        token = le._auth.current()  # the bearer header actually sent
    assert token
    spans = exporter.get_finished_spans()
    assert len(spans) == 6  # the token request and five calls
    assert any(s.events for s in spans)
    secret_client = leadexec_emulator.client_secret
    assert secret_client
    forbidden = _secrets_and_fragments(
        PASSWORD, FTP_PASSWORD, SMTP_PASSWORD, secret_client, token.removeprefix("Bearer ")
    )
    for text in _everything_in(spans):
        leaked = [f for f in forbidden if f in text]
        assert not leaked, (leaked, text)


@pytest.fixture
def httpx_instrumented(provider: TracerProvider) -> Iterator[None]:
    """opentelemetry-instrumentation-httpx on, for this test only."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    try:
        yield
    finally:
        HTTPXClientInstrumentor().uninstrument()


async def test_with_httpx_instrumentation_each_attempt_is_a_child_span_of_the_call(
    leadexec_emulator: EmulatorServer,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
    httpx_instrumented: None,
) -> None:
    leadexec_emulator.schedule_fault("503", operation="upsert_client", times=1)
    async with client(leadexec_emulator, provider, http_backend="httpx") as le:
        await le.clients.create(username="acme", password=PASSWORD)
    spans = exporter.get_finished_spans()
    call = only(exporter, "leadexec.upsert_client")
    attempts = [s for s in spans if s is not call]
    assert [s.name for s in attempts] == ["PATCH", "PATCH"]  # one per HTTP attempt, no duplicate
    assert all(s.parent is not None and s.parent.span_id == call.context.span_id for s in attempts)
    statuses = [dict(s.attributes or {}) for s in attempts]  # old or new HTTP semantic conventions
    assert [a.get("http.response.status_code", a.get("http.status_code")) for a in statuses] == [503, 200]
    assert (call.attributes or {})["leadexec.attempts"] == 2
    forbidden = _secrets_and_fragments(PASSWORD, leadexec_emulator.token or "")
    assert not [t for t in _everything_in(spans) if any(f in t for f in forbidden)]


async def test_httpx_instrumentation_sees_nothing_of_the_aiohttp_backend(
    leadexec_emulator: EmulatorServer,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
    httpx_instrumented: None,
    anyio_backend: str,
) -> None:
    if anyio_backend != "asyncio":
        pytest.skip("aiohttp runs under asyncio only")
    async with client(leadexec_emulator, provider, http_backend="aiohttp") as le:
        await le.clients.create(username="acme", password=PASSWORD)
    assert [s.name for s in exporter.get_finished_spans()] == ["leadexec.upsert_client"]


async def test_tracing_off_uses_the_plain_pipeline(leadexec_emulator: EmulatorServer) -> None:
    async with lx.LeadExecClient(
        base_url=leadexec_emulator.base_url, access_token=leadexec_emulator.token, tracing=False
    ) as le:
        await le.clients.create(username="acme", password=PASSWORD)
        assert type(le._pipeline()) is Pipeline


async def test_tracing_on_uses_the_traced_pipeline(
    leadexec_emulator: EmulatorServer, provider: TracerProvider
) -> None:
    async with client(leadexec_emulator, provider) as le:
        assert type(le._pipeline()) is TracedPipeline


def test_the_environment_variable_turns_it_on_and_a_bad_value_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADEXEC_TRACING", "on")
    assert lx.LeadExecClient(access_token="t")._tracer is not None
    monkeypatch.setenv("LEADEXEC_TRACING", "0")
    assert lx.LeadExecClient(access_token="t")._tracer is None
    assert lx.LeadExecClient(access_token="t", tracing=True)._tracer is not None  # the argument wins
    monkeypatch.setenv("LEADEXEC_TRACING", "maybe")
    with pytest.raises(lx.ValidationError) as caught:
        lx.LeadExecClient(access_token="t")
    assert caught.value.field == "tracing"
    assert "LEADEXEC_TRACING" in str(caught.value)
    with pytest.raises(lx.ValidationError, match="TracerProvider"):
        lx.LeadExecClient(access_token="t", tracing="yes")


def _run(code: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_WITHOUT_OTEL = """
    import json, sys
    sys.modules["opentelemetry"] = None  # as if the package were not installed
    import anyio, httpx
    import leadexec_async as lx

    async def main():
        transport = httpx.MockTransport(lambda request: httpx.Response(200, text="7"))
        async with lx.LeadExecClient(access_token="t", transport=transport) as le:
            sent = await le.clients.create(username="u", password="p")
        try:
            lx.LeadExecClient(access_token="t", tracing=True)
            refused = ""
        except lx.ValidationError as error:
            refused = f"{error.field}: {error}"
        loaded = sorted(m for m in sys.modules if m.startswith("opentelemetry") and sys.modules[m])
        print(json.dumps({"sent": sent, "refused": refused, "loaded": loaded}))

    anyio.run(main)
"""


def test_without_opentelemetry_nothing_is_imported_and_asking_for_it_says_what_to_install() -> None:
    result = _run(_WITHOUT_OTEL)
    assert result["sent"] == 7
    assert result["loaded"] == []
    assert result["refused"].startswith("tracing: ")
    assert "leadexec-async[otel]" in result["refused"]


def test_an_untraced_client_imports_no_opentelemetry() -> None:
    result = _run(
        """
        import json, sys
        import anyio, httpx
        import leadexec_async as lx

        async def main():
            transport = httpx.MockTransport(lambda request: httpx.Response(200, text="7"))
            async with lx.LeadExecClient(access_token="t", transport=transport) as le:
                await le.clients.create(username="u", password="p")
            print(json.dumps({"loaded": sorted(m for m in sys.modules if m.startswith("opentelemetry"))}))

        anyio.run(main)
        """
    )
    assert result["loaded"] == []


def test_tracing_true_follows_the_global_provider_set_later() -> None:
    result = _run(
        """
        import json
        import anyio, httpx
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        import leadexec_async as lx

        le = lx.LeadExecClient(access_token="t", tracing=True,
                               transport=httpx.MockTransport(lambda r: httpx.Response(200, text="7")))
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)  # after the client was made

        async def main():
            async with le:
                await le.clients.create(username="u", password="p")

        anyio.run(main)
        spans = exporter.get_finished_spans()
        print(json.dumps({"names": [s.name for s in spans],
                          "scope": spans[0].instrumentation_scope.name}))
        """
    )
    assert result == {"names": ["leadexec.upsert_client"], "scope": "leadexec_async"}


async def test_the_status_of_a_wire_answer_is_read_too(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    from leadexec_async._retry import Kind
    from leadexec_async._tracing import CallTracer
    from leadexec_async._wire import Answer

    async def send(*args: Any) -> int:
        parse = args[-2]  # (..., parse, max_body)
        result: int = parse(Answer(201, {}, b"9"))
        return result

    tracer = CallTracer(provider.get_tracer("test"))
    result = await tracer.trace(
        send, Kind.CREATE, "put", "/x", {}, {}, "upsert_delivery_account", lambda a: int(a.body), 64
    )
    assert result == 9
    attributes = dict(only(exporter, "leadexec.upsert_delivery_account").attributes or {})
    assert attributes["http.response.status_code"] == 201
    assert attributes["http.request.method"] == "PUT"
    assert attributes["leadexec.record_id"] == 9
