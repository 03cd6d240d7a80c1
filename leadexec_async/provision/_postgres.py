"""The PostgreSQL ledger: ``--ledger postgresql://user@host/db``, for runs on machines that keep no file.

Needs the ``postgres`` extra (psycopg 3). The same rules as the SQLite ledger
(:mod:`leadexec_async.provision.ledger`), kept with PostgreSQL's means:

- every write runs in autocommit mode with ``synchronous_commit`` on for the
  session, so a write has reached the server's durable log when it returns;
- the run lock is a session-level advisory lock, keyed by the schema the
  ledger lives in: it is held as long as the connection is open and released
  by the server when the connection ends, whatever ended it. A killed process
  closes its connection at once; a machine that vanished is noticed through
  TCP keepalives the session sets (within about a minute);
- the tables (``leadexec_ledger_meta``, ``leadexec_ledger_records``) live in
  the connection's current schema, so one database can hold several ledgers,
  one per schema (``?options=-csearch_path%3DNAME`` in the URL).

A session-level advisory lock needs one server session for the whole run:
connect to the server itself, or through a pooler in session mode, never in
transaction mode.

The password of the URL is a secret: the ledger names itself by the URL
without it, and every message from the driver is cleaned of it. Prefer
``PGPASSWORD`` or a ``~/.pgpass`` file over a password in the URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from .. import _constants as C
from .ledger import Ledger, LedgerError

__all__ = ["PostgresLedger", "redact_url"]

_T = TypeVar("_T")
_SECRET_PARAMS = frozenset({"password", "sslpassword"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS leadexec_ledger_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leadexec_ledger_records (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('intended', 'done', 'unknown')),
    id          BIGINT,
    parent_id   BIGINT,
    fingerprint TEXT,
    error       TEXT,
    updated_at  TEXT NOT NULL,
    applied     TEXT,
    applied_at  TEXT,
    PRIMARY KEY (kind, key)
);
"""


def redact_url(url: str) -> str:
    """``url`` without its password (in the user part or as a ``password`` parameter): safe to show."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        user = parts.netloc.rpartition("@")[0].partition(":")[0] if "@" in parts.netloc else ""
        netloc = f"{user}@{host}" if user else host
        query = [
            (name, C.MASK if name.lower() in _SECRET_PARAMS else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="/=%*"), ""))
    except ValueError:
        return f"{url.partition('://')[0]}://(a URL that cannot be read)"


def _secrets_in(url: str) -> list[str]:
    """Every form in which the URL's passwords could appear in a message, longest first."""
    found: set[str] = set()
    try:
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        if ":" in userinfo:
            found.add(userinfo.partition(":")[2])
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name.lower() in _SECRET_PARAMS:
                found.add(value)
    except ValueError:
        pass
    forms: set[str] = set()
    for secret in found:
        forms.update({secret, unquote(secret), quote(unquote(secret), safe="")})
    return sorted((f for f in forms if f), key=len, reverse=True)


class PostgresLedger(Ledger):
    """A ledger in a PostgreSQL database (psycopg 3, synchronous connection, autocommit)."""

    _META = "leadexec_ledger_meta"
    _RECORDS = "leadexec_ledger_records"
    _db: Any = None

    def _open(self, target: str | os.PathLike[str]) -> None:
        url = os.fspath(target)
        self.name = redact_url(url)
        self._secrets = _secrets_in(url)
        try:
            import psycopg
            import psycopg.conninfo
        except ModuleNotFoundError as error:
            raise LedgerError(
                f"a PostgreSQL ledger needs the 'postgres' extra ({error.name} is missing): "
                "pip install 'leadexec-async[postgres]'"
            ) from None
        self._errors: type[Exception] = psycopg.Error
        keepalive_idle, keepalive_interval, keepalive_count = C.LEDGER_PG_KEEPALIVES
        settings = {
            "synchronous_commit": "on",
            "statement_timeout": str(int(C.LEDGER_PG_STATEMENT_TIMEOUT * 1000)),
            "tcp_keepalives_idle": str(keepalive_idle),
            "tcp_keepalives_interval": str(keepalive_interval),
            "tcp_keepalives_count": str(keepalive_count),
        }
        if self.readonly:
            settings["default_transaction_read_only"] = "on"

        def connect() -> Any:
            params = psycopg.conninfo.conninfo_to_dict(url)
            params.setdefault("connect_timeout", str(int(C.LEDGER_PG_CONNECT_TIMEOUT)))
            params.setdefault("application_name", C.LEDGER_PG_APPLICATION_NAME)
            return psycopg.connect(psycopg.conninfo.make_conninfo("", **params), autocommit=True)

        self._db = self._guard("cannot connect", connect)
        for name, value in settings.items():
            self._execute("SELECT set_config(?, ?, false)", (name, value))
        schema = self._fetch("SELECT current_schema()")[0][0]
        if schema is None:
            raise LedgerError(
                f"{self.name}: no schema to keep the ledger in (the search_path names none that exists)"
            )
        self.schema = str(schema)
        digest = hashlib.sha256(f"leadexec-provision-ledger\x00{schema}".encode()).digest()
        self._lock_key = int.from_bytes(digest[:8], "big", signed=True)
        if not self.readonly and not self._fetch("SELECT pg_try_advisory_lock(?)", (self._lock_key,))[0][0]:
            raise LedgerError(
                f"{self.name} (schema {schema}) is in use by another run of the plan (it holds the "
                "ledger's advisory lock); wait for that run to end, then run again. The server releases "
                "the lock as soon as that run's connection ends"
            )

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, C.MASK)
        return " ".join(text.split())

    def _guard(self, what: str, call: Callable[[], _T]) -> _T:
        """Run ``call``; turn a driver error into a :class:`LedgerError` cleaned of the URL's password."""
        try:
            return call()
        except self._errors as error:
            message = self._clean(str(error) or type(error).__name__).rstrip(".")
        # raised outside the handler, so the driver's exception is not chained to it
        raise LedgerError(f"{self.name}: {what}: {message}")

    def _create(self) -> None:
        self._guard("cannot create the ledger's tables", lambda: self._conn().execute(_SCHEMA))

    def _check_readable(self) -> None:
        found = self._fetch("SELECT to_regclass(?)", (self._RECORDS,))
        if found[0][0] is None:
            raise LedgerError(
                f"{self.name}: no ledger there (no {self._RECORDS} table in schema {self.schema})"
            )

    def _conn(self) -> Any:
        if self._db is None:
            raise LedgerError(f"{self.name} is closed")
        return self._db

    def _run(self, sql: str, params: Sequence[Any], *, rows: bool) -> list[tuple[Any, ...]]:
        statement = sql.replace("?", "%s")

        def run() -> list[tuple[Any, ...]]:
            cursor = self._conn().execute(statement, tuple(params) or None)
            return list(cursor.fetchall()) if rows else []

        return self._guard("cannot read the ledger" if rows else "cannot write the ledger", run)

    def _rollback(self) -> None:
        # the error that ended the block is the news; a broken connection rolls back anyway
        with contextlib.suppress(self._errors, LedgerError):
            self._conn().execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection, which releases the run lock."""
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(Exception):  # a broken connection: the server ends the session
                db.close()
