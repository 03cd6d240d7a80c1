"""Random malformed input to every public method: ValidationError, never another exception, and nothing sent.

The client methods (``clients`` / ``delivery_methods`` / ``delivery_accounts``
``create`` / ``update`` / ``upsert``) run against a counting transport: a call
that raises must have sent zero requests. A call that does not raise sends
exactly one, and must have been valid by an independent oracle: ``ORACLE``
below, written here from the API reference's types and bounds (not read from
the SDK or the spec). The oracle also generates input it forbids (0 ids,
integers out of range, NaN and infinities, wrong types), which must be refused
with a ValidationError naming the field, before anything is sent. The builders
(``Criteria``, ``FieldSetting``, ``weekly``, ``on_date``) raise ValidationError
and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
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


# ---------------------------------------------------------------- the oracle
#
# From the reference (../shared/seed/leadexec-api-reference.md): identifiers and counts are
# `integer` / `int`, which the .NET backend holds in 32 bits; an id in the URL names an existing
# record, so it is at least 1; `Price` is a `double`, which has no NaN or infinity in JSON; the
# quantity limits are counts where "-1 means no maximum"; `DeliveryDelay` is a number of seconds;
# `AlternatePosting` names a method, 0 for none; `TimeOffset` is hours from UTC, which on Earth run
# from -12 to +14; `bool` fields are true or false; `string` fields are text.

LOWEST, HIGHEST = -(2**31), 2**31 - 1


@dataclass(frozen=True)
class Rule:
    keyword: str  # the SDK's keyword for the field (its wire name in snake case)
    wire: str  # the reference's name
    kind: str  # "int", "number", "bool" or "str"
    lo: int = LOWEST
    hi: int = HIGHEST

    def allows(self, value: Any) -> bool:
        """Whether the reference allows ``value`` here. Only what it forbids outright is False."""
        if self.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool) and self.lo <= value <= self.hi
        if self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if isinstance(value, int):
                return abs(value) <= sys.float_info.max  # a double holds it
            return math.isfinite(value)
        if self.kind == "bool":
            return isinstance(value, bool)
        return isinstance(value, str)

    def edges(self) -> list[Any]:
        """Values just outside what the rule allows, and values of the wrong type."""
        wrong_type: list[Any] = {
            "int": [True, 1.0, "1", None],
            "number": [True, "1.5", None],
            "bool": [1, 0, "true", None],
            "str": [1, b"x", None],
        }[self.kind]
        if self.kind == "int":
            return [self.lo - 1, self.hi + 1, *wrong_type]
        if self.kind == "number":
            return [math.nan, math.inf, -math.inf, 10**400, *wrong_type]
        return wrong_type

    def forbidden(self) -> st.SearchStrategy[Any]:
        """Any value the rule forbids."""
        if self.kind == "int":
            out_of_range = st.integers(max_value=self.lo - 1) | st.integers(min_value=self.hi + 1)
            return out_of_range | st.floats() | st.booleans() | st.text(max_size=3) | st.none()
        if self.kind == "number":
            not_finite = st.sampled_from([math.nan, math.inf, -math.inf]) | st.integers(min_value=2**1024)
            return not_finite | st.booleans() | st.text(max_size=3) | st.none()
        return st.sampled_from(self.edges()) | st.binary(max_size=2) | st.lists(st.none(), max_size=1)


PATH_ID = Rule("id", "url segment", "int", 1)
ORACLE: dict[str, list[Rule]] = {
    "clients": [
        Rule("user_uid", "UserUID", "int"),
        Rule("time_offset", "TimeOffset", "int", -12, 14),
        Rule("reseller_uid", "ResellerUID", "int"),
        Rule("group_uid", "GroupUID", "int"),
        Rule("override_reassign", "OverrideReassign", "bool"),
        Rule("notes", "Notes", "str"),
        Rule("time_zone_name", "TimeZoneName", "str"),
    ],
    "delivery_methods": [
        Rule("lead_type_uid", "LeadTypeUID", "int"),
        Rule("lead_cat_uid", "LeadCatUID", "int"),
        Rule("in_testing", "inTesting", "bool"),
        Rule("use_reg_ex", "useRegEx", "bool"),
        Rule("smtp_auth", "SMTPAuth", "bool"),
        Rule("email_notify", "EmailNotify", "bool"),
        Rule("name", "Name", "str"),
        Rule("delivery_address", "DeliveryAddress", "str"),
    ],
    "delivery_accounts": [
        Rule("delivery_uid", "DeliveryUID", "int", 1),
        Rule("price", "Price", "number"),
        Rule("hour_max", "HourMax", "int", -1),
        Rule("day_max", "DayMax", "int", -1),
        Rule("week_max", "WeekMax", "int", -1),
        Rule("month_max", "MonthMax", "int", -1),
        Rule("delivery_delay", "DeliveryDelay", "int", 0),
        Rule("alternate_posting", "AlternatePosting", "int", 0),
        Rule("use_order", "useOrder", "bool"),
        Rule("automation_enabled", "AutomationEnabled", "bool"),
        Rule("description", "Description", "str"),
    ],
}
# What each call needs besides the field under test (valid by the reference).
VALID: dict[str, dict[str, Any]] = {
    "clients": {"username": "u", "password": "p"},
    "delivery_methods": {"name": "m", "type": "HTTP POST"},
    "delivery_accounts": {"delivery_uid": 7},
}


def _ids(resource: str, method: str) -> int:
    """How many ids the call takes before its fields: client id (not for clients), record id (update)."""
    return (0 if resource == "clients" else 1) + (1 if method == "update" else 0)


def _whole(method: str) -> dict[str, Any]:
    """What lets an update of some fields through (the rest reset to their defaults): these
    tests judge the values given, not the refusal of a partial update (tests/test_update_safety.py)."""
    return {"reset_omitted": True} if method == "update" else {}


def _violations(call: tuple[str, str, tuple[Any, ...], dict[str, Any]]) -> list[str]:
    """The fields of ``call`` whose value the oracle forbids (named as in the call)."""
    resource, method, args, kwargs = call
    found: list[str] = []
    if method in ("create", "update"):
        ids = args[: _ids(resource, method)]
        found += [f"id #{n}" for n, value in enumerate(ids) if not PATH_ID.allows(value)]
        found += [
            r.keyword for r in ORACLE[resource] if r.keyword in kwargs and not r.allows(kwargs[r.keyword])
        ]
        return found
    if resource != "clients" and not PATH_ID.allows(args[0]):
        found.append("client id")
    body = args[-1]
    if resource == "clients" and isinstance(body, dict):
        body = body.get("Info")
    if isinstance(body, dict):
        found += [r.wire for r in ORACLE[resource] if r.wire in body and not r.allows(body[r.wire])]
    return found


def _field_call(
    resource: str, method: str, rule: Rule, value: Any
) -> tuple[str, str, tuple[Any, ...], dict[str, Any]]:
    """A call valid by the oracle in every respect except ``rule``'s field, set to ``value``."""
    return resource, method, (3, 5)[: _ids(resource, method)], {**VALID[resource], rule.keyword: value}


