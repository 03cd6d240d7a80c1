from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.account_status import AccountStatus
from ..models.account_type import AccountType
from ..models.offer_duration import OfferDuration
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.delivery_criteria import DeliveryCriteria


T = TypeVar("T", bound="DeliveryAccount")


@_attrs_define
class DeliveryAccount:
    """The body of `PUT /v1/delivery/{ClientUID}/accounts/`: price, caps,
    status and filters of one buyer account.

        Attributes:
            client_account_uid (int): The account's identifier; 0 creates a new account. Decision: the
                reference types it as a "unique identifier" (a GUID), but says to
                send 0 for a new account, its example sends 0 and the answer is an
                integer, so it is an integer.
            client_uid (int): The client the account belongs to; must equal the `ClientUID` of the path.
            delivery_uid (int): The delivery method (of the same client) that delivers this account's leads.
            price (float): Default price of a lead.
            hour_max (int): Most leads in any 60 minutes; -1 means no maximum.
            day_max (int): Most leads in the current day; -1 means no maximum.
            month_max (int): Most leads in the current month; -1 means no maximum.
            week_max (int): Most leads in the current week; -1 means no maximum.
            use_order (bool): True delivers only while an open order exists.
            status (AccountStatus): Status of a delivery account: 9 Closed, 10 Suspended, 11 OnHold,
                12 Open. Decision: the reference's JSON example sends `Status: 0`,
                which is outside the documented values; the example's numbers are all
                placeholders (every integer in it is 0), so 0 is not accepted and new
                accounts default to 12 (Open).
            delivery_delay (int): Seconds a lead is held before delivery.
            description (str): The account's name.
            redirect_url (str): Where the consumer is sent, for Redirect accounts.
            automation_enabled (bool): True when the account takes part in delivery automation.
            alternate_posting (int): A second delivery method of the same client triggered alongside (for ping/post, the
                PING method); 0 = none.
            account_type (AccountType): What leads an account takes: 0 General, 1 Redirect (uses
                `RedirectURL`), 2 Live Call and 3 800 IVR (use `AgentName` and
                `AgentPhone`).
            agent_name (str): Agent a Live Call or IVR lead is transferred to.
            agent_phone (str): Phone number a Live Call or IVR lead is transferred to.
            offer_enabled (bool | Unset): True turns the offer on.
            offer_is_dynamic (bool | Unset): True for a dynamic offer, false for a static one.
            offer_name (str | Unset): Name of a static offer.
            offer_require_custom_consent (bool | Unset): True uses `OfferTCPA` as the consent text of a static offer.
            offer_company_phone_number (str | Unset): Phone number of the company making a static offer.
            offer_company_name (str | Unset): Name of the company that buys the lead (static offer).
            offer_description (str | Unset): Long description of a static offer.
            offer_image (str | Unset): URL or path of the offer's image or company logo (static offer).
            offer_url (str | Unset): Main URL of a static offer.
            offer_privacy_url (str | Unset): Privacy policy URL of a static offer.
            offer_terms_url (str | Unset): Terms and conditions URL of a static offer.
            offer_tcpa (str | Unset): Custom consent (TCPA) text of a static offer.
            offer_amount (float | Unset): Price shown to the consumer (static offer). Decision: the
                reference's table types it as a string, but its example sends the
                number 0.0, so it is a number on the wire.
            offer_start_date (datetime.datetime | Unset): When the offer starts (Pacific Time).
            offer_end_date (datetime.datetime | Unset): When the offer ends (Pacific Time).
            offer_time_zone (str | Unset): Time zone of the offer.
            offer_duration (OfferDuration | Unset): Duration of a static offer: 0 Monthly, 1 Yearly. Decision: the
                reference's table types it as a string but lists numeric values and its
                example sends a number, so it is an integer on the wire.
            offer_parse_code (str | Unset): Code that processes a dynamic offer.
            criteria (list[DeliveryCriteria] | Unset): Filters a lead must pass to be delivered to this account.
    """

    client_account_uid: int
    client_uid: int
    delivery_uid: int
    price: float
    hour_max: int
    day_max: int
    month_max: int
    week_max: int
    use_order: bool
    status: AccountStatus
    delivery_delay: int
    description: str
    redirect_url: str
    automation_enabled: bool
    alternate_posting: int
    account_type: AccountType
    agent_name: str
    agent_phone: str
    offer_enabled: bool | Unset = UNSET
    offer_is_dynamic: bool | Unset = UNSET
    offer_name: str | Unset = UNSET
    offer_require_custom_consent: bool | Unset = UNSET
    offer_company_phone_number: str | Unset = UNSET
    offer_company_name: str | Unset = UNSET
    offer_description: str | Unset = UNSET
    offer_image: str | Unset = UNSET
    offer_url: str | Unset = UNSET
    offer_privacy_url: str | Unset = UNSET
    offer_terms_url: str | Unset = UNSET
    offer_tcpa: str | Unset = UNSET
    offer_amount: float | Unset = UNSET
    offer_start_date: datetime.datetime | Unset = UNSET
    offer_end_date: datetime.datetime | Unset = UNSET
    offer_time_zone: str | Unset = UNSET
    offer_duration: OfferDuration | Unset = UNSET
    offer_parse_code: str | Unset = UNSET
    criteria: list[DeliveryCriteria] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_account_uid = self.client_account_uid

        client_uid = self.client_uid

        delivery_uid = self.delivery_uid

        price = self.price

        hour_max = self.hour_max

        day_max = self.day_max

        month_max = self.month_max

        week_max = self.week_max

        use_order = self.use_order

        status = self.status.value

        delivery_delay = self.delivery_delay

        description = self.description

        redirect_url = self.redirect_url

        automation_enabled = self.automation_enabled

        alternate_posting = self.alternate_posting

        account_type = self.account_type.value

        agent_name = self.agent_name

        agent_phone = self.agent_phone

        offer_enabled = self.offer_enabled

        offer_is_dynamic = self.offer_is_dynamic

        offer_name = self.offer_name

        offer_require_custom_consent = self.offer_require_custom_consent

        offer_company_phone_number = self.offer_company_phone_number

        offer_company_name = self.offer_company_name

        offer_description = self.offer_description

        offer_image = self.offer_image

        offer_url = self.offer_url

        offer_privacy_url = self.offer_privacy_url

        offer_terms_url = self.offer_terms_url

        offer_tcpa = self.offer_tcpa

        offer_amount = self.offer_amount

        offer_start_date: str | Unset = UNSET
        if not isinstance(self.offer_start_date, Unset):
            offer_start_date = self.offer_start_date.isoformat()

        offer_end_date: str | Unset = UNSET
        if not isinstance(self.offer_end_date, Unset):
            offer_end_date = self.offer_end_date.isoformat()

        offer_time_zone = self.offer_time_zone

        offer_duration: int | Unset = UNSET
        if not isinstance(self.offer_duration, Unset):
            offer_duration = self.offer_duration.value

        offer_parse_code = self.offer_parse_code

        criteria: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.criteria, Unset):
            criteria = []
            for criteria_item_data in self.criteria:
                criteria_item = criteria_item_data.to_dict()
                criteria.append(criteria_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ClientAccountUID": client_account_uid,
                "ClientUID": client_uid,
                "DeliveryUID": delivery_uid,
                "Price": price,
                "HourMax": hour_max,
                "DayMax": day_max,
                "MonthMax": month_max,
                "WeekMax": week_max,
                "useOrder": use_order,
                "Status": status,
                "DeliveryDelay": delivery_delay,
                "Description": description,
                "RedirectURL": redirect_url,
                "AutomationEnabled": automation_enabled,
                "AlternatePosting": alternate_posting,
                "AccountType": account_type,
                "AgentName": agent_name,
                "AgentPhone": agent_phone,
            }
        )
        if offer_enabled is not UNSET:
            field_dict["OfferEnabled"] = offer_enabled
        if offer_is_dynamic is not UNSET:
            field_dict["OfferIsDynamic"] = offer_is_dynamic
        if offer_name is not UNSET:
            field_dict["OfferName"] = offer_name
        if offer_require_custom_consent is not UNSET:
            field_dict["OfferRequireCustomConsent"] = offer_require_custom_consent
        if offer_company_phone_number is not UNSET:
            field_dict["OfferCompanyPhoneNumber"] = offer_company_phone_number
        if offer_company_name is not UNSET:
            field_dict["OfferCompanyName"] = offer_company_name
        if offer_description is not UNSET:
            field_dict["OfferDescription"] = offer_description
        if offer_image is not UNSET:
            field_dict["OfferImage"] = offer_image
        if offer_url is not UNSET:
            field_dict["OfferURL"] = offer_url
        if offer_privacy_url is not UNSET:
            field_dict["OfferPrivacyUrl"] = offer_privacy_url
        if offer_terms_url is not UNSET:
            field_dict["OfferTermsUrl"] = offer_terms_url
        if offer_tcpa is not UNSET:
            field_dict["OfferTCPA"] = offer_tcpa
        if offer_amount is not UNSET:
            field_dict["OfferAmount"] = offer_amount
        if offer_start_date is not UNSET:
            field_dict["OfferStartDate"] = offer_start_date
        if offer_end_date is not UNSET:
            field_dict["OfferEndDate"] = offer_end_date
        if offer_time_zone is not UNSET:
            field_dict["OfferTimeZone"] = offer_time_zone
        if offer_duration is not UNSET:
            field_dict["OfferDuration"] = offer_duration
        if offer_parse_code is not UNSET:
            field_dict["OfferParseCode"] = offer_parse_code
        if criteria is not UNSET:
            field_dict["Criteria"] = criteria

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.delivery_criteria import DeliveryCriteria

        d = dict(src_dict)
        client_account_uid = d.pop("ClientAccountUID")

        client_uid = d.pop("ClientUID")

        delivery_uid = d.pop("DeliveryUID")

        price = d.pop("Price")

        hour_max = d.pop("HourMax")

        day_max = d.pop("DayMax")

        month_max = d.pop("MonthMax")

        week_max = d.pop("WeekMax")

        use_order = d.pop("useOrder")

        status = AccountStatus(d.pop("Status"))

        delivery_delay = d.pop("DeliveryDelay")

        description = d.pop("Description")

        redirect_url = d.pop("RedirectURL")

        automation_enabled = d.pop("AutomationEnabled")

        alternate_posting = d.pop("AlternatePosting")

        account_type = AccountType(d.pop("AccountType"))

        agent_name = d.pop("AgentName")

        agent_phone = d.pop("AgentPhone")

        offer_enabled = d.pop("OfferEnabled", UNSET)

        offer_is_dynamic = d.pop("OfferIsDynamic", UNSET)

        offer_name = d.pop("OfferName", UNSET)

        offer_require_custom_consent = d.pop("OfferRequireCustomConsent", UNSET)

        offer_company_phone_number = d.pop("OfferCompanyPhoneNumber", UNSET)

        offer_company_name = d.pop("OfferCompanyName", UNSET)

        offer_description = d.pop("OfferDescription", UNSET)

        offer_image = d.pop("OfferImage", UNSET)

        offer_url = d.pop("OfferURL", UNSET)

        offer_privacy_url = d.pop("OfferPrivacyUrl", UNSET)

        offer_terms_url = d.pop("OfferTermsUrl", UNSET)

        offer_tcpa = d.pop("OfferTCPA", UNSET)

        offer_amount = d.pop("OfferAmount", UNSET)

        _offer_start_date = d.pop("OfferStartDate", UNSET)
        offer_start_date: datetime.datetime | Unset
        if isinstance(_offer_start_date, Unset):
            offer_start_date = UNSET
        else:
            offer_start_date = datetime.datetime.fromisoformat(_offer_start_date)

        _offer_end_date = d.pop("OfferEndDate", UNSET)
        offer_end_date: datetime.datetime | Unset
        if isinstance(_offer_end_date, Unset):
            offer_end_date = UNSET
        else:
            offer_end_date = datetime.datetime.fromisoformat(_offer_end_date)

        offer_time_zone = d.pop("OfferTimeZone", UNSET)

        _offer_duration = d.pop("OfferDuration", UNSET)
        offer_duration: OfferDuration | Unset
        if isinstance(_offer_duration, Unset):
            offer_duration = UNSET
        else:
            offer_duration = OfferDuration(_offer_duration)

        offer_parse_code = d.pop("OfferParseCode", UNSET)

        _criteria = d.pop("Criteria", UNSET)
        criteria: list[DeliveryCriteria] | Unset = UNSET
        if _criteria is not UNSET:
            criteria = []
            for criteria_item_data in _criteria:
                criteria_item = DeliveryCriteria.from_dict(criteria_item_data)

                criteria.append(criteria_item)

        delivery_account = cls(
            client_account_uid=client_account_uid,
            client_uid=client_uid,
            delivery_uid=delivery_uid,
            price=price,
            hour_max=hour_max,
            day_max=day_max,
            month_max=month_max,
            week_max=week_max,
            use_order=use_order,
            status=status,
            delivery_delay=delivery_delay,
            description=description,
            redirect_url=redirect_url,
            automation_enabled=automation_enabled,
            alternate_posting=alternate_posting,
            account_type=account_type,
            agent_name=agent_name,
            agent_phone=agent_phone,
            offer_enabled=offer_enabled,
            offer_is_dynamic=offer_is_dynamic,
            offer_name=offer_name,
            offer_require_custom_consent=offer_require_custom_consent,
            offer_company_phone_number=offer_company_phone_number,
            offer_company_name=offer_company_name,
            offer_description=offer_description,
            offer_image=offer_image,
            offer_url=offer_url,
            offer_privacy_url=offer_privacy_url,
            offer_terms_url=offer_terms_url,
            offer_tcpa=offer_tcpa,
            offer_amount=offer_amount,
            offer_start_date=offer_start_date,
            offer_end_date=offer_end_date,
            offer_time_zone=offer_time_zone,
            offer_duration=offer_duration,
            offer_parse_code=offer_parse_code,
            criteria=criteria,
        )

        return delivery_account
