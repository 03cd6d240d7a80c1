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
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccountStatus",
    "AccountType",
    "AuthenticationError",
    "AutomationType",
    "BadRequestError",
    "ClientClosedError",
    "ClientStatus",
    "ConflictError",
    "Criteria",
    "CriteriaOperator",
    "CriteriaType",
    "DeliveryType",
    "FieldSetting",
    "FieldType",
    "LeadExecClient",
    "LeadExecError",
    "NotFoundError",
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
