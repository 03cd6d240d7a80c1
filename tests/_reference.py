"""Reads the API reference (``../shared/seed/leadexec-api-reference.md``) the spec is curated from.

Used by the spec tests to prove that every documented parameter, enum value,
operation and example key is present in ``spec/openapi.yaml``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(
    os.environ.get("LEADEXEC_REFERENCE", ROOT.parent / "shared" / "seed" / "leadexec-api-reference.md")
)


@dataclass
class Param:
    name: str
    type: str
    position: str
    required: str
    enum_values: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    method: str
    path: str
    params: list[Param]
    example: dict[str, object]


def _cell(text: str) -> str:
    return text.strip().strip("`").replace("\\_", "_").strip()


def _enum_values(description: str) -> list[str]:
    if "Available Values" not in description:
        return []
    tail = description.split("Available Values", 1)[1]
    values = re.findall(r"`([^`]+)`", tail)
    return [v.strip() for v in values if v.strip() not in {"(depricated)"}]


def load_sections() -> list[Section]:
    """Parse the reference's sections; skip the calling test cleanly when the file is not there."""
    if not REFERENCE.is_file():
        import pytest

        pytest.skip(f"API reference not found at {REFERENCE}; set LEADEXEC_REFERENCE to check against it")
    text = REFERENCE.read_text(encoding="utf-8")
    sections: list[Section] = []
    for chunk in re.split(r"^## ", text, flags=re.M)[1:]:
        title = chunk.splitlines()[0].split("[")[0].strip()
        params: list[Param] = []
        for line in chunk.splitlines():
            if not line.startswith("|") or line.startswith("| ---") or line.startswith("| Parameter"):
                continue
            cells = [c for c in line.strip().strip("|").split("|")]
            if len(cells) < 5 or set(cells[0].strip()) <= {"-", " "}:
                continue
            name, typ, pos, req = (_cell(c) for c in cells[:4])
            params.append(Param(name, typ, pos, req, _enum_values(cells[4])))
        m = re.search(r"^\s*(PATCH|PUT|POST|GET)\s+(\S+)\s+HTTP/1\.1", chunk, flags=re.M)
        assert m, f"no request line in section {title!r}"
        path = m.group(2).replace("[ClientUID]", "{ClientUID}")
        body = chunk[chunk.index("{", m.end()) :]
        body = body[: body.index("```")].replace("\\\n", "\n").replace("\\", "")
        sections.append(Section(title, m.group(1), path, params, json.loads(body)))
    return sections
