"""The public surface: ``__all__`` is exactly the public names, and each one says what it does."""

from __future__ import annotations

import inspect
import types

import leadexec_async as lx

EXPECTED = {
    "LeadExecClient",
    # enums
    "AccountStatus",
    "AccountType",
    "AutomationType",
    "ClientStatus",
    "CriteriaOperator",
    "CriteriaType",
    "DeliveryType",
    "FieldType",
    "OfferDuration",
    "WeekDay",
    # whole records and the "not passed" sentinel of the typed signatures
    "ClientRecord",
    "DeliveryMethodRecord",
    "DeliveryAccountRecord",
    "NOT_GIVEN",
    "NotGiven",
    # builders
    "Criteria",
    "FieldSetting",
    "on_date",
    "weekly",
    # errors
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "LeadExecError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "__version__",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(lx.__all__) == EXPECTED
    assert len(lx.__all__) == len(EXPECTED)
    public = {
        name
        for name, value in vars(lx).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == EXPECTED - {"__version__"}


def test_every_public_name_has_a_docstring() -> None:
    for name in lx.__all__:
        if name == "__version__":
            assert isinstance(lx.__version__, str)
            continue
        doc = inspect.getdoc(getattr(lx, name))
        assert doc, name
        assert doc != inspect.getdoc(object), name


def test_every_error_derives_from_leadexec_error() -> None:
    errors = [getattr(lx, n) for n in lx.__all__ if n.endswith("Error")]
    assert len(errors) == 15
    assert all(issubclass(e, lx.LeadExecError) for e in errors)
    assert issubclass(lx.ValidationError, ValueError)
    assert issubclass(lx.OutcomeUnknownError, lx.APIConnectionError)
    assert issubclass(lx.APITimeoutError, lx.APIConnectionError)


def test_client_methods_are_documented() -> None:
    le = lx.LeadExecClient(access_token="t")
    for resource in (le.clients, le.delivery_methods, le.delivery_accounts):
        assert inspect.getdoc(resource)
        for method in ("create", "update", "upsert"):
            assert inspect.getdoc(getattr(resource, method)), (resource, method)
            assert inspect.iscoroutinefunction(getattr(resource, method))
