"""What each record needs: wire-body validation, defaults and "did you mean".

The request layer turns a call into one of the generated models with
:func:`build_client`, :func:`build_delivery_method` or
:func:`build_delivery_account`, then sends ``model.to_dict()``. Everything is
checked here, before anything is sent; the only exception these functions
raise for bad input is :class:`~leadexec_async.ValidationError`, whose
``field`` is the offending field as the caller spelt it (a keyword such as
``price``, or a dotted wire path such as ``Criteria[0].Operator``).

``record_id=0`` creates, ``record_id=n`` (n > 0) replaces record n, and
``record_id=None`` is an upsert that reads the id from ``body`` (missing = 0).
``fields`` holds keywords (the generated attribute names, without the
trailing ``_`` of ``type_`` and ``format_``) and wins over ``body``. A body or
a nested row may be a generated model or a mapping with wire keys or keyword
names. Every enum value accepts whatever the enum's ``parse`` accepts; every
date-time follows :mod:`leadexec_async._time` (sent as Pacific Time).

The endpoints replace the whole record, so every field the API requires is
always sent; a field the caller leaves out gets its default:

=================================  ======================================================
record / row                       default of a field left out
=================================  ======================================================
client (``Info``)                  ``DateAdded`` now (Pacific), ``Status`` Active,
                                   ``UserUID``/``ResellerUID``/``GroupUID`` 0,
                                   ``TimeOffset`` -8, ``TimeZoneName``
                                   "Pacific Standard Time", ``Notes`` "",
                                   ``OverrideReassign`` false,
                                   ``DeliveryAccountAutomationType`` Price.
                                   ``Username`` and ``Password`` are required (non-empty)
                                   on create; on update they are left out of the body when
                                   not given, so an update never blanks a password.
delivery method                    ``Type`` HTTP POST, ``Name`` "", ``Status`` (enabled)
                                   true, ``DateAdded`` now, ``inTesting``/``useRegEx``/
                                   ``SMTPAuth``/``EmailNotify`` false, ``LeadTypeUID``/
                                   ``LeadCatUID`` 0, every string "".
delivery account                   ``DeliveryUID`` is required. ``Price`` 0.0,
                                   ``HourMax``/``DayMax``/``WeekMax``/``MonthMax`` -1
                                   (no maximum), ``useOrder``/``AutomationEnabled`` false,
                                   ``Status`` Open (12), ``DeliveryDelay`` 0,
                                   ``AlternatePosting`` 0, ``AccountType`` General, every
                                   string "". ``Offer*`` fields are sent only when given.
``FieldData`` row                  ``ClientFieldUID`` and ``Value`` are required.
``FieldSettings`` row              ``FieldName`` is required. ``DeliverySettingUID`` 0,
                                   ``DeliveryUID`` the method's id, ``Delete`` false,
                                   ``FieldType`` Static Value, ``LeadFieldUID`` 0,
                                   ``hasMap`` true when it has mappings, strings "".
``FieldMappings`` row              ``FieldValue`` and ``DeliveryValue`` are required.
                                   ``DeliveryMappingUID`` 0, ``Delete`` false,
                                   ``DeliverySettingUID`` the parent setting's id.
``DeliveryDays`` row               ``WeekDay`` is required unless ``StaticDate`` is given
                                   (then it is that date's day). ``StaticDate``
                                   2000-01-01 (assumption: a placeholder for weekly rows),
                                   ``StartTime`` 00:00, ``EndTime`` 23:59:59 on the row's
                                   date, ``Allow`` true, ``DeliveryUID`` the method's id.
                                   Start/EndTime also take a ``datetime.time``.
``Criteria`` row                   ``Type`` FieldValue (then ``LeadFieldUID`` is required),
                                   ``Operator`` Equal, ``Value``/``Expression`` "" (an
                                   Expression or Function row requires ``Expression``),
                                   ``LeadFieldUID`` 0, ``ClientCriteriaUID`` 0.
=================================  ======================================================

Child arrays (``FieldData``, ``FieldSettings``, ``DeliveryDays``,
``Criteria``) are sent only when given; ``[]`` sends an empty array.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

import attrs
from leadexec_api_client.models import (
    ClientFieldData,
    ClientInfo,
    ClientUpsert,
    DeliveryAccount,
    DeliveryCriteria,
    DeliveryDay,
    DeliveryFieldMapping,
    DeliveryFieldSetting,
    DeliveryMethod,
)
from leadexec_api_client.types import UNSET

from . import enums as _enums
from ._errors import ValidationError
from ._time import now_pacific, to_pacific

__all__ = [
    "SECRET_FIELDS",
    "SHAPES",
    "Shape",
    "build_client",
    "build_delivery_account",
    "build_delivery_method",
    "build_row",
    "masked_wire",
    "record_id_of",
    "require_positive_id",
]

Converter = Callable[[Any, str], Any]
"""Checks and converts one value; the second argument is the field path used in errors."""

INT32 = (-(2**31), 2**31 - 1)
_EMPTY: Mapping[str, Any] = MappingProxyType({})

# Bounds the spec puts on numbers (minimum / maximum), by "Schema.WireKey". Numbers not
# listed only have to fit in 32 bits. tests/test_records.py checks this table against the spec.
BOUNDS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "ClientInfo.ClientUID": (0, INT32[1]),
        "ClientInfo.TimeOffset": (-12, 14),
        "DeliveryFieldMapping.DeliveryMappingUID": (0, INT32[1]),
        "DeliveryFieldMapping.DeliverySettingUID": (0, INT32[1]),
        "DeliveryFieldSetting.DeliverySettingUID": (0, INT32[1]),
        "DeliveryFieldSetting.DeliveryUID": (0, INT32[1]),
        "DeliveryFieldSetting.LeadFieldUID": (0, INT32[1]),
        "DeliveryDay.DeliveryDayUID": (0, INT32[1]),
        "DeliveryDay.DeliveryUID": (0, INT32[1]),
        "DeliveryMethod.ClientDeliveryUID": (0, INT32[1]),
        "DeliveryMethod.ClientUID": (1, INT32[1]),
        "DeliveryCriteria.ClientCriteriaUID": (0, INT32[1]),
        "DeliveryCriteria.LeadFieldUID": (0, INT32[1]),
        "DeliveryAccount.ClientAccountUID": (0, INT32[1]),
        "DeliveryAccount.ClientUID": (1, INT32[1]),
        "DeliveryAccount.DeliveryUID": (1, INT32[1]),
        "DeliveryAccount.Price": (0, math.inf),
        "DeliveryAccount.HourMax": (-1, INT32[1]),
        "DeliveryAccount.DayMax": (-1, INT32[1]),
        "DeliveryAccount.MonthMax": (-1, INT32[1]),
        "DeliveryAccount.WeekMax": (-1, INT32[1]),
        "DeliveryAccount.DeliveryDelay": (0, INT32[1]),
        "DeliveryAccount.AlternatePosting": (0, INT32[1]),
    }
)

# Names people use for a field that is spelt differently on the wire (the reference's tables).
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "Settings": "FieldSettings",
        "Setting": "FieldSettings",
        "settings": "field_settings",
        "Mappings": "FieldMappings",
        "Mapping": "FieldMappings",
        "mappings": "field_mappings",
    }
)


def check_id(value: object, field: str, *, minimum: int) -> int:
    """Return ``value`` if it is an int (not a bool) from ``minimum`` to 2**31-1, else raise."""
    if type(value) is int and minimum <= value <= INT32[1]:
        return value
    what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    shown = repr(value) if isinstance(value, int) else type(value).__name__
    raise ValidationError(f"{field}: expected {what}, got {shown}", field=field)


def _where(path: str) -> str:
    return f"{path}: " if path else ""


def _type_error(path: str, expected: str, value: object) -> ValidationError:
    # Only the type is named: values may be secrets.
    return ValidationError(f"{_where(path)}expected {expected}, got {type(value).__name__}", field=path)


def _int(lo: float, hi: float) -> Converter:
    def convert(value: Any, path: str) -> Any:
        if type(value) is not int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise _type_error(path, "an integer", value)
            value = int(value)
        if not lo <= value <= hi:
            raise ValidationError(
                f"{_where(path)}expected an integer from {lo} to {hi}, got {value}", field=path
            )
        return value

    return convert


def _number(lo: float, hi: float) -> Converter:
    above = f" >= {lo:g}" if lo > -math.inf else ""

    def convert(value: Any, path: str) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _type_error(path, "a number", value)
        try:
            value = float(value)
        except OverflowError:  # an int too big for a float
            value = math.inf
        if not (lo <= value <= hi and math.isfinite(value)):  # NaN fails the comparison
            raise ValidationError(f"{_where(path)}expected a finite number{above}, got {value}", field=path)
        return value

    return convert


def _bool(value: Any, path: str) -> Any:
    if value is True or value is False:
        return value
    raise _type_error(path, "true or false (a bool)", value)


def _str(value: Any, path: str) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise _type_error(path, "a string", value)


def _datetime(value: Any, path: str) -> Any:
    return to_pacific(value, path)


def _datetime_or_time(value: Any, path: str) -> Any:
    return value if isinstance(value, _dt.time) else to_pacific(value, path)


def _enum(cls: type[Any]) -> Converter:
    table = {m: _enums.to_generated(m) for m in cls}

    def convert(value: Any, path: str) -> Any:
        return table[_enums.parse_enum(cls, value, path)]

    return convert


def rows_converter(shape: Shape) -> Converter:
    """A converter for a list of rows of ``shape`` (models, builder objects or mappings)."""

    def convert(value: Any, path: str) -> Any:
        if not isinstance(value, list | tuple):
            raise _type_error(path, f"a list of {shape.title} rows", value)
        return [shape.convert_row(row, f"{path}[{i}]") for i, row in enumerate(value)]

    return convert


def suggest_key(
    key: object, candidates: Collection[str], title: str, path: str, hint: str | None = None
) -> ValidationError:
    """The error for an unknown key, with "did you mean" when a candidate is close."""
    name = f"{path}{key}"
    if not isinstance(key, str):
        return ValidationError(
            f"{_where(path.rstrip('.'))}field names must be strings, got {key!r}", field=name
        )
    if hint is None:
        alias = ALIASES.get(key)
        wanted = _enums.normalize(key)
        same = [c for c in candidates if _enums.normalize(c) == wanted]
        if alias in candidates:
            hint = f"did you mean {alias!r}?"
        elif same:
            hint = f"did you mean {same[0]!r}?"
        else:
            close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "known fields: " + ", ".join(candidates)
    return ValidationError(f"{name!r} is not a field of {title}; {hint}", field=name)


class _Probe:
    """Stands in for every value while reading a generated model's wire keys from its to_dict()."""

    def __init__(self, attr: str) -> None:
        self.value = attr

    def isoformat(self) -> str:
        return self.value

    def to_dict(self) -> str:
        return self.value


