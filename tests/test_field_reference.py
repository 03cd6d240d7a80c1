"""docs/fields.md, the field reference, lists every field of the spec and is never stale.

Both generated files of ``scripts/surface.py`` (the typed surface and the field reference) are
compared with a fresh generation here as well as in ``make check-generated``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

import leadexec_async as lx
from leadexec_async import enums

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "fields.md").read_text()
SPEC = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]

# Each record or row schema, and the heading of its section in docs/fields.md.
SECTIONS = {
    "ClientInfo": "Client",
    "DeliveryMethod": "Delivery method",
    "DeliveryAccount": "Delivery account",
    "ClientFieldData": "ClientFieldData",
    "DeliveryFieldSetting": "DeliveryFieldSetting",
    "DeliveryFieldMapping": "DeliveryFieldMapping",
    "DeliveryDay": "DeliveryDay",
    "DeliveryCriteria": "DeliveryCriteria",
}


def section(heading: str) -> str:
    m = re.search(rf"^##+ {re.escape(heading)}\n(.*?)(?=^##+ |\Z)", DOC, re.MULTILINE | re.DOTALL)
    assert m is not None, f"docs/fields.md has no section {heading!r}"
    return m.group(1)


def rows(heading: str) -> dict[str, list[str]]:
    """The table of a section: wire key -> its cells."""
    out = {}
    for line in section(heading).splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            out[cells[3].strip("`")] = cells
    return out


@pytest.mark.parametrize("schema", SECTIONS, ids=str)
def test_every_field_of_the_spec_is_listed_with_its_description(schema: str) -> None:
    table = rows(SECTIONS[schema])
    wanted = dict(SCHEMAS[schema]["properties"])
    if schema == "ClientInfo":
        wanted["FieldData"] = SCHEMAS["ClientUpsert"]["properties"]["FieldData"]
    assert set(table) == set(wanted)
    for wire, prop in wanted.items():
        keyword, kind, default, _, description = table[wire]
        assert keyword.startswith("`"), wire
        assert default, wire
        text = prop.get("description") or SCHEMAS[prop["$ref"].rsplit("/", 1)[1]]["description"]
        assert description.replace("\\|", "|") == " ".join(text.split())
        if "$ref" in prop:
            assert prop["$ref"].rsplit("/", 1)[1] in kind


def test_every_field_the_sdk_takes_is_in_the_reference() -> None:
    from leadexec_async._records import SHAPES

    for model, shape in SHAPES.items():
        if model.__name__ == "ClientUpsert":
            continue
        table = rows(SECTIONS[model.__name__])
        for f in shape.fields:
            assert table[f.wire][0].split()[0] == f"`{f.key}`"


def test_the_defaults_shown_are_the_sdks() -> None:
    account = rows("Delivery account")
    assert account["DayMax"][2] == "`-1`"
    assert account["Status"][2] == "Open (`12`)"
    assert account["DeliveryUID"][2] == "**required**"
    assert account["OfferName"][2] == "not sent"
    assert rows("Delivery method")["Type"][2] == "HTTP POST (`0`)"
    assert rows("Client")["DateAdded"][2] == "now (Pacific Time)"


@pytest.mark.parametrize("cls", list(enums.GENERATED), ids=lambda c: c.__name__)
def test_every_enum_member_is_listed_with_its_label(cls: type) -> None:
    text = section(cls.__name__)
    for member in cls:  # type: ignore[attr-defined]
        line = next(x for x in text.splitlines() if x.startswith(f"| `{cls.__name__}.{member.name}`"))
        assert f"| {member.label} |" in line.replace("\\|", "|")
        assert f"`{member.value!r}`" in line
    assert " ".join(SCHEMAS[cls.__name__]["description"].split()) in text


def test_the_readme_links_the_reference() -> None:
    assert "(docs/fields.md)" in (ROOT / "README.md").read_text()


def test_the_generated_files_match_the_spec() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import surface
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    for path, text in surface.outputs().items():
        assert path.read_text() == text, f"{path.relative_to(ROOT)} is stale: run `make generate`"


def test_public_record_names_are_documented() -> None:
    for name in ("ClientRecord", "DeliveryMethodRecord", "DeliveryAccountRecord"):
        assert f"lx.{name}" in DOC
        assert getattr(lx, name).__doc__
