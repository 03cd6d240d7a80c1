"""Builders for the nested rows: criteria, field settings with value mappings, delivery days.

Each builder checks its arguments at once (raising
:class:`~leadexec_async.ValidationError` naming the argument) and returns the
generated model of the row (``DeliveryCriteria``, ``DeliveryFieldSetting``,
``DeliveryDay``) with id 0, ready for ``criteria=[...]``,
``field_settings=[...]`` or ``delivery_days=[...]``. The record builders fill
the parent ids (``DeliveryUID``, ``DeliverySettingUID``) when the record is built.

Criteria value formats (assumption)
-----------------------------------
The API reference does not say how the ``Value`` of some operators is
written. This module is the one place that decides it (see also
docs/api-assumptions.md); :data:`CRITERIA_VALUE_FORMATS` states it, and the
separator is ``LIST_SEPARATOR`` of :mod:`leadexec_async._constants`:

=====================  ==============================================  ====================
operator               ``Value`` sent                                  example
=====================  ==============================================  ====================
``In``, ``NotIn``      the values joined by ``,`` (no spaces)          ``CA,NV,AZ``
``Between``            low and high joined by ``,``                    ``18,65``
``DateCompare``        an ISO 8601 date-time in Pacific Time, or the   ``2024-05-01T00:00:00-07:00``
                       caller's own text passed through
``Distance_Compare``   origin and distance joined by ``,``             ``90210,25``
=====================  ==============================================  ====================

A value that itself contains ``,`` cannot be written in these formats and is refused.
Numbers are written without a trailing ``.0`` when whole (``25``), otherwise with ``repr``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from leadexec_api_client.models import DeliveryCriteria, DeliveryDay, DeliveryFieldSetting

from ._constants import DAY_END, DAY_START, LIST_SEPARATOR
from ._errors import ValidationError, shown
from ._records import build_row
from ._time import clock_time, to_pacific
from .enums import CriteriaOperator, CriteriaType, FieldType, WeekDay, parse_enum

__all__ = ["CRITERIA_VALUE_FORMATS", "LIST_SEPARATOR", "Criteria", "FieldSetting", "on_date", "weekly"]

CRITERIA_VALUE_FORMATS: Mapping[str, str] = MappingProxyType(
    {
        CriteriaOperator.IN: "values joined by ','",
        CriteriaOperator.NOT_IN: "values joined by ','",
        CriteriaOperator.BETWEEN: "'low,high'",
        CriteriaOperator.DATE_COMPARE: "ISO 8601 date-time in Pacific Time (or the caller's text)",
        CriteriaOperator.DISTANCE_COMPARE: "'origin,distance'",
    }
)
"""The assumed ``Value`` format of each operator whose format the reference leaves open."""

Scalar = str | int | float


_MAX_INT_BITS = 1024  # a longer integer is no lead value (and Python refuses to print very long ones)


def _text(value: object, field: str, *, joined: bool = False) -> str:
    """One criteria value as text; ``joined`` refuses the separator inside it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(
            f"{field}: expected a string or a number, got {type(value).__name__}", field=field
        )
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationError(f"{field}: expected a finite number, got {value}", field=field)
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise ValidationError(f"{field}: expected a number, got {shown(value)}", field=field)
    else:
        text = str(value)
    if joined and LIST_SEPARATOR in text:
        raise ValidationError(
            f"{field}: {shown(text)} contains {LIST_SEPARATOR!r}, which separates the parts of this value",
            field=field,
        )
    return text


def _joined(values: object, field: str) -> str:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(
            f"{field}: expected a list of strings or numbers, got {type(values).__name__}", field=field
        )
    parts = [_text(v, f"{field}[{i}]", joined=True) for i, v in enumerate(values)]
    if not parts:
        raise ValidationError(f"{field}: expected at least one value", field=field)
    return LIST_SEPARATOR.join(parts)


def _row(model: type, **fields: Any) -> Any:
    return build_row(model, fields)


