"""Every default of the package, in one place: the request layer, the records, bulk
upserts, provisioning and the emulator (which reads only this module of the client's).

Timeouts are httpx's per-phase timeouts: ``DEFAULT_TIMEOUT`` allows 5 s to open
a connection and 30 s for each of: writing the body, waiting for/reading the
answer, and taking a connection from the pool (which never waits in practice:
the pool holds at least ``max_concurrency`` connections).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import httpx

from ._version import __version__

# Where and how to reach the API.
DEFAULT_BASE_URL: Final = "https://api.leadexec.net"
USER_AGENT: Final = f"leadexec-async/{__version__}"

# Timeouts (seconds).
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_PHASE_TIMEOUT: Final = 30.0
DEFAULT_TIMEOUT: Final = httpx.Timeout(DEFAULT_PHASE_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
# The deadline of one attempt as a whole (connect, send, read), which a server trickling
# bytes cannot stretch: ``attempt_timeout=`` on the client, or by default the sum of the
# connect, write and read phases of ``timeout`` (65 s by default).

# Caps on what the SDK reads of an answer, in decoded bytes (after gzip/deflate): a 2xx
# body of a record id, of a token answer, and the part of an error body kept for
# diagnosis (``max_error_body=`` on the client). Past a cap the rest is not read and the
# connection is closed: a 2xx body over its cap is a failure (OutcomeUnknownError for a
# create), an error body over it is kept cut (``truncated``).
MAX_ID_BODY: Final = 4 * 1024
MAX_TOKEN_BODY: Final = 16 * 1024
DEFAULT_MAX_ERROR_BODY: Final = 64 * 1024
# The longest token accepted, from the caller or from the token endpoint (characters).
MAX_TOKEN_LENGTH: Final = 8 * 1024
# Schemes a proxy URL may have (``proxy=`` or HTTP(S)_PROXY / ALL_PROXY when ``trust_env``).
PROXY_SCHEMES: Final = ("http", "https")

# Retries: ``max_retries`` repeats after the first attempt, exponential backoff
# ``min(BACKOFF_INITIAL * 2**(n-1), BACKOFF_MAX) * (1 - BACKOFF_JITTER * random())``
# before repeat n, unless the server sent ``Retry-After``, which is honoured up
# to ``max_retry_wait`` seconds (beyond it the error is raised at once).
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_BACKOFF_INITIAL: Final = 0.5
DEFAULT_BACKOFF_MAX: Final = 8.0
BACKOFF_JITTER: Final = 0.25
DEFAULT_MAX_RETRY_WAIT: Final = 60.0

# Concurrency and rate.
DEFAULT_MAX_CONCURRENCY: Final = 16
KEEPALIVE_EXPIRY: Final = 30.0
# Parsed request URLs kept per client (one per distinct path; emptied when full).
URL_CACHE_SIZE: Final = 1024

# The adaptive rate (see ``_limits.AdaptiveRateLimiter``): answers are counted in
# windows of ADAPTIVE_WINDOW seconds; after a window with 429s the rate becomes
# what the server accepted times (1 + ADAPTIVE_HEADROOM), falling at most by
# ADAPTIVE_MAX_DECREASE per window and never under ADAPTIVE_MIN_RATE; after a
# window without, in which the limiter held callers back, it grows by ADAPTIVE_PROBE.
ADAPTIVE_WINDOW: Final = 0.5
ADAPTIVE_HEADROOM: Final = 0.03
ADAPTIVE_MAX_DECREASE: Final = 0.25
ADAPTIVE_PROBE: Final = 0.05
ADAPTIVE_MIN_RATE: Final = 1.0

# bulk: an item whose upsert ended with RateLimitError (its retries all answered
# 429; never applied, so safe to send again, creates included) is sent again up
# to this many times, after its Retry-After (or the first backoff).
BULK_RATE_LIMITED_RESENDS: Final = 5

# Client-credentials tokens are renewed this many seconds before ``expires_in``
# runs out (or at half their life, for tokens that live under twice as long).
TOKEN_RENEW_MARGIN: Final = 60.0
# How many replaced tokens (besides the current one) are still hidden from messages and logs.
PAST_TOKENS_HIDDEN: Final = 4

# The HTTP machinery: "auto" takes aiohttp under asyncio, httpx's own under trio.
HTTP_BACKENDS: Final = ("auto", "aiohttp", "httpx")
DEFAULT_HTTP_BACKEND: Final = "auto"

# Environment variables read when an argument is left out.
ENV_ACCESS_TOKEN: Final = "LEADEXEC_ACCESS_TOKEN"  # noqa: S105 (a variable name)
ENV_CLIENT_ID: Final = "LEADEXEC_CLIENT_ID"
ENV_CLIENT_SECRET: Final = "LEADEXEC_CLIENT_SECRET"  # noqa: S105 (a variable name)
ENV_BASE_URL: Final = "LEADEXEC_BASE_URL"
ENV_LOG: Final = "LEADEXEC_LOG"

LOGGER_NAME: Final = "leadexec_async"
# Characters of an unreadable id body quoted in UnexpectedResponseError's message, and of
# an error answer's body quoted in APIStatusError's message (``body`` keeps all of it).
ID_BODY_PREVIEW: Final = 200
STATUS_BODY_PREVIEW: Final = 500
MASK: Final = "***"


# Pacific Time: the zone the API reads every date-time in (see ``_time``).
PACIFIC_ZONE_KEY: Final = "America/Los_Angeles"


class _PacificNow:
    """Stands for "the moment of the call, in Pacific Time" in a record default table."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOW_PACIFIC"


