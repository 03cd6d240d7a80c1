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


def ledger_rows(ledger: Path) -> dict[tuple[str, str], tuple[str, int | None]]:
    """The ledger read directly with sqlite3: (kind, key) -> (state, id)."""
    db = sqlite3.connect(ledger)
    try:
        rows = db.execute("SELECT kind, key, state, id FROM records").fetchall()
    finally:
        db.close()
    return {(k, key): (state, rid) for k, key, state, rid in rows}


def audit(state: dict[str, Any], ledger: Path, clients: int, prefix: str = "t") -> Audit:
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
