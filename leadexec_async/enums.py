"""Friendly enums of the LeadExec Account API.

Member names follow the spec (``x-enum-varnames`` for integer enums, the
SCREAMING_SNAKE form of the wire string for string enums); member values are
the wire values. Every enum has:

* ``Enum.parse(x)``: accepts a member (also the generated client's member of
  the same enum), its value (an int, or a string of digits, for integer enums;
  the wire string in any case for string enums), its name, or the API
  reference's label. Matching ignores case, spaces, hyphens, underscores and
  slashes, so ``"HTTP POST"``, ``"http_post"``, ``"xml/json"``, ``"800 ivr"``,
  ``"on hold"`` and ``"round robin"`` all work; week days also take their
  three-letter abbreviations (``"Mon"``). ``bool`` is never an integer
  value. Anything else raises :class:`~leadexec_async.ValidationError` that
  lists the allowed labels and, when there is one, the closest match.
* ``member.label``: the label the API reference uses (``"XML / JSON"``,
  ``"800 IVR"``, ``"OnHold"``).

:data:`GENERATED` maps each enum to the generated client's enum class, and
:func:`to_generated` converts a member for model building.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from typing import Any, Self

from leadexec_api_client import models as _gen

from ._errors import ValidationError, shown

__all__ = [
    "FACADE",
    "GENERATED",
    "AccountStatus",
    "AccountType",
    "AutomationType",
    "ClientStatus",
    "CriteriaOperator",
    "CriteriaType",
    "DeliveryType",
    "FieldType",
    "OfferDuration",
    "WeekDay",
    "normalize",
    "parse_enum",
    "to_generated",
]

_STRIP = str.maketrans("", "", " -_/\t")


def normalize(text: str) -> str:
    """The one normal form used for matching names and labels: casefolded, without ``" -_/"``."""
    return text.casefold().translate(_STRIP)


class _Table:
    """Lookup tables of one enum, built once at import time."""

    __slots__ = ("by_key", "by_value", "generated", "labels", "listing")

    def __init__(
        self,
        cls: type[enum.Enum],
        labels: Mapping[Any, str],
        generated: type[enum.Enum],
        extra: Mapping[str, Any],
    ) -> None:
        self.labels: dict[enum.Enum, str] = {m: labels[m.value] for m in cls}
        self.by_value: dict[Any, enum.Enum] = {m.value: m for m in cls}
        self.by_key: dict[str, enum.Enum] = {}
        for member, label in self.labels.items():
            keys = {normalize(member.name), normalize(label)}
            keys.update(normalize(k) for k, v in extra.items() if v == member.value)
            if isinstance(member.value, str):
                keys.add(normalize(member.value))
            else:
                keys.add(str(member.value))
            for key in keys:
                other = self.by_key.setdefault(key, member)
                if other is not member:  # pragma: no cover - a table bug, caught at import
                    raise RuntimeError(f"{cls.__name__}: {key!r} names both {other} and {member}")
        self.generated: dict[enum.Enum, enum.Enum] = {m: generated(m.value) for m in cls}
        self.listing = ", ".join(
            f"{label!r} ({member.value})" if isinstance(member.value, int) else repr(label)
            for member, label in self.labels.items()
        )


_TABLES: dict[type[enum.Enum], _Table] = {}


class _Friendly:
    """What every enum of this module adds: ``parse`` and ``label``."""

    @classmethod
    def parse(cls, value: object) -> Self:
        """Return the member ``value`` names (see the module docstring for what is accepted)."""
        member: Self = parse_enum(cls, value)  # type: ignore[arg-type]
        return member

    @property
    def label(self) -> str:
        """The label the API reference uses for this member."""
        return _TABLES[type(self)].labels[self]  # type: ignore[index]


_MAX_DIGITS = 18  # a longer string of digits is no member's value (and int() of it may be refused)
MAX_SUGGESTED = 100  # "did you mean" is looked for only for text up to this long


def parse_enum(cls: type[enum.Enum], value: object, field: str | None = None) -> Any:
    """Parse ``value`` as a member of ``cls``; a failure raises ValidationError naming ``field``."""
    table = _TABLES[cls]
    if type(value) is cls:
        return value
    int_enum = issubclass(cls, int)
    key: str | None = None
    if isinstance(value, enum.Enum):
        # A member of the generated twin of this enum is its value; any other enum is a mistake.
        if type(value) is GENERATED[cls]:
            return table.by_value[value.value]
    elif isinstance(value, str):
        key = normalize(value.strip())
        found = table.by_key.get(key)
        digits = key.lstrip("0") or "0"
        if found is None and int_enum and key.isascii() and key.isdigit() and len(digits) <= _MAX_DIGITS:
            found = table.by_value.get(int(digits))  # "05" as well as "5"
        if found is not None:
            return found
    elif int_enum and isinstance(value, int) and not isinstance(value, bool):
        found = table.by_value.get(value)
        if found is not None:
            return found
    where = f"{field}: " if field else ""
    message = f"{where}{shown(value)} is not a valid {cls.__name__}; expected one of {table.listing}"
    if key and len(key) <= MAX_SUGGESTED:
        close = difflib.get_close_matches(key, list(table.by_key), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean {table.labels[table.by_key[close[0]]]!r}?"
    raise ValidationError(message, field=field)


def to_generated(member: enum.Enum) -> Any:
    """The generated client's member with the same value as ``member``."""
    return _TABLES[type(member)].generated[member]


class ClientStatus(_Friendly, enum.StrEnum):
    """Status of a client."""

    NEW = "New"
    PENDING = "Pending"
    WORKING = "Working"
    WAITING = "Waiting"
    DEAD = "Dead"
    INACTIVE = "Inactive"
    ACTIVE = "Active"
    LATE = "Late"
    SUSPENDED = "Suspended"
    CLOSED = "Closed"


