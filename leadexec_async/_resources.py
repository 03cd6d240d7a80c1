"""The three resources as data, and create/update/upsert written once for all of them.

A resource is a :class:`ResourceSpec`: which generated operation describes the
request (its ``_get_kwargs`` gives method, path and the JSON body from
``model.to_dict()``), which builder of :mod:`leadexec_async._records` makes
the model, and what the record id is called. The request itself goes through
the client's :class:`~leadexec_async._pipeline.Pipeline`, never through the
generated ``asyncio_detailed`` (which cannot take statuses outside
:class:`http.HTTPStatus` and returns the id as text).

The endpoints replace the whole record: an update sends every field. The
typed ``create`` / ``update`` / ``upsert`` of each resource are generated from
the spec (:mod:`leadexec_async._surface`) and call :meth:`_Resource._write`;
an update that would reset a field the caller left out is refused unless the
caller passes ``reset_omitted=True`` (see :mod:`leadexec_async._records`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from leadexec_api_client.api.clients import upsert_client
from leadexec_api_client.api.delivery import upsert_delivery_account, upsert_delivery_method
from leadexec_api_client.models import ClientUpsert

from ._constants import MAX_ID_BODY
from ._errors import ValidationError
from ._pipeline import Pipeline, Rejected
from ._records import (
    RecordBase,
    build_client,
    build_delivery_account,
    build_delivery_method,
    record_id_of,
)
from ._retry import Kind
from ._surface import (
    ClientRecord,
    ClientsMethods,
    DeliveryAccountRecord,
    DeliveryAccountsMethods,
    DeliveryMethodRecord,
    DeliveryMethodsMethods,
)
from ._wire import Answer

_NO_ID = "without a record id (expected a positive integer)"


def parse_record_id(answer: Answer) -> int:
    """The positive integer id in a 2xx body, whatever its Content-Type.

    Accepted: ``12345``, the same with surrounding white space, a JSON number
    (integral) or a JSON string of digits. Anything else raises
    :class:`~leadexec_async._pipeline.Rejected`, which the pipeline turns into
    :class:`~leadexec_async.UnexpectedResponseError` with the status and the
    (redacted) body.
    """
    content = answer.body.strip()
    if content.isdigit() and len(content) < 20:
        value = int(content)
        if value > 0:
            return value
        raise Rejected(_NO_ID)
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise Rejected(_NO_ID) from None
    if type(data) is str:
        data = data.strip()
        if data.isascii() and data.isdigit() and len(data) < 20:
            data = int(data)
    elif type(data) is float and data.is_integer():
        data = int(data)
    if type(data) is int and 0 < data < 2**63:
        return data
    raise Rejected(_NO_ID)


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
    #: the whole-record class ``upsert`` takes besides models and wire dicts
    record: type[RecordBase]


def _build_client(
    _client_uid: int | None,
    *,
    record_id: int | None,
    body: Any,
    fields: Mapping[str, Any],
    reset_omitted: bool,
) -> ClientUpsert:
    return build_client(record_id=record_id, body=body, fields=fields, reset_omitted=reset_omitted)


def _client_kwargs(_client_uid: int | None, *, body: ClientUpsert) -> dict[str, Any]:
    kwargs: dict[str, Any] = upsert_client._get_kwargs(body=body)
    return kwargs


CLIENTS = ResourceSpec("upsert_client", _client_kwargs, _build_client, "client_id", ClientRecord)
DELIVERY_METHODS = ResourceSpec(
    "upsert_delivery_method",
    upsert_delivery_method._get_kwargs,
    build_delivery_method,
    "method_id",
    DeliveryMethodRecord,
)
DELIVERY_ACCOUNTS = ResourceSpec(
    "upsert_delivery_account",
    upsert_delivery_account._get_kwargs,
    build_delivery_account,
    "account_id",
    DeliveryAccountRecord,
)


class _Resource:
    """create/update/upsert of one resource; ``pipeline`` gives the client's live pipeline
    (or raises :class:`~leadexec_async.ClientClosedError`)."""

    __slots__ = ("_pipeline", "_spec")

    def __init__(self, pipeline: Callable[[], Pipeline], spec: ResourceSpec) -> None:
        self._pipeline = pipeline
        self._spec = spec

    async def _write(
        self,
        client_uid: int | None,
        record_id: int | None,
        body: Any,
        fields: Mapping[str, Any],
        reset_omitted: bool,
    ) -> int:
        """Build, validate and send one record; ``record_id`` None = upsert (id from the body).

        A record object is sent whole (its id says create or replace). Unless
        ``reset_omitted``, a replacement that leaves out a field with a default is
        refused before anything is sent (see :mod:`leadexec_async._records`).
        """
        if record_id is None and body is None:
            raise ValidationError("body: expected a generated model or a mapping, got None", field="body")
        if reset_omitted is not True and reset_omitted is not False:
            raise ValidationError(
                f"reset_omitted: expected True or False, got {type(reset_omitted).__name__}",
                field="reset_omitted",
            )
        pipeline = self._pipeline()
        spec = self._spec
        if isinstance(body, RecordBase):
            if not isinstance(body, spec.record):
                raise ValidationError(
                    f"body: expected a {spec.record.__name__}, got {type(body).__name__}", field="body"
                )
            record_id, fields, body = body.record_id, body.keywords(), None
        model = spec.build(
            client_uid, record_id=record_id, body=body, fields=fields, reset_omitted=reset_omitted
        )
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
            MAX_ID_BODY,
        )
        return result


class ClientsResource(_Resource, ClientsMethods):
    """``le.clients``: create, replace or upsert clients (``PATCH /v1/clients``).

    Keywords are the generated ``ClientInfo`` attribute names (``username``,
    ``password``, ``status`` …) plus ``field_data``; each call returns the
    client's id. The typed methods are generated (:mod:`leadexec_async._surface`).
    """

    __slots__ = ()


class DeliveryMethodsResource(_Resource, DeliveryMethodsMethods):
    """``le.delivery_methods``: ``PUT /v1/delivery/{ClientUID}/methods``.

    ``create(client_uid, ...)``, ``update(client_uid, method_id, ...)``,
    ``upsert(client_uid, body)``; keywords are the generated ``DeliveryMethod``
    attribute names (``type``, ``name``, ``delivery_address`` …).
    """

    __slots__ = ()


class DeliveryAccountsResource(_Resource, DeliveryAccountsMethods):
    """``le.delivery_accounts``: ``PUT /v1/delivery/{ClientUID}/accounts/``.

    ``create(client_uid, ...)``, ``update(client_uid, account_id, ...)``,
    ``upsert(client_uid, body)``; keywords are the generated ``DeliveryAccount``
    attribute names (``delivery_uid``, ``price``, ``criteria`` …).
    """

    __slots__ = ()
