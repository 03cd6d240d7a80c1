"""Bulk provisioning: apply a plan of clients, delivery methods and accounts, resumably.

The library side of ``leadexec provision``::

    from leadexec_async.provision import Ledger, Runner, default_ledger_path, load_plan

    plan = load_plan("plan.yaml")                       # raises PlanError naming every problem
    with Ledger(default_ledger_path("plan.yaml"), server=Ledger.server_of(base_url)) as ledger:
        async with lx.LeadExecClient(base_url=base_url) as le:
            summary = await Runner(plan, ledger, concurrency=8).run(le)

``Ledger`` takes a SQLite path or a ``postgresql://`` URL (the ``postgres``
extra). Importing this package needs only the core dependencies; YAML plans
need pyyaml (the ``cli`` extra).
"""

from __future__ import annotations

from .ledger import Ledger, LedgerError, LedgerRow, default_ledger_path, fingerprint, is_ledger_url
from .plan import Plan, PlanError, Problem, Record, load_plan, parse_plan
from .runner import RecordResult, Runner, RunSummary

__all__ = [
    "Ledger",
    "LedgerError",
    "LedgerRow",
    "Plan",
    "PlanError",
    "Problem",
    "Record",
    "RecordResult",
    "RunSummary",
    "Runner",
    "default_ledger_path",
    "fingerprint",
    "is_ledger_url",
    "load_plan",
    "parse_plan",
]
