"""The durable ledger of a plan: which LeadExec id each plan key has, and what was last applied.

A SQLite file (WAL mode, ``synchronous=FULL``) with one row per record::

    kind, key      the plan record (``client``/``acme``, ``delivery_method``/``acme/post``…)
    state          intended | done | unknown
    id             the LeadExec id (NULL until a create answers)
    parent_id      the client id the record was applied under (methods, accounts)
    fingerprint    hash of what the plan said when it was last applied
    error, updated_at

A create is written as ``intended`` (committed) before it is sent, and as
``done`` with its id (committed) as soon as the answer arrives. A row left
``intended`` by a killed run, or marked ``unknown`` after an
:class:`~leadexec_async.OutcomeUnknownError`, means the record may or may not
exist on the server: it is not sent again unless the user asks
(``--retry-unknown``). A create that failed with a definite answer (nothing
was applied) goes back to the state it had before.

The ledger remembers the server it was written for and refuses another, so
that ids of one server are never sent to another. While a :class:`Ledger` is
open it holds an exclusive lock on ``<ledger>.lock`` (released when it is
closed, or when the process dies): a second run of the same plan started
meanwhile is refused, instead of creating every missing record a second time.

Fingerprints hash the plan's own fields and the parent ids; secret fields
enter only as a salted hash of their own, so the ledger holds no secret.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from .. import _constants as C
from .._records import SECRET_KEYWORDS

__all__ = ["Ledger", "LedgerError", "LedgerRow", "default_ledger_path", "fingerprint"]

State = Literal["intended", "done", "unknown"]
_SCHEMA_VERSION = "1"
_SELECT = "SELECT kind, key, state, id, parent_id, fingerprint, error FROM records"
_INSERT = (
    "INSERT OR REPLACE INTO records (kind, key, state, id, parent_id, fingerprint, error, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('intended', 'done', 'unknown')),
    id          INTEGER,
    parent_id   INTEGER,
    fingerprint TEXT,
    error       TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""


class LedgerError(Exception):
    """The ledger cannot be used (unreadable, another schema, written for another server)."""


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger knows of one record."""

    kind: str
    key: str
    state: State
    id: int | None
    parent_id: int | None
    fingerprint: str | None
    error: str | None


def default_ledger_path(plan_path: str | os.PathLike[str]) -> Path:
    """``plan.yaml`` -> ``plan.ledger.sqlite`` in the same folder."""
    plan = Path(plan_path)
    return plan.with_name(plan.stem + C.LEDGER_SUFFIX)


