"""Apply a plan: the dependency graph, the ledger and :mod:`leadexec_async.bulk` together.

Each record is decided when its parents are in place:

- no ledger row: **create** (written ``intended`` first, ``done`` with its id after);
- a ``done`` row under the same parent id: **unchanged** when the plan's
  fingerprint matches (nothing is sent), else **update** of the known id;
- a ``done`` row under another parent id (the parent was created anew):
  **create**;
- an ``intended`` or ``unknown`` row: **unknown**, not sent, unless
  ``retry_unknown`` (then create again), or ``resolve_unknown_clients`` and the
  record is a client (then create again, relying on the rule that a new
  client's ``Username`` must be unique: a 409 answer means the earlier create
  was applied, and the record stays **unknown** with "exists: adopt its id";
  a 2xx means it was not, and the client is now **created**);
- an adopted row (``Ledger.adopt``, ``leadexec provision --adopt KEY=ID``) is
  a ``done`` row like any other: **unchanged** when it holds the fingerprint
  of the plan entry (the create that went unknown sent what the plan still
  says), else **update**. A method or account adopted with no earlier row has
  no parent id recorded: it is taken to be under its plan parent.

Clients start at once; a client's methods start once it is in place, an
account once its method is. A record whose parent is not in place (failed,
unknown, skipped) is **skipped**. All sends go through one
:func:`leadexec_async.bulk.upsert_many`, fed lazily, so at most
``concurrency`` requests are in flight.

A stop (``stop`` event set) sends nothing new, lets requests in flight answer
and be recorded for at most ``grace`` seconds, then cancels the rest (their
creates stay ``intended`` in the ledger: unknown to the next run).

A **systemic** failure, one that every other request would meet too, halts
the run at once: nothing new is sent, the requests in flight (at most
``concurrency``) answer and are recorded, and :attr:`RunSummary.halted`
holds the error. Systemic means (:func:`systemic`): a 401 that a renewed
token did not cure (:class:`~leadexec_async.AuthenticationError`), a 403
(:class:`~leadexec_async.PermissionDeniedError`), and a connection that could
not be made on any attempt (:class:`~leadexec_async.APIConnectionError` other
than a timeout or an unknown outcome: connection refused, a name that does not
resolve, a TLS handshake that fails). Timeouts are not: a slow answer can be
about one record. The request that met the failure was refused before
anything was applied, so its create goes back to its earlier ledger state.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio

from .. import _constants as C
from .. import _records
from .._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ConflictError,
    LeadExecError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ValidationError,
)
from ..bulk import BulkResult, Resource, Upsert, upsert_many
from ._diff import FieldChange, record_changes
from .ledger import Ledger, LedgerRow, fingerprint
from .plan import Kind, Plan, Record

__all__ = ["NOT_SENT_STOPPED", "OUTCOMES", "Outcome", "RecordResult", "RunSummary", "Runner", "systemic"]

Outcome = Literal["created", "updated", "unchanged", "failed", "unknown", "skipped", "create", "update"]
#: Outcomes of a real run, in summary order. A dry run uses ``create`` and ``update`` for what it would do.
OUTCOMES: tuple[Outcome, ...] = ("created", "updated", "unchanged", "failed", "unknown", "skipped")
DRY_OUTCOMES: tuple[Outcome, ...] = ("create", "update", "unchanged", "unknown", "skipped")
_IN_PLACE = frozenset({"created", "updated", "unchanged"})
_RESOURCE: dict[Kind, Resource] = {
    "client": "clients",
    "delivery_method": "delivery_methods",
    "delivery_account": "delivery_accounts",
}
_UNKNOWN_HINT = (
    "an earlier create may or may not have been applied; check on the server, "
    "then rerun with --retry-unknown to send it again"
)


#: The error of every record a stopped or halted run did not send.
NOT_SENT_STOPPED = "not sent: the run was stopped"


def systemic(error: BaseException | None) -> bool:
    """True when ``error`` would meet every other request too, so that the run should halt.

    A 401 after the token was renewed (or with a token that cannot be renewed),
    a 403, and a connection that could not be made after every retry (refused,
    name resolution, TLS). A timeout, an unknown outcome and any other status
    are about one request and are not systemic.
    """
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return True
    return isinstance(error, APIConnectionError) and not isinstance(
        error, APITimeoutError | OutcomeUnknownError
    )


_EXISTS = (
    "exists: a client with this username is on the server, so the earlier create that went unknown "
    "was applied; find its id and run again with --adopt {key}=ID"
)


def _exists(r: Record, before: LedgerRow | None, error: BaseException | None) -> bool:
    """True when a client create that resent an unknown one was refused because the username is taken."""
    resent = before is not None and before.state != "done"
    return r.kind == "client" and resent and isinstance(error, ConflictError)


def _not_applied(error: BaseException | None) -> bool:
    """True when a failed create's error proves the server did not apply it.

    Only then may a later run send it again. Refusals (4xx, 503, connection
    errors before sending, bad input) qualify; an unreadable id in a 2xx
    answer, an unknown outcome or an unexpected exception do not, and the
    create is recorded as unknown instead.
    """
    return isinstance(error, ValidationError | APIStatusError | APIConnectionError | ClientClosedError)


@dataclass
class RecordResult:
    """How one plan record ended."""

    kind: Kind
    key: str
    outcome: Outcome
    id: int | None = None
    error: str | None = None
    #: For an update: the fields it changes (None when the ledger did not record the last applied ones).
    changes: tuple[FieldChange, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        """The report entry of the record; an update's has ``changed``: the names of the fields it changes."""
        entry: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "id": self.id,
            "outcome": self.outcome,
            "error": self.error,
        }
        if self.outcome in ("update", "updated"):
            entry["changed"] = None if self.changes is None else [c.field for c in self.changes]
        return entry


