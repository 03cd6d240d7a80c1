"""Plans made for the tests, and the audit that compares a ledger with the emulator's state."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._helpers import records_by_name

PASSWORD_VAR = "PROVISION_TEST_PASSWORD"
PASSWORD = "correct-horse-battery-staple"


def write_plan(path: Path, clients: int, prefix: str = "t") -> int:
    """Write a plan of ``clients`` clients, each with 2 methods and 2 accounts; return its record count."""
    lines = ["clients:"]
    for i in range(clients):
        c = f"{prefix}-c{i}"
        lines += [
            f"  - key: c{i}",
            f"    username: {c}",
            f"    password: ${{{PASSWORD_VAR}}}",
            "    status: Active",
            "    delivery_methods:",
        ]
        for j in (1, 2):
            lines += [
                f"      - key: m{j}",
                f"        name: {c}-m{j}",
                f"        type: {'HTTP POST' if j == 1 else 'E-Mail'}",
                f"        delivery_address: https://buyer{i}.example/in",
            ]
        lines.append("    delivery_accounts:")
        for j in (1, 2):
            lines += [
                f"      - key: a{j}",
                f"        delivery_method: m{j}",
                f"        description: {c}-a{j}",
                f"        price: {10 + j}.5",
                "        day_max: 100",
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return clients * 5


@dataclass
class Audit:
    """How each plan record stands, by the ledger and the server together."""

    in_place: int
    unknown: int
    absent: int
    unknown_applied: int


def read_ledger(ledger: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """Run ``sql`` on a ledger over a connection of its own (sqlite3, or psycopg for a URL).

    A second connection sees exactly what was committed: what a crash at that
    instant would leave. ``records`` and ``meta`` name the ledger's tables on
    both backends.
    """
    if isinstance(ledger, str):
        import psycopg

        sql = sql.replace("records", "leadexec_ledger_records").replace("meta", "leadexec_ledger_meta")
        with psycopg.connect(ledger, autocommit=True) as pg:
            return list(pg.execute(sql).fetchall())
    db = sqlite3.connect(ledger)
    try:
        return list(db.execute(sql).fetchall())
    finally:
        db.close()


def ledger_rows(ledger: Path | str) -> dict[tuple[str, str], tuple[str, int | None]]:
    """The ledger read directly, not through the SDK: (kind, key) -> (state, id)."""
    rows = read_ledger(ledger, "SELECT kind, key, state, id FROM records")
    return {(k, key): (state, rid) for k, key, state, rid in rows}


def ledger_text(ledger: Path | str) -> str:
    """Everything the ledger holds, as text (every file of a SQLite ledger; every row of a PostgreSQL one)."""
    if isinstance(ledger, str):
        rows = read_ledger(ledger, "SELECT t::text FROM records t UNION ALL SELECT m::text FROM meta m")
        return "\n".join(str(r[0]) for r in rows)
    return "\n".join(
        p.read_bytes().decode("latin-1") for p in ledger.parent.glob(ledger.name + "*") if p.is_file()
    )


def ledger_args(ledger: Path | str) -> list[str]:
    """The ``leadexec provision`` options that use ``ledger``."""
    return ["--ledger", str(ledger)]


def audit(state: dict[str, Any], ledger: Path | str, clients: int, prefix: str = "t") -> Audit:
    """Check the server against the ledger for a plan made by :func:`write_plan`.

    Asserts: no plan record exists twice on the server; every ``done`` record
    exists exactly once with the ledger's id under the right parents; nothing on
    the server is unaccounted for (every stored record is ``done`` or ``unknown``
    in the ledger).
    """
    by_name = records_by_name(state)
    duplicated = {name: len(found) for name, found in by_name.items() if len(found) > 1}
    assert not duplicated, f"records created twice: {duplicated}"

    rows = ledger_rows(ledger)
    counts: Counter[str] = Counter()
    for i in range(clients):
        c = f"{prefix}-c{i}"
        records = [("client", f"c{i}", c, None)]
        records += [("delivery_method", f"c{i}/m{j}", f"{c}-m{j}", ("client", f"c{i}")) for j in (1, 2)]
        records += [
            ("delivery_account", f"c{i}/a{j}", f"{c}-a{j}", ("delivery_method", f"c{i}/m{j}")) for j in (1, 2)
        ]
        for kind, key, name, parent in records:
            state_, rid = rows.get((kind, key), ("absent", None))
            found = by_name.get(name, [])
            if state_ == "done":
                assert len(found) == 1, f"{kind} {key} is done in the ledger but missing on the server"
                assert found[0]["id"] == rid, f"{kind} {key}: ledger id {rid}, server id {found[0]['id']}"
                client_id = rows[("client", f"c{i}")][1]
                if kind != "client":
                    assert found[0]["client"] == client_id
                if kind == "delivery_account":
                    assert parent is not None
                    assert found[0]["method"] == rows[parent][1]
                counts["in_place"] += 1
            elif state_ in ("intended", "unknown"):
                counts["unknown"] += 1
                counts["unknown_applied"] += len(found)
            else:
                assert not found, f"{kind} {key} exists on the server but the ledger does not know it"
                counts["absent"] += 1
    return Audit(counts["in_place"], counts["unknown"], counts["absent"], counts["unknown_applied"])