class Criteria:
    """Builds ``DeliveryCriteria`` rows of a delivery account; never instantiated.

    ``lead_field_uid`` names the lead field compared. The formats of
    ``between``, ``in_``, ``not_in``, ``date_compare`` and ``distance_compare``
    values are the module's documented assumption.
    """

    def __init__(self) -> None:  # pragma: no cover - a namespace
        raise TypeError("Criteria is a namespace of builders: call Criteria.equal(...) and the like")

    @staticmethod
    def field(lead_field_uid: int, operator: CriteriaOperator | str, value: Scalar) -> DeliveryCriteria:
        """A FieldValue row: lead field ``lead_field_uid`` compared with ``value`` by ``operator``."""
        return _row(
            DeliveryCriteria,
            type=CriteriaType.FIELD_VALUE,
            lead_field_uid=lead_field_uid,
            operator=operator,
            value=_text(value, "value"),
        )

    @classmethod
    def equal(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value equals ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.EQUAL, value)

    @classmethod
    def not_equal(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value differs from ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.NOT_EQUAL, value)

    @classmethod
    def greater(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value is greater than ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.GREATER, value)

    @classmethod
    def less(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value is less than ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.LESS, value)

    @classmethod
    def greater_or_equal(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value is at least ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.GREATER_OR_EQUAL, value)

    @classmethod
    def less_or_equal(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value is at most ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.LESS_OR_EQUAL, value)

    @classmethod
    def contains(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value contains ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.CONTAINS, value)

    @classmethod
    def doesnt_contain(cls, lead_field_uid: int, value: Scalar) -> DeliveryCriteria:
        """The lead's value does not contain ``value``."""
        return cls.field(lead_field_uid, CriteriaOperator.DOESNT_CONTAIN, value)

    @classmethod
    def between(cls, lead_field_uid: int, low: Scalar, high: Scalar) -> DeliveryCriteria:
        """The lead's value lies from ``low`` to ``high``; sent as ``"low,high"`` (assumption)."""
        value = _text(low, "low", joined=True) + LIST_SEPARATOR + _text(high, "high", joined=True)
        return cls.field(lead_field_uid, CriteriaOperator.BETWEEN, value)

    @classmethod
    def in_(cls, lead_field_uid: int, values: Iterable[Scalar]) -> DeliveryCriteria:
        """The lead's value is one of ``values``; sent comma-separated (assumption)."""
        return cls.field(lead_field_uid, CriteriaOperator.IN, _joined(values, "values"))

    @classmethod
    def not_in(cls, lead_field_uid: int, values: Iterable[Scalar]) -> DeliveryCriteria:
        """The lead's value is none of ``values``; sent comma-separated (assumption)."""
        return cls.field(lead_field_uid, CriteriaOperator.NOT_IN, _joined(values, "values"))

    @classmethod
    def date_compare(cls, lead_field_uid: int, value: _dt.date | _dt.datetime | str) -> DeliveryCriteria:
        """Compares the lead's date with ``value``: a date or datetime is sent as ISO 8601 Pacific Time;
        a string is sent as it is (assumption)."""
        if isinstance(value, _dt.date):
            text = to_pacific(value, "value").isoformat()
        else:
            text = _text(value, "value")
        return cls.field(lead_field_uid, CriteriaOperator.DATE_COMPARE, text)

    @classmethod
    def distance_compare(cls, lead_field_uid: int, origin: Scalar, distance: int | float) -> DeliveryCriteria:
        """The lead lies within ``distance`` of ``origin`` (e.g. a ZIP code); sent as
        ``"origin,distance"`` (assumption)."""
        if isinstance(distance, bool) or not isinstance(distance, int | float) or not distance >= 0:
            raise ValidationError("distance: expected a number >= 0", field="distance")
        value = _text(origin, "origin", joined=True) + LIST_SEPARATOR + _text(distance, "distance")
        return cls.field(lead_field_uid, CriteriaOperator.DISTANCE_COMPARE, value)

    @staticmethod
    def expression(expr: str) -> DeliveryCriteria:
        """An Expression row: the lead passes when the regular or calculated expression ``expr`` holds."""
        return _row(DeliveryCriteria, type=CriteriaType.EXPRESSION, expression=_nonempty(expr, "expr"))

    @staticmethod
    def function(expr: str) -> DeliveryCriteria:
        """A Function row: the lead passes when the evaluate function ``expr`` holds."""
        return _row(DeliveryCriteria, type=CriteriaType.FUNCTION, expression=_nonempty(expr, "expr"))


def _nonempty(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field}: expected a non-empty string", field=field)
    return value


def _mapping_rows(mappings: object) -> list[dict[str, Any]]:
    """``{lead value: delivered value}`` or ``[(lead value, delivered value), ...]`` as mapping rows."""
    if isinstance(mappings, Mapping):
        pairs: Iterable[Any] = mappings.items()
    elif isinstance(mappings, str | bytes) or not isinstance(mappings, Iterable):
        raise ValidationError(
            "mappings: expected a dict of lead value -> delivered value, or a list of pairs", field="mappings"
        )
    else:
        pairs = mappings
    rows = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError(
                f"mappings[{i}]: expected a (lead value, delivered value) pair", field="mappings"
            )
        rows.append({"field_value": pair[0], "delivery_value": pair[1]})
    return rows


