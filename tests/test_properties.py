"""Property tests: round trips through the generated models, enum parsing, and malformed input.

Valid records are drawn from the spec's own schemas (not from the code under
test), so the builders are checked against the single source of truth.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leadexec_api_client.models import (
    ClientInfo,
    ClientUpsert,
    DeliveryAccount,
    DeliveryDay,
    DeliveryFieldSetting,
    DeliveryMethod,
)

from leadexec_async._errors import ValidationError
from leadexec_async._records import (
    SHAPES,
    build_client,
    build_delivery_account,
    build_delivery_method,
    record_id_of,
)
from leadexec_async._specfile import spec_path
from leadexec_async.enums import GENERATED, normalize

SCHEMAS = yaml.safe_load(spec_path().read_text())["components"]["schemas"]
FACADE = {cls.__name__: cls for cls in GENERATED}
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Row fields the record fills from its parent: drawn as 0 (= "fill it in").
PARENT_IDS = {"DeliveryUID", "DeliverySettingUID"}
ROW_SCHEMAS = {"DeliveryFieldSetting", "DeliveryFieldMapping", "DeliveryDay"}


def _spelt(cls: type[enum.Enum]) -> st.SearchStrategy[Any]:
    """Any member of ``cls`` as a member, value, name or label."""
    member = st.sampled_from(list(cls))
    return member.flatmap(
        lambda m: st.sampled_from([m, m.value, m.name, m.label, str(m.value), m.name.lower()])  # type: ignore[attr-defined]
    )


def _moment() -> st.SearchStrategy[Any]:
    aware = st.datetimes(
        min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(dt.UTC)
    )
    naive = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1))
    return st.one_of(
        aware, naive, naive.map(dt.datetime.isoformat), st.dates(dt.date(1990, 1, 1), dt.date(2090, 1, 1))
    )


def _value(schema_name: str, key: str, prop: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in prop:
        return _spelt(FACADE[prop["$ref"].rsplit("/", 1)[1]])
    kind = prop.get("type")
    if kind == "integer":
        if schema_name in ROW_SCHEMAS and key in PARENT_IDS:
            return st.just(0)
        return st.integers(prop.get("minimum", -(2**31)), prop.get("maximum", 2**31 - 1))
    if kind == "number":
        return st.floats(min_value=prop.get("minimum", -1e12), max_value=1e12, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and prop.get("format") == "date-time":
        return _moment()
    if kind == "string":
        return st.text(max_size=12)
    if kind == "array":
        row = prop["items"]["$ref"].rsplit("/", 1)[1]
        return st.lists(_row(row), max_size=2)
    raise AssertionError(f"{schema_name}.{key}: no strategy for {prop}")


def _object(schema_name: str, skip: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with wire keys: every required property, and any optional ones."""
    schema = SCHEMAS[schema_name]
    props = {k: v for k, v in schema["properties"].items() if k not in skip}
    required = {k: _value(schema_name, k, v) for k, v in props.items() if k in schema.get("required", [])}
    optional = {k: _value(schema_name, k, v) for k, v in props.items() if k not in schema.get("required", [])}
    return st.fixed_dictionaries(required, optional=optional)


def _row(schema_name: str) -> st.SearchStrategy[dict[str, Any]]:
    base = _object(schema_name, set())
    if schema_name == "DeliveryCriteria":  # Expression/Function rows need their expression
        return base.map(lambda d: {**d, "Expression": d["Expression"] or "x"})
    return base


def _as_keywords(model: type, wire: dict[str, Any]) -> dict[str, Any]:
    shape = SHAPES[model]
    return {shape.by_key[k].key: v for k, v in wire.items()}


def _round_trip(built: Any, model: type, rebuild: Any) -> None:
    wire = built.to_dict()
    again = model.from_dict(wire)
    assert again.to_dict() == wire
    # Feeding the wire dict or the parsed model back as an upsert body changes nothing.
    assert rebuild(wire).to_dict() == wire
    assert rebuild(again).to_dict() == wire


@PROPS
@given(
    info=_object("ClientInfo", {"ClientUID"}),
    rows=st.none() | st.lists(_row("ClientFieldData"), max_size=3),
    rid=st.sampled_from([0, 1, 2**31 - 1]),
    creds=st.tuples(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8)),
)
def test_clients_round_trip(info: dict[str, Any], rows: Any, rid: int, creds: tuple[str, str]) -> None:
    fields = _as_keywords(ClientInfo, info)
    if rid == 0:
        fields["username"], fields["password"] = creds
    if rows is not None:
        fields["field_data"] = rows
    built = build_client(record_id=rid, fields=fields)
    assert record_id_of(built) == rid
    _round_trip(built, ClientUpsert, lambda body: build_client(record_id=None, body=body))


