"""The emulator itself: a plain ASGI application holding the state and the rules.

One request walks: route -> fault draw -> read body -> latency -> injected 429 / 503 /
drop-before -> auth (401) -> rate limit (429) -> body checks (400) -> record rules
(400 / 404 / 409) -> apply -> injected 500 / drop-after -> answer. Everything from auth
to apply runs without an ``await``, so each request is atomic on the event loop.

Inspection (``GET /_emulator/state``, ``POST /_emulator/reset``,
``POST /_emulator/faults``) needs no token and is not counted.
"""

from __future__ import annotations

import json
import math
import threading
from typing import Any

import anyio

from .. import _constants as C
from ._access import RateLimiter, Tokens
from ._config import EmulatorConfig
from ._faults import FAULT_KINDS, LATENCY, Faults
from ._http import (
    JSON,
    TEXT,
    ConnectionDropped,
    Receive,
    Reject,
    Scope,
    Send,
    answer,
    answer_error,
    bearer,
    decode,
    dig,
    drop,
    put_at,
    reject,
    route_pattern,
)
from ._schema import SpecSchemas, load_schemas
from ._store import KINDS, Store

__all__ = ["ConnectionDropped", "Emulator", "create_app"]

_UNKNOWN = "unknown"

# operationId -> (record kind, path of the record's id field in the body; 0 there creates)
_RECORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "upsert_client": ("clients", ("Info", "ClientUID")),
    "upsert_delivery_method": ("delivery_methods", ("ClientDeliveryUID",)),
    "upsert_delivery_account": ("delivery_accounts", ("ClientAccountUID",)),
}
_TOKEN_OPERATION = "create_token"  # noqa: S105 - an operationId, not a secret


