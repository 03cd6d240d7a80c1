"""The three resources as data, and create/update/upsert written once for all of them.

A resource is a :class:`ResourceSpec`: which generated operation describes the
request (its ``_get_kwargs`` gives method, path and the JSON body from
``model.to_dict()``), which builder of :mod:`leadexec_async._records` makes
the model, and what the record id is called. The request itself goes through
the client's :class:`~leadexec_async._pipeline.Pipeline`, never through the
generated ``asyncio_detailed`` (which cannot take statuses outside
:class:`http.HTTPStatus` and returns the id as text).

The endpoints replace the whole record: an update sends every field, and a
field left out gets its default (see :mod:`leadexec_async._records`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from leadexec_api_client.api.clients import upsert_client
from leadexec_api_client.api.delivery import upsert_delivery_account, upsert_delivery_method
from leadexec_api_client.models import ClientUpsert, DeliveryAccount, DeliveryMethod

from ._constants import ID_BODY_PREVIEW
from ._errors import UnexpectedResponseError, ValidationError
from ._pipeline import Pipeline
from ._records import (
    build_client,
    build_delivery_account,
    build_delivery_method,
    record_id_of,
    require_positive_id,
)
from ._reply import Reply
from ._retry import Kind


def parse_record_id(response: Reply) -> int:
    """The positive integer id in a 2xx body, whatever its Content-Type.

    Accepted: ``12345``, the same with surrounding white space, a JSON number
    (integral) or a JSON string of digits. Anything else raises
    :class:`~leadexec_async.UnexpectedResponseError` with the status and body.
    """
    content = response.content.strip()
    if content.isdigit() and len(content) < 20:
        value = int(content)
        if value > 0:
            return value
        return _bad_id(response)
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return _bad_id(response)
    if type(data) is str:
        data = data.strip()
        if data.isascii() and data.isdigit() and len(data) < 20:
            data = int(data)
    elif type(data) is float and data.is_integer():
        data = int(data)
    if type(data) is int and 0 < data < 2**63:
        return data
    return _bad_id(response)


def _bad_id(response: Reply) -> int:
    body = response.text
    preview = body.strip()[:ID_BODY_PREVIEW]
    raise UnexpectedResponseError(
        f"{response.request.method} {response.request.url.path} answered {response.status_code} "
        f"without a record id (expected a positive integer): {preview!r}",
        status_code=response.status_code,
        body=body,
    )


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """What differs between the resources; everything else is shared."""

    #: the generated operation module's name (reported by OutcomeUnknownError)
    operation: str
    #: the generated operation's ``_get_kwargs``
    get_kwargs: Callable[..., dict[str, Any]]
    #: builds the model: ``build(client_uid, record_id=, body=, fields=)``
    build: Callable[..., Any]
    #: the keyword naming the record id in ``update`` (for error messages)
    id_name: str


def _build_client(
    _client_uid: int | None, *, record_id: int | None, body: Any, fields: Mapping[str, Any]
) -> ClientUpsert:
    return build_client(record_id=record_id, body=body, fields=fields)


def _client_kwargs(_client_uid: int | None, *, body: ClientUpsert) -> dict[str, Any]:
    kwargs: dict[str, Any] = upsert_client._get_kwargs(body=body)
    return kwargs


CLIENTS = ResourceSpec("upsert_client", _client_kwargs, _build_client, "client_id")
DELIVERY_METHODS = ResourceSpec(
    "upsert_delivery_method", upsert_delivery_method._get_kwargs, build_delivery_method, "method_id"
)
DELIVERY_ACCOUNTS = ResourceSpec(
    "upsert_delivery_account", upsert_delivery_account._get_kwargs, build_delivery_account, "account_id"
)


class _Resource:
    """create/update/upsert of one resource; ``pipeline`` gives the client's live pipeline
    (or raises :class:`~leadexec_async.ClientClosedError`)."""

    __slots__ = ("_pipeline", "_spec")

    def __init__(self, pipeline: Callable[[], Pipeline], spec: ResourceSpec) -> None:
        self._pipeline = pipeline
        self._spec = spec

    async def _write(self, client_uid: Any, record_id: Any, body: Any, fields: Mapping[str, Any]) -> int:
        """Build, validate and send one record; ``record_id`` None = upsert (id from the body)."""
        if record_id is None and body is None:
            raise ValidationError("body: expected a generated model or a mapping, got None", field="body")
        pipeline = self._pipeline()
        spec = self._spec
        model = spec.build(client_uid, record_id=record_id, body=body, fields=fields)
        kwargs = spec.get_kwargs(client_uid, body=model)
        rid = record_id if record_id is not None else record_id_of(model)
        result: int = await pipeline.request(
            Kind.CREATE if rid == 0 else Kind.UPDATE,
            kwargs["method"],
            kwargs["url"],
            kwargs["json"],
            kwargs["headers"],
            spec.operation,
            parse_record_id,
        )
        return result


class ClientsResource(_Resource):
    """``le.clients``: create, replace or upsert clients (``PATCH /v1/clients``).

    Keywords are the generated ``ClientInfo`` attribute names (``username``,
    ``password``, ``status`` …) plus ``field_data``; each call returns the
    client's id.
    """

    __slots__ = ()

    async def create(self, **fields: Any) -> int:
        """Create a client (id 0) from keywords; ``username`` and ``password`` are required."""
        return await self._write(None, 0, None, fields)

    async def update(self, client_id: int, **fields: Any) -> int:
        """Replace client ``client_id`` (> 0) with the given fields; others get their defaults."""
        require_positive_id(client_id, self._spec.id_name)
        return await self._write(None, client_id, None, fields)

    async def upsert(self, body: ClientUpsert | Mapping[str, Any]) -> int:
        """Create (``Info.ClientUID`` 0 or missing) or replace a client from a model or wire dict."""
        return await self._write(None, None, body, {})


class _ChildResource(_Resource):
    __slots__ = ()

    async def create(self, client_uid: int, **fields: Any) -> int:
        """Create a record (id 0) under client ``client_uid`` from keywords; returns its id."""
        return await self._write(client_uid, 0, None, fields)


class DeliveryMethodsResource(_ChildResource):
    """``le.delivery_methods``: ``PUT /v1/delivery/{ClientUID}/methods``.

    ``update(client_uid, method_id, **fields)``; keywords are the generated
    ``DeliveryMethod`` attribute names (``type``, ``name``, ``delivery_address`` …).
    """

    __slots__ = ()

    async def update(self, client_uid: int, method_id: int, **fields: Any) -> int:
        """Replace method ``method_id`` (> 0) of client ``client_uid``; omitted fields get defaults."""
        require_positive_id(method_id, "method_id")
        return await self._write(client_uid, method_id, None, fields)

    async def upsert(self, client_uid: int, body: DeliveryMethod | Mapping[str, Any]) -> int:
        """Create (``ClientDeliveryUID`` 0 or missing) or replace a delivery method."""
        return await self._write(client_uid, None, body, {})


class DeliveryAccountsResource(_ChildResource):
    """``le.delivery_accounts``: ``PUT /v1/delivery/{ClientUID}/accounts/``.

    ``update(client_uid, account_id, **fields)``; keywords are the generated
    ``DeliveryAccount`` attribute names (``delivery_uid``, ``price``, ``criteria`` …).
    """

    __slots__ = ()

    async def update(self, client_uid: int, account_id: int, **fields: Any) -> int:
        """Replace account ``account_id`` (> 0) of client ``client_uid``; omitted fields get defaults."""
        require_positive_id(account_id, "account_id")
        return await self._write(client_uid, account_id, None, fields)

    async def upsert(self, client_uid: int, body: DeliveryAccount | Mapping[str, Any]) -> int:
        """Create (``ClientAccountUID`` 0 or missing) or replace a delivery account."""
        return await self._write(client_uid, None, body, {})
