"""The typed surface as type checkers see it: tests/typing/ checked by mypy --strict and pyright.

Every ``pass_*.py`` there must give no error; in every ``fail_*.py`` each line marked
``# expect-error`` must get an error, and no other line may (see tests/typing/README.md).
pyright is basedpyright (from PyPI, with its own Node.js) in "standard" mode, the mode VS
Code's Pylance runs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "typing"
FILES = sorted(CASES.glob("*.py"))
BIN = Path(sys.executable).parent
MARK = "# expect-error"

Errors = dict[str, set[int]]  # file name -> lines with an error


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@cache
def mypy_errors() -> Errors:
    done = _run(
        [
            str(BIN / "mypy"),
            "--config-file",
            str(CASES / "mypy.ini"),
            "--no-incremental",
            "--show-error-codes",
            "--no-pretty",
            str(CASES),
        ]
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2 would be a crash or bad usage
    found: Errors = defaultdict(set)
    for line in done.stdout.splitlines():
        m = re.match(r"(.+?\.py):(\d+): error: ", line)
        if m:
            found[Path(m.group(1)).name].add(int(m.group(2)))
    return found


@cache
def pyright_errors() -> Errors:
    exe = BIN / "basedpyright"
    if not exe.exists():  # pragma: no cover - the dev extra installs it
        pytest.fail("basedpyright is not installed: run `make venv` (it is in the dev extra)")
    done = _run([str(exe), "--outputjson", "--level", "error", str(CASES)])
    report = json.loads(done.stdout)
    found: Errors = defaultdict(set)
    for d in report["generalDiagnostics"]:
        if d["severity"] == "error":
            found[Path(d["file"]).name].add(d["range"]["start"]["line"] + 1)
    return found


def expected(path: Path) -> set[int]:
    return {n for n, line in enumerate(path.read_text().splitlines(), 1) if line.rstrip().endswith(MARK)}


def test_the_cases_are_there() -> None:
    names = {p.name for p in FILES}
    assert {"pass_surface.py"} <= names
    for mistake in ("misspelt_keyword", "wrong_type", "unknown_enum_label", "missing_required"):
        assert f"fail_{mistake}.py" in names
    for path in FILES:
        if path.name.startswith("fail_"):
            assert expected(path), f"{path.name} marks no line {MARK!r}"


@pytest.mark.parametrize("checker", [mypy_errors, pyright_errors], ids=["mypy", "pyright"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_errors_are_exactly_on_the_marked_lines(path: Path, checker: object) -> None:
    assert callable(checker)
    got: set[int] = checker().get(path.name, set())
    want = expected(path) if path.name.startswith("fail_") else set()
    lines = path.read_text().splitlines()
    missed = {n: lines[n - 1].strip() for n in sorted(want - got)}
    extra = {n: lines[n - 1].strip() for n in sorted(got - want)}
    assert not missed, f"{path.name}: no error where one is expected: {missed}"
    assert not extra, f"{path.name}: an error where none is expected: {extra}"
