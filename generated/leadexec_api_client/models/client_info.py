from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.automation_type import AutomationType
from ..models.client_status import ClientStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientInfo")


@_attrs_define
class ClientInfo:
    """The client record itself.

    Attributes:
        client_uid (int): The client's identifier; 0 creates a new client.
        date_added (datetime.datetime): When the client was added, read by the API as Pacific Time.
        status (ClientStatus): Status of a client.
        user_uid (int | Unset): The LeadExec user the client is assigned to.
        time_offset (int | Unset): The client's offset from UTC, in hours.
        time_zone_name (str | Unset): Name of the time zone of `TimeOffset`, in Windows form (e.g. "Pacific Standard
            Time").
        notes (str | Unset): Free notes about the client.
        reseller_uid (int | Unset): The reseller the client is assigned to.
        group_uid (int | Unset): The client group the client belongs to.
        username (str | Unset): Login name for the client portal. Required when creating (it must be
            unique across clients); the schema cannot say "required if new", so
            the rule is carried by `x-required-on-create`.
        password (str | Unset): Portal password, required when creating. A secret; never logged.
        override_reassign (bool | Unset): Whether the client may reassign leads from the client portal.
        delivery_account_automation_type (AutomationType | Unset): How delivery automation scans a client's delivery
            accounts.
    """

    client_uid: int
    date_added: datetime.datetime
    status: ClientStatus
    user_uid: int | Unset = UNSET
    time_offset: int | Unset = UNSET
    time_zone_name: str | Unset = UNSET
    notes: str | Unset = UNSET
    reseller_uid: int | Unset = UNSET
    group_uid: int | Unset = UNSET
    username: str | Unset = UNSET
    password: str | Unset = UNSET
    override_reassign: bool | Unset = UNSET
    delivery_account_automation_type: AutomationType | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_uid = self.client_uid

        date_added = self.date_added.isoformat()

        status = self.status.value

        user_uid = self.user_uid

        time_offset = self.time_offset

        time_zone_name = self.time_zone_name

        notes = self.notes

        reseller_uid = self.reseller_uid

        group_uid = self.group_uid

        username = self.username

        password = self.password

        override_reassign = self.override_reassign

        delivery_account_automation_type: str | Unset = UNSET
        if not isinstance(self.delivery_account_automation_type, Unset):
            delivery_account_automation_type = self.delivery_account_automation_type.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ClientUID": client_uid,
                "DateAdded": date_added,
                "Status": status,
            }
        )
        if user_uid is not UNSET:
            field_dict["UserUID"] = user_uid
        if time_offset is not UNSET:
            field_dict["TimeOffset"] = time_offset
        if time_zone_name is not UNSET:
            field_dict["TimeZoneName"] = time_zone_name
        if notes is not UNSET:
            field_dict["Notes"] = notes
        if reseller_uid is not UNSET:
            field_dict["ResellerUID"] = reseller_uid
        if group_uid is not UNSET:
            field_dict["GroupUID"] = group_uid
        if username is not UNSET:
            field_dict["Username"] = username
        if password is not UNSET:
            field_dict["Password"] = password
        if override_reassign is not UNSET:
            field_dict["OverrideReassign"] = override_reassign
        if delivery_account_automation_type is not UNSET:
            field_dict["DeliveryAccountAutomationType"] = delivery_account_automation_type

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_uid = d.pop("ClientUID")

        date_added = datetime.datetime.fromisoformat(d.pop("DateAdded"))

        status = ClientStatus(d.pop("Status"))

        user_uid = d.pop("UserUID", UNSET)

        time_offset = d.pop("TimeOffset", UNSET)

        time_zone_name = d.pop("TimeZoneName", UNSET)

        notes = d.pop("Notes", UNSET)

        reseller_uid = d.pop("ResellerUID", UNSET)

        group_uid = d.pop("GroupUID", UNSET)

        username = d.pop("Username", UNSET)

        password = d.pop("Password", UNSET)

        override_reassign = d.pop("OverrideReassign", UNSET)

        _delivery_account_automation_type = d.pop("DeliveryAccountAutomationType", UNSET)
        delivery_account_automation_type: AutomationType | Unset
        if isinstance(_delivery_account_automation_type, Unset):
            delivery_account_automation_type = UNSET
        else:
            delivery_account_automation_type = AutomationType(_delivery_account_automation_type)

        client_info = cls(
            client_uid=client_uid,
            date_added=date_added,
            status=status,
            user_uid=user_uid,
            time_offset=time_offset,
            time_zone_name=time_zone_name,
            notes=notes,
            reseller_uid=reseller_uid,
            group_uid=group_uid,
            username=username,
            password=password,
            override_reassign=override_reassign,
            delivery_account_automation_type=delivery_account_automation_type,
        )

        return client_info
