"""A small FastAPI service that onboards a buyer on LeadExec: a client, its delivery method and account.

What it shows:

* ONE :class:`leadexec_async.LeadExecClient` per process, opened in the app's
  lifespan and closed when the app shuts down, handed to the routes as a
  dependency. Every request shares its connection pool, its concurrency cap,
  its rate limit and (with client credentials) its single access token.
* Everything checkable is checked before anything is sent, so a bad request
  creates nothing.
* Changing one field of an account (``PUT /buyers/{client_id}/accounts/{account_id}``)
  sends the whole account as an ``lx.DeliveryAccountRecord``: LeadExec replaces the
  whole record, so a partial update would reset the rest (the SDK refuses one).
* ``leadexec_async`` errors mapped to HTTP answers (:func:`http_answer`):

  ====================================  =====  ==========================================
  error                                 HTTP   why
  ====================================  =====  ==========================================
  ``ValidationError``                   422    the caller's input is wrong; nothing sent
  ``ConflictError`` (LeadExec 409)      409    e.g. the username is taken: the caller's
                                               input again, retrying cannot help
  ``RateLimitError`` (LeadExec 429)     503    with ``Retry-After``: LeadExec asked us to
                                               slow down; try again later
  ``OutcomeUnknownError``               502    ``"error": "outcome_unknown"``: a create may
                                               or may not have been applied. Do NOT resend
                                               blindly: that could create a duplicate
  any other ``APIStatusError``,         502    LeadExec failed or refused us (our
  ``APIConnectionError``, other                credentials, a 5xx, unreachable): not the
  ``LeadExecError``                            caller's fault
  ====================================  =====  ==========================================

  FastAPI's own 422 for a malformed body is kept, minus the echo of the
  input (which may hold the password). An SDK error body also lists
  ``created``: the ids of the records this request had already created when
  it failed (the API has no delete and no lookup, so the caller needs them to
  finish the job with updates).

Tracing: with OpenTelemetry configured in the process (an SDK tracer provider
and exporter, e.g. by ``opentelemetry-instrument``) and ``LEADEXEC_TRACING=1``
(read by the SDK; or ``create_app(tracing=provider)``), every LeadExec call a
request makes is one span (``leadexec.upsert_client``, ...) under that
request's span: operation, record kind, attempts, final status, outcome, and
an event per retry wait. No password reaches a span. See docs/guides/tracing.md.

Configuration comes from the environment: ``LEADEXEC_BASE_URL``, and
``LEADEXEC_ACCESS_TOKEN`` or ``LEADEXEC_CLIENT_ID`` + ``LEADEXEC_CLIENT_SECRET``
(read by the SDK itself), plus ``LEADEXEC_MAX_CONCURRENCY`` and
``LEADEXEC_RATE_LIMIT`` (read here). Run it against the local emulator::

    .venv/bin/leadexec emulator --port 8080 --token dev-token &
    LEADEXEC_BASE_URL=http://127.0.0.1:8080 LEADEXEC_ACCESS_TOKEN=dev-token \\
        .venv/bin/uvicorn examples.fastapi_app:app --port 8000

    curl -s -X POST http://127.0.0.1:8000/buyers -H 'Content-Type: application/json' -d '{
      "username": "acme", "password": "s3cret",
      "delivery_method": {"name": "Acme POST", "type": "HTTP POST",
                          "delivery_address": "https://acme.example/in"},
      "delivery_account": {"description": "Main", "price": 25.0, "day_max": 100,
                           "states": ["CA", "NV"], "state_lead_field_uid": 12}}'
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, SecretStr, model_validator

import leadexec_async as lx

log = logging.getLogger("buyer_onboarding")

#: Retry-After sent with a 503 when LeadExec's 429 did not say how long to wait.
DEFAULT_RETRY_AFTER = 1


# -- request and response bodies --------------------------------------------------


class DeliveryMethodIn(BaseModel):
    """How leads reach the buyer."""

    name: str = Field(min_length=1, max_length=200)
    type: str = Field("HTTP POST", description="a label lx.DeliveryType.parse takes ('HTTP POST'…)")
    delivery_address: str = Field(min_length=1, max_length=2000)
    lead_type_uid: int = Field(0, ge=0)


class DeliveryAccountIn(BaseModel):
    """Which leads the buyer takes, and at what price."""

    description: str = Field(min_length=1, max_length=200)
    price: float = Field(ge=0, allow_inf_nan=False)
    day_max: int = Field(-1, ge=-1, description="-1: no daily maximum")
    states: list[str] = Field(default_factory=list, description="accept leads from these states only")
    state_lead_field_uid: int | None = Field(None, ge=1, description="the lead field holding the state")

    @model_validator(mode="after")
    def _states_need_a_field(self) -> DeliveryAccountIn:
        if self.states and self.state_lead_field_uid is None:
            raise ValueError("state_lead_field_uid is required when states are given")
        return self


class BuyerIn(BaseModel):
    """A buyer to onboard."""

    username: str = Field(min_length=1, max_length=100)
    password: SecretStr = Field(min_length=1)
    status: str = Field("Active", description="any label lx.ClientStatus.parse takes")
    delivery_method: DeliveryMethodIn
    delivery_account: DeliveryAccountIn


class AccountChangeIn(DeliveryAccountIn):
    """A buyer's whole account, to replace the one LeadExec holds (e.g. to change its price)."""

    delivery_method_id: int = Field(ge=1)


