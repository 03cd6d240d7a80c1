from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.delivery_type import DeliveryType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.delivery_day import DeliveryDay
    from ..models.delivery_field_setting import DeliveryFieldSetting


T = TypeVar("T", bound="DeliveryMethod")


@_attrs_define
class DeliveryMethod:
    """The body of `PUT /v1/delivery/{ClientUID}/methods`: how leads are sent
    to a buyer.

        Attributes:
            client_delivery_uid (int): The method's identifier; 0 creates a new method.
            client_uid (int): The client the method belongs to; must equal the `ClientUID` of the path.
            type_ (DeliveryType): How leads are sent to the buyer: 0 HTTP POST, 1 HTTP GET, 2 XML / JSON,
                3 SalesExec, 4 FTP, 5 E-Mail, 6 CSV Attachment, 7 SOAP, 8 Internal
                System, 9 PING/POST, 10 Batch Email File Delivery, 11 SMS Notification.
            name (str): The method's name.
            status (bool): True when the method is enabled.
            date_added (datetime.datetime): When the method was created, read as Pacific Time.
            in_testing (bool): True puts the method in testing, where it uses test values when there are any.
            lead_type_uid (int): The lead type the method delivers.
            xml (str): The XML or JSON template of the body sent to the buyer.
            email_template (str): Template of the body of an outgoing email.
            email_subject (str): Template of the subject of an outgoing email.
            ftp_user (str): User name for FTP delivery.
            ftp_password (str): Password for FTP delivery. A secret; never logged.
            ftp_path (str): Remote path for FTP delivery.
            email_address (str): Recipient of outgoing email delivery.
            use_reg_ex (bool): True when `ResponseSearch` is a regular expression.
            response_search (str): Text or expression looked for in the buyer's answer to tell success.
            delivery_address (str): URL outgoing requests are sent to.
            smtp_server (str): SMTP server for outgoing email.
            smtp_auth (bool): True when the SMTP server needs authentication.
            smtp_username (str): SMTP user name.
            smtp_password (str): SMTP password. A secret; never logged.
            f_address (str): From address of outgoing email.
            t_address (str): To address of outgoing email.
            email_notify (bool): Deprecated. Send a notification email after delivery.
            notify_cc (str): Copy recipients of outgoing email.
            notify_bcc (str): Blind copy recipients of outgoing email.
            notify_email (str): Deprecated. Recipient of the notification email.
            lead_cat_uid (int): The lead category delivered leads are put in.
            client_email (str): Deprecated; send an empty string.
            field_settings (list[DeliveryFieldSetting] | Unset): Outgoing field settings (the reference's table calls this
                `Settings`; see DeliveryFieldSetting).
            delivery_days (list[DeliveryDay] | Unset): Delivery schedule; none means any time.
    """

    client_delivery_uid: int
    client_uid: int
    type_: DeliveryType
    name: str
    status: bool
    date_added: datetime.datetime
    in_testing: bool
    lead_type_uid: int
    xml: str
    email_template: str
    email_subject: str
    ftp_user: str
    ftp_password: str
    ftp_path: str
    email_address: str
    use_reg_ex: bool
    response_search: str
    delivery_address: str
    smtp_server: str
    smtp_auth: bool
    smtp_username: str
    smtp_password: str
    f_address: str
    t_address: str
    email_notify: bool
    notify_cc: str
    notify_bcc: str
    notify_email: str
    lead_cat_uid: int
    client_email: str
    field_settings: list[DeliveryFieldSetting] | Unset = UNSET
    delivery_days: list[DeliveryDay] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_delivery_uid = self.client_delivery_uid

        client_uid = self.client_uid

        type_ = self.type_.value

        name = self.name

        status = self.status

        date_added = self.date_added.isoformat()

        in_testing = self.in_testing

        lead_type_uid = self.lead_type_uid

        xml = self.xml

        email_template = self.email_template

        email_subject = self.email_subject

        ftp_user = self.ftp_user

        ftp_password = self.ftp_password

        ftp_path = self.ftp_path

        email_address = self.email_address

        use_reg_ex = self.use_reg_ex

        response_search = self.response_search

        delivery_address = self.delivery_address

        smtp_server = self.smtp_server

        smtp_auth = self.smtp_auth

        smtp_username = self.smtp_username

        smtp_password = self.smtp_password

        f_address = self.f_address

        t_address = self.t_address

        email_notify = self.email_notify

        notify_cc = self.notify_cc

        notify_bcc = self.notify_bcc

        notify_email = self.notify_email

        lead_cat_uid = self.lead_cat_uid

        client_email = self.client_email

        field_settings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.field_settings, Unset):
            field_settings = []
            for field_settings_item_data in self.field_settings:
                field_settings_item = field_settings_item_data.to_dict()
                field_settings.append(field_settings_item)

        delivery_days: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.delivery_days, Unset):
            delivery_days = []
            for delivery_days_item_data in self.delivery_days:
                delivery_days_item = delivery_days_item_data.to_dict()
                delivery_days.append(delivery_days_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ClientDeliveryUID": client_delivery_uid,
                "ClientUID": client_uid,
                "Type": type_,
                "Name": name,
                "Status": status,
                "DateAdded": date_added,
                "inTesting": in_testing,
                "LeadTypeUID": lead_type_uid,
                "XML": xml,
                "EmailTemplate": email_template,
                "EmailSubject": email_subject,
                "FTPUser": ftp_user,
                "FTPPassword": ftp_password,
                "FTPPath": ftp_path,
                "EmailAddress": email_address,
                "useRegEx": use_reg_ex,
                "ResponseSearch": response_search,
                "DeliveryAddress": delivery_address,
                "SMTPServer": smtp_server,
                "SMTPAuth": smtp_auth,
                "SMTPUsername": smtp_username,
                "SMTPPassword": smtp_password,
                "fAddress": f_address,
                "tAddress": t_address,
                "EmailNotify": email_notify,
                "NotifyCC": notify_cc,
                "NotifyBCC": notify_bcc,
                "NotifyEmail": notify_email,
                "LeadCatUID": lead_cat_uid,
                "ClientEmail": client_email,
            }
        )
        if field_settings is not UNSET:
            field_dict["FieldSettings"] = field_settings
        if delivery_days is not UNSET:
            field_dict["DeliveryDays"] = delivery_days

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.delivery_day import DeliveryDay
        from ..models.delivery_field_setting import DeliveryFieldSetting

        d = dict(src_dict)
        client_delivery_uid = d.pop("ClientDeliveryUID")

        client_uid = d.pop("ClientUID")

        type_ = DeliveryType(d.pop("Type"))

        name = d.pop("Name")

        status = d.pop("Status")

        date_added = datetime.datetime.fromisoformat(d.pop("DateAdded"))

        in_testing = d.pop("inTesting")

        lead_type_uid = d.pop("LeadTypeUID")

        xml = d.pop("XML")

        email_template = d.pop("EmailTemplate")

        email_subject = d.pop("EmailSubject")

        ftp_user = d.pop("FTPUser")

        ftp_password = d.pop("FTPPassword")

        ftp_path = d.pop("FTPPath")

        email_address = d.pop("EmailAddress")

        use_reg_ex = d.pop("useRegEx")

        response_search = d.pop("ResponseSearch")

        delivery_address = d.pop("DeliveryAddress")

        smtp_server = d.pop("SMTPServer")

        smtp_auth = d.pop("SMTPAuth")

        smtp_username = d.pop("SMTPUsername")

        smtp_password = d.pop("SMTPPassword")

        f_address = d.pop("fAddress")

        t_address = d.pop("tAddress")

        email_notify = d.pop("EmailNotify")

        notify_cc = d.pop("NotifyCC")

        notify_bcc = d.pop("NotifyBCC")

        notify_email = d.pop("NotifyEmail")

        lead_cat_uid = d.pop("LeadCatUID")

        client_email = d.pop("ClientEmail")

        _field_settings = d.pop("FieldSettings", UNSET)
        field_settings: list[DeliveryFieldSetting] | Unset = UNSET
        if _field_settings is not UNSET:
            field_settings = []
            for field_settings_item_data in _field_settings:
                field_settings_item = DeliveryFieldSetting.from_dict(field_settings_item_data)

                field_settings.append(field_settings_item)

        _delivery_days = d.pop("DeliveryDays", UNSET)
        delivery_days: list[DeliveryDay] | Unset = UNSET
        if _delivery_days is not UNSET:
            delivery_days = []
            for delivery_days_item_data in _delivery_days:
                delivery_days_item = DeliveryDay.from_dict(delivery_days_item_data)

                delivery_days.append(delivery_days_item)

        delivery_method = cls(
            client_delivery_uid=client_delivery_uid,
            client_uid=client_uid,
            type_=type_,
            name=name,
            status=status,
            date_added=date_added,
            in_testing=in_testing,
            lead_type_uid=lead_type_uid,
            xml=xml,
            email_template=email_template,
            email_subject=email_subject,
            ftp_user=ftp_user,
            ftp_password=ftp_password,
            ftp_path=ftp_path,
            email_address=email_address,
            use_reg_ex=use_reg_ex,
            response_search=response_search,
            delivery_address=delivery_address,
            smtp_server=smtp_server,
            smtp_auth=smtp_auth,
            smtp_username=smtp_username,
            smtp_password=smtp_password,
            f_address=f_address,
            t_address=t_address,
            email_notify=email_notify,
            notify_cc=notify_cc,
            notify_bcc=notify_bcc,
            notify_email=notify_email,
            lead_cat_uid=lead_cat_uid,
            client_email=client_email,
            field_settings=field_settings,
            delivery_days=delivery_days,
        )

        return delivery_method
