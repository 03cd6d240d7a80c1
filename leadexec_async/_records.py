"""What each record needs: wire-body validation, defaults and "did you mean".

The request layer turns a call into one of the generated models with
:func:`build_client`, :func:`build_delivery_method` or
:func:`build_delivery_account`, then sends ``model.to_dict()``. Everything is
checked here, before anything is sent; the only exception these functions
raise for bad input is :class:`~leadexec_async.ValidationError`, whose
``field`` is the offending field as the caller spelt it (a keyword such as
``price``, or a dotted wire path such as ``Criteria[0].Operator``).

``record_id=0`` creates, ``record_id=n`` (n > 0) replaces record n, and
``record_id=None`` is an upsert that reads the id from ``body`` (missing = 0).
``fields`` holds keywords (the generated attribute names, without the
trailing ``_`` of ``type_`` and ``format_``) and wins over ``body``. A body or
a nested row may be a generated model or a mapping with wire keys or keyword
names. Every enum value accepts whatever the enum's ``parse`` accepts; every
date-time follows :mod:`leadexec_async._time` (sent as Pacific Time).

The endpoints replace the whole record, so every field the API requires is
always sent; a field the caller leaves out gets its default (the ``*_DEFAULTS``
tables of :mod:`leadexec_async._constants`; the generic checking and
converting is :class:`~leadexec_async._shapes.Shape`):

=================================  ======================================================
record / row                       default of a field left out
=================================  ======================================================
client (``Info``)                  ``DateAdded`` now (Pacific), ``Status`` Active,
                                   ``UserUID``/``ResellerUID``/``GroupUID`` 0,
                                   ``TimeOffset`` -8, ``TimeZoneName``
                                   "Pacific Standard Time", ``Notes`` "",
                                   ``OverrideReassign`` false,
                                   ``DeliveryAccountAutomationType`` Price.
                                   ``Username`` and ``Password`` are required (non-empty)
                                   on create; on update they are left out of the body when
                                   not given, so an update never blanks a password.
delivery method                    ``Type`` HTTP POST, ``Name`` "", ``Status`` (enabled)
                                   true, ``DateAdded`` now, ``inTesting``/``useRegEx``/
                                   ``SMTPAuth``/``EmailNotify`` false, ``LeadTypeUID``/
                                   ``LeadCatUID`` 0, every string "".
delivery account                   ``DeliveryUID`` is required. ``Price`` 0.0,
                                   ``HourMax``/``DayMax``/``WeekMax``/``MonthMax`` -1
                                   (no maximum), ``useOrder``/``AutomationEnabled`` false,
                                   ``Status`` Open (12), ``DeliveryDelay`` 0,
                                   ``AlternatePosting`` 0, ``AccountType`` General, every
                                   string "". ``Offer*`` fields are sent only when given.
``FieldData`` row                  ``ClientFieldUID`` and ``Value`` are required.
``FieldSettings`` row              ``FieldName`` is required. ``DeliverySettingUID`` 0,
                                   ``DeliveryUID`` the method's id, ``Delete`` false,
                                   ``FieldType`` Static Value, ``LeadFieldUID`` 0,
                                   ``hasMap`` true when it has mappings, strings "".
``FieldMappings`` row              ``FieldValue`` and ``DeliveryValue`` are required.
                                   ``DeliveryMappingUID`` 0, ``Delete`` false,
                                   ``DeliverySettingUID`` the parent setting's id.
``DeliveryDays`` row               ``WeekDay`` is required unless ``StaticDate`` is given
                                   (then it is that date's day). ``StaticDate``
                                   2000-01-01 (assumption: a placeholder for weekly rows),
                                   ``StartTime`` 00:00, ``EndTime`` 23:59:59 on the row's
                                   date, ``Allow`` true, ``DeliveryUID`` the method's id.
                                   Start/EndTime also take a ``datetime.time``.
``Criteria`` row                   ``Type`` FieldValue (then ``LeadFieldUID`` is required),
                                   ``Operator`` Equal, ``Value``/``Expression`` "" (an
                                   Expression or Function row requires ``Expression``),
                                   ``LeadFieldUID`` 0, ``ClientCriteriaUID`` 0.
=================================  ======================================================

Child arrays (``FieldData``, ``FieldSettings``, ``DeliveryDays``,
``Criteria``) are sent only when given; ``[]`` sends an empty array.

Updates never reset a field silently: with ``reset_omitted=False`` (what
``update`` and ``upsert`` pass unless the caller opts in), building a
replacement (id > 0) that leaves out any field with a default raises
:class:`~leadexec_async.ValidationError` listing those fields, before anything
is sent. The builders' own default, ``reset_omitted=True``, is for callers
whose input is the whole record by definition (a provisioning plan).
:class:`RecordBase` is the base of the generated whole-record classes
(``leadexec_async._surface``), which always hold every field.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

import attrs
from leadexec_api_client.models import (
    ClientFieldData,
    ClientInfo,
    ClientUpsert,
    DeliveryAccount,
    DeliveryCriteria,
    DeliveryDay,
    DeliveryFieldMapping,
    DeliveryFieldSetting,
    DeliveryMethod,
)
from leadexec_api_client.types import UNSET

from . import _constants as C
from . import enums as _enums
from ._errors import ValidationError
from ._shapes import NOT_GIVEN, Shape, check_id, rows_converter, suggest_key
from ._time import now_pacific, to_pacific

__all__ = [
    "SECRET_FIELDS",
    "SECRET_KEYWORDS",
    "SHAPES",
    "RecordBase",
    "build_client",
    "build_delivery_account",
    "build_delivery_method",
    "build_row",
    "checked_keywords",
    "mask_repr",
    "masked_wire",
    "record_id_of",
    "require_positive_id",
]


SECRET_FIELDS: frozenset[str] = frozenset({"Password", "FTPPassword", "SMTPPassword"})
"""Wire keys whose values are never shown: :func:`masked_wire` replaces them with ``"***"``."""

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _defaults(table: Mapping[str, Any]) -> Mapping[str, Any]:
    """One default table of :mod:`leadexec_async._constants` with ``NOW_PACIFIC`` made a per-call
    default (a callable default is called for each record)."""
    return MappingProxyType({k: now_pacific if v is C.NOW_PACIFIC else v for k, v in table.items()})


def _day_hook(shape: Shape, values: dict[str, Any], path: str) -> None:
    static = values.get("static_date")
    if "week_day" not in values and static is not None:
        values["week_day"] = _enums.to_generated(_enums.WeekDay((static.weekday() + 1) % 7))
    day = static.date() if static is not None else C.WEEKLY_STATIC_DATE
    for attr, fallback in (("start_time", C.DAY_START), ("end_time", C.DAY_END)):
        moment = values.get(attr, fallback)
        if isinstance(moment, _dt.time):
            values[attr] = to_pacific(_dt.datetime.combine(day, moment), shape.display(path, attr))


def _setting_hook(shape: Shape, values: dict[str, Any], path: str) -> None:
    if "has_map" not in values:
        values["has_map"] = bool(values.get("field_mappings"))


def _criteria_hook(shape: Shape, values: dict[str, Any], path: str) -> None:
    kind = values.get("type_", _enums.CriteriaType.FIELD_VALUE)
    if kind == _enums.CriteriaType.FIELD_VALUE:
        if "lead_field_uid" not in values:
            name = shape.display(path, "lead_field_uid")
            raise ValidationError(f"{name} is required for a FieldValue criteria row", field=name)
    elif not values.get("expression"):
        name = shape.display(path, "expression")
        raise ValidationError(f"{name} is required (non-empty) for a {kind} criteria row", field=name)


_MAPPING = Shape(DeliveryFieldMapping, "a field mapping", defaults=_defaults(C.FIELD_MAPPING_DEFAULTS))
_SETTING = Shape(
    DeliveryFieldSetting,
    "a field setting",
    rows={"FieldMappings": _MAPPING},
    hook=_setting_hook,
    defaults=_defaults(C.FIELD_SETTING_DEFAULTS),
)
_DAY = Shape(
    DeliveryDay,
    "a delivery day",
    hook=_day_hook,
    times=("StartTime", "EndTime"),
    defaults=_defaults(C.DELIVERY_DAY_DEFAULTS),
)
_CRITERIA = Shape(
    DeliveryCriteria, "a criteria row", hook=_criteria_hook, defaults=_defaults(C.CRITERIA_DEFAULTS)
)
_FIELD_DATA = Shape(ClientFieldData, "a client field value")
_INFO = Shape(ClientInfo, "a client", id_key="ClientUID", defaults=_defaults(C.CLIENT_DEFAULTS))
_ON_CREATE = ("username", "password")  # the spec's x-required-on-create of ClientInfo
_FIELD_DATA_ROWS = rows_converter(_FIELD_DATA)
_METHOD = Shape(
    DeliveryMethod,
    "a delivery method",
    id_key="ClientDeliveryUID",
    rows={"FieldSettings": _SETTING, "DeliveryDays": _DAY},
    defaults=_defaults(C.METHOD_DEFAULTS),
    string_default=C.STRING_DEFAULT,
)
_ACCOUNT = Shape(
    DeliveryAccount,
    "a delivery account",
    id_key="ClientAccountUID",
    rows={"Criteria": _CRITERIA},
    defaults=_defaults(C.ACCOUNT_DEFAULTS),
    string_default=C.STRING_DEFAULT,
)

SHAPES: Mapping[type, Shape] = MappingProxyType(
    {s.model: s for s in (_MAPPING, _SETTING, _DAY, _CRITERIA, _FIELD_DATA, _INFO, _METHOD, _ACCOUNT)}
)
"""The shape of every generated record and row model (used by the builders and the tests)."""

SECRET_KEYWORDS: frozenset[str] = frozenset(
    f.key for shape in SHAPES.values() for f in shape.fields if f.wire in SECRET_FIELDS
)
"""The keyword names of :data:`SECRET_FIELDS` (``password``, ``ftp_password``, ``smtp_password``):
a plan's fields that are only ever stored hashed and shown masked."""


