"""Regenerate ``generated/leadexec_api_client`` from ``spec/openapi.yaml``, and the typed surface.

Usage::

    python scripts/generate.py            # rewrite generated/ in place
    python scripts/generate.py --check    # regenerate into a temporary folder, fail on any difference

The second output, made by ``scripts/surface.py`` from the same spec, is the
typed surface of the SDK (``leadexec_async/_surface.py``: typed resource
methods, argument types, records) and the field reference (``docs/fields.md``).

The generator and the formatter it runs are pinned (see ``GENERATOR`` and
``RUFF`` below and the ``codegen`` extra of pyproject.toml) because their
output depends on their versions. Generated files are never edited by hand:
change the spec and run this script.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
CONFIG = ROOT / "scripts" / "codegen-config.yaml"
PACKAGE = "leadexec_api_client"
TARGET = ROOT / "generated" / PACKAGE
GENERATOR = ("openapi-python-client", "0.29.1")
RUFF = ("ruff", "0.17.6")
# Files we add next to the generator's output; the generator leaves them alone.
KEPT = ("py.typed",)


def _check_pins() -> None:
    for name, wanted in (GENERATOR, RUFF):
        try:
            found = version(name)
        except PackageNotFoundError:
            sys.exit(
                f"{name}=={wanted} is not installed; run `make generate` (it installs the codegen extra)"
            )
        if found != wanted:
            sys.exit(f"{name} {found} is installed but the output is pinned to {wanted}; run `make generate`")


def _generate(into: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [
        str(bin_dir / "openapi-python-client"),
        "generate",
        "--path",
        str(SPEC),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(into),
        "--overwrite",
        "--fail-on-warning",
    ]
    # Run from an empty folder so that no ruff configuration of ours is discovered.
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"code generation failed (exit {result.returncode})")
    (into / "py.typed").write_text("")


def _diff(a: Path, b: Path) -> list[str]:
    out: list[str] = []
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])

    def walk(c: filecmp.dircmp[str], prefix: str) -> None:
        out.extend(f"only in committed: {prefix}{n}" for n in c.left_only)
        out.extend(f"only in regenerated: {prefix}{n}" for n in c.right_only)
        for n in c.common_files:
            if Path(c.left, n).read_bytes() != Path(c.right, n).read_bytes():
                out.append(f"differs: {prefix}{n}")
        for n, sub in c.subdirs.items():
            walk(sub, f"{prefix}{n}/")

    walk(cmp, "")
    return out


def _surface(check: bool) -> list[str]:
    """Write (or, with ``check``, compare) the typed surface and the field reference."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import surface

    problems = []
    for path, text in surface.outputs().items():
        rel = path.relative_to(ROOT)
        if not check:
            path.write_text(text)
            print(f"regenerated {rel} from {SPEC.relative_to(ROOT)}")
        elif not path.exists() or path.read_text() != text:
            problems.append(f"differs: {rel}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if generated/ differs from a fresh generation"
    )
    args = parser.parse_args()
    _check_pins()
    if not args.check:
        _generate(TARGET)
        print(f"regenerated {TARGET.relative_to(ROOT)} from {SPEC.relative_to(ROOT)}")
        _surface(check=False)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / PACKAGE
        _generate(fresh)
        if not TARGET.exists():
            print(f"{TARGET.relative_to(ROOT)} is missing; run `make generate`", file=sys.stderr)
            return 1
        problems = _diff(TARGET, fresh)
    problems += _surface(check=True)
    if problems:
        print("generated code has drifted from spec/openapi.yaml; run `make generate`:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print("generated/, leadexec_async/_surface.py and docs/fields.md match spec/openapi.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
