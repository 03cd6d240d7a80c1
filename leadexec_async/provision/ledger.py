"""The durable ledger of a plan: which LeadExec id each plan key has, and what was last applied.

Two backends keep the same table, with one row per record::

    kind, key      the plan record (``client``/``acme``, ``delivery_method``/``acme/post``…)
    state          intended | done | unknown
    id             the LeadExec id (NULL until a create answers)
    parent_id      the client id the record was applied under (methods, accounts)
    fingerprint    hash of what the plan said when it was last applied
    applied        the fields last applied, as JSON, secrets replaced by a salted hash
    applied_at     when the record was last applied (created or updated); NULL when adopted
    error, updated_at

- **SQLite** (the embedded default): a file, WAL mode, ``synchronous=FULL``.
- **PostgreSQL** (``postgresql://…`` or ``postgres://…``, the ``postgres``
  extra): a shared ledger for runs on machines that keep no file (CI
  runners, containers); see :mod:`leadexec_async.provision._postgres`.

``Ledger(target, server=...)`` opens either one: a path opens SQLite, a
PostgreSQL URL opens PostgreSQL. Both give the same guarantees:

- A create is written as ``intended`` (committed) before it is sent, and as
  ``done`` with its id (committed) as soon as the answer arrives. A row left
  ``intended`` by a killed run, or marked ``unknown`` after an
  :class:`~leadexec_async.OutcomeUnknownError`, means the record may or may not
  exist on the server: it is not sent again unless the user asks
  (``--retry-unknown``). A create that failed with a definite answer (nothing
  was applied) goes back to the state it had before.
- The ledger remembers the server it was written for and refuses another, so
  that ids of one server are never sent to another. A ledger that holds no
  record at all is not bound yet: it takes the server of the run that opens it.
- One run at a time: while a :class:`Ledger` is open it holds the ledger's run
  lock (SQLite: an exclusive lock on ``<ledger>.lock``; PostgreSQL: a session
  advisory lock), released when it is closed or when the process dies. A
  second run of the same plan started meanwhile is refused, instead of
  creating every missing record a second time.

Fingerprints and the applied record hold secret fields only as a salted hash
of their own, so the ledger holds no secret.

The interface is synchronous on purpose: the runner must know a create's
intent is committed before the request leaves, and it runs on asyncio and on
trio alike (the PostgreSQL backend therefore uses psycopg's synchronous
connection: its async one runs on asyncio only).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, get_args

from .. import _constants as C
from .._records import SECRET_KEYWORDS

__all__ = [
    "Ledger",
    "LedgerError",
    "LedgerRow",
    "applied_record",
    "default_ledger_path",
    "fingerprint",
    "is_ledger_url",
]

State = Literal["intended", "done", "unknown"]
LedgerKind = Literal["client", "delivery_method", "delivery_account"]
_SCHEMA_VERSION = "2"
_COLUMNS = "kind, key, state, id, parent_id, fingerprint, error, applied, applied_at"
_URL_SCHEMES = ("postgresql://", "postgres://")


class LedgerError(Exception):
    """The ledger cannot be used (unreadable, another schema, written for another server, in use)."""


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger knows of one record.

    ``applied`` is the record as it was last applied (plan fields and parent
    ids, secrets replaced by ``{"sha256": ...}``), or None when unknown (an
    adopted record, or one applied before the ledger kept it). ``applied_at``
    is when it was last applied, as an ISO 8601 UTC time, or None.
    """

    kind: str
    key: str
    state: State
    id: int | None
    parent_id: int | None
    fingerprint: str | None
    error: str | None
    applied: Mapping[str, Any] | None = None
    applied_at: str | None = None


def default_ledger_path(plan_path: str | os.PathLike[str]) -> Path:
    """``plan.yaml`` -> ``plan.ledger.sqlite`` in the same folder."""
    plan = Path(plan_path)
    return plan.with_name(plan.stem + C.LEDGER_SUFFIX)


def is_ledger_url(target: object) -> bool:
    """True when ``target`` names a PostgreSQL ledger (``postgresql://…`` or ``postgres://…``)."""
    return isinstance(target, str) and target.lower().startswith(_URL_SCHEMES)


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


