"""The Python versions the package claims are the ones ``make test-versions`` and CI run."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _claimed() -> list[str]:
    classifiers = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["classifiers"]
    return [
        m.group(1)
        for c in classifiers
        if (m := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c))
    ]


def _nox_pythons() -> list[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PYTHONS" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py has no PYTHONS")


def test_nox_runs_every_claimed_version() -> None:
    assert _claimed() == ["3.11", "3.12", "3.13"]
    assert _nox_pythons() == _claimed()


def test_ci_runs_the_oldest_and_the_newest() -> None:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={_claimed()[0]}"  # make test runs the venv's Python: the oldest
    makefile = (ROOT / "Makefile").read_text()
    newest = _claimed()[-1]
    assert re.search(rf"^test-newest:.*\n\t\$\(NOX\) --sessions tests-{re.escape(newest)}$", makefile, re.M)
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("make")]
    assert commands == ["make test", "make test-newest"]