def _wire_keys(model: type) -> dict[str, str]:
    """Map each attribute of a generated model to its wire key, read off the model's own to_dict()."""
    fields = attrs.fields(model)
    names = {f.name for f in fields}
    probe = model(**{f.name: [_Probe(f.name)] if "list[" in str(f.type) else _Probe(f.name) for f in fields})
    found: dict[str, str] = {}
    for key, value in probe.to_dict().items():
        item = value[0] if isinstance(value, list) else value
        found[item.value if isinstance(item, _Probe) else item] = key
    if set(found) != names:  # pragma: no cover - the generated code changed shape
        raise RuntimeError(f"{model.__name__}: could not read every wire key from to_dict()")
    return found


class _Field:
    __slots__ = ("attr", "convert", "key", "required", "wire")

    def __init__(self, attr: str, wire: str, convert: Converter, required: bool) -> None:
        self.attr = attr
        self.key = attr.rstrip("_")  # the keyword: type_ -> type, format_ -> format
        self.wire = wire
        self.convert = convert
        self.required = required


_FACADE = {gen.__name__: facade for facade, gen in _enums.GENERATED.items()}


class Shape:
    """One generated model as the facade sees it: fields, converters, defaults. Built at import time."""

    def __init__(
        self,
        model: type[Any],
        title: str,
        *,
        id_key: str | None = None,
        defaults: Mapping[str, Any] = _EMPTY,
        rows: Mapping[str, Shape] = _EMPTY,
        hook: Callable[[Shape, dict[str, Any], str], None] | None = None,
        times: Collection[str] = (),
        string_default: str | None = None,
    ) -> None:
        self.model = model
        self.title = title
        self.hook = hook
        wires = _wire_keys(model)
        self.fields: list[_Field] = []
        for f in attrs.fields(model):
            wire = wires[f.name]
            kind = str(f.type).replace(" | Unset", "")
            bounds = BOUNDS.get(f"{model.__name__}.{wire}")
            convert: Converter
            if kind == "int":
                convert = _int(*(bounds or INT32))
            elif kind == "float":
                convert = _number(*(bounds or (-math.inf, math.inf)))
            elif kind == "bool":
                convert = _bool
            elif kind == "str":
                convert = _str
            elif kind == "datetime.datetime":
                convert = _datetime_or_time if wire in times else _datetime
            elif kind in _FACADE:
                convert = _enum(_FACADE[kind])
            elif kind.startswith("list[") and wire in rows:
                convert = rows_converter(rows[wire])
            else:  # pragma: no cover - a new kind of field in the generated code
                raise TypeError(f"{model.__name__}.{f.name}: unsupported type {kind}")
            self.fields.append(_Field(f.name, wire, convert, f.default is attrs.NOTHING))
        self.by_attr = {f.attr: f for f in self.fields}
        self.by_kw = {f.key: f for f in self.fields}
        self.by_key = {**self.by_kw, **{f.wire: f for f in self.fields}}
        self.wire_names = [f.wire for f in self.fields]
        self.id_key = id_key or ""
        self.id_attr = self.by_key[id_key].attr if id_key else ""
        self.defaults: dict[str, Any] = {}
        for wire, default in defaults.items():
            field = self.by_key[wire]
            self.defaults[field.attr] = default if callable(default) else field.convert(default, wire)
        if string_default is not None:
            for f in self.fields:
                if f.required and f.convert is _str:
                    self.defaults.setdefault(f.attr, string_default)
        self.needed = [f for f in self.fields if f.required and f.attr not in self.defaults]
        # Split once here so that complete() merges the constants in one step.
        self.constants = {a: d for a, d in self.defaults.items() if not callable(d)}
        self.factories = [(a, d) for a, d in self.defaults.items() if callable(d)]

    def read(self, data: Any, prefix: str) -> dict[str, Any]:
        """Convert a generated model or a mapping (wire keys or keywords) to {attribute: value}."""
        out: dict[str, Any] = {}
        if isinstance(data, self.model):
            for f in self.fields:
                value = getattr(data, f.attr)
                if value is not UNSET:
                    out[f.attr] = f.convert(value, prefix + f.wire)
            return out
        if not isinstance(data, Mapping):
            where = prefix.rstrip(".") or "body"
            raise _type_error(where, f"a {self.model.__name__} or a mapping", data)
        for key, value in data.items():
            field = self.by_key.get(key) if isinstance(key, str) else None
            if field is None:
                # Suggest in the caller's style: keywords for lower-case keys, wire keys otherwise.
                style = self.by_kw if isinstance(key, str) and key.islower() else self.wire_names
                raise suggest_key(key, list(style), self.title, prefix)
            if field.attr in out:
                raise ValidationError(f"{prefix}{key!r}: the same field is given twice", field=prefix + key)
            out[field.attr] = field.convert(value, prefix + key)
        return out

    def read_keywords(self, fields: Mapping[str, Any], extra_names: Collection[str] = ()) -> dict[str, Any]:
        """Convert keyword arguments; the record's id and its client are arguments, not keywords."""
        out: dict[str, Any] = {}
        for key, value in fields.items():
            field = self.by_kw.get(key)
            if field is None or field.attr in (self.id_attr, "client_uid"):
                if field is not None:
                    what = (
                        "the record id argument" if field.attr == self.id_attr else "the client_uid argument"
                    )
                    raise ValidationError(f"{key!r} is not a keyword: it is given as {what}", field=key)
                names = [k for k in self.by_kw if k not in (self.id_attr, "client_uid")]
                raise suggest_key(key, [*names, *extra_names], self.title, "")
            out[field.attr] = field.convert(value, key)
        return out

    def display(self, prefix: str, attr: str, *, wire: bool = False) -> str:
        """A field's name in the caller's style: wire keys under a wire-style parent (or when
        ``wire``), keywords at the top of a keyword call and under lower-case keys."""
        field = self.by_attr[attr]
        parts = prefix.split(".")
        snake = not wire if not prefix else parts[-2].split("[")[0].islower()
        return prefix + (field.key if snake else field.wire)

    def complete(self, values: dict[str, Any], prefix: str, *, wire: bool = False) -> Any:
        """Run the row hook, fill defaults, refuse missing required fields, build the model."""
        if self.hook is not None:
            self.hook(self, values, prefix)
        values = {**self.constants, **values}
        for attr, make in self.factories:
            if attr not in values:
                values[attr] = make()
        for f in self.needed:
            if f.attr not in values:
                name = self.display(prefix, f.attr, wire=wire)
                raise ValidationError(f"{name} is required for {self.title}", field=name)
        return self.model(**values)

    def convert_row(self, data: Any, path: str) -> Any:
        """Validate and complete one nested row at ``path`` (e.g. ``Criteria[0]``)."""
        prefix = path + "." if path else ""
        return self.complete(self.read(data, prefix), prefix)


