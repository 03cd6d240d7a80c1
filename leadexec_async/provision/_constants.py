"""Every default and limit of bulk provisioning, in one place."""

from __future__ import annotations

#: Largest plan file read, in bytes.
MAX_PLAN_BYTES = 20 * 1024 * 1024
#: Deepest nesting of lists and mappings a plan may have.
MAX_PLAN_DEPTH = 32
#: Most records (clients, methods and accounts together) in one plan.
MAX_PLAN_RECORDS = 200_000

#: Upserts in flight at once when ``--concurrency`` is not given.
DEFAULT_CONCURRENCY = 8
#: Seconds a graceful stop (Ctrl-C, SIGTERM) waits for requests in flight to answer.
STOP_GRACE_SECONDS = 30.0

#: The ledger file of ``plan.yaml`` is ``plan`` + this suffix, next to it.
LEDGER_SUFFIX = ".ledger.sqlite"
#: SQLite ``synchronous`` level of the ledger: FULL survives power loss, not only a killed process.
LEDGER_SYNCHRONOUS = "FULL"
#: Seconds a ledger write waits for a lock held by another process.
LEDGER_BUSY_TIMEOUT = 10.0

#: Plan fields whose values are secrets: never written to the ledger or a report, only hashed.
SECRET_FIELDS = frozenset({"password", "ftp_password", "smtp_password"})
