"""Plan diffs: which fields an update changes, from the record the ledger says was last applied.

The ledger keeps each record as it was last applied (the plan's fields and
the parent ids, secrets replaced by a salted hash: :func:`~.ledger.applied_record`).
A record to update is compared with it field by field, as the same kind of
record, so a secret is compared by its hash and only ever shown as
``(changed)``. A field added to the plan shows as ``(not set) → value``, a
field removed from it as ``value → (not set)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .._records import SECRET_KEYWORDS
from .ledger import applied_record

__all__ = ["NOT_SET", "FieldChange", "change_lines", "record_changes"]


class _NotSet:
    def __repr__(self) -> str:
        return "(not set)"


#: The value of a field the plan (or the last applied record) does not set.
NOT_SET: Final[Any] = _NotSet()
_SHOWN_CHARS = 80
_UNRECORDED = "(the fields last applied are not recorded: the whole record is sent)"


@dataclass(frozen=True)
class FieldChange:
    """One field an update changes: ``old`` and ``new`` values (JSON values, or :data:`NOT_SET`).

    For a secret (``secret`` true) both are hashes, never shown.
    """

    field: str
    old: Any
    new: Any
    secret: bool = False

    def describe(self) -> str:
        """``name: old → new``, or ``name: (changed)`` for a secret."""
        if self.secret:
            return f"{self.field}: (changed)"
        return f"{self.field}: {_show(self.old)} → {_show(self.new)}"


def _show(value: Any) -> str:
    if value is NOT_SET:
        return "(not set)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in SECRET_KEYWORDS or _holds_secret(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


def record_changes(
    kind: str, last_applied: Mapping[str, Any] | None, values: Mapping[str, Any]
) -> tuple[FieldChange, ...] | None:
    """The fields in which ``values`` (a plan record and its parent ids) differ from ``last_applied``.

    In the plan's field order, then the fields the plan no longer sets. None
    when the ledger has no last applied record (an adopted record, or one
    applied by an older version): the changes are then unknown.
    """
    if last_applied is None:
        return None
    new = applied_record(kind, values)
    names = list(new) + [name for name in last_applied if name not in new]
    changes: list[FieldChange] = []
    for name in names:
        old_value = last_applied.get(name, NOT_SET)
        new_value = new.get(name, NOT_SET)
        if old_value == new_value:
            continue
        secret = name in SECRET_KEYWORDS or _holds_secret(old_value) or _holds_secret(new_value)
        changes.append(FieldChange(name, old_value, new_value, secret))
    return tuple(changes)


def change_lines(changes: tuple[FieldChange, ...] | None) -> list[str]:
    """What a plan shows under a record to update: one line per changed field."""
    if changes is None:
        return [_UNRECORDED]
    return [c.describe() for c in changes]