SECRET_FIELDS: frozenset[str] = frozenset({"Password", "FTPPassword", "SMTPPassword"})
"""Wire keys whose values are never shown: :func:`masked_wire` replaces them with ``"***"``."""

_MASK = "***"

# Defaults of the fields a caller leaves out, by wire key (the table in the module
# docstring). A callable default is called for each record.
STRING_DEFAULT = ""  # default: every required string of a method or an account
WEEKLY_STATIC_DATE = _dt.date(2000, 1, 1)  # default: StaticDate of a weekly DeliveryDays row (assumption)
DAY_START = _dt.time(0, 0)  # default: StartTime of a DeliveryDays row
DAY_END = _dt.time(23, 59, 59)  # default: EndTime of a DeliveryDays row
CLIENT_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {
        "DateAdded": now_pacific,
        "Status": _enums.ClientStatus.ACTIVE,
        "UserUID": 0,
        "TimeOffset": -8,
        "TimeZoneName": "Pacific Standard Time",
        "Notes": "",
        "ResellerUID": 0,
        "GroupUID": 0,
        "OverrideReassign": False,
        "DeliveryAccountAutomationType": _enums.AutomationType.PRICE,
    }
)
METHOD_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {
        "Type": _enums.DeliveryType.HTTP_POST,
        "Status": True,
        "DateAdded": now_pacific,
        "inTesting": False,
        "LeadTypeUID": 0,
        "useRegEx": False,
        "SMTPAuth": False,
        "EmailNotify": False,
        "LeadCatUID": 0,
    }
)
ACCOUNT_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {
        "Price": 0.0,
        "HourMax": -1,
        "DayMax": -1,
        "MonthMax": -1,
        "WeekMax": -1,
        "useOrder": False,
        "Status": _enums.AccountStatus.OPEN,
        "DeliveryDelay": 0,
        "AutomationEnabled": False,
        "AlternatePosting": 0,
        "AccountType": _enums.AccountType.GENERAL,
    }
)
FIELD_SETTING_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {
        "DeliverySettingUID": 0,
        "DeliveryUID": 0,
        "Delete": False,
        "Format": "",
        "FieldType": _enums.FieldType.STATIC_VALUE,
        "Value": "",
        "LeadFieldUID": 0,
        "Expr": "",
    }
)
FIELD_MAPPING_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {"DeliveryMappingUID": 0, "Delete": False, "DeliverySettingUID": 0}
)
DELIVERY_DAY_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {"DeliveryDayUID": 0, "DeliveryUID": 0, "Allow": True, "StaticDate": WEEKLY_STATIC_DATE}
)
CRITERIA_DEFAULTS: Mapping[str, Any] = MappingProxyType(  # default
    {
        "ClientCriteriaUID": 0,
        "LeadFieldUID": 0,
        "Type": _enums.CriteriaType.FIELD_VALUE,
        "Expression": "",
        "Operator": _enums.CriteriaOperator.EQUAL,
        "Value": "",
    }
)


