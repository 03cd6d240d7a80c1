"""The emulator's records: in memory, optionally written through to SQLite.

Records are kept exactly as received on the wire, with their assigned identifier filled
in. Identifiers increase per record kind, each kind starting at its own base so that an
id of one kind used as another (a common client bug) is caught as 404 instead of
silently hitting a record. With a database path every write is committed at once, and
a restart reads the records (and so the next identifiers) back.

All methods are thread-safe: the app runs on the server's event loop thread while tests
inspect and reset from their own thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

__all__ = ["ID_BASES", "KINDS", "Store"]

KINDS = ("clients", "delivery_methods", "delivery_accounts")
ID_BASES = {"clients": 1_000_000, "delivery_methods": 2_000_000, "delivery_accounts": 3_000_000}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    client_uid INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
)
"""


class Store:
    """Records by kind and id, with the client each belongs to."""

    def __init__(self, db_path: str | Path | None = None) -> None:
        """Open the records; with ``db_path``, read them from that SQLite file (created if
        missing). Raises ``ValueError`` naming the file when it cannot be used."""
        self.lock = threading.RLock()
        self._records: dict[str, dict[int, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self._owner: dict[str, dict[int, int]] = {kind: {} for kind in KINDS}
        self._usernames: dict[str, int] = {}
        self._username_of: dict[int, str] = {}
        self._next: dict[str, int] = {}
        self._db: sqlite3.Connection | None = None
        if db_path is not None:
            try:
                self._db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(_SCHEMA)
                self._load()
            except sqlite3.Error as error:
                self.close()
                raise ValueError(f"{db_path}: cannot keep the emulator's records there: {error}") from None
        else:
            self._load()

    def _load(self) -> None:
        for kind in KINDS:
            self._records[kind].clear()
            self._owner[kind].clear()
            self._next[kind] = ID_BASES[kind] + 1
        self._usernames.clear()
        self._username_of.clear()
        if self._db is None:
            return
        rows = self._db.execute("SELECT kind, id, client_uid, body FROM records ORDER BY kind, id")
        for kind, record_id, client_uid, body in rows:
            if kind in self._records:
                self._remember(kind, record_id, client_uid, json.loads(body))

    def _remember(self, kind: str, record_id: int, client_uid: int, record: dict[str, Any]) -> None:
        self._records[kind][record_id] = record
        self._owner[kind][record_id] = client_uid
        self._next[kind] = max(self._next[kind], record_id + 1)
        if kind == "clients":
            old = self._username_of.pop(record_id, None)
            if old is not None and self._usernames.get(old) == record_id:
                del self._usernames[old]
            username = record.get("Info", {}).get("Username")
            if isinstance(username, str):
                self._usernames[username] = record_id
                self._username_of[record_id] = username

    def close(self) -> None:
        """Close the database, if any."""
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- queries (call with self.lock held when combining several) ---

    def exists(self, kind: str, record_id: int) -> bool:
        """True when a record of ``kind`` has ``record_id``."""
        return record_id in self._records[kind]

    def owner(self, kind: str, record_id: int) -> int | None:
        """The ClientUID a record belongs to, or None when there is no such record."""
        return self._owner[kind].get(record_id)

    def username_owner(self, username: str) -> int | None:
        """The client holding ``username``, or None."""
        return self._usernames.get(username)

    # --- writes ---

    def next_id(self, kind: str) -> int:
        """Reserve and return the next identifier of ``kind``."""
        record_id = self._next[kind]
        self._next[kind] = record_id + 1
        return record_id

    def put(self, kind: str, record_id: int, client_uid: int, record: dict[str, Any]) -> None:
        """Store (create or replace) a record; committed before returning when a database is used."""
        with self.lock:
            self._remember(kind, record_id, client_uid, record)
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO records (kind, id, client_uid, body) VALUES (?, ?, ?, ?)",
                    (kind, record_id, client_uid, json.dumps(record, separators=(",", ":"))),
                )

    def reset(self) -> None:
        """Forget every record (and empty the database)."""
        with self.lock:
            if self._db is not None:
                self._db.execute("DELETE FROM records")
            self._load()

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every record of each kind, in id order, as independent copies."""
        with self.lock:
            raw = {kind: [self._records[kind][i] for i in sorted(self._records[kind])] for kind in KINDS}
            copied: dict[str, list[dict[str, Any]]] = json.loads(json.dumps(raw))
        return copied
