"""The ``leadexec`` command: ``leadexec provision`` and ``leadexec emulator``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``leadexec`` command."""
    print("leadexec: commands arrive with the emulator and bulk provisioning", file=sys.stderr)
    return 2