class FieldSetting:
    """Builds ``DeliveryFieldSetting`` rows of a delivery method; never instantiated.

    ``field_name`` is the name the buyer receives. ``mappings`` translates lead
    values to delivered values (``{"CA": "California"}``); giving any turns
    ``hasMap`` on.
    """

    def __init__(self) -> None:  # pragma: no cover - a namespace
        raise TypeError("FieldSetting is a namespace of builders: call FieldSetting.static(...) and the like")

    @staticmethod
    def of(
        field_name: str,
        field_type: FieldType | str | int,
        *,
        value: str = "",
        lead_field_uid: int = 0,
        expr: str = "",
        format: str = "",
        mappings: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> DeliveryFieldSetting:
        """Any kind of setting; ``field_type`` takes whatever ``FieldType.parse`` takes."""
        rows = _mapping_rows(mappings) if mappings is not None else []
        return _row(
            DeliveryFieldSetting,
            field_name=_nonempty(field_name, "field_name"),
            field_type=field_type,
            value=value,
            lead_field_uid=lead_field_uid,
            expr=expr,
            format=format,
            has_map=bool(rows),
            **({"field_mappings": rows} if rows else {}),
        )

    @classmethod
    def static(cls, field_name: str, value: str, *, format: str = "") -> DeliveryFieldSetting:
        """Always sends ``value`` as ``field_name``."""
        return cls.of(field_name, FieldType.STATIC_VALUE, value=value, format=format)

    @classmethod
    def lead_field(
        cls,
        field_name: str,
        *,
        lead_field_uid: int,
        mappings: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        format: str = "",
    ) -> DeliveryFieldSetting:
        """Sends the lead's field ``lead_field_uid`` as ``field_name``, translated by ``mappings``."""
        return cls.of(
            field_name, FieldType.LEAD_FIELD, lead_field_uid=lead_field_uid, mappings=mappings, format=format
        )

    @classmethod
    def expression(cls, field_name: str, expr: str, *, format: str = "") -> DeliveryFieldSetting:
        """Sends the result of the calculated or regular expression ``expr`` (Custom Expr)."""
        return cls.of(field_name, FieldType.CUSTOM_EXPR, expr=_nonempty(expr, "expr"), format=format)

    @classmethod
    def function(cls, field_name: str, expr: str, *, format: str = "") -> DeliveryFieldSetting:
        """Sends the result of the evaluate function ``expr`` (Evaluate Function)."""
        return cls.of(field_name, FieldType.EVALUATE_FUNCTION, expr=_nonempty(expr, "expr"), format=format)


def _time_of_day(value: object, field: str) -> _dt.time:
    """A ``time``, a ``datetime`` (its time of day) or an ``"HH:MM"`` / ``"HH:MM:SS"`` string."""
    if isinstance(value, _dt.datetime):
        return to_pacific(value, field).time()
    if isinstance(value, _dt.time):
        return value
    if isinstance(value, str):
        clock = clock_time(value, field)
        if clock is not None:
            return clock
    raise ValidationError(
        f"{field}: expected a time of day such as time(9), '09:00' or '09:00:00'", field=field
    )


def weekly(
    *days: WeekDay | str | int,
    start: _dt.time | str = DAY_START,
    end: _dt.time | str = DAY_END,
    allow: bool = True,
) -> list[DeliveryDay]:
    """One ``DeliveryDays`` row per day in ``days``, each for ``start`` to ``end`` (time of day, Pacific).

    ``weekly(WeekDay.MONDAY, WeekDay.TUESDAY, start=time(9), end=time(17))``.
    Each day takes whatever ``WeekDay.parse`` takes. ``allow=False`` blocks
    delivery in the window instead.
    """
    if not days:
        raise ValidationError("days: name at least one day of the week", field="days")
    first, last = _time_of_day(start, "start"), _time_of_day(end, "end")
    parsed = [parse_enum(WeekDay, day, f"days[{i}]") for i, day in enumerate(days)]
    return [
        _row(DeliveryDay, week_day=day, start_time=first, end_time=last, allow=allow)
        for day in dict.fromkeys(parsed)
    ]


def on_date(
    day: _dt.date | str,
    *,
    start: _dt.time | str = DAY_START,
    end: _dt.time | str = DAY_END,
    allow: bool = True,
) -> DeliveryDay:
    """A ``DeliveryDays`` row for one calendar ``day`` (a date or ``"YYYY-MM-DD"``), Pacific Time.

    ``WeekDay`` is that date's day of the week. ``on_date(date(2024, 12, 25), allow=False)``
    blocks delivery all day on Christmas 2024.
    """
    if isinstance(day, _dt.datetime) or not isinstance(day, _dt.date | str):
        raise ValidationError("day: expected a date or a 'YYYY-MM-DD' string", field="day")
    static = to_pacific(day, "day").replace(hour=0, minute=0, second=0, microsecond=0)
    first, last = _time_of_day(start, "start"), _time_of_day(end, "end")
    return _row(DeliveryDay, static_date=static, start_time=first, end_time=last, allow=allow)