@PROPS
@given(body=_object("DeliveryMethod", {"ClientDeliveryUID", "ClientUID"}), rid=st.integers(0, 2**31 - 1))
def test_delivery_methods_round_trip(body: dict[str, Any], rid: int) -> None:
    built = build_delivery_method(9, record_id=rid, fields=_as_keywords(DeliveryMethod, body))
    assert (record_id_of(built), built.client_uid) == (rid, 9)
    _round_trip(built, DeliveryMethod, lambda b: build_delivery_method(9, record_id=None, body=b))


@PROPS
@given(body=_object("DeliveryAccount", {"ClientAccountUID", "ClientUID"}), rid=st.integers(0, 2**31 - 1))
def test_delivery_accounts_round_trip(body: dict[str, Any], rid: int) -> None:
    built = build_delivery_account(9, record_id=rid, fields=_as_keywords(DeliveryAccount, body))
    assert (record_id_of(built), built.client_uid) == (rid, 9)
    _round_trip(built, DeliveryAccount, lambda b: build_delivery_account(9, record_id=None, body=b))


ENUMS = list(GENERATED)


@st.composite
def _mangled(draw: st.DrawFn, text: str) -> str:
    """``text`` in random case with separators sprinkled in."""
    out = []
    for ch in text:
        out.append(ch.upper() if draw(st.booleans()) else ch.lower())
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from([" ", "-", "_", "/"])))
    return "".join(out)


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_enum_parse_accepts_every_spelling(cls: Any, data: st.DataObject) -> None:
    member = data.draw(st.sampled_from(list(cls)))
    for text in (member.name, member.label, str(member.value)):
        assert cls.parse(data.draw(_mangled(text))) is member
    assert cls.parse(member.value) is member


def _should_parse(cls: Any, junk: object) -> bool:
    """An oracle written from the documented rules, independent of the lookup tables."""
    if isinstance(junk, bool):
        return False
    values = {m.value for m in cls}
    if isinstance(junk, int):
        return junk in values
    if not isinstance(junk, str):
        return False
    key = normalize(junk.strip())
    spellings = {normalize(s) for m in cls for s in (m.name, m.label, str(m.value))}
    if cls.__name__ == "WeekDay":
        spellings |= {normalize(m.name[:3]) for m in cls}
    int_digits = issubclass(cls, int) and key.isascii() and key.isdigit() and int(key) in values
    return key in spellings or int_digits


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None)
@given(
    junk=st.one_of(
        st.text(max_size=20),
        st.from_regex(r"\A ?0*[0-9]{1,2} ?\Z"),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.binary(),
    )
)
def test_enum_parse_rejects_everything_else(cls: Any, junk: object) -> None:
    if _should_parse(cls, junk):
        assert cls.parse(junk) in set(cls)
    else:
        with pytest.raises(ValidationError):
            cls.parse(junk)


ANYTHING = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=10),
        st.binary(max_size=4),
        st.datetimes(),
        st.dates(),
        st.times(),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _keys(model: type) -> st.SearchStrategy[str]:
    shape = SHAPES[model]
    return st.one_of(st.sampled_from(sorted(shape.by_key)), st.text(max_size=12))


def _nested_junk(model: type) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(_keys(model), ANYTHING, max_size=6) | _nearly_valid(model)


def _nearly_valid(model: type) -> st.SearchStrategy[dict[str, Any]]:
    """Keywords valid by the spec (as the round trips above draw them), one of them set to anything:
    so that accepted calls are common and what they produce is checked, not only refusals."""
    name = model.__name__
    skip = {"ClientAccountUID", "ClientDeliveryUID", "ClientUID"}
    valid = _object(name, skip).map(lambda wire: _as_keywords(model, wire))
    return st.tuples(valid, _keys(model), ANYTHING).map(lambda t: {**t[0], t[1]: t[2]})


_ANY_CALL = {"body", "record_id", "client_uid"}  # what every build may blame besides the given keys


