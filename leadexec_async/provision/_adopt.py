"""``leadexec provision --adopt KEY=ID``: record the id of a record a person found on the LeadExec side.

``KEY`` is the record's key as the report and the summary print it: ``client``
for a client, ``client/method`` for a delivery method, ``client/account`` for
a delivery account. When a method and an account of one client share a key,
write the kind in front: ``delivery_method:acme/post=12``.

Every ``--adopt`` is checked before any is written, and any problem refuses
them all (nothing is written, nothing is sent):

- the key must name a record of the plan, and the id be a positive 32-bit integer;
- a key may be adopted once per command;
- a record the ledger already has in place under another id is refused (the
  ledger is not rewritten behind the user's back);
- an adopted method or account needs its client (and an account its method)
  in place: in the ledger, or adopted in the same command.

Writes go through ``Ledger.adopt(key, kind, record_id)``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from .._shapes import INT32
from .plan import KIND_LABEL, Kind, Plan, Record

__all__ = ["AdoptError", "Adoption", "adopt", "parse_adoptions"]

_KINDS: tuple[Kind, ...] = ("client", "delivery_method", "delivery_account")
_MAX_ID = INT32[1]


class AdoptError(ValueError):
    """An ``--adopt`` that cannot be used; the message names it and says why."""


@dataclass(frozen=True)
class Adoption:
    """One ``--adopt``: the plan record and the id it has on the server."""

    record: Record
    id: int


def _parse_one(text: str, plan: Plan, by_key: dict[str, list[Record]]) -> Adoption:
    key, sep, value = text.rpartition("=")
    if not sep or not key or not value:
        raise AdoptError(f"--adopt {text}: expected KEY=ID, such as acme=1234 or acme/post=567")
    kind: str | None = None
    if ":" in key:
        kind, _, key = key.partition(":")
        if kind not in _KINDS:
            raise AdoptError(f"--adopt {text}: the kind in front of the key is one of {', '.join(_KINDS)}")
    try:
        record_id = int(value.strip())
    except ValueError:
        record_id = 0
    if not 1 <= record_id <= _MAX_ID:
        raise AdoptError(f"--adopt {text}: the id must be a positive integer (at most {_MAX_ID})")
    found = [r for r in by_key.get(key, []) if kind is None or r.kind == kind]
    if not found:
        close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise AdoptError(f"--adopt {text}: the plan {plan.path} has no record '{key}'{hint}")
    if len(found) > 1:
        kinds = " or ".join(f"{r.kind}:{key}" for r in found)
        raise AdoptError(f"--adopt {text}: '{key}' names more than one record; write {kinds}")
    return Adoption(found[0], record_id)


def parse_adoptions(texts: list[str], plan: Plan) -> list[Adoption]:
    """Read every ``--adopt KEY=ID`` against ``plan``; raise :class:`AdoptError` on the first bad one."""
    by_key: dict[str, list[Record]] = {}
    for r in plan.records:
        by_key.setdefault(r.key, []).append(r)
    adoptions: list[Adoption] = []
    seen: set[tuple[str, str]] = set()
    for text in texts:
        adoption = _parse_one(text, plan, by_key)
        ident = (adoption.record.kind, adoption.record.key)
        if ident in seen:
            raise AdoptError(f"--adopt {text}: {adoption.record.label} is adopted twice")
        seen.add(ident)
        adoptions.append(adoption)
    return adoptions


def _parent(r: Record) -> tuple[Kind, str] | None:
    if r.kind == "delivery_method" and r.client is not None:
        return ("client", r.client)
    if r.kind == "delivery_account" and r.method is not None:
        return ("delivery_method", r.method)
    return None


def adopt(adoptions: list[Adoption], ledger: Any) -> list[str]:
    """Check ``adoptions`` against ``ledger``, then write them all; return one line per adoption.

    Raises :class:`AdoptError` (and writes nothing) when one cannot be used.
    """
    adopted = {(a.record.kind, a.record.key): a.id for a in adoptions}
    for a in adoptions:
        r = a.record
        row = ledger.get(r.kind, r.key)
        if row is not None and row.state == "done" and row.id is not None and row.id != a.id:
            raise AdoptError(
                f"--adopt {r.key}={a.id}: the ledger has {r.label} in place as id {row.id}, "
                "applied by an earlier run; it is not replaced"
            )
        parent = _parent(r)
        while parent is not None:
            kind, key = parent
            prow = ledger.get(kind, key)
            in_place = (
                prow is not None and prow.state == "done" and prow.id is not None
            ) or parent in adopted
            if not in_place:
                label = f"{KIND_LABEL[kind]} '{key}'"
                raise AdoptError(
                    f"--adopt {r.key}={a.id}: its {label} is not in place in the ledger; "
                    f"adopt it too (--adopt {key}=ID) or let a run create it first"
                )
            parent = ("client", r.client) if kind == "delivery_method" and r.client is not None else None
    lines: list[str] = []
    for a in sorted(adoptions, key=lambda a: _KINDS.index(a.record.kind)):
        r = a.record
        row = ledger.get(r.kind, r.key)
        if row is not None and row.state == "done" and row.id == a.id:
            lines.append(f"{r.label} is already in place as id {a.id}")
            continue
        ledger.adopt(r.key, r.kind, a.id)
        lines.append(f"adopted {r.label} as id {a.id}")
    return lines