def require_positive_id(value: object, field: str) -> int:
    """Return ``value`` if it is an int > 0 (not a bool), else raise ValidationError naming ``field``."""
    return check_id(value, field, minimum=1)


def build_row(model: type, data: Any, path: str = "") -> Any:
    """Validate one nested row (a generated model or a mapping) and return the generated model."""
    return SHAPES[model].convert_row(data, path)


def _resolve_id(shape: Shape, record_id: int | None, values: dict[str, Any], path: str) -> int:
    body_id = values.pop(shape.id_attr, None)
    if record_id is None:
        return body_id or 0
    rid = check_id(record_id, "record_id", minimum=0)
    if body_id and body_id != rid:
        raise ValidationError(
            f"{path}{shape.id_key} is {body_id} in the body but the call names record {rid}",
            field=path + shape.id_key,
        )
    return rid


def _refuse_resets(shape: Shape, rid: int, values: Mapping[str, Any], path: str, *, wire: bool) -> None:
    """Refuse a replacement that leaves out fields with defaults (they would be reset), listing them."""
    left_out = [shape.display(path, a, wire=wire) for a in shape.defaults if a not in values]
    if not left_out:
        return
    what = shape.title.removeprefix("a ")
    raise ValidationError(
        f"this update of {what} {rid} leaves out {len(left_out)} field(s) that have defaults, and "
        f"the API replaces the whole record, so they would be reset: {', '.join(left_out)}. Give them all "
        "(keep a whole record, change it with evolve() and send it with upsert()), or pass "
        "reset_omitted=True to reset them to their defaults; nothing was sent",
        field=left_out[0],
    )