def _day_hook(shape: Shape, values: dict[str, Any], path: str) -> None:
    static = values.get("static_date")
    if "week_day" not in values and static is not None:
        values["week_day"] = _enums.to_generated(_enums.WeekDay((static.weekday() + 1) % 7))
    day = static.date() if static is not None else WEEKLY_STATIC_DATE
    for attr, fallback in (("start_time", DAY_START), ("end_time", DAY_END)):
        moment = values.get(attr, fallback)
        if isinstance(moment, _dt.time):
            values[attr] = to_pacific(_dt.datetime.combine(day, moment), shape.display(path, attr))


def _setting_hook(shape: Shape, values: dict[str, Any], path: str) -> None:
    if "has_map" not in values:
        values["has_map"] = bool(values.get("field_mappings"))


def _criteria_hook(shape: Shape, values: dict[str, Any], path: str) -> None:
    kind = values.get("type_", _enums.CriteriaType.FIELD_VALUE)
    if kind == _enums.CriteriaType.FIELD_VALUE:
        if "lead_field_uid" not in values:
            name = shape.display(path, "lead_field_uid")
            raise ValidationError(f"{name} is required for a FieldValue criteria row", field=name)
    elif not values.get("expression"):
        name = shape.display(path, "expression")
        raise ValidationError(f"{name} is required (non-empty) for a {kind} criteria row", field=name)