class BuyerOut(BaseModel):
    """The LeadExec ids of the onboarded buyer's records."""

    client_id: int
    delivery_method_id: int
    delivery_account_id: int


# -- the one client ------------------------------------------------------------------


def client_options_from_env() -> dict[str, Any]:
    """LeadExecClient options this service reads from the environment (credentials: the SDK reads them)."""
    options: dict[str, Any] = {}
    if value := os.environ.get("LEADEXEC_MAX_CONCURRENCY"):
        options["max_concurrency"] = int(value)
    if value := os.environ.get("LEADEXEC_RATE_LIMIT"):
        options["rate_limit"] = float(value)
    return options


def get_leadexec(request: Request) -> lx.LeadExecClient:
    """The dependency: the application's one LeadExecClient."""
    client: lx.LeadExecClient = request.app.state.leadexec
    return client


LeadExec = Annotated[lx.LeadExecClient, Depends(get_leadexec)]


# -- errors -> HTTP ------------------------------------------------------------------


def http_answer(error: lx.LeadExecError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The HTTP status, JSON body and headers answering ``error`` (see the module docstring).

    SDK messages never contain tokens, secrets or passwords, so they are safe to return.
    """
    headers: dict[str, str] = {}
    body: dict[str, Any] = {"detail": str(error)}
    if isinstance(error, lx.ValidationError):
        status = 422
        body.update(error="invalid", field=error.field)
    elif isinstance(error, lx.RateLimitError):
        status = 503
        wait = error.retry_after
        headers["Retry-After"] = str(math.ceil(wait) if wait else DEFAULT_RETRY_AFTER)
        body.update(error="rate_limited")
    elif isinstance(error, lx.ConflictError):
        status = 409
        body.update(error="conflict")
    elif isinstance(error, lx.OutcomeUnknownError):
        # Checked before APIConnectionError, its base class: the one upstream failure
        # where resending may duplicate a record. 502 with a distinct code, no Retry-After.
        status = 502
        body.update(error="outcome_unknown", operation=error.operation, retry=False)
    elif isinstance(error, lx.APIStatusError):
        status = 502
        body.update(error="upstream_status", upstream_status=error.status_code)
    elif isinstance(error, lx.APIConnectionError):
        status = 502
        body.update(error="upstream_unreachable")
    else:  # UnexpectedResponseError, ClientClosedError, ...
        status = 502
        body.update(error="upstream_error")
    return status, body, headers


async def _on_leadexec_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, lx.LeadExecError)
    status, body, headers = http_answer(error)
    body["created"] = getattr(request.state, "created", {})
    log.log(
        logging.INFO if status in (409, 422) else logging.WARNING,
        "%s %s -> %d: %s",
        request.method,
        request.url.path,
        status,
        error,
    )
    return JSONResponse(body, status_code=status, headers=headers)


@contextmanager
def _checking(field: str) -> Iterator[None]:
    """Re-raise an SDK ValidationError so that it names the request's ``field``."""
    try:
        yield
    except lx.ValidationError as error:
        raise lx.ValidationError(f"{field}: {error}", field=field) from None


async def _on_invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own 422, without echoing the input back (it may hold the password)."""
    assert isinstance(error, RequestValidationError)
    errors = [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": errors}, status_code=422)


# -- the application -----------------------------------------------------------------


def create_app(**client_options: Any) -> FastAPI:
    """The service. ``client_options`` go to :class:`LeadExecClient`, over those from the environment."""
    options = {**client_options_from_env(), **client_options}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Created inside the running event loop, closed before it stops: no
        # "Event loop is closed" at shutdown, no connection left open. With
        # LEADEXEC_TRACING=1 (or tracing=...) each LeadExec call is a span.
        async with lx.LeadExecClient(**options) as le:
            app.state.leadexec = le
            log.info("LeadExec client ready: %r", le)
            yield
        log.info("LeadExec client closed")

    app = FastAPI(title="Buyer onboarding", lifespan=lifespan)
    app.add_exception_handler(lx.LeadExecError, _on_leadexec_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.put("/buyers/{client_id}/accounts/{account_id}")
    async def change_account(
        client_id: Annotated[int, Path(ge=1)],
        account_id: Annotated[int, Path(ge=1)],
        account: AccountChangeIn,
        le: LeadExec,
    ) -> dict[str, int]:
        """Change a buyer's account, e.g. its price, the safe way: LeadExec replaces the whole
        record (and has no read endpoint), so the whole account goes out as an
        ``lx.DeliveryAccountRecord``, never a partial update that would reset the rest."""
        criteria = []
        if account.states:
            assert account.state_lead_field_uid is not None
            with _checking("states"):
                criteria.append(lx.Criteria.in_(account.state_lead_field_uid, account.states))
        record = lx.DeliveryAccountRecord(
            client_account_uid=account_id,
            delivery_uid=account.delivery_method_id,
            description=account.description,
            price=account.price,
            day_max=account.day_max,
            criteria=criteria,
        )
        return {"delivery_account_id": await le.delivery_accounts.upsert(client_id, record)}

    @app.post("/buyers", status_code=201)
    async def onboard_buyer(buyer: BuyerIn, le: LeadExec, request: Request) -> BuyerOut:
        """Create the buyer's client, then its delivery method, then its delivery account."""
        method, account = buyer.delivery_method, buyer.delivery_account
        # Check what pydantic cannot before sending anything (lx.ValidationError -> 422).
        with _checking("status"):
            status = lx.ClientStatus.parse(buyer.status)
        with _checking("delivery_method.type"):
            method_type = lx.DeliveryType.parse(method.type)
        criteria = []
        if account.states:
            assert account.state_lead_field_uid is not None
            with _checking("delivery_account.states"):
                criteria.append(lx.Criteria.in_(account.state_lead_field_uid, account.states))

        created: dict[str, int] = {}
        request.state.created = created  # reported by the error handler if a later step fails
        created["client_id"] = await le.clients.create(
            username=buyer.username, password=buyer.password.get_secret_value(), status=status
        )
        created["delivery_method_id"] = await le.delivery_methods.create(
            created["client_id"],
            name=method.name,
            type=method_type,
            delivery_address=method.delivery_address,
            lead_type_uid=method.lead_type_uid,
        )
        created["delivery_account_id"] = await le.delivery_accounts.create(
            created["client_id"],
            delivery_uid=created["delivery_method_id"],
            description=account.description,
            price=account.price,
            day_max=account.day_max,
            criteria=criteria,
        )
        return BuyerOut(**created)

    return app


app = create_app()
