"""A local, stateful emulator of the LeadExec Account API (optional extra ``emulator``).

    from leadexec_async.emulator import run_emulator

    with run_emulator(faults="503:0.1", seed=7) as emu:
        ...  # point a LeadExecClient at emu.base_url; inspect emu.state()

Names are imported lazily, so ``import leadexec_async.emulator`` works without the
extra; using them needs it (starlette is not used; uvicorn, jsonschema and pyyaml are).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import ConnectionDropped, Emulator, create_app
    from ._clock import ManualClock
    from ._config import EmulatorConfig
    from ._faults import FaultPlan, parse_faults
    from ._server import EmulatorServer, run_emulator

__all__ = [
    "ConnectionDropped",
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "FaultPlan",
    "ManualClock",
    "create_app",
    "parse_faults",
    "run_emulator",
]

_WHERE = {
    "ConnectionDropped": "._app",
    "Emulator": "._app",
    "create_app": "._app",
    "ManualClock": "._clock",
    "EmulatorConfig": "._config",
    "FaultPlan": "._faults",
    "parse_faults": "._faults",
    "EmulatorServer": "._server",
    "run_emulator": "._server",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