def _parent_client(values: dict[str, Any], client_uid: int) -> None:
    body_client = values.get("client_uid")
    if body_client is not None and body_client != client_uid:
        raise ValidationError(
            f"ClientUID is {body_client} in the body but the call is for client {client_uid}",
            field="ClientUID",
        )
    values["client_uid"] = client_uid


def _adopt(rows: Any, attr: str, parent_id: int, where: str) -> None:
    if rows is UNSET:
        return
    for i, row in enumerate(rows):
        own = getattr(row, attr)
        if own == 0:
            setattr(row, attr, parent_id)
        elif own != parent_id:
            raise ValidationError(
                f"{where}[{i}] belongs to {own} but its parent's id is {parent_id}", field=f"{where}[{i}]"
            )


def build_client(
    *,
    record_id: int | None,
    body: ClientUpsert | Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] = _EMPTY,
    reset_omitted: bool = True,
) -> ClientUpsert:
    """Return the validated, completed ``PATCH /v1/clients`` body (see the module docstring)."""
    info: dict[str, Any] = {}
    field_data: Any = UNSET
    if body is not None:
        if isinstance(body, ClientUpsert):
            info = _INFO.read(body.info, "Info.")
            if body.field_data is not UNSET:
                field_data = _FIELD_DATA_ROWS(body.field_data, "FieldData")
        elif isinstance(body, Mapping):
            for key, value in body.items():
                if key in ("Info", "info"):
                    info = _INFO.read(value, f"{key}.")
                elif key in ("FieldData", "field_data"):
                    field_data = _FIELD_DATA_ROWS(value, key)
                else:
                    hint = f"put {key!r} inside 'Info'" if key in _INFO.by_key else None
                    raise suggest_key(key, ("Info", "FieldData"), "a client body", "", hint=hint)
        else:
            raise ValidationError(
                f"body: expected a ClientUpsert or a mapping, got {type(body).__name__}", field="body"
            )
    if fields:
        extra = dict(fields)
        if "field_data" in extra:
            field_data = _FIELD_DATA_ROWS(extra.pop("field_data"), "field_data")
        info.update(_INFO.read_keywords(extra, extra_names=("field_data",)))
    path = "Info." if body is not None else ""
    rid = _resolve_id(_INFO, record_id, info, path)
    if rid != 0 and not reset_omitted:
        _refuse_resets(_INFO, rid, info, path, wire=body is not None)
    if rid == 0:
        for attr in _ON_CREATE:
            if not info.get(attr):
                name = path + _INFO.by_attr[attr].wire if body is not None else attr
                raise ValidationError(f"{name} is required (non-empty) when creating a client", field=name)
    info["client_uid"] = rid
    return ClientUpsert(info=_INFO.complete(info, path), field_data=field_data)


