"""Where the OpenAPI document lives at run time.

The wheel ships ``spec/openapi.yaml`` as ``leadexec_async/_spec/openapi.yaml``;
an editable checkout reads the repository's own ``spec/openapi.yaml``. Either
way it is the same file, the single source of truth.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def spec_path() -> Path:
    """Return the path of the OpenAPI document this package was built from."""
    shipped = _HERE / "_spec" / "openapi.yaml"
    if shipped.is_file():
        return shipped
    checkout = _HERE.parent / "spec" / "openapi.yaml"
    if checkout.is_file():
        return checkout
    raise FileNotFoundError("the LeadExec OpenAPI document is missing from this installation")
