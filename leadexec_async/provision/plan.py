"""Provisioning plans: load a YAML or JSON file, check it, and turn it into records.

A plan names clients, each with a stable ``key``, its fields and its
``delivery_methods`` and ``delivery_accounts`` (each with a ``key`` of its own,
unique within its client)::

    clients:
      - key: acme
        username: acme
        password: ${ACME_PASSWORD}
        status: Active
        delivery_methods:
          - key: acme-post
            name: Acme POST
            type: HTTP POST
            delivery_address: https://acme.example/in
        delivery_accounts:
          - key: acme-main
            delivery_method: acme-post
            description: Main
            price: 25.0

Field names are the facade's keyword names (``le.clients.create(...)``);
enum fields take whatever the enums' ``parse`` takes. The ids that tie
records together (``ClientUID``, ``DeliveryUID`` and the record's own id) are
never written in a plan: they come from the ledger. ``${VAR}`` anywhere in a
string is replaced by the environment variable ``VAR`` (``$${`` writes a
literal ``${``).

Every problem found is reported at once (every field of a record too, not
only its first), each naming the file, the record and the field, and nothing
is sent while any remains.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import attrs

from .. import _constants as C
from .. import _records
from .._errors import ValidationError
from .._records import SECRET_KEYWORDS
from ._load import PlanError, Problem, expand_vars, parse_document, read_plan_file

__all__ = ["Kind", "Plan", "PlanError", "Problem", "Record", "load_plan", "parse_plan"]

Kind = Literal["client", "delivery_method", "delivery_account"]

KIND_LABEL: dict[Kind, str] = {
    "client": "client",
    "delivery_method": "delivery method",
    "delivery_account": "delivery account",
}
_TOP_KEYS = ("clients", "version")
_LIST_KEYS: dict[str, Kind] = {"delivery_methods": "delivery_method", "delivery_accounts": "delivery_account"}


@dataclass
class Record:
    """One record of a plan.

    ``key`` is unique among records of its kind: a client's own key, or
    ``client-key/record-key`` for its methods and accounts. ``fields`` are the
    keyword fields after ``${VAR}`` substitution. ``client`` is the key of
    the owning client, ``method`` the key of an account's delivery method.
    """

    kind: Kind
    key: str
    fields: dict[str, Any]
    client: str | None = None
    method: str | None = None
    children: list[Record] = field(default_factory=list, repr=False)

    @property
    def label(self) -> str:
        """``client 'acme'``, ``delivery method 'acme/acme-post'``…"""
        return f"{KIND_LABEL[self.kind]} '{self.key}'"

    def __repr__(self) -> str:
        shown = {k: (C.MASK if k in SECRET_KEYWORDS else v) for k, v in self.fields.items()}
        return f"Record(kind={self.kind!r}, key={self.key!r}, fields={shown!r})"


@dataclass
class Plan:
    """A checked plan: its ``records`` in dependency order (a client, then its methods, then its accounts)."""

    path: Path
    records: list[Record]

    def count(self, kind: Kind) -> int:
        """Number of records of ``kind``."""
        return sum(1 for r in self.records if r.kind == kind)


# ---------------------------------------------------------------- loading


def load_plan(path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> Plan:
    """Read, parse and check the plan at ``path``; raise :class:`PlanError` naming every problem."""
    path = Path(path)
    raw = read_plan_file(path)
    return parse_plan(
        raw, name=str(path), fmt="json" if path.suffix.lower() == ".json" else "yaml", environ=environ
    )


def parse_plan(
    raw: bytes | str,
    *,
    name: str = "<plan>",
    fmt: Literal["yaml", "json"] = "yaml",
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """Parse and check a plan given as bytes or text; see :func:`load_plan`."""
    document = parse_document(raw, name, fmt)
    checker = _Checker(name, os.environ if environ is None else environ)
    records = checker.check(document)
    if checker.problems:
        raise PlanError(checker.problems)
    return Plan(Path(name), records)


# ---------------------------------------------------------------- fields


def _model_fields(model: type, managed: set[str]) -> tuple[str, ...]:
    names = [
        f.name.rstrip("_") for f in attrs.fields(model) if not f.name.startswith("additional_properties")
    ]
    return tuple(n for n in names if n not in managed)


def _allowed_fields() -> dict[Kind, tuple[str, ...]]:
    from leadexec_api_client.models import ClientInfo, ClientUpsert, DeliveryAccount, DeliveryMethod

    client = _model_fields(ClientInfo, {"client_uid"}) + _model_fields(ClientUpsert, {"info"})
    method = _model_fields(DeliveryMethod, {"client_delivery_uid", "client_uid"})
    account = _model_fields(DeliveryAccount, {"client_account_uid", "client_uid", "delivery_uid"})
    return {"client": client, "delivery_method": method, "delivery_account": account}


#: Fields a plan never sets: the ledger supplies them.
MANAGED = {
    "client": {"client_uid": "it comes from the ledger"},
    "delivery_method": {
        "client_delivery_uid": "it comes from the ledger",
        "client_uid": "it is the id of the client the method is listed under",
    },
    "delivery_account": {
        "client_account_uid": "it comes from the ledger",
        "client_uid": "it is the id of the client the account is listed under",
        "delivery_uid": "name the method by its key with `delivery_method: KEY`",
    },
}


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower().replace("_", ""): c for c in choices}
        hit = lowered.get(word.lower().replace("_", "").replace("-", ""))
        close = [hit] if hit else []
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_values(kind: Kind, fields: dict[str, Any]) -> None:
    """Build the record as a create with placeholder parent ids: the facade's rules, written once.

    Raises :class:`~leadexec_async.ValidationError` naming the field.
    """
    if kind == "client":
        _records.build_client(record_id=0, fields=fields)
    elif kind == "delivery_method":
        _records.build_delivery_method(1, record_id=0, fields=fields)
    else:
        _records.build_delivery_account(1, record_id=0, fields=dict(fields, delivery_uid=1))


def _top_field(path: str | None) -> str | None:
    """The plan field a problem's path starts with: ``delivery_days[0].start_time`` -> ``delivery_days``."""
    if not path:
        return None
    return path.split(".", 1)[0].split("[", 1)[0]


