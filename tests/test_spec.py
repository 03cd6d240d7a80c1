"""The curated spec is valid OpenAPI and covers everything the reference documents."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from leadexec_async._specfile import spec_path
from tests._reference import REFERENCE, Param, Section, load_sections

SPEC: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))

# The reference's table names that differ from the wire names (see the spec's descriptions).
ALIASES = {
    "Settings": "FieldSettings",
    "Setting": "FieldSettings",
    "Mappings": "FieldMappings",
    "Mapping": "FieldMappings",
    "DeliveryDay": "DeliveryDays",
}
TYPES = {
    "integer": "integer",
    "int": "integer",
    "Integer": "integer",
    "bool": "boolean",
    "string": "string",
    "double": "number",
    "date": "string",
}
# Documented decisions where the wire type differs from the table's type.
TYPE_DECISIONS = {
    "ClientAccountUID": "integer",
    "LeadFieldUID": "integer",
    "OfferAmount": "number",
    "OfferDuration": "integer",
}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = SPEC["components"][kind][name]
    return node


def _operation(section: Section) -> dict[str, Any]:
    return SPEC["paths"][section.path][section.method.lower()]


def _body_schema(section: Section) -> dict[str, Any]:
    return _resolve(_operation(section)["requestBody"]["content"]["application/json"]["schema"])


def _locate(root: dict[str, Any], dotted: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Walk a dotted table name to (owning object schema, wire name, property schema)."""
    parts = dotted.split(".")
    node = root
    for part in parts[:-1]:
        prop = _resolve(node["properties"][ALIASES.get(part, part)])
        node = _resolve(prop["items"]) if prop.get("type") == "array" else prop
    name = ALIASES.get(parts[-1], parts[-1])
    assert name in node.get("properties", {}), f"{dotted} (wire name {name}) is missing from the spec"
    return node, name, _resolve(node["properties"][name])


def _sections() -> list[Section]:
    if not REFERENCE.is_file():
        pytest.skip(f"API reference not found at {REFERENCE}; set LEADEXEC_REFERENCE to check coverage")
    return load_sections()


def test_spec_is_valid_openapi() -> None:
    validate(SPEC)


def test_every_documented_operation_is_in_the_spec() -> None:
    for section in _sections():
        assert section.path in SPEC["paths"], section.path
        op = _operation(section)
        assert op["responses"]["200"], section.title
    token = SPEC["paths"]["/v1/authorization/token"]["post"]
    assert token["security"] == []
    assert SPEC["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def _params() -> list[tuple[Section, Param]]:
    return [(s, p) for s in _sections() for p in s.params]


def test_every_documented_parameter_is_in_the_spec() -> None:
    for section, param in _params():
        op = _operation(section)
        if param.position == "header":
            assert param.name == "access_token"
            assert op.get("security", SPEC["security"]) == [{"bearerAuth": []}]
            continue
        if param.position == "url segment":
            names = [_resolve(p)["name"] for p in op["parameters"]]
            assert param.name in names, f"{section.title}: path parameter {param.name}"
            continue
        owner, wire, prop = _locate(_body_schema(section), param.name)
        if param.type.startswith("Array<"):
            assert prop["type"] == "array", param.name
            continue
        expected = TYPE_DECISIONS.get(wire) or TYPES.get(param.type)
        if expected is None:  # an enum type such as `delivery_type`
            assert "enum" in prop, f"{param.name} should be an enum"
        else:
            assert prop.get("type") == expected, f"{param.name}: {prop.get('type')} != {expected}"
            if param.type == "date":
                assert prop.get("format") == "date-time", param.name
        if param.required == "required":
            assert wire in owner.get("required", []), f"{section.title}: {param.name} should be required"
        elif param.required == "required (if new)":
            assert wire in owner.get("x-required-on-create", []), param.name
        else:
            assert wire not in owner.get("required", []), f"{section.title}: {param.name} should be optional"


def test_every_documented_enum_value_is_in_the_spec() -> None:
    for section, param in _params():
        if not param.enum_values:
            continue
        _, _, prop = _locate(_body_schema(section), param.name)
        for value in param.enum_values:
            if " = " in value:
                number, label = value.split(" = ", 1)
                assert int(number) in prop["enum"], f"{param.name}: {value}"
                names = prop["x-enum-varnames"]
                assert len(names) == len(prop["enum"])
                assert label, value
            else:
                assert value in prop["enum"], f"{param.name}: {value}"


def test_every_key_of_the_reference_examples_is_a_wire_name() -> None:
    def walk(schema: dict[str, Any], example: Any, where: str) -> None:
        schema = _resolve(schema)
        if isinstance(example, dict):
            for key, value in example.items():
                assert key in schema["properties"], f"{where}.{key} is not in the spec"
                walk(schema["properties"][key], value, f"{where}.{key}")
        elif isinstance(example, list):
            for item in example:
                walk(schema["items"], item, where + "[]")

    for section in _sections():
        walk(_body_schema(section), section.example, section.title)


@pytest.mark.parametrize(
    ("schema", "varnames"),
    [
        ("DeliveryType", ["HTTP_POST", "SMS_NOTIFICATION"]),
        ("FieldType", ["STATIC_VALUE", "EVALUATE_FUNCTION"]),
        ("WeekDay", ["SUNDAY", "SATURDAY"]),
        ("AccountStatus", ["CLOSED", "OPEN"]),
        ("AccountType", ["GENERAL", "IVR_800"]),
        ("OfferDuration", ["MONTHLY", "YEARLY"]),
    ],
)
def test_integer_enums_name_their_members(schema: str, varnames: list[str]) -> None:
    node = SPEC["components"]["schemas"][schema]
    assert node["x-enum-varnames"][0] == varnames[0]
    assert node["x-enum-varnames"][-1] == varnames[1]


def test_contradictions_are_decided_in_the_spec() -> None:
    schemas = SPEC["components"]["schemas"]
    assert "FieldSettings" in schemas["DeliveryMethod"]["properties"]
    assert "Settings" not in schemas["DeliveryMethod"]["properties"]
    assert "FieldMappings" in schemas["DeliveryFieldSetting"]["properties"]
    for schema, field in [
        ("DeliveryAccount", "ClientAccountUID"),
        ("DeliveryFieldSetting", "LeadFieldUID"),
        ("DeliveryAccount", "OfferAmount"),
    ]:
        assert "Decision" in schemas[schema]["properties"][field]["description"], field
    assert "Decision" in schemas["OfferDuration"]["description"]
    assert "Decision" in schemas["AccountStatus"]["description"]
    assert 0 not in schemas["AccountStatus"]["enum"]
    assert "Decision" in SPEC["components"]["parameters"]["ClientUIDPath"]["description"]


def test_errors_are_marked_as_assumptions_and_429_carries_retry_after() -> None:
    responses = SPEC["components"]["responses"]
    for name, response in responses.items():
        if name != "RecordId":
            assert "Assumption" in response["description"], name
    assert "Retry-After" in responses["TooManyRequests"]["headers"]
    for path in ["/v1/clients", "/v1/delivery/{ClientUID}/methods", "/v1/delivery/{ClientUID}/accounts/"]:
        (op,) = SPEC["paths"][path].values()
        assert {"200", "400", "401", "403", "404", "409", "429", "500", "503"} <= set(op["responses"])
        ok = _resolve(op["responses"]["200"])
        assert ok["content"]["text/plain"]["schema"]["type"] == "integer"