class AutomationType(_Friendly, enum.StrEnum):
    """How delivery automation scans a client's delivery accounts."""

    PRICE = "Price"
    PRIORITY = "Priority"
    ROUND_ROBIN = "RoundRobin"


class DeliveryType(_Friendly, enum.IntEnum):
    """How leads are sent to the buyer."""

    HTTP_POST = 0
    HTTP_GET = 1
    XML_JSON = 2
    SALES_EXEC = 3
    FTP = 4
    EMAIL = 5
    CSV_ATTACHMENT = 6
    SOAP = 7
    INTERNAL_SYSTEM = 8
    PING_POST = 9
    BATCH_EMAIL_FILE_DELIVERY = 10
    SMS_NOTIFICATION = 11


class FieldType(_Friendly, enum.IntEnum):
    """Where a delivered field's value comes from."""

    STATIC_VALUE = 0
    LEAD_FIELD = 1
    SPECIAL_FIELD = 2
    CUSTOM_EXPR = 3
    SUB_STRING = 4
    STRING_CONCATENATION = 5
    CLIENT_FIELD = 6
    LEAD_SOURCE_FIELD = 7
    EVALUATE_FUNCTION = 8


class WeekDay(_Friendly, enum.IntEnum):
    """Day of the week as the API counts it: 0 is Sunday."""

    SUNDAY = 0
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6


class AccountStatus(_Friendly, enum.IntEnum):
    """Status of a delivery account."""

    CLOSED = 9
    SUSPENDED = 10
    ON_HOLD = 11
    OPEN = 12


class AccountType(_Friendly, enum.IntEnum):
    """What leads a delivery account takes."""

    GENERAL = 0
    REDIRECT = 1
    LIVE_CALL = 2
    IVR_800 = 3


class OfferDuration(_Friendly, enum.IntEnum):
    """Duration of a static offer."""

    MONTHLY = 0
    YEARLY = 1


class CriteriaType(_Friendly, enum.StrEnum):
    """Kind of a delivery account's criteria row."""

    FIELD_VALUE = "FieldValue"
    EXPRESSION = "Expression"
    FUNCTION = "Function"


class CriteriaOperator(_Friendly, enum.StrEnum):
    """Comparison a FieldValue criteria row applies to the lead's value."""

    EQUAL = "Equal"
    NOT_EQUAL = "NotEqual"
    GREATER = "Greater"
    LESS = "Less"
    GREATER_OR_EQUAL = "GreaterOrEqual"
    LESS_OR_EQUAL = "LessOrEqual"
    BETWEEN = "Between"
    IN = "In"
    NOT_IN = "NotIn"
    DATE_COMPARE = "DateCompare"
    DISTANCE_COMPARE = "Distance_Compare"
    CONTAINS = "Contains"
    DOESNT_CONTAIN = "Doesnt_Contain"


GENERATED: dict[type[enum.Enum], type[enum.Enum]] = {
    ClientStatus: _gen.ClientStatus,
    AutomationType: _gen.AutomationType,
    DeliveryType: _gen.DeliveryType,
    FieldType: _gen.FieldType,
    WeekDay: _gen.WeekDay,
    AccountStatus: _gen.AccountStatus,
    AccountType: _gen.AccountType,
    OfferDuration: _gen.OfferDuration,
    CriteriaType: _gen.CriteriaType,
    CriteriaOperator: _gen.CriteriaOperator,
}
"""Each friendly enum's twin in the generated client (``leadexec_api_client.models``)."""

FACADE: dict[type[enum.Enum], type[enum.Enum]] = {gen: facade for facade, gen in GENERATED.items()}
"""The other way round: each generated enum's friendly twin."""

# The API reference's labels. Where the reference shows only the wire string,
# that string is the label.
_LABELS: dict[type[enum.Enum], Mapping[Any, str]] = {
    ClientStatus: {m.value: m.value for m in ClientStatus},
    AutomationType: {m.value: m.value for m in AutomationType},
    DeliveryType: {
        0: "HTTP POST",
        1: "HTTP GET",
        2: "XML / JSON",
        3: "SalesExec",
        4: "FTP",
        5: "E-Mail",
        6: "CSV Attachment",
        7: "SOAP",
        8: "Internal System",
        9: "PING/POST",
        10: "Batch Email File Delivery",
        11: "SMS Notification",
    },
    FieldType: {
        0: "Static Value",
        1: "Lead Field",
        2: "Special Field",
        3: "Custom Expr",
        4: "Sub-String",
        5: "String Concatenation",
        6: "Client Field",
        7: "Lead Source Field",
        8: "Evaluate Function",
    },
    WeekDay: {m.value: m.name.title() for m in WeekDay},
    AccountStatus: {9: "Closed", 10: "Suspended", 11: "OnHold", 12: "Open"},
    AccountType: {0: "General", 1: "Redirect", 2: "Live Call", 3: "800 IVR"},
    OfferDuration: {0: "Monthly", 1: "Yearly"},
    CriteriaType: {m.value: m.value for m in CriteriaType},
    CriteriaOperator: {m.value: m.value for m in CriteriaOperator},
}

# Further spellings parse accepts (never shown as labels).
_EXTRA: dict[type[enum.Enum], Mapping[str, Any]] = {
    WeekDay: {m.name[:3]: m.value for m in WeekDay},  # "Mon", "tue", ...
}

_TABLES.update(
    {cls: _Table(cls, labels, GENERATED[cls], _EXTRA.get(cls, {})) for cls, labels in _LABELS.items()}
)