def _value_problems(kind: Kind, fields: dict[str, Any]) -> list[ValidationError]:
    """Every problem of one record's values: each field's, and each row's of a list of rows.

    The record's builder stops at its first problem; that field is then set
    aside and the rest checked again, until the rest passes (or a problem is
    not about one field, such as a missing required field). A list of rows
    (``delivery_days``, ``criteria``…) with a problem is then checked row by
    row, so that each bad row is named. A problem that only setting a field
    aside caused (that field is now "required") is not reported: the field's
    own problem already was.
    """
    problems: list[ValidationError] = []
    remaining = dict(fields)
    set_aside: set[str] = set()
    row_lists: list[str] = []
    for _ in range(len(fields) + 1):
        try:
            _check_values(kind, remaining)
        except ValidationError as error:
            top = _top_field(error.field)
            if top in set_aside:
                break
            if top is None or top not in remaining:
                problems.append(error)
                break
            if isinstance(remaining[top], list) and f"{top}[" in (error.field or ""):
                row_lists.append(top)  # checked row by row below
            else:
                problems.append(error)
            del remaining[top]
            set_aside.add(top)
        else:
            break
    for top in row_lists:
        for i, row in enumerate(fields[top]):
            try:
                _check_values(kind, {**remaining, top: [row]})
            except ValidationError as error:
                if _top_field(error.field) != top:
                    continue  # about the rest of the record, reported above
                first, nth = f"{top}[0]", f"{top}[{i}]"
                name = (error.field or top).replace(first, nth, 1)
                problems.append(ValidationError(str(error).replace(first, nth, 1), field=name))
    return problems