class Emulator:
    """The emulated API: state, rules, counters. An ASGI application (call it with scope, receive, send).

    The inspection methods (:meth:`state`, :meth:`reset`, :meth:`schedule_fault`) are
    thread-safe, so tests may call them while a server thread serves the app.
    """

    def __init__(self, config: EmulatorConfig | None = None, *, schemas: SpecSchemas | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.schemas = schemas or load_schemas()
        self.store = Store(self.config.db)
        self.faults = Faults(self.config.fault_plan, self.config.seed)
        self.tokens = Tokens(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            static_token=self.config.token,
            ttl=self.config.token_ttl,
            clock=self.config.clock,
        )
        self.limiter = (
            RateLimiter(self.config.rate_limit, self.config.clock) if self.config.rate_limit else None
        )
        self._routes = [
            (route_pattern(template), op_id, method)
            for op_id, (method, template) in self.schemas.paths.items()
        ]
        self._counter_lock = threading.Lock()
        self._reset_counters()

    # --- inspection -------------------------------------------------------------

    def _reset_counters(self) -> None:
        with self._counter_lock:
            self._requests = 0
            self._outcomes: dict[str, dict[str, int]] = {}
            self._creates: dict[str, int] = dict.fromkeys(KINDS, 0)
            self._updates: dict[str, int] = dict.fromkeys(KINDS, 0)
            self._faults_seen: dict[str, int] = dict.fromkeys((*FAULT_KINDS, LATENCY), 0)

    def counters(self) -> dict[str, Any]:
        """The counters alone (see :meth:`state`)."""
        with self._counter_lock:
            return {
                "requests": self._requests,
                "by_operation_outcome": {op: dict(out) for op, out in self._outcomes.items()},
                "creates_applied": dict(self._creates),
                "updates_applied": dict(self._updates),
                "faults": dict(self._faults_seen),
            }

    def state(self) -> dict[str, Any]:
        """The stored records (wire form, ids filled in) by kind, and the counters.

        ``counters.requests`` counts every API request received (inspection excluded);
        ``by_operation_outcome`` maps operationId to outcome (status code, or
        ``drop-before`` / ``drop-after``) to a count; ``creates_applied`` and
        ``updates_applied`` count records written by kind; ``faults`` counts injected
        faults by kind.
        """
        state: dict[str, Any] = dict(self.store.snapshot())
        state["counters"] = self.counters()
        return state

    def reset(self) -> None:
        """Forget every record, zero the counters, restart the fault sequence, refill rate buckets.

        Issued tokens stay valid.
        """
        self.store.reset()
        self.faults.reset()
        if self.limiter is not None:
            self.limiter.reset()
        self._reset_counters()

    def schedule_fault(self, kind: str, *, operation: str | None = None, times: int = 1) -> None:
        """Give the next ``times`` requests of ``operation`` (an operationId, or any) the fault ``kind``."""
        if operation is not None and operation not in self.schemas.paths:
            raise ValueError(
                f"unknown operation {operation!r}; expected one of {', '.join(self.schemas.paths)}"
            )
        self.faults.schedule(kind, operation=operation, times=times)

    def close(self) -> None:
        """Release the database, if any."""
        self.store.close()

    def _count(self, operation: str, outcome: str) -> None:
        with self._counter_lock:
            by_outcome = self._outcomes.setdefault(operation, {})
            by_outcome[outcome] = by_outcome.get(outcome, 0) + 1

    def _count_fault(self, kind: str) -> None:
        with self._counter_lock:
            self._faults_seen[kind] += 1

    # --- ASGI -------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith("/_emulator/"):
            await self._inspect(scope, receive, send)
            return
        with self._counter_lock:
            self._requests += 1
        route = self._match(path)
        if route is None:
            self._count(_UNKNOWN, "404")
            await answer_error(send, 404, "no such path")
            return
        op_id, method, params = route
        if scope["method"] != method:
            self._count(op_id, "405")
            await answer_error(send, 405, f"use {method}", headers=[(b"allow", method.encode())])
            return
        draw = self.faults.draw(op_id)
        body, too_large = await self._read_body(scope, receive)
        if draw.latency > 0:
            self._count_fault(LATENCY)
            await anyio.sleep(draw.latency)
        if draw.kind in ("429", "503"):
            self._count_fault(draw.kind)
            self._count(op_id, draw.kind)
            wait = str(self.config.fault_retry_after).encode()
            await answer_error(send, int(draw.kind), "injected fault", headers=[(b"retry-after", wait)])
            return
        if draw.kind == "drop-before":
            self._count_fault(draw.kind)
            self._count(op_id, draw.kind)
            await drop(receive)
            return
        try:
            status, payload, content_type, headers = self._handle(op_id, params, scope, body, too_large)
        except Reject as rejection:
            status, content_type, headers = rejection.status, JSON, []
            error: dict[str, str] = {"message": rejection.message}
            if rejection.field is not None:
                error["field"] = rejection.field
            payload = json.dumps(error).encode()
            if rejection.status == 401:
                headers = [(b"www-authenticate", b"Bearer")]
            elif too_large:
                headers = [(b"connection", b"close")]
        if draw.kind == "500":
            self._count_fault(draw.kind)
            self._count(op_id, "500")
            await answer_error(send, 500, "injected fault")
            return
        if draw.kind == "drop-after":
            self._count_fault(draw.kind)
            self._count(op_id, draw.kind)
            await drop(receive)
            return
        self._count(op_id, str(status))
        await answer(send, status, payload, content_type, headers)

    def _match(self, path: str) -> tuple[str, str, dict[str, str]] | None:
        for pattern, op_id, method in self._routes:
            found = pattern.match(path)
            if found is not None:
                return op_id, method, found.groupdict()
        return None

    async def _read_body(self, scope: Scope, receive: Receive) -> tuple[bytes, bool]:
        """Return (body, too_large). A body over the limit is read on and discarded (up to
        ``EMULATOR_DRAIN_LIMIT`` of :mod:`leadexec_async._constants`), so the client is not
        reset while still sending and gets the 400."""
        limit = self.config.body_limit
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"", size > limit
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            elif chunks:
                chunks.clear()
            if not message.get("more_body", False) or size > C.EMULATOR_DRAIN_LIMIT:
                return (b"".join(chunks), False) if size <= limit else (b"", True)

    # --- the rules --------------------------------------------------------------

    def _handle(
        self, op_id: str, params: dict[str, str], scope: Scope, raw: bytes, too_large: bool
    ) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]:
        if op_id == _TOKEN_OPERATION:
            return self._issue_token(op_id, raw, too_large)
        token = bearer(scope)
        if token is None or not self.tokens.valid(token):
            raise Reject(401, "missing, unknown or expired bearer token")
        if self.limiter is not None:
            wait = self.limiter.acquire(token)
            if wait:
                return (
                    429,
                    b'{"message": "rate limit reached"}',
                    JSON,
                    [(b"retry-after", str(wait).encode())],
                )
        if too_large:
            raise Reject(400, f"the body is larger than {self.config.body_limit} bytes")
        path_client: int | None = None
        if "ClientUID" in params:
            path_client, error = self.schemas.check_path_param("ClientUID", params["ClientUID"])
            if error is not None:
                raise reject(400, error)
        body = decode(raw)
        kind, id_path = _RECORDS[op_id]
        record_id = dig(body, id_path)
        error = self.schemas.bodies[op_id].check(body, creating=record_id == 0)
        if error is not None:
            raise reject(400, error)
        with self.store.lock:
            new_id = self._apply(kind, body, id_path, path_client)
        return 200, str(new_id).encode(), TEXT, []

    def _issue_token(
        self, op_id: str, raw: bytes, too_large: bool
    ) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]:
        if too_large:
            raise Reject(400, f"the body is larger than {self.config.body_limit} bytes")
        body = decode(raw)
        error = self.schemas.bodies[op_id].check(body, creating=False)
        if error is not None:
            raise reject(400, error)
        if not self.tokens.credentials_match(body["client_id"], body["client_secret"]):
            raise Reject(401, "unknown client_id or wrong client_secret")
        token = {
            "access_token": self.tokens.issue(),
            "token_type": "Bearer",
            "expires_in": math.ceil(self.tokens.ttl),
            "error": None,
        }
        return 200, json.dumps(token).encode(), JSON, [(b"cache-control", b"no-store")]

    def _apply(
        self,
        kind: str,
        body: dict[str, Any],
        id_path: tuple[str, ...],
        path_client: int | None,
    ) -> int:
        """Check the record rules against the stored records, then store ``body``; return its id."""
        store = self.store
        record_id: int = dig(body, id_path)
        if path_client is not None:
            if body["ClientUID"] != path_client:
                raise Reject(400, "ClientUID of the body differs from ClientUID of the path", "ClientUID")
            if not store.exists("clients", path_client):
                raise Reject(404, f"no client {path_client}", "ClientUID")
        if record_id != 0 and (
            not store.exists(kind, record_id)
            or (path_client is not None and store.owner(kind, record_id) != path_client)
        ):
            raise Reject(404, f"no record {record_id} of this kind and client", ".".join(id_path))
        if kind == "clients":
            username = body["Info"].get("Username")
            holder = store.username_owner(username) if isinstance(username, str) else None
            if holder is not None and holder != record_id:
                raise Reject(409, "Username is already taken by another client", "Info.Username")
        if kind == "delivery_accounts":
            method = body["DeliveryUID"]
            if store.owner("delivery_methods", method) != path_client:
                raise Reject(
                    400, f"DeliveryUID {method} is not a delivery method of this client", "DeliveryUID"
                )
        creating = record_id == 0
        if creating:
            record_id = store.next_id(kind)
        put_at(body, id_path, record_id)
        owner = record_id if kind == "clients" else path_client
        assert owner is not None
        store.put(kind, record_id, owner, body)
        with self._counter_lock:
            (self._creates if creating else self._updates)[kind] += 1
        return record_id

    # --- lifespan and inspection ------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _inspect(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"].rstrip("/"), scope["method"]
        raw, too_large = await self._read_body(scope, receive)
        if path == "/_emulator/state" and method == "GET":
            await answer(send, 200, json.dumps(self.state()).encode(), JSON)
        elif path == "/_emulator/reset" and method == "POST":
            self.reset()
            await answer(send, 200, b'{"reset": true}', JSON)
        elif path == "/_emulator/faults" and method == "POST":
            try:
                if too_large:
                    raise ValueError("body too large")
                spec = json.loads(raw)
                if not isinstance(spec, dict):
                    raise TypeError("the body must be a JSON object")
                self.schedule_fault(spec["kind"], operation=spec.get("operation"), times=spec.get("times", 1))
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                await answer_error(send, 400, f"expected {{kind, operation?, times?}}: {exc!s:.200}")
                return
            await answer(send, 200, b'{"scheduled": true}', JSON)
        else:
            await answer_error(send, 404, "inspection endpoints: GET state, POST reset, POST faults")


def create_app(config: EmulatorConfig | None = None, **options: Any) -> Emulator:
    """Return the emulator as an ASGI application; ``options`` are :class:`EmulatorConfig` fields."""
    if config is not None and options:
        raise TypeError("give either a config or keyword options, not both")
    return Emulator(config or EmulatorConfig(**options))
