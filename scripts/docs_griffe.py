"""A griffe extension for the documentation site: Sphinx roles in docstrings become code.

The SDK's docstrings name other objects with Sphinx roles (``:class:`LeadExecClient```,
``:meth:`~leadexec_async.bulk.upsert_many```). mkdocstrings reads Markdown, where a role
would show as literal text, so each becomes an inline code span with the name as
written (``~`` keeps the last part only, as in Sphinx). Only the docstrings change.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|attr|exc|data|obj|const):`(~?)([^`]+)`")


def plain_roles(text: str) -> str:
    """``text`` with every Sphinx role replaced by a code span."""

    def code(match: re.Match[str]) -> str:
        name = match.group(2).strip()
        if match.group(1):
            name = name.rsplit(".", 1)[-1]
        return f"`{name}`"

    return _ROLE.sub(code, text)


class SphinxRolesAsCode(griffe.Extension):
    """Rewrite the roles of every docstring griffe loads."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)


class ConstantDefaults(griffe.Extension):
    """Show a default written as ``C.NAME`` (a constant of ``leadexec_async._constants``) as its value.

    Signatures say ``timeout=30.0`` rather than ``timeout=C.DEFAULT_TIMEOUT``; the
    value is read from the installed package, so it cannot drift.
    """

    def on_function(self, *, func: griffe.Function, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        from leadexec_async import _constants

        for parameter in func.parameters:
            match = re.fullmatch(r"C\.([A-Z][A-Z0-9_]*)", str(parameter.default or ""))
            if match and hasattr(_constants, match.group(1)):
                parameter.default = repr(getattr(_constants, match.group(1)))
