from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ClientFieldData")


@_attrs_define
class ClientFieldData:
    """A value for one custom client field.

    Attributes:
        client_field_uid (int): The client field the value is for.
        value (str): The field's value.
    """

    client_field_uid: int
    value: str

    def to_dict(self) -> dict[str, Any]:
        client_field_uid = self.client_field_uid

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ClientFieldUID": client_field_uid,
                "Value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_field_uid = d.pop("ClientFieldUID")

        value = d.pop("Value")

        client_field_data = cls(
            client_field_uid=client_field_uid,
            value=value,
        )

        return client_field_data
