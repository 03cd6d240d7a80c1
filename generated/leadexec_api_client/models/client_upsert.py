from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.client_field_data import ClientFieldData
    from ..models.client_info import ClientInfo


T = TypeVar("T", bound="ClientUpsert")


@_attrs_define
class ClientUpsert:
    """The body of `PATCH /v1/clients`.

    Attributes:
        info (ClientInfo): The client record itself.
        field_data (list[ClientFieldData] | Unset): Values of custom client fields.
    """

    info: ClientInfo
    field_data: list[ClientFieldData] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        info = self.info.to_dict()

        field_data: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.field_data, Unset):
            field_data = []
            for field_data_item_data in self.field_data:
                field_data_item = field_data_item_data.to_dict()
                field_data.append(field_data_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "Info": info,
            }
        )
        if field_data is not UNSET:
            field_dict["FieldData"] = field_data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.client_field_data import ClientFieldData
        from ..models.client_info import ClientInfo

        d = dict(src_dict)
        info = ClientInfo.from_dict(d.pop("Info"))

        _field_data = d.pop("FieldData", UNSET)
        field_data: list[ClientFieldData] | Unset = UNSET
        if _field_data is not UNSET:
            field_data = []
            for field_data_item_data in _field_data:
                field_data_item = ClientFieldData.from_dict(field_data_item_data)

                field_data.append(field_data_item)

        client_upsert = cls(
            info=info,
            field_data=field_data,
        )

        return client_upsert
