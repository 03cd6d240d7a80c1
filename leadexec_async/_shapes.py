"""The generic machinery under the record builders: one :class:`Shape` per generated model.

A shape knows each field of a generated model (attribute, keyword, wire key),
checks and converts every value with a converter picked from the field's type
(integers and numbers within the spec's bounds, bools, strings, Pacific
date-times, enums through their ``parse``, nested rows), fills defaults,
refuses missing required fields and builds the model. Unknown keys get a
"did you mean" in the caller's style. What each record needs (its defaults,
its hooks) lives in :mod:`leadexec_async._records`.
"""

from __future__ import annotations

import difflib
import enum
import math
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, final

import attrs
from leadexec_api_client.types import UNSET

from . import enums as _enums
from ._errors import ValidationError, shown
from ._time import time_or_pacific, to_pacific

__all__ = [
    "BOUNDS",
    "INT32",
    "NOT_GIVEN",
    "Converter",
    "NotGiven",
    "Shape",
    "check_id",
    "given",
    "rows_converter",
    "suggest_key",
]


@final
class NotGiven:
    """The type of :data:`NOT_GIVEN`: "the caller did not pass this keyword" (unlike ``None``)."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""The default of a keyword whose value the SDK decides (or leaves out) when it is not passed."""


def given(**values: Any) -> dict[str, Any]:
    """The keywords actually passed: ``values`` without those still :data:`NOT_GIVEN`."""
    return {k: v for k, v in values.items() if v is not NOT_GIVEN}


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
    got = shown(value) if isinstance(value, int) else type(value).__name__
    raise ValidationError(f"{field}: expected {what}, got {got}", field=field)


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
                f"{_where(path)}expected an integer from {lo} to {hi}, got {shown(value)}", field=path
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
    if not isinstance(value, str):
        raise _type_error(path, "a string", value)
    text = value if type(value) is str else str(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate: it cannot be sent as JSON text
            raise ValidationError(
                f"{_where(path)}expected text that can be sent as UTF-8, but character {error.start} is "
                f"{text[error.start]!r} (a lone surrogate, e.g. from a bad \\u escape)",
                field=path,
            ) from None
    return text


def _datetime(value: Any, path: str) -> Any:
    return to_pacific(value, path)


def _datetime_or_time(value: Any, path: str) -> Any:
    return time_or_pacific(value, path)


def _enum(cls: type[enum.Enum]) -> Converter:
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
            f"{_where(path.rstrip('.'))}field names must be strings, got {shown(key)}", field=name
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
            close = (
                difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
                if len(key) <= _enums.MAX_SUGGESTED
                else []
            )
            hint = f"did you mean {close[0]!r}?" if close else "known fields: " + ", ".join(candidates)
    return ValidationError(f"{shown(name)} is not a field of {title}; {hint}", field=name)


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
