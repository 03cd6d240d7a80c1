"""Rows of the results table, the machine description, and printing."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata

__all__ = ["Row", "machine", "render"]

_WIDEST = 240  # characters
_PACKAGES = ("httpx", "httpcore", "aiohttp", "anyio", "sniffio", "uvicorn")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table.

    ``value`` is the headline figure as text, ``detail`` the figures behind it;
    ``ratio`` is the figure compared with ``target`` (``None`` when the row is
    informative only) and ``met`` whether it reaches the target.
    """

    section: str
    case: str
    value: str
    detail: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


def machine() -> str:
    """Cores, Python and the versions of the HTTP stack, on one line."""
    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        usable = cores
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{usable} cores ({cores} online), {python} on {sys.platform}; " + ", ".join(versions)


def _verdict(row: Row) -> str:
    if row.met is None:
        return ""
    return "yes" if row.met else "NO"


def render(rows: Sequence[Row], *, title: str, plain: bool = False) -> str:
    """The table as text: rich's box drawing when rich is installed (unless ``plain``), else plain columns."""
    headers = ("Benchmark", "Case", "Result", "Detail", "Ratio", "Target", "Met")
    cells = [
        (
            r.section,
            r.case,
            r.value,
            r.detail,
            "" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target,
            _verdict(r),
        )
        for r in rows
    ]
    if plain:
        return _plain(title, headers, cells)
    try:
        from rich.console import Console
        from rich.table import Table
    except ModuleNotFoundError:
        return _plain(title, headers, cells)
    table = Table(title=title, title_justify="left", show_lines=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for cell in cells:
        table.add_row(*cell)
    # Wide enough for the table's natural width: a row never wraps when piped or captured.
    console = Console(width=_WIDEST, record=True, force_terminal=False)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def _plain(title: str, headers: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells)
    return "\n".join(lines)