_MAPPING = Shape(DeliveryFieldMapping, "a field mapping", defaults=FIELD_MAPPING_DEFAULTS)
_SETTING = Shape(
    DeliveryFieldSetting,
    "a field setting",
    rows={"FieldMappings": _MAPPING},
    hook=_setting_hook,
    defaults=FIELD_SETTING_DEFAULTS,
)
_DAY = Shape(
    DeliveryDay,
    "a delivery day",
    hook=_day_hook,
    times=("StartTime", "EndTime"),
    defaults=DELIVERY_DAY_DEFAULTS,
)
_CRITERIA = Shape(DeliveryCriteria, "a criteria row", hook=_criteria_hook, defaults=CRITERIA_DEFAULTS)
_FIELD_DATA = Shape(ClientFieldData, "a client field value")
_INFO = Shape(ClientInfo, "a client", id_key="ClientUID", defaults=CLIENT_DEFAULTS)
_ON_CREATE = ("username", "password")  # the spec's x-required-on-create of ClientInfo
_FIELD_DATA_ROWS = rows_converter(_FIELD_DATA)
_METHOD = Shape(
    DeliveryMethod,
    "a delivery method",
    id_key="ClientDeliveryUID",
    rows={"FieldSettings": _SETTING, "DeliveryDays": _DAY},
    defaults=METHOD_DEFAULTS,
    string_default=STRING_DEFAULT,
)
_ACCOUNT = Shape(
    DeliveryAccount,
    "a delivery account",
    id_key="ClientAccountUID",
    rows={"Criteria": _CRITERIA},
    defaults=ACCOUNT_DEFAULTS,
    string_default=STRING_DEFAULT,
)