@dataclass
class RunSummary:
    """What a run did: one result per plan record, in plan order, and the counts."""

    results: list[RecordResult]
    dry_run: bool
    elapsed: float
    requests: int
    stopped: bool = False
    #: The systemic error that halted the run (see the module documentation), or None.
    halted: LeadExecError | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Number of records per outcome."""
        names = DRY_OUTCOMES if self.dry_run else OUTCOMES
        counts: dict[str, int] = dict.fromkeys(names, 0)
        for r in self.results:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        return counts

    @property
    def all_in_place(self) -> bool:
        """True when every record of the plan is in place on the server."""
        return not self.dry_run and all(r.outcome in _IN_PLACE for r in self.results)

    @property
    def requests_per_second(self) -> float:
        """Upserts sent per second of the run."""
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        """The report: ``summary`` (counts, elapsed, requests) and ``records``."""
        summary: dict[str, Any] = dict(self.counts)
        summary.update(
            total=len(self.results),
            dry_run=self.dry_run,
            stopped=self.stopped,
            halted=str(self.halted) if self.halted is not None else None,
            all_in_place=self.all_in_place,
            elapsed_seconds=round(self.elapsed, 3),
            requests=self.requests,
            requests_per_second=round(self.requests_per_second, 2),
        )
        return {"summary": summary, "records": [r.as_json() for r in self.results]}


@dataclass
class _Sent:
    record: Record
    action: Literal["create", "update"]
    fingerprint: str
    parent_id: int | None
    before: LedgerRow | None = None
    watch: Callable[[Exception], None] | None = None


class _Watched(Upsert):
    """An upsert that reports its failure to the runner before bulk frees its slot.

    So a systemic failure halts the feed before another request can be taken up.
    """

    __slots__ = ()

    async def send(self, le: Any) -> int:
        try:
            return await super().send(le)
        except Exception as error:
            watch = self.tag.watch
            if watch is not None:
                watch(error)
            raise


@dataclass
class Runner:
    """Applies one checked :class:`Plan` with one :class:`Ledger`.

    ``on_result`` is called with each :class:`RecordResult` as the record is
    settled (for progress output). If it raises, the run goes on without it
    (the error is kept in ``output_error``): every answer is still recorded.
    """

    plan: Plan
    ledger: Ledger
    retry_unknown: bool = False
    resolve_unknown_clients: bool = False
    concurrency: int = C.DEFAULT_BULK_CONCURRENCY
    on_result: Callable[[RecordResult], None] | None = None
    #: The exception ``on_result`` raised, if it did; it is not called again after that.
    output_error: Exception | None = field(default=None, init=False)
    #: The systemic error that halted the run, once one did.
    halted: LeadExecError | None = field(default=None, init=False)
    _results: dict[tuple[str, str], RecordResult] = field(default_factory=dict, init=False)
    _ids: dict[tuple[str, str], int] = field(default_factory=dict, init=False)
    _dependents: dict[tuple[str, str], list[Record]] = field(default_factory=dict, init=False)
    _ready: deque[Record] = field(default_factory=deque, init=False)
    _feed: _Feed | None = field(default=None, init=False)
    _changes: dict[tuple[str, str], tuple[FieldChange, ...] | None] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for r in self.plan.records:
            parent = self._parent(r)
            if parent is not None:
                self._dependents.setdefault(parent, []).append(r)

    @staticmethod
    def _parent(r: Record) -> tuple[str, str] | None:
        if r.kind == "delivery_method" and r.client is not None:
            return ("client", r.client)
        if r.kind == "delivery_account" and r.method is not None:
            return ("delivery_method", r.method)
        return None

    # ------------------------------------------------------------ deciding

    def _parents(self, r: Record) -> dict[str, int | None]:
        if r.kind == "client":
            return {}
        client_id = self._ids.get(("client", r.client or ""))
        if r.kind == "delivery_method":
            return {"client_uid": client_id}
        return {"client_uid": client_id, "delivery_uid": self._ids.get(("delivery_method", r.method or ""))}

    def _decide(self, r: Record) -> tuple[Outcome, LedgerRow | None, str, int | None]:
        parents = self._parents(r)
        fp = fingerprint(r.kind, r.fields, parents)
        parent_id = parents.get("client_uid")
        row = self.ledger.get(r.kind, r.key)
        if row is None:
            return "create", row, fp, parent_id
        if row.state != "done" or row.id is None:
            resend = self.retry_unknown or (self.resolve_unknown_clients and r.kind == "client")
            return ("create" if resend else "unknown"), row, fp, parent_id
        adopted_bare = row.parent_id is None and row.fingerprint is None  # adopted, nothing known of it
        if row.parent_id != parent_id and not adopted_bare:
            return "create", row, fp, parent_id
        if row.fingerprint == fp:
            return "unchanged", row, fp, parent_id
        self._changes[(r.kind, r.key)] = record_changes(r.kind, row.applied, dict(r.fields, **parents))
        return "update", row, fp, parent_id

    def _settle(
        self, r: Record, outcome: Outcome, record_id: int | None = None, error: str | None = None
    ) -> None:
        result = RecordResult(r.kind, r.key, outcome, record_id, error)
        if outcome in ("update", "updated"):
            result.changes = self._changes.get((r.kind, r.key))
        self._results[(r.kind, r.key)] = result
        if self.on_result is not None:
            try:
                self.on_result(result)
            except Exception as failure:  # output is a courtesy: it never stops the recording
                self.on_result = None
                self.output_error = failure
        if outcome in _IN_PLACE and record_id is not None:
            self._ids[(r.kind, r.key)] = record_id
            # children go first, so that whole clients finish sooner
            self._ready.extendleft(reversed(self._dependents.get((r.kind, r.key), [])))
        elif outcome not in ("create", "update"):
            why = NOT_SENT_STOPPED if error == NOT_SENT_STOPPED else f"{r.label} is not in place"
            for d in self._dependents.get((r.kind, r.key), []):
                self._settle(d, "skipped", error=why)

    # ------------------------------------------------------------ dry run

    def preview(self) -> RunSummary:
        """What a run would do now, sending nothing."""
        started = time.monotonic()
        planned: set[tuple[str, str]] = set()
        for r in self.plan.records:
            if (r.kind, r.key) in self._results:
                continue  # skipped with its parent
            parent = self._parent(r)
            if parent is not None and parent in planned:
                self._settle(r, "create")
                planned.add((r.kind, r.key))
                continue
            outcome, row, _, _ = self._decide(r)
            if outcome == "unknown":
                self._settle(r, "unknown", error=_UNKNOWN_HINT)
            elif outcome == "unchanged":
                assert row is not None
                self._settle(r, "unchanged", row.id)
            else:
                self._settle(r, outcome, row.id if row is not None and outcome == "update" else None)
                if outcome == "create":
                    planned.add((r.kind, r.key))
                elif row is not None and row.id is not None:
                    self._ids[(r.kind, r.key)] = row.id
        return RunSummary(self._ordered(), True, time.monotonic() - started, 0)

    # ------------------------------------------------------------ run

    def _build(self, r: Record, record_id: int, parents: dict[str, int | None]) -> Any:
        if r.kind == "client":
            return _records.build_client(record_id=record_id, fields=r.fields)
        client_id = parents["client_uid"]
        assert client_id is not None
        if r.kind == "delivery_method":
            return _records.build_delivery_method(client_id, record_id=record_id, fields=r.fields)
        fields = dict(r.fields, delivery_uid=parents["delivery_uid"])
        return _records.build_delivery_account(client_id, record_id=record_id, fields=fields)

    def _prepare(self, r: Record) -> Upsert | None:
        """Decide ``r``; return the upsert to send, or None when it was settled without a request."""
        outcome, row, fp, parent_id = self._decide(r)
        if outcome == "unchanged":
            assert row is not None
            self._settle(r, "unchanged", row.id)
            return None
        if outcome == "unknown":
            self._settle(r, "unknown", error=_UNKNOWN_HINT)
            return None
        parents = self._parents(r)
        record_id = row.id if outcome == "update" and row is not None and row.id is not None else 0
        try:
            body = self._build(r, record_id, parents)
        except LeadExecError as error:  # checked when the plan was loaded; kept for safety
            self._settle(r, "failed", error=str(error))
            return None
        sent = _Sent(r, "create" if record_id == 0 else "update", fp, parent_id, watch=self._watch)
        if sent.action == "create":
            sent.before = self.ledger.intend_create(r.kind, r.key, parent_id=parent_id, fingerprint=fp)
        resource = _RESOURCE[r.kind]
        client_id = None if r.kind == "client" else parent_id
        return _Watched(resource, body, client_id, sent)

    def _watch(self, error: Exception) -> None:
        if self.halted is None and systemic(error):
            assert isinstance(error, LeadExecError)
            self.halted = error
            if self._feed is not None:
                self._feed.wake()

    def _finish(self, result: BulkResult) -> None:
        sent: _Sent = result.tag
        r = sent.record
        if result.ok:
            assert result.id is not None
            self.ledger.done(
                r.kind,
                r.key,
                record_id=result.id,
                parent_id=sent.parent_id,
                fingerprint=sent.fingerprint,
                applied=dict(r.fields, **self._parents(r)),
            )
            self._settle(r, "created" if sent.action == "create" else "updated", result.id)
            return
        message = str(result.error)
        if sent.action == "create" and (result.outcome_unknown or not _not_applied(result.error)):
            self.ledger.unknown(
                r.kind, r.key, parent_id=sent.parent_id, fingerprint=sent.fingerprint, error=message
            )
            self._settle(r, "unknown", error=message)
        elif sent.action == "create" and _exists(r, sent.before, result.error):
            assert sent.before is not None
            message = _EXISTS.format(key=r.key)
            fp = sent.before.fingerprint or sent.fingerprint  # what the earlier, applied create sent
            self.ledger.unknown(r.kind, r.key, parent_id=sent.parent_id, fingerprint=fp, error=message)
            self._settle(r, "unknown", error=message)
        elif sent.action == "create":
            self.ledger.restore(r.kind, r.key, sent.before)
            self._settle(r, "failed", error=message)
        else:
            self._settle(r, "failed", record_id=self._row_id(r), error=message)

    def _row_id(self, r: Record) -> int | None:
        row = self.ledger.get(r.kind, r.key)
        return row.id if row is not None else None

    async def run(
        self, le: Any, *, stop: anyio.Event | None = None, grace: float = C.STOP_GRACE_SECONDS
    ) -> RunSummary:
        """Apply the plan through ``le`` (a :class:`LeadExecClient`); see the module documentation."""
        started = time.monotonic()
        stop = stop or anyio.Event()
        feed = self._feed = _Feed(self, stop)
        stopped = False
        in_flight: dict[int, _Sent] = {}
        async with anyio.create_task_group() as tg:

            async def watch_stop(cancel: anyio.CancelScope) -> None:
                await stop.wait()
                feed.wake()
                await anyio.sleep(grace)
                cancel.cancel()

            with anyio.CancelScope() as sending:
                tg.start_soon(watch_stop, sending)
                async with upsert_many(le, feed, concurrency=self.concurrency) as results:
                    async for result in results:
                        self._finish(result)
                        feed.outstanding -= 1
                        feed.wake()
            stopped = stop.is_set()
            in_flight = {id(s): s for s in feed.sent if (s.record.kind, s.record.key) not in self._results}
            tg.cancel_scope.cancel()
        for sent in in_flight.values():
            # cancelled after the grace period: the ledger keeps its `intended` row (unknown next time)
            outcome: Outcome = "unknown" if sent.action == "create" else "failed"
            self._settle(sent.record, outcome, error="stopped while the request was in flight")
        for r in self.plan.records:
            if (r.kind, r.key) not in self._results:
                self._settle(r, "skipped", error=NOT_SENT_STOPPED)
        return RunSummary(
            self._ordered(), False, time.monotonic() - started, feed.requests, stopped, self.halted
        )

    def _ordered(self) -> list[RecordResult]:
        return [self._results[(r.kind, r.key)] for r in self.plan.records]


class _Feed:
    """The lazy input of the bulk run: yields a record's upsert once its parents are in place."""

    def __init__(self, runner: Runner, stop: anyio.Event) -> None:
        self.runner = runner
        self.stop = stop
        runner._ready.extend(r for r in runner.plan.records if r.kind == "client")
        self.outstanding = 0
        self.requests = 0
        self.sent: list[_Sent] = []
        self._changed = anyio.Event()

    def wake(self) -> None:
        self._changed.set()

    def __aiter__(self) -> AsyncIterator[Upsert]:
        return self

    async def __anext__(self) -> Upsert:
        runner = self.runner
        ready = runner._ready
        while True:
            if self.stop.is_set() or runner.halted is not None:
                raise StopAsyncIteration
            if ready:
                r = ready.popleft()
                if (r.kind, r.key) in runner._results:
                    continue  # settled already
                item = runner._prepare(r)
                if item is None:
                    continue
                self.outstanding += 1
                self.requests += 1
                self.sent.append(item.tag)
                return item
            if self.outstanding == 0:
                raise StopAsyncIteration
            self._changed = anyio.Event()
            await self._changed.wait()
