"""Property tests that extend tests/test_properties.py.

* every generated model of the spec round-trips from spec-shaped wire data
  (``from_dict`` then ``to_dict`` gives the same dict);
* every row the facade builds (rows, builder rows) round-trips and is a fixed
  point of the facade (building it again changes nothing), and every record
  the facade builds passes the spec's own request validator (the one the
  emulator uses), so "whatever the SDK accepts, the API accepts";
* every enum's ``parse`` takes each member's value, name, label and generated
  twin, exhaustively, and refuses members of other enums, floats, bytes and
  the like with ValidationError.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leadexec_api_client import models as gen
from leadexec_api_client.models import (
    DeliveryCriteria,
    DeliveryDay,
    DeliveryFieldMapping,
    DeliveryFieldSetting,
)

import leadexec_async as lx
from leadexec_async._records import (
    SHAPES,
    build_client,
    build_delivery_account,
    build_delivery_method,
    build_row,
)
from leadexec_async._specfile import spec_path
from leadexec_async.emulator._schema import load_schemas
from leadexec_async.enums import GENERATED

SCHEMAS: dict[str, Any] = yaml.safe_load(spec_path().read_text())["components"]["schemas"]
VALIDATORS = load_schemas().bodies
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OBJECTS = sorted(name for name, schema in SCHEMAS.items() if schema.get("type") == "object")
ENUMS = list(GENERATED)

OFFSETS = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=-8)), dt.timezone(dt.timedelta(hours=5, minutes=30))]
)


def _iso_moment() -> st.SearchStrategy[str]:
    moments = st.datetimes(
        min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2150, 1, 1), timezones=OFFSETS
    )
    return moments.map(dt.datetime.isoformat)


def _wire(name: str) -> st.SearchStrategy[Any]:
    """Spec-shaped wire data of schema ``name``, every value in the canonical form ``to_dict`` writes."""
    schema = SCHEMAS[name]
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    strategies = {key: _prop(prop) for key, prop in props.items()}
    return st.fixed_dictionaries(
        {k: v for k, v in strategies.items() if k in required},
        optional={k: v for k, v in strategies.items() if k not in required},
    )


def _prop(prop: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in prop:
        return st.deferred(lambda: _wire(prop["$ref"].rsplit("/", 1)[1]))
    kind = prop["type"]
    if kind == "integer":
        low = prop.get("minimum", -(2**31))
        return st.integers(low, prop.get("maximum", 2**31 - 1))
    if kind == "number":
        return st.floats(min_value=prop.get("minimum", -1e15), max_value=1e15, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_prop(prop["items"]), max_size=2)
    if prop.get("format") == "date-time":
        return _iso_moment()
    text = st.text(min_size=prop.get("minLength", 0), max_size=12)
    return st.none() | text if prop.get("nullable") else text


@pytest.mark.parametrize("name", OBJECTS)
@PROPS
@given(data=st.data())
def test_every_generated_model_round_trips_its_wire_form(name: str, data: st.DataObject) -> None:
    model = getattr(gen, name)
    wire = data.draw(_wire(name))
    parsed = model.from_dict(wire)
    assert parsed.to_dict() == wire
    assert model.from_dict(parsed.to_dict()) == parsed


# ---------------------------------------------------------------- rows and records built by the facade


def _spelt(cls: type[enum.Enum]) -> st.SearchStrategy[Any]:
    member = st.sampled_from(list(cls))
    return member.flatmap(
        lambda m: st.sampled_from([m, m.value, m.name, m.label, GENERATED[cls](m.value)])  # type: ignore[attr-defined]
    )


def _facade_value(key: str, prop: dict[str, Any], parent_ids: bool) -> st.SearchStrategy[Any]:
    if "$ref" in prop:
        ref = prop["$ref"].rsplit("/", 1)[1]
        facade = {c.__name__: c for c in GENERATED}[ref]
        return _spelt(facade)
    if prop["type"] == "integer" and key in ("DeliveryUID", "DeliverySettingUID") and parent_ids:
        return st.just(0)  # filled from the parent
    if prop["type"] == "string" and prop.get("format") == "date-time":
        aware = st.datetimes(
            min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2150, 1, 1), timezones=OFFSETS
        )
        naive = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2150, 1, 1))
        return aware | naive | aware.map(dt.datetime.isoformat) | st.dates(dt.date(1950, 1, 1))
    if prop["type"] == "array":
        row = prop["items"]["$ref"].rsplit("/", 1)[1]
        return st.lists(_facade_row(row), max_size=2)
    return _prop(prop)


def _facade_row(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword-named input for one row, as a caller writes it (enum labels, datetimes, ...)."""
    schema = SCHEMAS[name]
    model = getattr(gen, name)
    shape = SHAPES[model]
    props = {k: v for k, v in schema["properties"].items()}
    required = set(schema.get("required", []))
    values = {shape.by_key[k].key: _facade_value(k, v, True) for k, v in props.items()}
    base = st.fixed_dictionaries(
        {k: v for k, v in values.items() if shape.by_kw[k].wire in required},
        optional={k: v for k, v in values.items() if shape.by_kw[k].wire not in required},
    )
    if model is DeliveryCriteria:
        return base.map(lambda d: {**d, "expression": d.get("expression") or "x"})
    return base