def fingerprint(kind: str, fields: Mapping[str, Any], parents: Mapping[str, int | None]) -> str:
    """A stable hash of what the plan says for a record, and of the ids it hangs from.

    Secret fields are replaced by a hash of their value before hashing, so
    neither the fingerprint nor anything derived from it carries a secret.
    """
    shown = {
        name: ({"sha256": _secret_hash(kind, name, value)} if name in SECRET_KEYWORDS else value)
        for name, value in fields.items()
    }
    canonical = json.dumps(
        {"kind": kind, "fields": shown, "parents": dict(parents)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _secret_hash(kind: str, name: str, value: Any) -> str:
    salted = f"leadexec-provision\x00{kind}\x00{name}\x00{value}"
    return hashlib.sha256(salted.encode("utf-8")).hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _lock(ledger: Path) -> IO[bytes] | None:
    """Take the run lock of ``ledger`` (a file next to it); None for an in-memory ledger.

    A lock file of its own rather than the database: SQLite's locks are its own
    business, and readers (``sqlite3`` on the file, tests) are never blocked.
    """
    if str(ledger) == ":memory:":
        return None
    path = ledger.with_name(ledger.name + C.LEDGER_LOCK_SUFFIX)
    try:
        handle = open(path, "a+b")  # noqa: SIM115 - held open for the ledger's lifetime
    except OSError as error:
        raise LedgerError(f"{path}: cannot open the ledger's lock file: {error.strerror or error}") from None
    try:
        _try_lock(handle)
    except OSError:
        handle.close()
        raise LedgerError(
            f"{ledger} is in use by another run of the plan (it holds {path}); "
            "wait for that run to end, then run again"
        ) from None
    return handle


class Ledger:
    """An open ledger file. Every write is committed before the method returns."""

    def __init__(self, path: str | os.PathLike[str], *, server: str) -> None:
        self.path = Path(path)
        self._lock = _lock(self.path)
        try:
            self._db = sqlite3.connect(
                self.path, timeout=C.LEDGER_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={C.LEDGER_SYNCHRONOUS}")
            self._db.executescript(_SCHEMA)
            self._claim(server)
        except BaseException as error:
            if hasattr(self, "_db"):
                self._db.close()
            self._release()
            if isinstance(error, sqlite3.DatabaseError):
                raise LedgerError(f"{self.path}: cannot use the ledger: {error}") from None
            raise

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def _claim(self, server: str) -> None:
        with self._transaction():
            meta = dict(self._db.execute("SELECT name, value FROM meta").fetchall())
            version = meta.get("schema")
            if version is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            elif version != _SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.path}: ledger schema {version}, this version reads {_SCHEMA_VERSION}"
                )
            known = meta.get("server")
            if known is None:
                self._db.execute("INSERT INTO meta VALUES ('server', ?)", (server,))
            elif known != server and self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None:
                # no row: nothing was ever created through this ledger, so it is not bound to a server yet
                self._db.execute("UPDATE meta SET value = ? WHERE name = 'server'", (server,))
            elif known != server:
                raise LedgerError(
                    f"{self.path} holds the ids of records on {known}, not {server}; "
                    "give another --ledger for another server"
                )

    @staticmethod
    def server_of(base_url: str) -> str:
        """The part of a base URL that names a server: scheme, host and port."""
        import httpx  # a core dependency; imported here to keep module import light

        url = httpx.URL(base_url)
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}"

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> None:
            self.db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, *_: object) -> None:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")

    def _transaction(self) -> Ledger._Tx:
        return Ledger._Tx(self._db)

    def close(self) -> None:
        """Close the file and release the run lock."""
        self._db.close()
        self._release()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ reads

    def get(self, kind: str, key: str) -> LedgerRow | None:
        """The row of record ``kind``/``key``, or None."""
        row = self._db.execute(_SELECT + " WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return LedgerRow(*row) if row else None

    def rows(self) -> Iterator[LedgerRow]:
        """Every row, in kind and key order."""
        cursor = self._db.execute(_SELECT + " ORDER BY kind, key")
        for row in cursor:
            yield LedgerRow(*row)

    # ------------------------------------------------------------ writes

    def _put(self, row: LedgerRow) -> None:
        with self._transaction():
            self._db.execute(
                _INSERT,
                (row.kind, row.key, row.state, row.id, row.parent_id, row.fingerprint, row.error, _now()),
            )

    def intend_create(
        self, kind: str, key: str, *, parent_id: int | None, fingerprint: str
    ) -> LedgerRow | None:
        """Write that a create of ``kind``/``key`` is about to be sent; return the row it replaces."""
        before = self.get(kind, key)
        self._put(LedgerRow(kind, key, "intended", None, parent_id, fingerprint, None))
        return before

    def done(self, kind: str, key: str, *, record_id: int, parent_id: int | None, fingerprint: str) -> None:
        """Write that ``kind``/``key`` is in place as ``record_id``, as the plan with ``fingerprint`` says."""
        self._put(LedgerRow(kind, key, "done", record_id, parent_id, fingerprint, None))

    def unknown(self, kind: str, key: str, *, parent_id: int | None, fingerprint: str, error: str) -> None:
        """Write that a create of ``kind``/``key`` may or may not have been applied."""
        self._put(LedgerRow(kind, key, "unknown", None, parent_id, fingerprint, error))

    def adopt(self, key: str, kind: str, record_id: int) -> None:
        """Write that ``kind``/``key`` exists on the server as ``record_id`` (found there by a person).

        The row becomes ``done`` and keeps the parent id and fingerprint of the
        row it replaces (what a create that went unknown sent), so a later run
        updates the record only if the plan changed since; with no earlier row
        the fingerprint is empty, and the next run updates the record once.
        """
        before = self.get(kind, key)
        parent_id = before.parent_id if before is not None else None
        fp = before.fingerprint if before is not None else None
        self._put(LedgerRow(kind, key, "done", record_id, parent_id, fp, None))

    def restore(self, kind: str, key: str, before: LedgerRow | None) -> None:
        """Put back the row a create replaced, after the create certainly failed (nothing applied)."""
        if before is None:
            with self._transaction():
                self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
        else:
            self._put(before)
