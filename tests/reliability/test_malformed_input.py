"""Random malformed input to every public method: ValidationError, never another exception, and nothing sent.

The client methods (``clients`` / ``delivery_methods`` / ``delivery_accounts``
``create`` / ``update`` / ``upsert``) run against a counting transport: a call
that raises must have sent zero requests. A call that does not raise was
valid input and sends exactly one. The builders (``Criteria``,
``FieldSetting``, ``weekly``, ``on_date``) raise ValidationError and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leadexec_api_client.models import ClientInfo, DeliveryAccount, DeliveryMethod

import leadexec_async as lx
from leadexec_async._records import SHAPES

from ._support import CountingTransport

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BACKENDS = ["asyncio", "trio"]

JUNK_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**31, max_value=2**80),
    st.floats(),
    st.text(max_size=10),
    st.binary(max_size=4),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.just(object()),
    st.just(float("nan")),
    st.sampled_from(list(lx.DeliveryType) + list(lx.ClientStatus) + list(lx.AccountStatus)),
)
JUNK = st.recursive(
    JUNK_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=3)
    ),
    max_leaves=8,
)
IDS = st.one_of(
    st.integers(-3, 3),
    st.integers(2**31 - 2, 2**33),
    st.booleans(),
    st.none(),
    st.floats(),
    st.text(max_size=3),
)


def _keywords(model: type) -> st.SearchStrategy[dict[str, Any]]:
    shape = SHAPES[model]
    names = [*sorted(f.key for f in shape.fields), "field_data", "fieldsettings", "Password", "criteria"]
    # not the names of the methods' own positional parameters (that is a TypeError of the call itself)
    positional = {"client_uid", "client_id", "method_id", "account_id"}
    key = (st.sampled_from(names) | st.text(min_size=1, max_size=8).filter(str.isidentifier)).filter(
        lambda k: k not in positional
    )
    return st.dictionaries(key, JUNK, max_size=5)


def _body(model: type) -> st.SearchStrategy[Any]:
    shape = SHAPES[model]
    keys = st.sampled_from(sorted(shape.by_key)) | st.text(max_size=8)
    mapping = st.dictionaries(keys, JUNK, max_size=6)
    return st.one_of(
        JUNK, mapping, st.fixed_dictionaries({"Info": mapping}), st.fixed_dictionaries({"Info": JUNK})
    )


CALLS: dict[str, st.SearchStrategy[tuple[str, str, tuple[Any, ...], dict[str, Any]]]] = {
    "clients.create": _keywords(ClientInfo).map(lambda kw: ("clients", "create", (), kw)),
    "clients.update": st.tuples(IDS, _keywords(ClientInfo)).map(
        lambda a: ("clients", "update", (a[0],), a[1])
    ),
    "clients.upsert": _body(ClientInfo).map(lambda b: ("clients", "upsert", (b,), {})),
    "delivery_methods.create": st.tuples(IDS, _keywords(DeliveryMethod)).map(
        lambda a: ("delivery_methods", "create", (a[0],), a[1])
    ),
    "delivery_methods.update": st.tuples(IDS, IDS, _keywords(DeliveryMethod)).map(
        lambda a: ("delivery_methods", "update", (a[0], a[1]), a[2])
    ),
    "delivery_methods.upsert": st.tuples(IDS, _body(DeliveryMethod)).map(
        lambda a: ("delivery_methods", "upsert", a, {})
    ),
    "delivery_accounts.create": st.tuples(IDS, _keywords(DeliveryAccount)).map(
        lambda a: ("delivery_accounts", "create", (a[0],), a[1])
    ),
    "delivery_accounts.update": st.tuples(IDS, IDS, _keywords(DeliveryAccount)).map(
        lambda a: ("delivery_accounts", "update", (a[0], a[1]), a[2])
    ),
    "delivery_accounts.upsert": st.tuples(IDS, _body(DeliveryAccount)).map(
        lambda a: ("delivery_accounts", "upsert", a, {})
    ),
}


def _run_call(
    backend: str, call: tuple[str, str, tuple[Any, ...], dict[str, Any]]
) -> tuple[BaseException | None, int]:
    resource, method, args, kwargs = call
    transport = CountingTransport()

    async def go() -> BaseException | None:
        async with lx.LeadExecClient(access_token="t", transport=transport, max_retries=0) as le:
            try:
                await getattr(getattr(le, resource), method)(*args, **kwargs)
            except Exception as exc:
                return exc
        return None

    return anyio.run(go, backend=backend), len(transport.requests)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(CALLS))
@PROPS
@given(data=st.data())
def test_malformed_calls_raise_validation_error_and_send_nothing(
    name: str, backend: str, data: st.DataObject
) -> None:
    error, sent = _run_call(backend, data.draw(CALLS[name]))
    if error is None:
        assert sent == 1  # valid input after all: sent once
    else:
        assert isinstance(error, lx.ValidationError), repr(error)
        assert sent == 0
        assert str(error)  # says what is wrong


BUILDER_CALLS: dict[str, Callable[..., Any]] = {
    "Criteria.field": lx.Criteria.field,
    "Criteria.equal": lx.Criteria.equal,
    "Criteria.between": lx.Criteria.between,
    "Criteria.in_": lx.Criteria.in_,
    "Criteria.not_in": lx.Criteria.not_in,
    "Criteria.date_compare": lx.Criteria.date_compare,
    "Criteria.distance_compare": lx.Criteria.distance_compare,
    "Criteria.expression": lx.Criteria.expression,
    "Criteria.function": lx.Criteria.function,
    "FieldSetting.of": lx.FieldSetting.of,
    "FieldSetting.static": lx.FieldSetting.static,
    "FieldSetting.expression": lx.FieldSetting.expression,
    "weekly": lx.weekly,
    "on_date": lx.on_date,
}
ARITY = {
    "Criteria.field": 3,
    "Criteria.between": 3,
    "Criteria.distance_compare": 3,
    "Criteria.expression": 1,
    "Criteria.function": 1,
    "FieldSetting.of": 2,
    "FieldSetting.static": 2,
    "FieldSetting.expression": 2,
    "on_date": 1,
}
BUILDER_KEYWORDS = {
    "FieldSetting.of": ["value", "lead_field_uid", "expr", "format", "mappings"],
    "FieldSetting.static": ["format"],
    "FieldSetting.expression": ["format"],
    "weekly": ["start", "end", "allow"],
    "on_date": ["start", "end", "allow"],
}


@pytest.mark.parametrize("name", sorted(BUILDER_CALLS))
@PROPS
@given(data=st.data())
def test_malformed_builder_arguments_raise_only_validation_error(name: str, data: st.DataObject) -> None:
    arity = ARITY.get(name, 2)
    if name == "weekly":
        args = data.draw(st.lists(JUNK | st.sampled_from(list(lx.WeekDay)), max_size=3))
    else:
        args = data.draw(st.lists(JUNK, min_size=arity, max_size=arity))
    names = BUILDER_KEYWORDS.get(name, [])
    kwargs = data.draw(st.dictionaries(st.sampled_from(names), JUNK, max_size=len(names))) if names else {}
    try:
        row = BUILDER_CALLS[name](*args, **kwargs)
    except lx.ValidationError as error:
        message = str(error)
    else:
        message = ""
    if message:
        return
    # accepted: it must be a row the record builders take as it is
    rows = row if isinstance(row, list) else [row]
    assert all(type(r).__name__.startswith("Delivery") for r in rows)


# ---------------------------------------------------------------- specific bad input seen in the wild


LONE_SURROGATE = "a\udc80b"  # what os.fsdecode makes of an undecodable byte, or a bad JSON \\u escape


@pytest.mark.parametrize(
    "call",
    [
        ("clients", "create", (), {"username": LONE_SURROGATE, "password": "p"}),
        ("clients", "upsert", ({"Info": {"Username": "u", "Password": "p", "Notes": LONE_SURROGATE}},), {}),
        ("delivery_methods", "create", (1,), {"name": LONE_SURROGATE}),
        (
            "delivery_accounts",
            "create",
            (1,),
            {"delivery_uid": 2, "criteria": [{"LeadFieldUID": 1, "Value": LONE_SURROGATE}]},
        ),
        (
            "clients",
            "create",
            (),
            {
                "username": "u",
                "password": "p",
                "field_data": [{"ClientFieldUID": 1, "Value": LONE_SURROGATE}],
            },
        ),
    ],
    ids=["username", "notes", "name", "criteria", "field_data"],
)
@pytest.mark.parametrize("backend", BACKENDS)
def test_text_that_is_not_utf8_encodable_is_a_validation_error(call: Any, backend: str) -> None:
    error, sent = _run_call(backend, call)
    assert isinstance(error, lx.ValidationError), repr(error)
    assert "UTF-8" in str(error)
    assert sent == 0


def test_builders_refuse_text_that_is_not_utf8_encodable() -> None:
    for build in (
        lambda: lx.Criteria.equal(1, LONE_SURROGATE),
        lambda: lx.Criteria.in_(1, ["a", LONE_SURROGATE]),
        lambda: lx.FieldSetting.static("name", LONE_SURROGATE),
        lambda: lx.FieldSetting.lead_field("name", lead_field_uid=1, mappings={LONE_SURROGATE: "x"}),
    ):
        with pytest.raises(lx.ValidationError, match="UTF-8"):
            build()


@pytest.mark.parametrize("resource", ["delivery_methods", "delivery_accounts", "clients"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_upsert_without_a_body_is_refused(resource: str, backend: str) -> None:
    args = (None,) if resource == "clients" else (1, None)
    error, sent = _run_call(backend, (resource, "upsert", args, {}))
    assert isinstance(error, lx.ValidationError), repr(error)
    assert error.field == "body"
    assert sent == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_dates_at_the_ends_of_the_calendar_are_validation_errors(backend: str) -> None:
    far = [
        dt.datetime.min.replace(tzinfo=dt.UTC),
        dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-12))),
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
    ]
    for value in far:
        error, sent = _run_call(
            backend, ("clients", "create", (), {"username": "u", "password": "p", "date_added": value})
        )
        assert isinstance(error, lx.ValidationError), (value, error)
        assert error.field == "date_added"
        assert sent == 0
