"""Request validation straight from ``spec/openapi.yaml``.

The document is read once, at start-up, from :func:`leadexec_async._specfile.spec_path`
(the file that ships in the wheel). Every ``$ref`` is inlined, and each request body
schema is compiled into a :mod:`jsonschema` validator once. No rule of the spec is
restated here: required fields, types, enums, minimums, formats and the
``x-required-on-create`` extension all come from the document.

Dialect: an OpenAPI 3.0 Schema Object is JSON Schema draft 4 (boolean
``exclusiveMinimum``, ``required`` lists) plus ``nullable``; so the validator is
jsonschema's :class:`~jsonschema.Draft4Validator` extended with ``nullable``. This keeps
the emulator extra to jsonschema alone, with no second validator stack.

Formats checked: ``int32`` / ``int64`` ranges and ``date-time``. ``date-time`` accepts an
ISO 8601 date and time with or without a UTC offset, because the API reads dates
without an offset as Pacific time; anything that is not a date and time is refused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the emulator extra
import jsonschema.validators  # type: ignore[import-untyped]
import yaml
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match

from .._specfile import spec_path

__all__ = ["BodyError", "OperationSchema", "SpecSchemas", "load_schemas"]

CREATE_EXTENSION = "x-required-on-create"

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$",
)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}

_format_checker = FormatChecker(formats=())


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE_TIME.match(value) is None:
        return False
    text = value.replace("t", "T").replace(" ", "T")
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    # Python 3.11 reads at most 6 fraction digits; .NET sends up to 7.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _int_format(name: str) -> None:
    low, high = _INT_RANGES[name]

    def _check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return True
        return low <= value <= high

    _format_checker.checks(name)(_check)


_format_checker.checks("date-time")(_is_date_time)
for _name in _INT_RANGES:
    _int_format(_name)


_DRAFT4_TYPE = Draft4Validator.VALIDATORS["type"]


def _nullable_type(
    validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[SchemaError]:
    if instance is None and schema.get("nullable") is True:
        return
    yield from _DRAFT4_TYPE(validator, types, instance, schema)


_OAS30Validator = jsonschema.validators.extend(Draft4Validator, validators={"type": _nullable_type})


@dataclass(frozen=True)
class BodyError:
    """Why a body was refused: ``field`` is a dotted path (``FieldSettings[0].FieldType``)."""

    message: str
    field: str | None


def _inline(node: Any, document: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/") or ref in seen:
                raise ValueError(f"unsupported $ref {ref!r} in the OpenAPI document")
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _inline(target, document, (*seen, ref))
        return {key: _inline(value, document, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, document, seen) for item in node]
    return node


def _with_create_rules(schema: Any) -> Any:
    """Return a copy of ``schema`` where each ``x-required-on-create`` joins ``required``."""
    if isinstance(schema, dict):
        out = {key: _with_create_rules(value) for key, value in schema.items()}
        extra = schema.get(CREATE_EXTENSION)
        if isinstance(extra, list):
            out["required"] = [
                *schema.get("required", []),
                *(n for n in extra if n not in schema.get("required", [])),
            ]
        return out
    if isinstance(schema, list):
        return [_with_create_rules(item) for item in schema]
    return schema


def _has_create_rules(schema: Any) -> bool:
    if isinstance(schema, dict):
        return CREATE_EXTENSION in schema or any(_has_create_rules(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_create_rules(v) for v in schema)
    return False


def _field_path(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(error: SchemaError, root: str = "the body") -> BodyError:
    """Turn a schema error into a message naming the field; never echoes the value (it may be a secret)."""
    base = list(error.absolute_path)
    keyword = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    if keyword == "required" and isinstance(instance, dict):
        missing = next((name for name in expected if name not in instance), None)
        name = _field_path([*base, missing]) if missing else _field_path(base)
        return BodyError(f"{name} is required", name)
    if keyword == "additionalProperties" and isinstance(instance, dict):
        schema: Any = error.schema
        known = set(schema.get("properties", {}))
        extra = sorted(str(name) for name in instance if name not in known)
        name = _field_path([*base, extra[0]]) if extra else _field_path(base)
        return BodyError(f"{name} is not a field of this record", name)
    field = _field_path(base) or None
    subject = field or root
    if keyword == "type":
        kind = expected if isinstance(expected, str) else " or ".join(expected)
        text = f"{subject} must be of type {kind}"
    elif keyword == "enum":
        text = f"{subject} must be one of {', '.join(repr(v) for v in expected)}"
    elif keyword in ("minimum", "maximum"):
        text = f"{subject} must be {'at least' if keyword == 'minimum' else 'at most'} {expected}"
    elif keyword == "minLength":
        text = f"{subject} must have at least {expected} character(s)"
    elif keyword == "format":
        text = f"{subject} must be a valid {expected}"
    else:
        text = f"{subject} fails the spec's {keyword!r} rule ({expected!r})"
    return BodyError(text, field)


class OperationSchema:
    """The compiled body validators of one operation (a create variant when the spec has one)."""

    def __init__(self, operation_id: str, body_schema: Mapping[str, Any]) -> None:
        self.operation_id = operation_id
        self._update = _OAS30Validator(body_schema, format_checker=_format_checker)
        self._create = (
            _OAS30Validator(_with_create_rules(body_schema), format_checker=_format_checker)
            if _has_create_rules(body_schema)
            else self._update
        )

    def check(self, body: Any, *, creating: bool) -> BodyError | None:
        """Return why ``body`` breaks the spec, or ``None`` when it conforms."""
        validator = self._create if creating else self._update
        if validator.is_valid(body):
            return None
        error = best_match(validator.iter_errors(body))
        return _describe(error) if error is not None else BodyError("the body does not conform", None)


@dataclass(frozen=True)
class SpecSchemas:
    """Everything the emulator reads from the spec, compiled once."""

    bodies: Mapping[str, OperationSchema]  # by operationId
    path_params: Mapping[str, Any]  # by parameter name: a compiled validator
    paths: Mapping[str, tuple[str, str]]  # operationId -> (METHOD, path template)

    def check_path_param(self, name: str, raw: str) -> tuple[int | None, BodyError | None]:
        """Parse and validate an integer path parameter; return (value, error)."""
        try:
            value = int(raw)
        except ValueError:
            return None, BodyError(f"{name} in the path must be an integer", name)
        validator = self.path_params[name]
        error = best_match(validator.iter_errors(value))
        if error is not None:
            return None, BodyError(_describe(error, root=f"{name} in the path").message, name)
        return value, None


def load_schemas(path: Path | None = None) -> SpecSchemas:
    """Read the OpenAPI document and compile one validator per request body and path parameter."""
    with open(path or spec_path(), encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    bodies: dict[str, OperationSchema] = {}
    params: dict[str, Any] = {}
    paths: dict[str, tuple[str, str]] = {}
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method.startswith("x-") or method == "parameters":
                continue
            op_id = operation["operationId"]
            paths[op_id] = (method.upper(), template)
            schema = _inline(operation["requestBody"]["content"]["application/json"]["schema"], document)
            bodies[op_id] = OperationSchema(op_id, schema)
            for param in _inline(operation.get("parameters", []), document):
                if param.get("in") == "path":
                    params[param["name"]] = _OAS30Validator(
                        copy.deepcopy(param["schema"]), format_checker=_format_checker
                    )
    return SpecSchemas(bodies=bodies, path_params=params, paths=paths)
