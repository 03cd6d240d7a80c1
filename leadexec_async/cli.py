"""The ``leadexec`` command: ``leadexec emulator``, ``leadexec provision`` and ``leadexec ledger``.

Argument parsing only; each subcommand lives with its feature
(``leadexec_async.emulator._cli``, ``leadexec_async.provision._cli``) and
imports its heavy dependencies only when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module defining ``add_parser(subparsers)`` and ``run(args) -> int``
_SUBCOMMANDS = {
    "emulator": "leadexec_async.emulator._cli",
    "provision": "leadexec_async.provision._cli",
    "ledger": "leadexec_async.provision._ledger_cli",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``leadexec`` command."""
    parser = argparse.ArgumentParser(prog="leadexec", description="LeadExec Account API tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in _SUBCOMMANDS.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:  # feature not built yet
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``leadexec`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    module = importlib.import_module(_SUBCOMMANDS[args.command])
    status: int = module.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