def _case_id(part: Any) -> str:
    return part.keyword if isinstance(part, Rule) else str(part)


FIELD_CASES = [
    (resource, method, rule)
    for resource, rules in ORACLE.items()
    for rule in rules
    for method in ("create", "update")
]
ID_CASES = [
    (resource, method, position)
    for resource in ORACLE
    for method in ("create", "update")
    for position in range(_ids(resource, method))
]


def _run_call(
    backend: str, call: tuple[str, str, tuple[Any, ...], dict[str, Any]]
) -> tuple[BaseException | None, int]:
    resource, method, args, kwargs = call
    transport = CountingTransport()

    async def go() -> BaseException | None:
        async with lx.LeadExecClient(access_token="t", transport=transport, max_retries=0) as le:
            try:
                await getattr(getattr(le, resource), method)(*args, **kwargs, **_whole(method))
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
    call = data.draw(CALLS[name])
    error, sent = _run_call(backend, call)
    if error is None:
        assert _violations(call) == []  # accepted: the reference allows every value the oracle knows
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


# ---------------------------------------------------------------- input the oracle forbids


def _refused(backend: str, call: tuple[str, str, tuple[Any, ...], dict[str, Any]], field: str) -> None:
    error, sent = _run_call(backend, call)
    assert isinstance(error, lx.ValidationError), f"{call!r} was not refused: {error!r}"
    assert sent == 0
    assert error.field == field, (error.field, str(error))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("resource", "method", "rule"), FIELD_CASES, ids=_case_id)