def applied_record(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as the ledger keeps them: JSON values, each secret replaced by ``{"sha256": hash}``.

    A field whose name is a secret's (``password``, ``ftp_password``…) is
    hashed at any depth, so the result never holds a secret. Values that JSON
    cannot hold (dates, times) become their text.
    """

    def hide(name: str, value: Any) -> Any:
        if name in SECRET_KEYWORDS and value is not None:
            return {"sha256": _secret_hash(kind, name, value)}
        if isinstance(value, Mapping):
            return {str(k): hide(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [hide(name, v) for v in value]
        return value

    hidden = {str(name): hide(str(name), value) for name, value in values.items()}
    loaded: dict[str, Any] = json.loads(json.dumps(hidden, ensure_ascii=False, default=str))
    return loaded


def _secret_hash(kind: str, name: str, value: Any) -> str:
    salted = f"leadexec-provision\x00{kind}\x00{name}\x00{value}"
    return hashlib.sha256(salted.encode("utf-8")).hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


def _encode(applied: Mapping[str, Any] | None) -> str | None:
    if applied is None:
        return None
    return json.dumps(applied, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None  # unreadable: treated as not recorded
    return value if isinstance(value, dict) else None


def _row(values: Sequence[Any]) -> LedgerRow:
    kind, key, state, rid, parent_id, fp, error, applied, applied_at = values
    return LedgerRow(kind, key, state, rid, parent_id, fp, error, _decode(applied), applied_at)


class Ledger:
    """An open ledger: every write is committed before the method returns.

    ``Ledger(target, server=...)`` opens a SQLite file (``target`` a path) or a
    PostgreSQL database (``target`` a ``postgresql://`` URL), takes its run
    lock and binds it to ``server`` (see :meth:`server_of`). With
    ``server=None`` the ledger is opened to be read only: no lock, no write,
    and a ledger that does not exist is refused.

    ``str(ledger)`` names it for messages: the path, or the URL with any
    password left out.
    """

    #: The names of its two tables.
    _META = "meta"
    _RECORDS = "records"
    #: The columns a read selects (a schema-1 SQLite ledger read as it is has no applied columns).
    _columns_read = _COLUMNS

    def __new__(cls, target: str | os.PathLike[str], *, server: str | None = None) -> Ledger:
        kind: type[Ledger] = cls
        if cls is Ledger:
            if is_ledger_url(target):
                from ._postgres import PostgresLedger

                kind = PostgresLedger
            else:
                kind = SqliteLedger
        return object.__new__(kind)

    def __init__(self, target: str | os.PathLike[str], *, server: str | None = None) -> None:
        self.readonly = server is None
        self._open(target)
        try:
            if self.readonly:
                self._check_readable()
            else:
                self._create()
                self._claim(server or "")
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ what a backend provides

    def _open(self, target: str | os.PathLike[str]) -> None:
        """Connect; unless read-only, take the run lock (raise :class:`LedgerError` when held)."""
        raise NotImplementedError

    def _create(self) -> None:
        """Create the tables when missing, and bring an older schema up to date."""
        raise NotImplementedError

    def _check_readable(self) -> None:
        """Raise :class:`LedgerError` unless a ledger exists there (read-only opening)."""
        raise NotImplementedError

    def _run(self, sql: str, params: Sequence[Any], *, rows: bool) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders); its rows when ``rows``, else ``[]``.

        Committed at once outside :meth:`_transaction`.
        """
        raise NotImplementedError

    def _sql(self, template: str) -> str:
        """``template`` with its table and column names filled in (names, never values)."""
        return (
            template.replace("{meta}", self._META)
            .replace("{records}", self._RECORDS)
            .replace("{columns}", self._columns_read)
            .replace("{written}", _COLUMNS)
        )

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement; see :meth:`_run`."""
        self._run(self._sql(sql), params, rows=False)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one query and return its rows; see :meth:`_run`."""
        return self._run(self._sql(sql), params, rows=True)

    #: the statement that opens a write transaction on this backend
    _BEGIN = "BEGIN"

    def _rollback(self) -> None:
        """Roll back after a failed block; a failure here is not raised (the block's error is the news)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        self._execute(self._BEGIN)
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        self._execute("COMMIT")

    def close(self) -> None:
        """Close the ledger and release its run lock."""
        raise NotImplementedError

    # ------------------------------------------------------------ common

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    name: str = "ledger"

    @staticmethod
    def server_of(base_url: str) -> str:
        """The part of a base URL that names a server: scheme, host and port."""
        import httpx  # a core dependency; imported here to keep module import light

        url = httpx.URL(base_url)
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}"

    def _claim(self, server: str) -> None:
        with self._transaction():
            meta = dict(self._fetch("SELECT name, value FROM {meta}"))
            version = meta.get("schema")
            if version is None:
                self._execute("INSERT INTO {meta} (name, value) VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            elif version != _SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.name}: ledger schema {version}, this version reads {_SCHEMA_VERSION}"
                )
            known = meta.get("server")
            if known is None:
                self._execute("INSERT INTO {meta} (name, value) VALUES ('server', ?)", (server,))
            elif known != server:
                if self._fetch("SELECT 1 FROM {records} LIMIT 1"):
                    raise LedgerError(
                        f"{self.name} holds the ids of records on {known}, not {server}; "
                        "give another --ledger for another server"
                    )
                # nothing was ever recorded (a first run that sent nothing): not bound yet
                self._execute("UPDATE {meta} SET value = ? WHERE name = 'server'", (server,))

    def server(self) -> str | None:
        """The server this ledger is bound to, or None."""
        found = self._fetch("SELECT value FROM {meta} WHERE name = 'server'")
        return str(found[0][0]) if found else None

    # ------------------------------------------------------------ reads

    def get(self, kind: str, key: str) -> LedgerRow | None:
        """The row of record ``kind``/``key``, or None."""
        found = self._fetch("SELECT {columns} FROM {records} WHERE kind = ? AND key = ?", (kind, key))
        return _row(found[0]) if found else None

    def rows(self) -> Iterator[LedgerRow]:
        """Every row, in kind and key order (clients, then delivery accounts, then delivery methods)."""
        for values in self._fetch("SELECT {columns} FROM {records} ORDER BY kind, key"):
            yield _row(values)

    def last_applied(self, kind: str, key: str) -> Mapping[str, Any] | None:
        """The record ``kind``/``key`` as last applied (secrets hashed), or None when not recorded."""
        row = self.get(kind, key)
        return row.applied if row is not None else None

    # ------------------------------------------------------------ writes

    def _put(self, row: LedgerRow) -> None:
        # one statement, committed on its own (autocommit): atomic, and one round trip to a server
        self._require_writable()
        self._execute(
            "INSERT INTO {records} ({written}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (kind, key) DO UPDATE SET state = excluded.state, id = excluded.id,"
            " parent_id = excluded.parent_id, fingerprint = excluded.fingerprint,"
            " error = excluded.error, applied = excluded.applied, applied_at = excluded.applied_at,"
            " updated_at = excluded.updated_at",
            (
                row.kind,
                row.key,
                row.state,
                row.id,
                row.parent_id,
                row.fingerprint,
                row.error,
                _encode(row.applied),
                row.applied_at,
                _now(),
            ),
        )

    def _require_writable(self) -> None:
        if self.readonly:
            raise LedgerError(f"{self.name} was opened to be read only")

    def intend_create(
        self, kind: str, key: str, *, parent_id: int | None, fingerprint: str
    ) -> LedgerRow | None:
        """Write that a create of ``kind``/``key`` is about to be sent; return the row it replaces."""
        before = self.get(kind, key)
        self._put(LedgerRow(kind, key, "intended", None, parent_id, fingerprint, None))
        return before

    def done(
        self,
        kind: str,
        key: str,
        *,
        record_id: int,
        parent_id: int | None,
        fingerprint: str,
        applied: Mapping[str, Any] | None = None,
    ) -> None:
        """Write that ``kind``/``key`` is in place as ``record_id``, as the plan with ``fingerprint`` says.

        ``applied`` is what was sent (the plan's fields and the parent ids); it
        is kept with its secrets hashed (:func:`applied_record`), for the next
        plan's diff.
        """
        kept = applied_record(kind, applied) if applied is not None else None
        self._put(LedgerRow(kind, key, "done", record_id, parent_id, fingerprint, None, kept, _now()))

    def unknown(self, kind: str, key: str, *, parent_id: int | None, fingerprint: str, error: str) -> None:
        """Write that a create of ``kind``/``key`` may or may not have been applied."""
        self._put(LedgerRow(kind, key, "unknown", None, parent_id, fingerprint, error))

    def restore(self, kind: str, key: str, before: LedgerRow | None) -> None:
        """Put back the row a create replaced, after the create certainly failed (nothing applied)."""
        if before is None:
            self._require_writable()
            self._execute("DELETE FROM {records} WHERE kind = ? AND key = ?", (kind, key))
        else:
            self._put(before)

    def adopt(self, key: str, kind: str, record_id: int) -> None:
        """Record that ``kind``/``key`` exists on the server as ``record_id`` (found there by a person).

        The row becomes ``done``, so a run does not create it again. What a
        run then sends depends on what the ledger knew before:

        - an ``intended`` or ``unknown`` row (a create whose answer was lost)
          keeps its fingerprint, which is what that create sent: a run
          updates the record only if the plan changed since (or its client's
          id did);
        - a ``done`` row with the same id, adopted under another client id,
          keeps what was last applied (the fingerprint then differs, and a
          run sends an update);
        - with no earlier row nothing is known of what the record holds: the
          fingerprint is empty, and the next run sends one update of
          ``record_id`` with the plan's fields.

        Only a ``done`` row keeps a last-applied record: for the others a diff
        shows the old values as not recorded. A delivery method or account is
        tied to its client's id, so its client must be ``done`` in the ledger
        first (``--adopt`` writes clients before their methods and accounts).
        Adopting the id a row already has changes nothing. Raises
        :class:`LedgerError` for an unknown kind, an id that is not a positive
        integer, a missing client, or a record the ledger knows as done with
        another id.
        """
        if kind not in get_args(LedgerKind):
            raise LedgerError(f"adopt: kind must be one of {', '.join(get_args(LedgerKind))}, not {kind!r}")
        if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
            raise LedgerError(f"adopt {kind} '{key}': the id must be a positive integer, not {record_id!r}")
        parent_id: int | None = None
        if kind != "client":
            client_key, slash, _ = key.partition("/")
            client = self.get("client", client_key) if slash else None
            if client is None or client.state != "done" or client.id is None:
                raise LedgerError(
                    f"adopt {kind} '{key}': its client '{client_key}' has no id in the ledger; "
                    "adopt the client first"
                )
            parent_id = client.id
        row = self.get(kind, key)
        if row is None:  # nothing known of what the record holds: the next run updates it once
            self._put(LedgerRow(kind, key, "done", record_id, parent_id, None, None))
        elif row.state != "done":  # what the create whose answer was lost sent
            self._put(LedgerRow(kind, key, "done", record_id, parent_id, row.fingerprint, None))
        elif row.id != record_id:
            raise LedgerError(
                f"adopt {kind} '{key}': the ledger has it in place as id {row.id}, not {record_id}"
            )
        elif row.parent_id != parent_id:  # the same record, now under its client's current id
            self._put(
                LedgerRow(
                    kind,
                    key,
                    "done",
                    record_id,
                    parent_id,
                    row.fingerprint,
                    None,
                    row.applied,
                    row.applied_at,
                )
            )


# ---------------------------------------------------------------- SQLite

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


_SQLITE_SCHEMA = """
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
    applied     TEXT,
    applied_at  TEXT,
    PRIMARY KEY (kind, key)
);
"""


class SqliteLedger(Ledger):
    """The embedded ledger: one SQLite file (WAL, ``synchronous=FULL``) and a lock file next to it."""

    _db: sqlite3.Connection | None = None
    _lock_handle: IO[bytes] | None = None

    def _open(self, target: str | os.PathLike[str]) -> None:
        self.path = Path(target)
        self.name = str(self.path)
        if self.readonly:
            if not self.path.is_file():
                raise LedgerError(f"{self.path}: no ledger there")
            self._db = self._connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            return
        self._lock_handle = _lock(self.path)
        self._db = self._connect(self.path)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={C.LEDGER_SYNCHRONOUS}")
        except sqlite3.DatabaseError as error:
            raise LedgerError(f"{self.path}: cannot use the ledger: {error}") from None

    def _connect(self, where: str | Path, *, uri: bool = False) -> sqlite3.Connection:
        try:
            return sqlite3.connect(
                where, timeout=C.LEDGER_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False, uri=uri
            )
        except sqlite3.Error as error:
            raise LedgerError(f"{self.path}: cannot open the ledger: {error}") from None

    def _columns(self) -> set[str]:
        return {str(r[1]) for r in self._fetch("PRAGMA table_info(records)")}

    def _create(self) -> None:
        db = self._conn()
        try:
            db.executescript(_SQLITE_SCHEMA)
            columns = self._columns()
            if "applied" not in columns:  # schema 1: no last-applied record yet
                with self._transaction():
                    db.execute("ALTER TABLE records ADD COLUMN applied TEXT")
                    db.execute("ALTER TABLE records ADD COLUMN applied_at TEXT")
                    db.execute("UPDATE records SET applied_at = updated_at WHERE state = 'done'")
                    db.execute(
                        "UPDATE meta SET value = ? WHERE name = 'schema' AND value = '1'", (_SCHEMA_VERSION,)
                    )
        except sqlite3.DatabaseError as error:
            raise LedgerError(f"{self.path}: cannot use the ledger: {error}") from None

    def _check_readable(self) -> None:
        columns = self._columns()
        if not columns:
            raise LedgerError(f"{self.path}: not a ledger (no records table)")
        if "applied" not in columns:  # schema 1, read as it is: nothing applied was recorded
            self._columns_read = _COLUMNS.replace("applied_at", "NULL").replace("applied", "NULL")

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise LedgerError(f"{self.name} is closed")
        return self._db

    def _run(self, sql: str, params: Sequence[Any], *, rows: bool) -> list[tuple[Any, ...]]:
        try:
            cursor = self._conn().execute(sql, tuple(params))
            return list(cursor.fetchall()) if rows else []
        except sqlite3.DatabaseError as error:
            what = "cannot read the ledger" if rows else "cannot write the ledger"
            raise LedgerError(f"{self.path}: {what}: {error}") from None

    _BEGIN = "BEGIN IMMEDIATE"  # takes the write lock at once, so a busy ledger fails before any change

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # the error that ended the block is the news
            self._conn().execute("ROLLBACK")

    def close(self) -> None:
        """Close the file and release the run lock."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock_handle is not None:
            self._lock_handle.close()  # closing the file releases the lock
            self._lock_handle = None