class _Checker:
    def __init__(self, name: str, environ: Mapping[str, str]) -> None:
        self.name = name
        self.environ = environ
        self.problems: list[Problem] = []
        self.allowed = _allowed_fields()
        self.count = 0

    def problem(self, record: str | None, fld: str | None, message: str) -> None:
        self.problems.append(Problem(self.name, record, fld, message))

    def check(self, document: Any) -> list[Record]:
        if document is None:
            self.problem(None, None, "the plan is empty; it needs a top-level `clients:` list")
            return []
        if not isinstance(document, dict):
            self.problem(None, None, f"the plan must be a mapping with `clients:`, not {_type(document)}")
            return []
        for top in document:
            if top not in _TOP_KEYS:
                self.problem(None, str(top), f"unknown top-level key{_did_you_mean(str(top), _TOP_KEYS)}")
        version = document.get("version", 1)
        if version != 1:
            self.problem(None, "version", f"only plan version 1 exists, not {version!r}")
        clients = document.get("clients")
        if not isinstance(clients, list):
            what = "missing" if clients is None else f"{_type(clients)}, not a list"
            self.problem(None, "clients", f"a top-level `clients:` list is required ({what})")
            return []
        records: list[Record] = []
        client_keys: set[str] = set()
        for i, item in enumerate(clients):
            records.extend(self.client(i, item, client_keys))
        if self.count > C.MAX_PLAN_RECORDS:
            self.problem(
                None, None, f"the plan has {self.count} records, more than the {C.MAX_PLAN_RECORDS} allowed"
            )
        return records

    def key_of(self, kind: Kind, where: str, item: Any, seen: set[str], scope: str = "") -> str | None:
        label = KIND_LABEL[kind]
        if not isinstance(item, dict):
            self.problem(where, None, f"a {label} must be a mapping, not {_type(item)}")
            return None
        key = item.get("key")
        if key is None:
            self.problem(where, "key", f"every {label} needs a `key`, a stable name of your choice")
            return None
        if not isinstance(key, str) or not key.strip() or "/" in key:
            self.problem(where, "key", f"a key must be a non-empty string without '/', not {key!r}")
            return None
        if key in seen:
            where = f"client '{scope[:-1]}'" if scope else "the plan"
            self.problem(
                f"{label} '{scope}{key}'", "key", f"duplicate key: {where} has another {label} '{key}'"
            )
            return None
        seen.add(key)
        return key

    def client(self, i: int, item: Any, seen: set[str]) -> Iterator[Record]:
        key = self.key_of("client", f"clients[{i}]", item, seen)
        if key is None:
            return
        self.count += 1
        fields = self.fields("client", f"client '{key}'", item, extra=set(_LIST_KEYS))
        client = Record("client", key, fields)
        yield client
        method_keys: set[str] = set()
        lists: dict[str, list[Any]] = {}
        for list_key in _LIST_KEYS:
            value = item.get(list_key, [])
            if value is None:
                value = []
            if not isinstance(value, list):
                self.problem(client.label, list_key, f"must be a list, not {_type(value)}")
                value = []
            lists[list_key] = value
        for j, m in enumerate(lists["delivery_methods"]):
            mkey = self.key_of(
                "delivery_method", f"client '{key}': delivery_methods[{j}]", m, method_keys, f"{key}/"
            )
            if mkey is None:
                continue
            self.count += 1
            qual = f"{key}/{mkey}"
            mfields = self.fields("delivery_method", f"delivery method '{qual}'", m)
            method = Record("delivery_method", qual, mfields, client=key)
            client.children.append(method)
            yield method
        account_keys: set[str] = set()
        for j, a in enumerate(lists["delivery_accounts"]):
            akey = self.key_of(
                "delivery_account", f"client '{key}': delivery_accounts[{j}]", a, account_keys, f"{key}/"
            )
            if akey is None:
                continue
            self.count += 1
            qual = f"{key}/{akey}"
            label = f"delivery account '{qual}'"
            afields = self.fields("delivery_account", label, a, extra={"delivery_method"})
            ref = a.get("delivery_method")
            method_key: str | None = None
            if ref is None:
                self.problem(
                    label, "delivery_method", "required: the key of one of this client's delivery methods"
                )
            elif not isinstance(ref, str) or ref not in method_keys:
                known = sorted(method_keys)
                hint = _did_you_mean(str(ref), known) or (
                    f"; this client's methods are {', '.join(known)}"
                    if known
                    else "; this client has no methods"
                )
                self.problem(
                    label, "delivery_method", f"no delivery method '{ref}' under client '{key}'{hint}"
                )
            else:
                method_key = f"{key}/{ref}"
            yield Record("delivery_account", qual, afields, client=key, method=method_key)

    def fields(
        self, kind: Kind, label: str, item: dict[str, Any], extra: set[str] | None = None
    ) -> dict[str, Any]:
        fields = self.names(kind, label, item, extra)
        for error in _value_problems(kind, fields):
            message = str(error)
            if error.field and message.startswith(f"{error.field}: "):
                message = message[len(error.field) + 2 :]
            self.problem(label, error.field, message)
        return fields

    def names(self, kind: Kind, label: str, item: dict[str, Any], extra: set[str] | None) -> dict[str, Any]:
        allowed = self.allowed[kind]
        fields: dict[str, Any] = {}
        for name, value in item.items():
            if name == "key" or (extra and name in extra):
                continue
            if not isinstance(name, str):
                self.problem(label, str(name), "field names must be strings")
                continue
            if name in MANAGED[kind]:
                self.problem(label, name, f"must not be set in a plan: {MANAGED[kind][name]}")
                continue
            if name not in allowed:
                choices = list(allowed) + sorted(extra or ())
                self.problem(label, name, f"unknown field{_did_you_mean(name, choices)}")
                continue
            fields[name] = self.substitute(label, name, value)
        return fields

    def substitute(self, label: str, name: str, value: Any) -> Any:
        if isinstance(value, str):
            return self.expand(label, name, value)
        if isinstance(value, list):
            return [self.substitute(label, name, v) for v in value]
        if isinstance(value, dict):
            return {k: self.substitute(label, f"{name}.{k}", v) for k, v in value.items()}
        return value

    def expand(self, label: str, name: str, text: str) -> str:
        return expand_vars(text, self.environ, lambda message: self.problem(label, name, message))


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