def _snake(wire: str) -> str:
    """``useRegEx`` -> ``use_reg_ex``, ``FTPUser`` -> ``ftp_user`` (the keyword spelling of a wire key)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", wire).lower()


def _outcome(build: Any, model: type, *, given: set[Any], required: set[str]) -> Any:
    """Run ``build``: a refusal must name a field that was given (or a required one left out, or
    an id); an acceptance must be a whole ``model`` whose JSON a server can read. Returns the
    model, or None when refused."""
    try:
        built = build()
    except ValidationError as refused:
        error: ValidationError | None = refused
    else:
        error = None
    if error is not None:
        assert error.field is not None, str(error)
        blamable = {str(k) for k in given} | required | _ANY_CALL
        head = re.split(r"[.\[]", error.field, maxsplit=1)[0]
        assert error.field in blamable or head in blamable, (error.field, str(error), given)
        return None
    assert isinstance(built, model)
    json.dumps(built.to_dict(), allow_nan=False)  # no NaN or infinity, nothing JSON cannot hold
    return built


def _known(model: type) -> set[str]:
    """Every key the SDK must accept for ``model``: its wire keys and their keyword spellings."""
    wire = set(SHAPES[model].by_key) & {f.wire for f in SHAPES[model].fields}
    return wire | {_snake(w) for w in wire}


def _check_accepted_keys(given: Any, model: type) -> None:
    unknown = {k for k in given or {} if k not in _known(model)}
    assert not unknown, f"unknown keys accepted: {unknown}"


@PROPS
@given(
    fields=_nested_junk(DeliveryAccount),
    body=st.none() | _nested_junk(DeliveryAccount),
    rid=st.one_of(st.none(), st.integers(-2, 3), st.booleans(), st.text(max_size=2)),
    client=st.one_of(st.integers(-1, 3), st.none(), st.text(max_size=2)),
)
def test_malformed_accounts_raise_only_validation_errors(
    fields: Any, body: Any, rid: Any, client: Any
) -> None:
    built = _outcome(
        lambda: build_delivery_account(client, record_id=rid, body=body, fields=fields),
        DeliveryAccount,
        given={*fields, *(body or {})},
        required={"delivery_uid", "DeliveryUID"},
    )
    if built is None:
        return
    _check_accepted_keys(fields, DeliveryAccount)
    _check_accepted_keys(body, DeliveryAccount)
    assert type(client) is int
    assert client >= 1
    assert built.client_uid == client
    if rid is not None:
        assert type(rid) is int
        assert rid >= 0
        assert record_id_of(built) == rid
    assert built.delivery_uid >= 1  # required, and an existing method


@PROPS
@given(
    fields=_nested_junk(DeliveryMethod), body=st.none() | _nested_junk(DeliveryMethod), rid=st.integers(-1, 3)
)
def test_malformed_methods_raise_only_validation_errors(fields: Any, body: Any, rid: int) -> None:
    built = _outcome(
        lambda: build_delivery_method(3, record_id=rid, body=body, fields=fields),
        DeliveryMethod,
        given={*fields, *(body or {})},
        required=set(),
    )
    if built is None:
        return
    _check_accepted_keys(fields, DeliveryMethod)
    _check_accepted_keys(body, DeliveryMethod)
    assert rid >= 0
    assert record_id_of(built) == rid
    assert built.client_uid == 3


@PROPS
@given(
    fields=st.dictionaries(
        st.one_of(
            st.sampled_from(["username", "password", "status", "field_data", "date_added"]),
            st.text(max_size=8),
        ),
        ANYTHING,
        max_size=6,
    ),
    body=st.none()
    | st.dictionaries(st.sampled_from(["Info", "info", "FieldData", "x"]), ANYTHING, max_size=3),
    rid=st.integers(-1, 3) | st.none(),
)
def test_malformed_clients_raise_only_validation_errors(fields: Any, body: Any, rid: Any) -> None:
    built = _outcome(
        lambda: build_client(record_id=rid, body=body, fields=fields),
        ClientUpsert,
        given={*fields, *(body or {})},
        required={"username", "password", "Info", "Username", "Password"},
    )
    if built is None:
        return
    assert set(fields) <= _known(ClientInfo) | {"field_data"}, fields
    assert set(body or {}) <= {"Info", "FieldData"}, body
    if rid is not None:
        assert rid >= 0
        assert record_id_of(built) == rid
    if not record_id_of(built):  # a create: the reference requires both
        assert built.info.username
        assert built.info.password


ROW_MODELS = {"field_settings": DeliveryFieldSetting, "delivery_days": DeliveryDay}


@PROPS
@given(data=st.data(), which=st.sampled_from(sorted(ROW_MODELS)))
def test_malformed_rows_raise_only_validation_errors(data: st.DataObject, which: str) -> None:
    rows = data.draw(st.lists(ANYTHING | _nested_junk(ROW_MODELS[which]), max_size=3))
    built = _outcome(
        lambda: build_delivery_method(3, record_id=0, fields={which: rows}),
        DeliveryMethod,
        given={which},
        required=set(),
    )
    if built is not None:  # every row given is sent, each a whole row of its kind
        sent = getattr(built, which)
        assert len(sent) == len(rows)
        assert all(isinstance(row, ROW_MODELS[which]) for row in sent)
