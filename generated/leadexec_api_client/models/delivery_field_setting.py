from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.field_type import FieldType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.delivery_field_mapping import DeliveryFieldMapping


T = TypeVar("T", bound="DeliveryFieldSetting")


@_attrs_define
class DeliveryFieldSetting:
    """One outgoing field of a delivery method: which buyer field name gets
    which value. Decision: the reference's table names the array
    `Settings` and its items' array `Mappings`, while its JSON example
    sends `FieldSettings` and `FieldMappings`; the example mirrors the real
    models, so its names are the wire names.

        Attributes:
            delivery_setting_uid (int): The setting's identifier; 0 adds a new setting.
            delivery_uid (int): The delivery method the setting belongs to (0 for a new method).
            delete (bool): True removes this setting.
            format_ (str): Format string applied to the value.
            field_type (FieldType): Where a delivered field's value comes from: 0 Static Value, 1 Lead
                Field, 2 Special Field, 3 Custom Expr, 4 Sub-String, 5 String
                Concatenation, 6 Client Field, 7 Lead Source Field, 8 Evaluate Function.
            field_name (str): The field name the buyer receives.
            value (str): The static value or source value of the field.
            lead_field_uid (int): The lead field the value comes from, 0 when none. Decision: the
                reference's table types it as a string, but its example sends the
                number 0 and every other identifier is an integer, so it is an
                integer on the wire.
            expr (str): Calculated or regular expression that produces the value.
            has_map (bool): True when `FieldMappings` translate lead values.
            field_mappings (list[DeliveryFieldMapping] | Unset): Value translations of this field (the table's `Mappings`).
    """

    delivery_setting_uid: int
    delivery_uid: int
    delete: bool
    format_: str
    field_type: FieldType
    field_name: str
    value: str
    lead_field_uid: int
    expr: str
    has_map: bool
    field_mappings: list[DeliveryFieldMapping] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        delivery_setting_uid = self.delivery_setting_uid

        delivery_uid = self.delivery_uid

        delete = self.delete

        format_ = self.format_

        field_type = self.field_type.value

        field_name = self.field_name

        value = self.value

        lead_field_uid = self.lead_field_uid

        expr = self.expr

        has_map = self.has_map

        field_mappings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.field_mappings, Unset):
            field_mappings = []
            for field_mappings_item_data in self.field_mappings:
                field_mappings_item = field_mappings_item_data.to_dict()
                field_mappings.append(field_mappings_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "DeliverySettingUID": delivery_setting_uid,
                "DeliveryUID": delivery_uid,
                "Delete": delete,
                "Format": format_,
                "FieldType": field_type,
                "FieldName": field_name,
                "Value": value,
                "LeadFieldUID": lead_field_uid,
                "Expr": expr,
                "hasMap": has_map,
            }
        )
        if field_mappings is not UNSET:
            field_dict["FieldMappings"] = field_mappings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.delivery_field_mapping import DeliveryFieldMapping

        d = dict(src_dict)
        delivery_setting_uid = d.pop("DeliverySettingUID")

        delivery_uid = d.pop("DeliveryUID")

        delete = d.pop("Delete")

        format_ = d.pop("Format")

        field_type = FieldType(d.pop("FieldType"))

        field_name = d.pop("FieldName")

        value = d.pop("Value")

        lead_field_uid = d.pop("LeadFieldUID")

        expr = d.pop("Expr")

        has_map = d.pop("hasMap")

        _field_mappings = d.pop("FieldMappings", UNSET)
        field_mappings: list[DeliveryFieldMapping] | Unset = UNSET
        if _field_mappings is not UNSET:
            field_mappings = []
            for field_mappings_item_data in _field_mappings:
                field_mappings_item = DeliveryFieldMapping.from_dict(field_mappings_item_data)

                field_mappings.append(field_mappings_item)

        delivery_field_setting = cls(
            delivery_setting_uid=delivery_setting_uid,
            delivery_uid=delivery_uid,
            delete=delete,
            format_=format_,
            field_type=field_type,
            field_name=field_name,
            value=value,
            lead_field_uid=lead_field_uid,
            expr=expr,
            has_map=has_map,
            field_mappings=field_mappings,
        )

        return delivery_field_setting