def test_values_just_outside_the_reference_are_refused_naming_the_field(
    resource: str, method: str, rule: Rule, backend: str
) -> None:
    for value in rule.edges():
        _refused(backend, _field_call(resource, method, rule, value), rule.keyword)


@pytest.mark.parametrize(("resource", "method", "rule"), FIELD_CASES, ids=_case_id)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_the_reference_forbids_is_refused_naming_the_field(
    resource: str, method: str, rule: Rule, data: st.DataObject
) -> None:
    value = data.draw(rule.forbidden())
    assert not rule.allows(value)  # the oracle agrees with itself
    _refused("asyncio", _field_call(resource, method, rule, value), rule.keyword)


@pytest.mark.parametrize(("resource", "method", "rule"), FIELD_CASES, ids=_case_id)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_values_the_reference_allows_are_sent_as_given(
    resource: str, method: str, rule: Rule, data: st.DataObject
) -> None:
    value = data.draw(
        {
            "int": st.integers(rule.lo, rule.hi),
            "number": st.floats(min_value=0, max_value=1e12, allow_nan=False),
            "bool": st.booleans(),
            "str": st.text(st.characters(codec="utf-8"), max_size=8),
        }[rule.kind]
    )
    transport = CountingTransport()

    async def go() -> None:
        async with lx.LeadExecClient(access_token="t", transport=transport, max_retries=0) as le:
            ids = (3, 5)[: _ids(resource, method)]
            fields = {**VALID[resource], rule.keyword: value, **_whole(method)}
            await getattr(getattr(le, resource), method)(*ids, **fields)

    anyio.run(go)
    [request] = transport.requests
    body = json.loads(request.content)
    sent = (body["Info"] if resource == "clients" else body)[rule.wire]
    assert (sent == value and type(sent) is type(value)) or (rule.kind == "number" and sent == float(value))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("resource", "method", "position"), ID_CASES, ids=str)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_ids_the_reference_forbids_are_refused(
    resource: str, method: str, position: int, backend: str, data: st.DataObject
) -> None:
    bad = data.draw(st.sampled_from([*PATH_ID.edges(), 0]) | PATH_ID.forbidden())
    ids = [3, 5][: _ids(resource, method)]
    ids[position] = bad
    error, sent = _run_call(backend, (resource, method, tuple(ids), dict(VALID[resource])))
    assert isinstance(error, lx.ValidationError), f"id {bad!r} was not refused: {error!r}"
    assert sent == 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("resource", "method", "position"), ID_CASES, ids=str)
def test_id_zero_is_refused(resource: str, method: str, position: int, backend: str) -> None:
    """0 means "new" in a body; in the URL it names no record (the reference: an existing identifier)."""
    ids = [3, 5][: _ids(resource, method)]
    ids[position] = 0
    error, sent = _run_call(backend, (resource, method, tuple(ids), dict(VALID[resource])))
    assert isinstance(error, lx.ValidationError), repr(error)
    assert sent == 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("resource", ["delivery_methods", "delivery_accounts", "clients"])
def test_upsert_bodies_are_held_to_the_oracle(resource: str, backend: str) -> None:
    """The same rules for a whole body given to ``upsert`` (wire names)."""
    for rule in ORACLE[resource]:
        for value in rule.edges():
            fields = {"Username": "u", "Password": "p"} if resource == "clients" else {}
            if resource == "delivery_accounts":
                fields = {"ClientAccountUID": 0, "DeliveryUID": 7}
            if resource == "delivery_methods":
                fields = {"ClientDeliveryUID": 0, "Name": "m", "Type": 0}
            fields[rule.wire] = value
            body: dict[str, Any] = {"Info": fields} if resource == "clients" else fields
            args = (body,) if resource == "clients" else (3, body)
            call = (resource, "upsert", args, {})
            assert _violations(call) == [rule.wire]
            _refused(backend, call, f"Info.{rule.wire}" if resource == "clients" else rule.wire)
