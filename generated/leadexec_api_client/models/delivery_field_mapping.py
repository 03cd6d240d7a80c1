from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DeliveryFieldMapping")


@_attrs_define
class DeliveryFieldMapping:
    """Maps one lead value of a field setting to the value sent to the buyer.

    Attributes:
        delivery_mapping_uid (int): The mapping's identifier; 0 adds a new mapping.
        delete (bool): True removes this mapping.
        delivery_setting_uid (int): The field setting the mapping belongs to (0 for a new setting).
        delivery_value (str): The value sent to the buyer.
        field_value (str): The lead's value that triggers this mapping.
    """

    delivery_mapping_uid: int
    delete: bool
    delivery_setting_uid: int
    delivery_value: str
    field_value: str

    def to_dict(self) -> dict[str, Any]:
        delivery_mapping_uid = self.delivery_mapping_uid

        delete = self.delete

        delivery_setting_uid = self.delivery_setting_uid

        delivery_value = self.delivery_value

        field_value = self.field_value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "DeliveryMappingUID": delivery_mapping_uid,
                "Delete": delete,
                "DeliverySettingUID": delivery_setting_uid,
                "DeliveryValue": delivery_value,
                "FieldValue": field_value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        delivery_mapping_uid = d.pop("DeliveryMappingUID")

        delete = d.pop("Delete")

        delivery_setting_uid = d.pop("DeliverySettingUID")

        delivery_value = d.pop("DeliveryValue")

        field_value = d.pop("FieldValue")

        delivery_field_mapping = cls(
            delivery_mapping_uid=delivery_mapping_uid,
            delete=delete,
            delivery_setting_uid=delivery_setting_uid,
            delivery_value=delivery_value,
            field_value=field_value,
        )

        return delivery_field_mapping
