"""The types of the typed surface, for annotating your own code.

``from leadexec_async.types import CriteriaRow, DeliveryTypeArg`` and the like: the argument
type of every enum field (``<Enum>Arg``: the member, or a label, name or value ``parse``
takes), the dict shapes of nested rows (``<Row>Row`` with keyword names, ``<Row>Wire`` with
wire keys), the upsert bodies with wire keys (``ClientUpsertWire``, ``DeliveryMethodWire``,
``DeliveryAccountWire``), the date-time argument types and :data:`NOT_GIVEN`. All of them are
generated from the spec (``leadexec_async/_surface.py``); docs/fields.md lists every field.
"""

from ._shapes import NOT_GIVEN, NotGiven
from ._surface import (
    AccountStatusArg,
    AccountTypeArg,
    AutomationTypeArg,
    ClientInfoWire,
    ClientStatusArg,
    ClientUpsertWire,
    CriteriaOperatorArg,
    CriteriaRow,
    CriteriaTypeArg,
    CriteriaWire,
    DateTimeArg,
    DeliveryAccountWire,
    DeliveryDayRow,
    DeliveryDayWire,
    DeliveryMethodWire,
    DeliveryTypeArg,
    FieldDataRow,
    FieldDataWire,
    FieldMappingRow,
    FieldMappingWire,
    FieldSettingRow,
    FieldSettingWire,
    FieldTypeArg,
    OfferDurationArg,
    TimeArg,
    WeekDayArg,
)

__all__ = [
    "NOT_GIVEN",
    "AccountStatusArg",
    "AccountTypeArg",
    "AutomationTypeArg",
    "ClientInfoWire",
    "ClientStatusArg",
    "ClientUpsertWire",
    "CriteriaOperatorArg",
    "CriteriaRow",
    "CriteriaTypeArg",
    "CriteriaWire",
    "DateTimeArg",
    "DeliveryAccountWire",
    "DeliveryDayRow",
    "DeliveryDayWire",
    "DeliveryMethodWire",
    "DeliveryTypeArg",
    "FieldDataRow",
    "FieldDataWire",
    "FieldMappingRow",
    "FieldMappingWire",
    "FieldSettingRow",
    "FieldSettingWire",
    "FieldTypeArg",
    "NotGiven",
    "OfferDurationArg",
    "TimeArg",
    "WeekDayArg",
]
