"""The test suite on every Python the package claims (``make test-versions``).

Each session makes its own virtual environment under ``.nox/`` with the
interpreter of that version, installs the project with its ``dev`` extra and
runs pytest (arguments after ``--`` go to pytest). ``make test-versions`` puts
pyenv's interpreters on ``PATH`` so that nox finds ``python3.12`` and
``python3.13``; a missing interpreter fails the session rather than skipping it.
"""

from __future__ import annotations

import nox

#: the versions in pyproject.toml's classifiers (tests/test_versions.py keeps the two lists equal)
PYTHONS = ["3.11", "3.12", "3.13"]

nox.options.error_on_missing_interpreters = True
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """pytest on one Python version (lint, types and generated code are version-independent: make test)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", "-q", *session.posargs)