ROWS = [DeliveryCriteria, DeliveryDay, DeliveryFieldMapping, DeliveryFieldSetting, gen.ClientFieldData]


@pytest.mark.parametrize("model", ROWS, ids=lambda m: m.__name__)
@PROPS
@given(data=st.data())
def test_every_row_the_facade_builds_round_trips_and_is_a_fixed_point(
    model: type, data: st.DataObject
) -> None:
    row = build_row(model, data.draw(_facade_row(model.__name__)))
    wire = row.to_dict()
    assert model.from_dict(wire) == row
    assert build_row(model, wire).to_dict() == wire
    assert build_row(model, row).to_dict() == wire


def _spec_valid(operation: str, model: Any, creating: bool) -> None:
    body = json.loads(json.dumps(model.to_dict()))
    problem = VALIDATORS[operation].check(body, creating=creating)
    assert problem is None, problem


def _record_keywords(name: str, skip: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    schema = SCHEMAS[name]
    shape = SHAPES[getattr(gen, name)]
    values = {
        shape.by_key[k].key: _facade_value(k, v, False)
        for k, v in schema["properties"].items()
        if k not in skip
    }
    return st.fixed_dictionaries({}, optional=values)


@PROPS
@given(
    fields=_record_keywords("ClientInfo", {"ClientUID"}),
    field_data=st.none() | st.lists(_facade_row("ClientFieldData"), max_size=2),
    rid=st.sampled_from([0, 5]),
)
def test_every_client_the_facade_accepts_the_spec_accepts(
    fields: dict[str, Any], field_data: Any, rid: int
) -> None:
    if rid == 0:
        fields = {
            **fields,
            "username": fields.get("username") or "u",
            "password": fields.get("password") or "p",
        }
    if field_data is not None:
        fields["field_data"] = field_data
    built = build_client(record_id=rid, fields=fields)
    _spec_valid("upsert_client", built, creating=rid == 0)
    assert build_client(record_id=None, body=built.to_dict()).to_dict() == built.to_dict()


@PROPS
@given(
    fields=_record_keywords("DeliveryMethod", {"ClientDeliveryUID", "ClientUID"}), rid=st.sampled_from([0, 3])
)
def test_every_delivery_method_the_facade_accepts_the_spec_accepts(fields: dict[str, Any], rid: int) -> None:
    built = build_delivery_method(7, record_id=rid, fields=fields)
    _spec_valid("upsert_delivery_method", built, creating=rid == 0)
    assert build_delivery_method(7, record_id=None, body=built.to_dict()).to_dict() == built.to_dict()


@PROPS
@given(
    fields=_record_keywords("DeliveryAccount", {"ClientAccountUID", "ClientUID", "DeliveryUID"}),
    rid=st.sampled_from([0, 3]),
)
def test_every_delivery_account_the_facade_accepts_the_spec_accepts(fields: dict[str, Any], rid: int) -> None:
    built = build_delivery_account(7, record_id=rid, fields={**fields, "delivery_uid": 9})
    _spec_valid("upsert_delivery_account", built, creating=rid == 0)
    assert build_delivery_account(7, record_id=None, body=built.to_dict()).to_dict() == built.to_dict()


# ---------------------------------------------------------------- builder rows

SCALAR = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters=",", blacklist_categories=["Cs"]), max_size=8),
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
)
FIELD = st.integers(0, 2**31 - 1)
TIME = st.times() | st.times().map(lambda t: t.replace(microsecond=0).isoformat())
BUILDERS = {
    "equal": st.tuples(FIELD, SCALAR).map(lambda a: lx.Criteria.equal(*a)),
    "not_equal": st.tuples(FIELD, SCALAR).map(lambda a: lx.Criteria.not_equal(*a)),
    "greater": st.tuples(FIELD, SCALAR).map(lambda a: lx.Criteria.greater(*a)),
    "less_or_equal": st.tuples(FIELD, SCALAR).map(lambda a: lx.Criteria.less_or_equal(*a)),
    "contains": st.tuples(FIELD, SCALAR).map(lambda a: lx.Criteria.contains(*a)),
    "between": st.tuples(FIELD, SCALAR, SCALAR).map(lambda a: lx.Criteria.between(*a)),
    "in_": st.tuples(FIELD, st.lists(SCALAR, min_size=1, max_size=4)).map(lambda a: lx.Criteria.in_(*a)),
    "not_in": st.tuples(FIELD, st.lists(SCALAR, min_size=1, max_size=4)).map(
        lambda a: lx.Criteria.not_in(*a)
    ),
    "date_compare": st.tuples(FIELD, st.datetimes(min_value=dt.datetime(1950, 1, 1), timezones=OFFSETS)).map(
        lambda a: lx.Criteria.date_compare(*a)
    ),
    "distance_compare": st.tuples(FIELD, SCALAR, st.floats(0, 1e4)).map(
        lambda a: lx.Criteria.distance_compare(*a)
    ),
    "expression": st.text(min_size=1, max_size=10).filter(str.strip).map(lx.Criteria.expression),
    "function": st.text(min_size=1, max_size=10).filter(str.strip).map(lx.Criteria.function),
    "static": st.tuples(st.text(min_size=1, max_size=8).filter(str.strip), st.text(max_size=8)).map(
        lambda a: lx.FieldSetting.static(*a)
    ),
    "lead_field": st.tuples(
        st.text(min_size=1, max_size=8).filter(str.strip),
        FIELD,
        st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3),
    ).map(lambda a: lx.FieldSetting.lead_field(a[0], lead_field_uid=a[1], mappings=a[2])),
    "setting_expression": st.tuples(
        st.text(min_size=1, max_size=8).filter(str.strip), st.text(min_size=1, max_size=8).filter(str.strip)
    ).map(lambda a: lx.FieldSetting.expression(*a)),
    "on_date": st.tuples(st.dates(dt.date(1950, 1, 1), dt.date(2150, 1, 1)), TIME, TIME, st.booleans()).map(
        lambda a: lx.on_date(a[0], start=a[1], end=a[2], allow=a[3])
    ),
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_builder_row_round_trips_and_goes_into_a_spec_valid_record(
    builder: str, data: st.DataObject
) -> None:
    row = data.draw(BUILDERS[builder])
    model = type(row)
    wire = row.to_dict()
    assert model.from_dict(wire) == row
    assert build_row(model, wire).to_dict() == wire
    if model is DeliveryCriteria:
        record = build_delivery_account(4, record_id=0, fields={"delivery_uid": 2, "criteria": [row]})
        _spec_valid("upsert_delivery_account", record, creating=True)
    else:
        key = "field_settings" if model is DeliveryFieldSetting else "delivery_days"
        method = build_delivery_method(4, record_id=0, fields={key: [row]})
        _spec_valid("upsert_delivery_method", method, creating=True)


