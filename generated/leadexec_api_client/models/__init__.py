"""Contains all the data models used in inputs/outputs"""

from .account_status import AccountStatus
from .account_type import AccountType
from .automation_type import AutomationType
from .client_field_data import ClientFieldData
from .client_info import ClientInfo
from .client_status import ClientStatus
from .client_upsert import ClientUpsert
from .criteria_operator import CriteriaOperator
from .criteria_type import CriteriaType
from .delivery_account import DeliveryAccount
from .delivery_criteria import DeliveryCriteria
from .delivery_day import DeliveryDay
from .delivery_field_mapping import DeliveryFieldMapping
from .delivery_field_setting import DeliveryFieldSetting
from .delivery_method import DeliveryMethod
from .delivery_type import DeliveryType
from .error_response import ErrorResponse
from .field_type import FieldType
from .grant_type import GrantType
from .offer_duration import OfferDuration
from .token_request import TokenRequest
from .token_response import TokenResponse
from .week_day import WeekDay

__all__ = (
    "AccountStatus",
    "AccountType",
    "AutomationType",
    "ClientFieldData",
    "ClientInfo",
    "ClientStatus",
    "ClientUpsert",
    "CriteriaOperator",
    "CriteriaType",
    "DeliveryAccount",
    "DeliveryCriteria",
    "DeliveryDay",
    "DeliveryFieldMapping",
    "DeliveryFieldSetting",
    "DeliveryMethod",
    "DeliveryType",
    "ErrorResponse",
    "FieldType",
    "GrantType",
    "OfferDuration",
    "TokenRequest",
    "TokenResponse",
    "WeekDay",
)
