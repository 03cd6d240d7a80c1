"""``leadexec ledger PATH``: list what a provisioning ledger holds, without taking its run lock.

PATH is a SQLite ledger file or a ``postgresql://`` URL. Each record is
listed with its key, kind, LeadExec id, state and when it was last applied:
as a table (rich's when the ``cli`` extra is installed, plain text
otherwise), or as JSON or CSV for scripts. Reading never blocks a run, and a
run never blocks reading.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "entries", "run"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2  # no ledger there, unreadable, or bad arguments

_FIELDS = ("key", "kind", "id", "state", "last_applied")
_KIND_ORDER = {"client": 0, "delivery_method": 1, "delivery_account": 2}
_LABEL = {"client": "client", "delivery_method": "delivery method", "delivery_account": "delivery account"}
_STYLE = {"done": "green", "intended": "bold yellow", "unknown": "bold yellow"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``ledger`` subcommand to the ``leadexec`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "ledger",
        help="list the records of a provisioning ledger: key, kind, id, state, when last applied",
        description="List each record a provisioning ledger holds: its key, kind, LeadExec id, state "
        "(done; intended or unknown: a create that may or may not have been applied) and when it was "
        "last applied. Reads only: a run in progress is neither blocked nor disturbed.",
        epilog="exit status: 0 when listed, 2 when there is no readable ledger at PATH.",
    )
    parser.add_argument(
        "ledger",
        metavar="PATH",
        help="a SQLite ledger file (PLAN.ledger.sqlite) or a postgresql://user@host/db URL",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table for people (default), json or csv for scripts",
    )
    return parser


def entries(ledger: Any) -> list[dict[str, Any]]:
    """The records of an open ledger as listed: a client, then its delivery methods, then its accounts."""
    rows = sorted(ledger.rows(), key=lambda r: (r.key.partition("/")[0], _KIND_ORDER.get(r.kind, 9), r.key))
    return [
        {"key": r.key, "kind": r.kind, "id": r.id, "state": r.state, "last_applied": r.applied_at}
        for r in rows
    ]


def run(args: argparse.Namespace) -> int:
    """Run ``leadexec ledger``; return the exit status."""
    from .ledger import Ledger, LedgerError, default_ledger_path, is_ledger_url

    target: str | Path = args.ledger if is_ledger_url(args.ledger) else Path(args.ledger)
    try:
        with Ledger(target) as ledger:
            listed = entries(ledger)
            name = ledger.name
            server = ledger.server()
    except LedgerError as error:
        message = str(error)
        if isinstance(target, Path) and target.suffix.lower() in (".yaml", ".yml", ".json"):
            message += f" ({target} looks like a plan; its ledger is {default_ledger_path(target)})"
        print(f"leadexec ledger: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.format == "json":
        text = json.dumps(listed, indent=2) + "\n"
    elif args.format == "csv":
        buffer = io.StringIO()
        writer: csv.DictWriter[str] = csv.DictWriter(buffer, fieldnames=_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(listed)
        text = buffer.getvalue()
    else:
        return _write_table(listed, name, server)
    return _write(text)


def _write(text: str) -> int:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `leadexec ledger ... | head`: the reader has what it wanted
        _silence_stdout()
    return EXIT_OK


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _when(iso: str | None) -> str:
    if not iso:
        return "-"
    return iso.replace("T", " ").split(".")[0].removesuffix("+00:00") + " UTC"


def _write_table(listed: list[dict[str, Any]], name: str, server: str | None) -> int:
    title = f"{name} ({server or 'no server yet'}): {len(listed)} records"
    counts: dict[str, int] = {}
    for e in listed:
        counts[e["state"]] = counts.get(e["state"], 0) + 1
    footer = ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "empty"
    try:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
    except ModuleNotFoundError:  # no `cli` extra: plain columns
        lines = [title, ""]
        shown = [
            (
                e["key"],
                _LABEL.get(e["kind"], e["kind"]),
                str(e["id"] or "-"),
                e["state"],
                _when(e["last_applied"]),
            )
            for e in listed
        ]
        header = ("key", "kind", "id", "state", "last applied")
        widths = [max(len(row[i]) for row in [header, *shown]) for i in range(len(header))]
        for row in [header, *shown]:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        lines += ["", footer]
        return _write("\n".join(lines) + "\n")
    table = Table(title=escape(title), header_style="bold", caption=footer)
    for column, justify in (
        ("key", "left"),
        ("kind", "left"),
        ("id", "right"),
        ("state", "left"),
        ("last applied", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for e in listed:
        state = e["state"]
        table.add_row(
            escape(e["key"]),
            _LABEL.get(e["kind"], e["kind"]),
            str(e["id"]) if e["id"] is not None else "-",
            f"[{_STYLE.get(state, 'default')}]{state}[/]",
            _when(e["last_applied"]),
        )
    console = Console(soft_wrap=False)
    with console.capture() as captured:  # rendered for this terminal (or not), then written as text
        console.print(table)
    return _write(captured.get())