#: A per-call default: ``_records`` puts ``_time.now_pacific`` in its place, so each
#: record gets the time it is built (this module imports nothing of the package).
NOW_PACIFIC: Final = _PacificNow()

# Record defaults: the value of each field a caller leaves out, by wire key (the table
# in ``_records``' docstring). Enum values are written as the reference's labels (or
# wire values); ``_records`` parses each table once at import, so a typo fails the import.
STRING_DEFAULT: Final = ""  # every required string of a method or an account
WEEKLY_STATIC_DATE: Final = _dt.date(2000, 1, 1)  # StaticDate of a weekly DeliveryDays row (assumption)
DAY_START: Final = _dt.time(0, 0)  # StartTime of a DeliveryDays row
DAY_END: Final = _dt.time(23, 59, 59)  # EndTime of a DeliveryDays row
CLIENT_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "DateAdded": NOW_PACIFIC,
        "Status": "Active",
        "UserUID": 0,
        "TimeOffset": -8,
        "TimeZoneName": "Pacific Standard Time",
        "Notes": "",
        "ResellerUID": 0,
        "GroupUID": 0,
        "OverrideReassign": False,
        "DeliveryAccountAutomationType": "Price",
    }
)
METHOD_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "Type": "HTTP POST",
        "Status": True,
        "DateAdded": NOW_PACIFIC,
        "inTesting": False,
        "LeadTypeUID": 0,
        "useRegEx": False,
        "SMTPAuth": False,
        "EmailNotify": False,
        "LeadCatUID": 0,
    }
)
ACCOUNT_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "Price": 0.0,
        "HourMax": -1,
        "DayMax": -1,
        "MonthMax": -1,
        "WeekMax": -1,
        "useOrder": False,
        "Status": "Open",
        "DeliveryDelay": 0,
        "AutomationEnabled": False,
        "AlternatePosting": 0,
        "AccountType": "General",
    }
)
FIELD_SETTING_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "DeliverySettingUID": 0,
        "DeliveryUID": 0,
        "Delete": False,
        "Format": "",
        "FieldType": "Static Value",
        "Value": "",
        "LeadFieldUID": 0,
        "Expr": "",
    }
)
FIELD_MAPPING_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {"DeliveryMappingUID": 0, "Delete": False, "DeliverySettingUID": 0}
)
DELIVERY_DAY_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {"DeliveryDayUID": 0, "DeliveryUID": 0, "Allow": True, "StaticDate": WEEKLY_STATIC_DATE}
)
CRITERIA_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "ClientCriteriaUID": 0,
        "LeadFieldUID": 0,
        "Type": "FieldValue",
        "Expression": "",
        "Operator": "Equal",
        "Value": "",
    }
)

# Criteria values (assumption, see ``_builders``): the separator that joins In/NotIn
# lists, Between bounds and Distance_Compare parts.
LIST_SEPARATOR: Final = ","

# Bulk upserts (``bulk.upsert_many``, and ``leadexec provision`` without ``--concurrency``):
# upserts in flight at once.
DEFAULT_BULK_CONCURRENCY: Final = 8