_CLIENT_KEYS = ("ClientUID", "client_uid")  # a child body's client, as wire key or keyword


def _build(
    shape: Shape,
    client_uid: int,
    record_id: int | None,
    body: Any,
    fields: Mapping[str, Any],
    reset_omitted: bool,
) -> Any:
    parent = require_positive_id(client_uid, "client_uid")
    # A body's ClientUID of 0 (as in the reference's examples) means "the client of the call".
    if isinstance(body, Mapping) and any(type(body.get(k)) is int and body[k] == 0 for k in _CLIENT_KEYS):
        body = {k: v for k, v in body.items() if k not in _CLIENT_KEYS}
    elif isinstance(body, shape.model) and cast(Any, body).client_uid == 0:
        body = attrs.evolve(body, client_uid=parent)
    values = shape.read(body, "") if body is not None else {}
    if fields:
        values.update(shape.read_keywords(fields))
    rid = _resolve_id(shape, record_id, values, "")
    if rid != 0 and not reset_omitted:
        _refuse_resets(shape, rid, values, "", wire=body is not None)
    _parent_client(values, parent)
    values[shape.id_attr] = rid
    return shape.complete(values, "", wire=body is not None)


def build_delivery_method(
    client_uid: int,
    *,
    record_id: int | None,
    body: DeliveryMethod | Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] = _EMPTY,
    reset_omitted: bool = True,
) -> DeliveryMethod:
    """Return the validated, completed ``PUT /v1/delivery/{ClientUID}/methods`` body."""
    method = _build(_METHOD, client_uid, record_id, body, fields, reset_omitted)
    rid = method.client_delivery_uid
    _adopt(method.field_settings, "delivery_uid", rid, "FieldSettings")
    _adopt(method.delivery_days, "delivery_uid", rid, "DeliveryDays")
    if method.field_settings is not UNSET:
        for i, setting in enumerate(method.field_settings):
            where = f"FieldSettings[{i}].FieldMappings"
            _adopt(setting.field_mappings, "delivery_setting_uid", setting.delivery_setting_uid, where)
    return method


def build_delivery_account(
    client_uid: int,
    *,
    record_id: int | None,
    body: DeliveryAccount | Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] = _EMPTY,
    reset_omitted: bool = True,
) -> DeliveryAccount:
    """Return the validated, completed ``PUT /v1/delivery/{ClientUID}/accounts/`` body."""
    return _build(_ACCOUNT, client_uid, record_id, body, fields, reset_omitted)


def record_id_of(model: ClientUpsert | DeliveryMethod | DeliveryAccount) -> int:
    """The record id a built model carries (0 means it creates a record)."""
    if isinstance(model, ClientUpsert):
        return int(model.info.client_uid)
    if isinstance(model, DeliveryMethod):
        return int(model.client_delivery_uid)
    if isinstance(model, DeliveryAccount):
        return int(model.client_account_uid)
    raise TypeError(f"not a record model: {type(model).__name__}")


