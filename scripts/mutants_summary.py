"""Summarise ``mutmut results --all true`` (``make mutants``): counts per module and status, then survivors.

Reads the results listing (lines ``    <module>.<function>__mutmut_<n>: <status>``) from the
file given, or from standard input. See docs/mutants.md for how to read and act on it.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

_LINE = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+)$")


def module_of(name: str) -> str:
    """``leadexec_async._retry.x_classify__mutmut_3`` -> ``leadexec_async._retry``."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith(("x_", "xǁ")):
            return ".".join(parts[:i])
    return ".".join(parts[:-1])


def main() -> int:
    text = Path(sys.argv[1]).read_text(encoding="utf-8") if len(sys.argv) > 1 else sys.stdin.read()
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        name, status = match["name"], match["status"].strip()
        by_module[module_of(name)][status] += 1
        if status == "survived":
            survivors.append(name)
    if not by_module:
        print("no mutmut results found: run `make mutants` (mutmut run) first", file=sys.stderr)
        return 1
    statuses = sorted({s for c in by_module.values() for s in c})
    width = max(len(m) for m in by_module)
    print(f"{'module':<{width}}  " + "  ".join(f"{s:>9}" for s in [*statuses, "total"]))
    total: Counter[str] = Counter()

    def row(name: str, counts: Counter[str]) -> str:
        cells = [f"{counts[s]:>9}" for s in statuses] + [f"{sum(counts.values()):>9}"]
        return f"{name:<{width}}  " + "  ".join(cells)

    for module in sorted(by_module):
        total.update(by_module[module])
        print(row(module, by_module[module]))
    print(row("all", total))
    if survivors:
        print(f"\n{len(survivors)} survived (see each with `.venv/bin/mutmut show NAME`):")
        for name in survivors:
            print("  ", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
