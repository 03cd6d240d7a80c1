from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.week_day import WeekDay

T = TypeVar("T", bound="DeliveryDay")


@_attrs_define
class DeliveryDay:
    """One schedule row of a delivery method. No rows means delivery at any
    time. Only the time of day of `StartTime` and `EndTime` matters.

        Attributes:
            delivery_day_uid (int): The row's identifier; 0 adds a new row.
            delivery_uid (int): The delivery method the row belongs to (0 for a new method).
            week_day (WeekDay): Day of the week, 0 Sunday to 6 Saturday.
            static_date (datetime.datetime): A fixed date the row applies to (Pacific Time).
            start_time (datetime.datetime): Start of the window; only its time of day matters (Pacific Time).
            end_time (datetime.datetime): End of the window; only its time of day matters (Pacific Time).
            allow (bool): True allows delivery in the window, false blocks it.
    """

    delivery_day_uid: int
    delivery_uid: int
    week_day: WeekDay
    static_date: datetime.datetime
    start_time: datetime.datetime
    end_time: datetime.datetime
    allow: bool

    def to_dict(self) -> dict[str, Any]:
        delivery_day_uid = self.delivery_day_uid

        delivery_uid = self.delivery_uid

        week_day = self.week_day.value

        static_date = self.static_date.isoformat()

        start_time = self.start_time.isoformat()

        end_time = self.end_time.isoformat()

        allow = self.allow

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "DeliveryDayUID": delivery_day_uid,
                "DeliveryUID": delivery_uid,
                "WeekDay": week_day,
                "StaticDate": static_date,
                "StartTime": start_time,
                "EndTime": end_time,
                "Allow": allow,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        delivery_day_uid = d.pop("DeliveryDayUID")

        delivery_uid = d.pop("DeliveryUID")

        week_day = WeekDay(d.pop("WeekDay"))

        static_date = datetime.datetime.fromisoformat(d.pop("StaticDate"))

        start_time = datetime.datetime.fromisoformat(d.pop("StartTime"))

        end_time = datetime.datetime.fromisoformat(d.pop("EndTime"))

        allow = d.pop("Allow")

        delivery_day = cls(
            delivery_day_uid=delivery_day_uid,
            delivery_uid=delivery_uid,
            week_day=week_day,
            static_date=static_date,
            start_time=start_time,
            end_time=end_time,
            allow=allow,
        )

        return delivery_day