SHAPES: Mapping[type, Shape] = MappingProxyType(
    {s.model: s for s in (_MAPPING, _SETTING, _DAY, _CRITERIA, _FIELD_DATA, _INFO, _METHOD, _ACCOUNT)}
)
"""The shape of every generated record and row model (used by the builders and the tests)."""


def require_positive_id(value: object, field: str) -> int:
    """Return ``value`` if it is an int > 0 (not a bool), else raise ValidationError naming ``field``."""
    return check_id(value, field, minimum=1)


def build_row(model: type, data: Any, path: str = "") -> Any:
    """Validate one nested row (a generated model or a mapping) and return the generated model."""
    return SHAPES[model].convert_row(data, path)


def _resolve_id(shape: Shape, record_id: int | None, values: dict[str, Any], path: str) -> int:
    body_id = values.pop(shape.id_attr, None)
    if record_id is None:
        return body_id or 0
    rid = check_id(record_id, "record_id", minimum=0)
    if body_id and body_id != rid:
        raise ValidationError(
            f"{path}{shape.id_key} is {body_id} in the body but the call names record {rid}",
            field=path + shape.id_key,
        )
    return rid


def _parent_client(values: dict[str, Any], client_uid: int) -> None:
    body_client = values.get("client_uid")
    if body_client is not None and body_client != client_uid:
        raise ValidationError(
            f"ClientUID is {body_client} in the body but the call is for client {client_uid}",
            field="ClientUID",
        )
    values["client_uid"] = client_uid


def _adopt(rows: Any, attr: str, parent_id: int, where: str) -> None:
    if rows is UNSET:
        return
    for i, row in enumerate(rows):
        own = getattr(row, attr)
        if own == 0:
            setattr(row, attr, parent_id)
        elif own != parent_id:
            raise ValidationError(
                f"{where}[{i}] belongs to {own} but its parent's id is {parent_id}", field=f"{where}[{i}]"
            )