def _mask(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: (C.MASK if k in SECRET_FIELDS else _mask(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def masked_wire(model_or_wire: Any) -> dict[str, Any]:
    """The wire dict of a model (or a wire dict itself) with every secret value replaced by ``"***"``."""
    to_dict: Callable[[], Any] | None = getattr(model_or_wire, "to_dict", None)
    wire = to_dict() if to_dict is not None else model_or_wire
    masked: dict[str, Any] = _mask(wire) if isinstance(wire, Mapping) else {"value": C.MASK}
    return masked


# --- what the generated typed surface (``_surface.py``) builds on ---------------------------------

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _keyword_shape(model: type) -> tuple[Shape, tuple[str, ...]]:
    if model is ClientInfo:
        return _INFO, ("field_data",)
    return SHAPES[model], ()


def checked_keywords(model: type) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Keep the "did you mean" ValidationError for keywords a typed signature does not name.

    A misspelt keyword is refused by mypy and pyright; at run time (untyped code) it would be
    Python's TypeError. The wrapper raises the SDK's ValidationError instead, naming the closest
    field, when the call is awaited (at once for a plain function such as ``evolve``).
    """
    shape, extra = _keyword_shape(model)

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        parameters = inspect.signature(func).parameters
        known = frozenset(parameters)
        # Required keywords left out become NOT_GIVEN, so that the record's own check names
        # them in a ValidationError (as for any other missing field), not Python's TypeError.
        required = tuple(
            n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY and p.default is p.empty
        )

        def check(kwargs: dict[str, Any]) -> None:
            unknown = {k: v for k, v in kwargs.items() if k not in known}
            if unknown:
                shape.read_keywords(unknown, extra_names=extra)
                name = next(iter(unknown))  # pragma: no cover - read_keywords raised for it
                raise ValidationError(f"{name!r} is not a keyword here", field=name)
            for name in required:
                kwargs.setdefault(name, NOT_GIVEN)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run(*args: Any, **kwargs: Any) -> Any:
                check(kwargs)
                return await func(*args, **kwargs)

            return cast(Callable[_P, _R], run)

        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            check(kwargs)
            return func(*args, **kwargs)

        return cast(Callable[_P, _R], call)

    return decorate


def mask_repr(value: object) -> str:
    """The repr of a secret field of a record: ``'***'`` unless it is None."""
    return "None" if value is None else repr(C.MASK)


class RecordBase:
    """The base of the generated whole-record classes (``ClientRecord`` ...).

    A record holds every field of one API record; it is checked when made (and by ``evolve``)
    with the same rules as ``create``, and sent whole by ``upsert``.
    """

    __slots__ = ()
    #: the generated model of the record (``ClientInfo`` for a client)
    _model: ClassVar[type]
    #: the attribute holding the record's id
    _id_attr: ClassVar[str]

    def __attrs_post_init__(self) -> None:
        """Check every field as ``create`` would, and keep each in its one normal form: enum
        members, Pacific date-times, floats for numbers, rows as completed row models."""
        shape, _ = _keyword_shape(self._model)
        fields = self.keywords()
        rows = fields.pop("field_data", None)
        normal: dict[str, Any] = {}
        if rows is not None:
            normal["field_data"] = _FIELD_DATA_ROWS(rows, "field_data")
        for attr, value in shape.read_keywords(fields).items():
            facade = _enums.FACADE.get(type(value))
            normal[shape.by_attr[attr].key] = facade(value.value) if facade is not None else value
        check_id(self.record_id, self._id_attr, minimum=0)
        for name, value in normal.items():
            object.__setattr__(self, name, value)  # frozen: set once, while being made

    @property
    def record_id(self) -> int:
        """The record's id; 0 until it has been created."""
        value: int = getattr(self, self._id_attr)
        return value

    def keywords(self) -> dict[str, Any]:
        """The record's fields as the keywords of ``update`` (the id left out, ``None`` fields too)."""
        names = [a.name for a in attrs.fields(cast(Any, type(self)))]
        return {n: v for n in names if n != self._id_attr and (v := getattr(self, n)) is not None}
