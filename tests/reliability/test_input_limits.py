"""Input limits: a plan or a body that is huge, deeply nested or not UTF-8 gets a clear error, never a crash
or a hang.

"Never a hang" is checked with a deadline (``anyio.fail_after``) around the
work, not by timing it: each case must end, with the right error, before the
deadline. Parsing and validating run in a worker thread (a client call on its
own event loop there) so that the deadline can fire during synchronous work;
a test checks that it does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadexec_async as lx
from leadexec_async import _constants as PC
from leadexec_async.cli import main as leadexec
from leadexec_async.provision import PlanError, load_plan, parse_plan

from ._support import client_for

DEADLINE = 30.0  # seconds: far above what any case needs; only a hang reaches it

pytestmark = pytest.mark.anyio


async def _bounded(fn: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """Run ``fn`` in a worker thread; fail if it has not ended within ``deadline``.

    The thread is what lets the deadline fire: ``fail_after`` can only cancel at an
    ``await``, and synchronous work (parsing, validating) has none.
    """
    with anyio.fail_after(deadline):
        return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)


async def test_the_deadline_fires_during_synchronous_work(anyio_backend: str) -> None:
    """The guard of every case below: a 0.5 s synchronous step does not pass a 0.1 s deadline."""
    with pytest.raises(TimeoutError):
        await _bounded(lambda: time.sleep(0.5), deadline=0.1)  # stands in for slow parsing


async def _create_refused(backend: str, fields: dict[str, Any]) -> lx.ValidationError:
    """``clients.create(**fields)`` on its own event loop in a worker thread, under the deadline."""

    def create() -> BaseException | None:
        async def go() -> BaseException | None:
            async with lx.LeadExecClient(access_token="t", base_url="http://127.0.0.1:9") as le:
                try:
                    await le.clients.create(username="u", password="p", **fields)
                except Exception as error:
                    return error
            return None

        return anyio.run(go, backend=backend)

    error = await _bounded(create)
    assert isinstance(error, lx.ValidationError), repr(error)
    return error


async def _plan_error(raw: bytes | str, fmt: str = "yaml") -> PlanError:
    def parse() -> Any:
        try:
            parse_plan(raw, name="plan.x", fmt=fmt)  # type: ignore[arg-type]
        except PlanError as error:
            return error
        raise AssertionError("the plan was accepted")

    error = await _bounded(parse)
    assert isinstance(error, PlanError), repr(error)
    assert "plan.x" in str(error)
    return error


def _deep(depth: int, open_: bytes = b"[", close: bytes = b"]") -> bytes:
    return open_ * depth + close * depth


# ---------------------------------------------------------------- huge


async def test_a_plan_file_over_the_limit_is_refused_before_it_is_read(
    anyio_backend: str, tmp_path: Path
) -> None:
    plan = tmp_path / "huge.yaml"
    with plan.open("wb") as f:  # a sparse file: huge on paper, written in no time
        f.truncate(PC.MAX_PLAN_BYTES + 1)

    def load() -> PlanError:
        with pytest.raises(PlanError) as caught:
            load_plan(plan)
        return caught.value

    error = await _bounded(load)
    assert f"more than the {PC.MAX_PLAN_BYTES} allowed" in str(error)
    assert str(plan) in str(error)


async def test_plan_bytes_over_the_limit_are_refused(anyio_backend: str) -> None:
    error = await _plan_error(b"#" * (PC.MAX_PLAN_BYTES + 1))
    assert "allowed" in str(error)


async def test_too_many_records_are_refused(anyio_backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PC, "MAX_PLAN_RECORDS", 30)
    clients = [{"key": f"c{i}", "username": f"u{i}", "password": "p"} for i in range(31)]
    error = await _plan_error(json.dumps({"clients": clients}), "json")
    assert "31 records, more than the 30 allowed" in str(error)


async def test_a_huge_string_value_is_accepted_or_refused_quickly(anyio_backend: str) -> None:
    big = "x" * 5_000_000
    plan = await _bounded(
        lambda: parse_plan(
            json.dumps({"clients": [{"key": "a", "username": "u", "password": "p", "notes": big}]}),
            fmt="json",
        )
    )
    assert plan.records[0].fields["notes"] == big


# ---------------------------------------------------------------- deeply nested


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("depth", [PC.MAX_PLAN_DEPTH + 1, 5_000, 200_000])
async def test_deeply_nested_plans_are_refused(anyio_backend: str, fmt: str, depth: int) -> None:
    error = await _plan_error(_deep(depth), fmt)
    assert "nested" in str(error)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_deep_nesting_inside_a_field_is_refused(anyio_backend: str, fmt: str) -> None:
    inner = _deep(60).decode()
    raw = f'{{"clients": [{{"key": "a", "username": "u", "password": "p", "notes": {inner}}}]}}'
    error = await _plan_error(raw, fmt)
    assert "nested" in str(error)


async def test_deeply_nested_yaml_blocks_are_refused(anyio_backend: str) -> None:
    raw = "".join("  " * i + "-\n" for i in range(3_000))
    error = await _plan_error(raw)
    assert "nested" in str(error)


# ---------------------------------------------------------------- not UTF-8


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("clients: []\n".encode("utf-16"), 1),
        (b"clients:\n  - key: caf\xe9\n", 2),  # Latin-1
        (b"clients:\n\n  - key: a\n    notes: \xe2\x82\n", 4),  # a cut multi-byte sequence
        (b"\xff\xfe\x00\x00", 1),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_plans_that_are_not_utf8_are_refused_naming_the_line(
    anyio_backend: str, raw: bytes, line: int, fmt: str
) -> None:
    error = await _plan_error(raw, fmt)
    assert f"not UTF-8 text (bad byte at line {line})" in str(error)


async def test_a_nul_byte_in_a_yaml_plan_is_refused(anyio_backend: str) -> None:
    error = await _plan_error(b"clients:\n  - key: a\x00\n")
    assert "not valid YAML" in str(error)


def test_the_command_refuses_a_plan_that_is_not_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_bytes("clients: []\n".encode("utf-16"))
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", "t")
    assert leadexec(["provision", str(plan), "--base-url", "http://127.0.0.1:9", "--progress", "none"]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8" in err
    assert "Traceback" not in err
    assert not (tmp_path / "plan.ledger.sqlite").exists()


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        (b'{"clients": [{"key": "a", "username": "\\ud800", "password": "p"}]}', "json"),
        (b'clients:\n  - key: a\n    username: "\\ud800"\n    password: p\n', "yaml"),
    ],
    ids=["json", "yaml"],
)
async def test_escaped_lone_surrogates_in_a_plan_are_refused(
    anyio_backend: str, raw: bytes, fmt: str
) -> None:
    error = await _plan_error(raw, fmt)
    # The JSON path names the field; libyaml refuses the escape while parsing and names its place.
    assert "username" in str(error) or "line 3 column 18" in str(error)


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        (b'{"clients": [{"key": "a", "time_offset": 1' + b"0" * 5000 + b"}]}", "json"),
        (b"clients:\n  - key: a\n    time_offset: 1" + b"0" * 5000 + b"\n", "yaml"),
        (b"clients:\n  - ? [a, b]\n    : 1\n", "yaml"),
        (b"clients:\n  - key: a\n    ? {x: 1}\n    : 1\n", "yaml"),
    ],
    ids=["json-big-int", "yaml-big-int", "yaml-list-key", "yaml-map-key"],
)
async def test_odd_plans_get_a_plan_error_not_a_crash(anyio_backend: str, raw: bytes, fmt: str) -> None:
    error = await _plan_error(raw, fmt)
    assert "digits" in str(error) or "mapping key must be plain text" in str(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.text(
            alphabet=st.sampled_from(list("clients:-[]{}\"'\n #&*!|>?,key0123456789.:ab\t\\u")), max_size=200
        ),
    ),
    fmt=st.sampled_from(["json", "yaml"]),
)
def test_any_bytes_give_a_plan_or_a_plan_error(raw: bytes | str, fmt: str) -> None:
    problems: list[Any] = []
    try:
        parse_plan(raw, name="fuzz", fmt=fmt)  # type: ignore[arg-type]
    except PlanError as error:
        problems = error.problems
        assert problems  # a PlanError always names at least one problem
    assert all(p.file == "fuzz" and p.message for p in problems)


# ---------------------------------------------------------------- bodies


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _deep_list(100_000)


@pytest.mark.parametrize(
    "fields",
    [
        {"notes": DEEP},
        {"field_data": DEEP},
        {"field_data": [{"ClientFieldUID": 1, "Value": DEEP}]},
        {"date_added": DEEP},
    ],
    ids=["string-field", "rows", "row-value", "date"],
)
async def test_deeply_nested_body_values_are_validation_errors(
    anyio_backend: str, fields: dict[str, Any]
) -> None:
    error = await _create_refused(anyio_backend, fields)
    assert len(str(error)) < 500


@pytest.mark.parametrize(
    "fields",
    [
        {"status": DEEP},
        {"status": "Activ" * 200_000},
        {"s" * 1_000_000: 1},
        {"delivery_account_automation_type": DEEP},
    ],
    ids=["deep-enum", "huge-enum", "huge-key", "deep-enum-2"],
)
async def test_huge_or_deep_values_get_a_short_validation_error(
    anyio_backend: str, fields: dict[str, Any]
) -> None:
    error = await _create_refused(anyio_backend, fields)
    assert len(str(error)) < 1_000


async def test_a_body_over_the_servers_limit_is_a_clear_400_and_the_server_stays_up(
    anyio_backend: str, leadexec_emulator: Any
) -> None:
    async with client_for(leadexec_emulator) as le:
        with anyio.fail_after(DEADLINE):
            with pytest.raises(lx.BadRequestError) as caught:
                await le.clients.create(username="big", password="p", notes="x" * 3_000_000)
            assert "larger than" in str(caught.value)
            assert caught.value.attempts == 1
            assert await le.clients.create(username="small", password="p") > 0
    assert [c["Info"]["Username"] for c in leadexec_emulator.state()["clients"]] == ["small"]