# Provisioning plans: the largest file read (bytes), the deepest nesting of lists and
# mappings, and the most records (clients, methods and accounts together) in one plan.
MAX_PLAN_BYTES: Final = 20 * 1024 * 1024
MAX_PLAN_DEPTH: Final = 32
MAX_PLAN_RECORDS: Final = 200_000
# Seconds a graceful stop of ``leadexec provision`` (Ctrl-C, SIGTERM) waits for requests in flight.
STOP_GRACE_SECONDS: Final = 30.0
# The provisioning ledger: the file of ``plan.yaml`` is ``plan`` + LEDGER_SUFFIX, next to it;
# SQLite ``synchronous`` FULL survives power loss, not only a killed process; seconds a
# write waits for a lock held by another process. A run holds an exclusive lock on the
# ledger's path + LEDGER_LOCK_SUFFIX, so that two runs never apply one plan at once.
LEDGER_SUFFIX: Final = ".ledger.sqlite"
LEDGER_LOCK_SUFFIX: Final = ".lock"
LEDGER_SYNCHRONOUS: Final = "FULL"
LEDGER_BUSY_TIMEOUT: Final = 10.0
# A PostgreSQL ledger (``--ledger postgresql://...``): seconds to connect; seconds one
# ledger statement may take; the server-side TCP keepalives of the session (idle seconds,
# interval, probes), so that the run lock of a machine that vanished is released within
# about a minute; the application name the session shows in pg_stat_activity.
LEDGER_PG_CONNECT_TIMEOUT: Final = 10.0
LEDGER_PG_STATEMENT_TIMEOUT: Final = 30.0
LEDGER_PG_KEEPALIVES: Final = (30, 10, 3)
LEDGER_PG_APPLICATION_NAME: Final = "leadexec-provision"

# The emulator (``leadexec emulator``, ``run_emulator``, the pytest fixtures). Its default
# credentials are accepted when neither credentials nor a static token are given: a local
# emulator must accept some out of the box; they guard nothing of value. The fixtures use
# their own. Injected 429 / 503 faults simulate chance failures, not load, so their
# Retry-After lets the client retry at once (it waits exactly that: 0 s). The client's
# adaptive rate still reads every 429 as load, as it must for a real server.
EMULATOR_HOST: Final = "127.0.0.1"
EMULATOR_PORT: Final = 8080
EMULATOR_CLIENT_ID: Final = "emulator-client"
EMULATOR_CLIENT_SECRET: Final = "emulator-secret"  # noqa: S105 - a documented default of a local test server
EMULATOR_FIXTURE_CLIENT_ID: Final = "pytest-client"
EMULATOR_FIXTURE_CLIENT_SECRET: Final = "pytest-secret"  # noqa: S105 - credentials of a throw-away local server
EMULATOR_FIXTURE_TOKEN: Final = "pytest-static-token"  # noqa: S105 - idem
EMULATOR_TOKEN_TTL: Final = 3600.0  # seconds a token lasts
EMULATOR_BODY_LIMIT: Final = 1024 * 1024  # bytes; a larger body is answered 400
EMULATOR_DRAIN_LIMIT: Final = 64 * 1024 * 1024  # bytes of an oversized body read and dropped before closing
EMULATOR_FAULT_RETRY_AFTER: Final = 0  # seconds, the Retry-After of injected 429 / 503 faults
EMULATOR_DROP_WAIT: Final = 2.0  # seconds to wait for the server to notice a connection the emulator closed
EMULATOR_START_TIMEOUT: Final = 10.0  # seconds a background server may take to start, and to stop
EMULATOR_KEEP_ALIVE: Final = 30  # seconds an idle kept-alive connection stays open
EMULATOR_BACKLOG: Final = 2048  # connections waiting to be accepted (bursts of a bulk run)
EMULATOR_MAX_HEAD: Final = 32 * 1024  # bytes of a request line and headers; past it: 431, connection closed
EMULATOR_STALL_TIMEOUT: Final = 10.0  # seconds a connection may stay silent before or inside a request
EMULATOR_MAX_FAULT_TIMES: Final = 10_000  # faults scheduled, not yet drawn (POST /_emulator/faults)
EMULATOR_LOG_LEVEL: Final = "info"  # uvicorn's log level under ``leadexec emulator``
EMULATOR_BACKGROUND_LOG_LEVEL: Final = "warning"  # ... and in a background thread (run_emulator, fixtures)

# OpenTelemetry tracing (the ``otel`` extra; see leadexec_async/_tracing.py). Off by default;
# ``LeadExecClient(tracing=None)`` reads ENV_TRACING, whose accepted values are these.
DEFAULT_TRACING: Final = None
ENV_TRACING: Final = "LEADEXEC_TRACING"
TRACING_ON: Final = ("1", "true", "on", "yes")
TRACING_OFF: Final = ("", "0", "false", "off", "no")
TRACER_NAME: Final = "leadexec_async"  # the instrumentation scope of the spans
