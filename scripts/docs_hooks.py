"""mkdocs hooks of the documentation site (see mkdocs.yml).

* The API reference pages (``reference/*.md``) are generated at build time
  from the public names, so a name added to ``leadexec_async.__all__`` appears
  in the reference without editing any page: errors, enums (with a table of
  values and labels), builders, the client, and every other name on
  "More public names". ``leadexec_async.bulk``, ``provision``, ``types`` and ``emulator``
  are rendered from their own ``__all__``.
* ``fields.md`` (the generated field reference) is in the navigation when the
  file exists, and left out, without a warning, when it does not.

Nothing here reaches the network: everything comes from the installed package.
"""

from __future__ import annotations

import enum
import importlib
import inspect
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

OPTIONAL_PAGES = ("fields.md",)
PACKAGE = "leadexec_async"
#: modules rendered whole (their ``__all__``), and the page each goes to
MODULE_PAGES = {
    "reference/bulk.md": ("leadexec_async.bulk", "Bulk upserts: `upsert_many` and its results."),
    "reference/provision.md": (
        "leadexec_async.provision",
        "Provisioning from Python: the plan, the ledger and the runner behind `leadexec provision`.",
    ),
    "reference/types.md": (
        "leadexec_async.types",
        "The types of the typed signatures (enum arguments, rows, upsert bodies), for your own annotations.",
    ),
    "reference/emulator.md": (
        "leadexec_async.emulator",
        "The local emulator of the API (the `emulator` extra).",
    ),
}
RESOURCES = (
    "leadexec_async._resources.ClientsResource",
    "leadexec_async._resources.DeliveryMethodsResource",
    "leadexec_async._resources.DeliveryAccountsResource",
)


# -- hooks ---------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    docs = Path(config.docs_dir)
    missing = {page for page in OPTIONAL_PAGES if not (docs / page).is_file()}
    if missing and config.nav is not None:
        config.nav = _without(config.nav, missing)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, text in reference_pages().items():
        files.append(File.generated(config, path, content=text))
    return files


def _without(nav: list[Any], pages: set[str]) -> list[Any]:
    """``nav`` without the entries pointing at ``pages`` (and sections left empty)."""
    kept: list[Any] = []
    for entry in nav:
        if isinstance(entry, dict):
            [(title, target)] = entry.items()
            if isinstance(target, list):
                target = _without(target, pages)
                if target:
                    kept.append({title: target})
            elif target not in pages:
                kept.append(entry)
        elif entry not in pages:
            kept.append(entry)
    return kept


# -- the reference pages -----------------------------------------------------------


def _directive(path: str, **options: Any) -> str:
    lines = [f"::: {path}"]
    if options:
        lines.append("    options:")
        for key, value in options.items():
            if isinstance(value, list):
                lines.append(f"      {key}:")
                lines.extend(f"        - {item}" for item in value)
            else:
                lines.append(f"      {key}: {str(value).lower() if isinstance(value, bool) else value}")
    return "\n".join(lines) + "\n"


def _group(obj: Any) -> str:
    """Which reference page a public name of ``leadexec_async`` goes to."""
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "errors"
        if issubclass(obj, enum.Enum):
            return "enums"
        if obj.__name__ == "LeadExecClient":
            return "client"
    if getattr(obj, "__module__", "") == f"{PACKAGE}._builders":
        return "builders"
    return "more"


def _error_depth(cls: type) -> int:
    return len([c for c in cls.__mro__ if issubclass(c, Exception)])


def _enum_table(cls: type[enum.Enum]) -> str:
    rows = ["| member | value | label |", "| --- | --- | --- |"]
    for member in cls:
        label = getattr(member, "label", member.name)
        rows.append(f"| `{member.name}` | `{member.value!r}` | {label} |")
    return "\n".join(rows) + "\n"