def build_client(
    *,
    record_id: int | None,
    body: ClientUpsert | Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] = _EMPTY,
) -> ClientUpsert:
    """Return the validated, completed ``PATCH /v1/clients`` body (see the module docstring)."""
    info: dict[str, Any] = {}
    field_data: Any = UNSET
    if body is not None:
        if isinstance(body, ClientUpsert):
            info = _INFO.read(body.info, "Info.")
            if body.field_data is not UNSET:
                field_data = _FIELD_DATA_ROWS(body.field_data, "FieldData")
        elif isinstance(body, Mapping):
            for key, value in body.items():
                if key in ("Info", "info"):
                    info = _INFO.read(value, f"{key}.")
                elif key in ("FieldData", "field_data"):
                    field_data = _FIELD_DATA_ROWS(value, key)
                else:
                    hint = f"put {key!r} inside 'Info'" if key in _INFO.by_key else None
                    raise suggest_key(key, ("Info", "FieldData"), "a client body", "", hint=hint)
        else:
            raise ValidationError(
                f"body: expected a ClientUpsert or a mapping, got {type(body).__name__}", field="body"
            )
    if fields:
        extra = dict(fields)
        if "field_data" in extra:
            field_data = _FIELD_DATA_ROWS(extra.pop("field_data"), "field_data")
        info.update(_INFO.read_keywords(extra, extra_names=("field_data",)))
    path = "Info." if body is not None else ""
    rid = _resolve_id(_INFO, record_id, info, path)
    if rid == 0:
        for attr in _ON_CREATE:
            if not info.get(attr):
                name = path + _INFO.by_attr[attr].wire if body is not None else attr
                raise ValidationError(f"{name} is required (non-empty) when creating a client", field=name)
    info["client_uid"] = rid
    return ClientUpsert(info=_INFO.complete(info, path), field_data=field_data)


def _build(shape: Shape, client_uid: int, record_id: int | None, body: Any, fields: Mapping[str, Any]) -> Any:
    parent = require_positive_id(client_uid, "client_uid")
    # A body's ClientUID of 0 (as in the reference's examples) means "the client of the call".
    if isinstance(body, Mapping) and any(body.get(k, 1) == 0 for k in ("ClientUID", "client_uid")):
        body = {k: v for k, v in body.items() if k not in ("ClientUID", "client_uid")}
    elif isinstance(body, shape.model) and body.client_uid == 0:
        body = attrs.evolve(body, client_uid=parent)
    values = shape.read(body, "") if body is not None else {}
    if fields:
        values.update(shape.read_keywords(fields))
    rid = _resolve_id(shape, record_id, values, "")
    _parent_client(values, parent)
    values[shape.id_attr] = rid
    return shape.complete(values, "", wire=body is not None)


def build_delivery_method(
    client_uid: int,
    *,
    record_id: int | None,
    body: DeliveryMethod | Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] = _EMPTY,
) -> DeliveryMethod:
    """Return the validated, completed ``PUT /v1/delivery/{ClientUID}/methods`` body."""
    method = _build(_METHOD, client_uid, record_id, body, fields)
    rid = method.client_delivery_uid
    _adopt(method.field_settings, "delivery_uid", rid, "FieldSettings")
    _adopt(method.delivery_days, "delivery_uid", rid, "DeliveryDays")
    if method.field_settings is not UNSET:
        for i, setting in enumerate(method.field_settings):
            where = f"FieldSettings[{i}].FieldMappings"
            _adopt(setting.field_mappings, "delivery_setting_uid", setting.delivery_setting_uid, where)
    return method


def build_delivery_account(
    client_uid: int,
    *,
    record_id: int | None,
    body: DeliveryAccount | Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] = _EMPTY,
) -> DeliveryAccount:
    """Return the validated, completed ``PUT /v1/delivery/{ClientUID}/accounts/`` body."""
    return _build(_ACCOUNT, client_uid, record_id, body, fields)


def record_id_of(model: ClientUpsert | DeliveryMethod | DeliveryAccount) -> int:
    """The record id a built model carries (0 means it creates a record)."""
    if isinstance(model, ClientUpsert):
        return int(model.info.client_uid)
    if isinstance(model, DeliveryMethod):
        return int(model.client_delivery_uid)
    if isinstance(model, DeliveryAccount):
        return int(model.client_account_uid)
    raise TypeError(f"not a record model: {type(model).__name__}")


def _mask(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: (_MASK if k in SECRET_FIELDS else _mask(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def masked_wire(model_or_wire: Any) -> dict[str, Any]:
    """The wire dict of a model (or a wire dict itself) with every secret value replaced by ``"***"``."""
    to_dict: Callable[[], Any] | None = getattr(model_or_wire, "to_dict", None)
    wire = to_dict() if to_dict is not None else model_or_wire
    masked: dict[str, Any] = _mask(wire) if isinstance(wire, Mapping) else {"value": _MASK}
    return masked
