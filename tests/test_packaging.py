"""The wheel holds both packages, their py.typed markers, the spec and the entry points."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_both_packages_typed_with_the_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = pytest.importorskip("hatchling.build")
    monkeypatch.chdir(ROOT)
    name = build.build_wheel(os.fspath(tmp_path))
    with zipfile.ZipFile(tmp_path / name) as wheel:
        names = set(wheel.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_text = wheel.read(entry_points).decode()
        shipped_spec = wheel.read("leadexec_async/_spec/openapi.yaml")
    assert {
        "leadexec_async/__init__.py",
        "leadexec_async/py.typed",
        "leadexec_api_client/__init__.py",
        "leadexec_api_client/py.typed",
        "leadexec_async/emulator/pytest_plugin.py",
    } <= names
    assert shipped_spec == (ROOT / "spec" / "openapi.yaml").read_bytes()
    assert "leadexec = leadexec_async.cli:main" in entry_text
    assert "leadexec_emulator = leadexec_async.emulator.pytest_plugin" in entry_text
    assert not any(n.startswith(("tests/", "generated/")) for n in names)