@settings(max_examples=25, deadline=None)
@given(
    days=st.lists(_spelt(lx.WeekDay), min_size=1, max_size=9),
    start=TIME,
    end=TIME,
)
def test_weekly_rows_round_trip_one_per_distinct_day(days: list[Any], start: Any, end: Any) -> None:
    rows = lx.weekly(*days, start=start, end=end)
    assert len(rows) == len({lx.WeekDay.parse(d) for d in days})
    for row in rows:
        assert DeliveryDay.from_dict(row.to_dict()) == row
    _spec_valid(
        "upsert_delivery_method", build_delivery_method(1, record_id=0, fields={"delivery_days": rows}), True
    )


# ---------------------------------------------------------------- enums, exhaustively


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
def test_every_spelling_of_every_member_parses(cls: Any) -> None:
    twin = GENERATED[cls]
    for member in cls:
        spellings = [
            member,
            member.value,
            str(member.value),
            member.name,
            member.name.lower(),
            member.label,
            member.label.upper(),
            f"  {member.label}  ",
            twin(member.value),
        ]
        for spelling in spellings:
            assert cls.parse(spelling) is member, spelling


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
def test_parse_refuses_what_only_looks_like_a_member(cls: Any) -> None:
    int_enum = issubclass(cls, int)
    wrong: list[object] = [None, b"x", [], {}, object(), 1.5, True, False, ""]
    for member in cls:
        wrong.append(member.name.encode())  # bytes, not text
        if int_enum:
            wrong.append(float(member.value))  # 12.0 is not 12
        else:
            wrong.append([member.value])
    for other in ENUMS:
        if other is not cls:
            wrong.extend(other)  # a member of another enum, even one with an equal value
    missing = max((m.value for m in cls if isinstance(m.value, int)), default=None)
    if missing is not None:
        wrong += [missing + 1, -1, str(missing + 1), 2**70]
    for value in wrong:
        with pytest.raises(lx.ValidationError) as caught:
            cls.parse(value)
        assert cls.__name__ in str(caught.value), value