def reference_pages() -> dict[str, str]:
    """Every generated page: path under docs/ -> Markdown."""
    package = importlib.import_module(PACKAGE)
    groups: dict[str, list[str]] = {"client": [], "errors": [], "enums": [], "builders": [], "more": []}
    for name in package.__all__:
        groups[_group(getattr(package, name))].append(name)
    groups["errors"].sort(key=lambda n: (_error_depth(getattr(package, n)), package.__all__.index(n)))

    pages: dict[str, str] = {}
    titles = {
        "client": ("client.md", "LeadExecClient and resources"),
        "errors": ("errors.md", "Errors"),
        "enums": ("enums.md", "Enums"),
        "builders": ("builders.md", "Builders"),
        "more": ("more.md", "More public names"),
    }

    client = ["# LeadExecClient and resources\n"]
    client.append(
        "`le.clients`, `le.delivery_methods` and `le.delivery_accounts` are the three resources "
        "below; every method returns the record's id. See the "
        "[records guide](../guides/records-and-updates.md).\n"
    )
    client.extend(_directive(f"{PACKAGE}.{name}") for name in groups["client"])
    client.extend(_directive(path, inherited_members=True) for path in RESOURCES)
    pages["reference/client.md"] = "\n".join(client)

    errors = [
        "# Errors\n",
        "Every error the SDK raises derives from `LeadExecError` "
        "(see [errors and retries](../guides/errors-and-retries.md)).\n",
    ]
    errors.extend(_directive(f"{PACKAGE}.{name}", show_bases=True) for name in groups["errors"])
    pages["reference/errors.md"] = "\n".join(errors)

    enums = [
        "# Enums\n",
        "Every enum-typed argument takes a member, its value, its name or its label. "
        "The labels are the API reference's.\n",
        _directive(f"{PACKAGE}.enums", show_root_heading=False, members=False),
    ]
    for name in groups["enums"]:
        enums.append(_directive(f"{PACKAGE}.{name}", show_bases=False, members=False))
        enums.append(_enum_table(getattr(package, name)))
    enums_module = importlib.import_module(f"{PACKAGE}.enums")
    helpers = [
        n
        for n in enums_module.__all__
        if getattr(enums_module, n) not in [getattr(package, m) for m in package.__all__]
    ]
    if helpers:
        enums.append("## Helpers of `leadexec_async.enums`\n")
        enums.extend(_directive(f"{PACKAGE}.enums.{name}", heading_level=3) for name in helpers)
    pages["reference/enums.md"] = "\n".join(enums)

    builders = [
        "# Builders\n",
        "The nested rows of a record, checked when they are made "
        "(see [records and updates](../guides/records-and-updates.md#nested-rows-and-dates)).\n",
    ]
    builders.extend(_directive(f"{PACKAGE}.{name}") for name in groups["builders"])
    pages["reference/builders.md"] = "\n".join(builders)

    more = ["# More public names\n", "Every other name of `leadexec_async.__all__`, as it is added.\n"]
    more.extend(_directive(f"{PACKAGE}.{name}") for name in groups["more"])
    pages["reference/more.md"] = "\n".join(more)

    for path, (module, summary) in MODULE_PAGES.items():
        pages[path] = f"# `{module}`\n\n{summary}\n\n" + _directive(
            module, show_root_heading=False, members=list(importlib.import_module(module).__all__)
        )
    # the emulator's pytest fixtures, after the emulator itself
    plugin = f"{PACKAGE}.emulator.pytest_plugin"
    pages["reference/emulator.md"] += "\n## The pytest fixtures\n\n" + _directive(
        plugin,
        show_root_heading=False,
        heading_level=3,
        members=list(importlib.import_module(plugin).__all__),
    )

    index = [
        "# API reference\n",
        "Generated from the docstrings and signatures of the installed package: every name of "
        "`leadexec_async.__all__` is on one of these pages.\n",
        "| name | kind |",
        "| --- | --- |",
    ]
    for group, names in groups.items():
        page, title = titles[group]
        index.extend(f"| [`{name}`][{PACKAGE}.{name}] | [{title}]({page}) |" for name in names)
    index.append("")
    index.append(
        "Modules: [`leadexec_async.bulk`](bulk.md), [`leadexec_async.provision`](provision.md), "
        "[`leadexec_async.types`](types.md), [`leadexec_async.emulator`](emulator.md).\n"
    )
    pages["reference/index.md"] = "\n".join(index)
    return pages
