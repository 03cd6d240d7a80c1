"""Async Python SDK for the LeadExec Account API.

Start with :class:`LeadExecClient`; every error derives from :class:`LeadExecError`.
"""

from ._builders import Criteria, FieldSetting, on_date, weekly
from ._client import LeadExecClient
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    LeadExecError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)
from ._shapes import NOT_GIVEN, NotGiven
from ._surface import ClientRecord, DeliveryAccountRecord, DeliveryMethodRecord
from ._version import __version__
from .enums import (
    AccountStatus,
    AccountType,
    AutomationType,
    ClientStatus,
    CriteriaOperator,
    CriteriaType,
    DeliveryType,
    FieldType,
    OfferDuration,
    WeekDay,
)

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccountStatus",
    "AccountType",
    "AuthenticationError",
    "AutomationType",
    "BadRequestError",
    "ClientClosedError",
    "ClientRecord",
    "ClientStatus",
    "ConflictError",
    "Criteria",
    "CriteriaOperator",
    "CriteriaType",
    "DeliveryAccountRecord",
    "DeliveryMethodRecord",
    "DeliveryType",
    "FieldSetting",
    "FieldType",
    "LeadExecClient",
    "LeadExecError",
    "NotFoundError",
    "NotGiven",
    "OfferDuration",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "WeekDay",
    "__version__",
    "on_date",
    "weekly",
]
