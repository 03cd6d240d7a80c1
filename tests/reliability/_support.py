"""Shared helpers of the reliability tests: counting requests, connections and tasks, generated plans.

Nothing here sleeps to synchronise: waiting is polling of a real condition
under an anyio deadline (:func:`eventually`).
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import psutil
import sniffio

import leadexec_async as lx

from .._helpers import records_by_name

#: Polling step and overall bound of :func:`eventually` (seconds).
POLL = 0.01
SETTLE_DEADLINE = 10.0


class CountingTransport(httpx.AsyncBaseTransport):
    """An :class:`httpx.MockTransport` that counts every request that reaches it."""

    def __init__(self, handler: Callable[[httpx.Request], Any] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._mock = httpx.MockTransport(handler or (lambda r: httpx.Response(200, text="7")))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self._mock.handle_async_request(request)


def client_connections(port: int) -> list[Any]:
    """TCP sockets of this process whose far end is ``port`` on loopback (the client side)."""
    found = []
    for conn in psutil.Process(os.getpid()).net_connections(kind="tcp"):
        if conn.raddr and conn.raddr.port == port and conn.raddr.ip in ("127.0.0.1", "::1"):
            found.append(conn)
    return found


def live_tasks() -> set[Any]:
    """Every task of the running event loop except the current one (asyncio or trio)."""
    if sniffio.current_async_library() == "trio":
        import trio

        current = trio.lowlevel.current_task()
        stack = [trio.lowlevel.current_root_task()]
        tasks: set[Any] = set()
        while stack:
            task = stack.pop()
            tasks.add(task)
            for nursery in task.child_nurseries:
                stack.extend(nursery.child_tasks)
        return tasks - {current}
    import asyncio

    return set(asyncio.all_tasks()) - {asyncio.current_task()}


async def eventually(condition: Callable[[], bool], what: str, deadline: float = SETTLE_DEADLINE) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` if it does not within ``deadline``."""
    try:
        with anyio.fail_after(deadline):
            while not condition():  # noqa: ASYNC110 - the condition is outside the event loop (sockets, files)
                await anyio.sleep(POLL)
    except TimeoutError:
        raise AssertionError(f"not within {deadline} s: {what}") from None


async def assert_quiet(port: int, tasks_before: set[Any]) -> None:
    """No client connection to ``port`` and no task beyond ``tasks_before`` (polled, bounded)."""
    await eventually(lambda: not client_connections(port), f"client connections to {port} closed")
    await eventually(lambda: live_tasks() <= tasks_before, "no task left behind")


def all_strings_of_exception(exc: BaseException) -> Iterator[str]:
    """str, repr and every arg of ``exc`` and of each exception chained to it (cause, context, group)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield str(e)
        yield repr(e)
        for arg in e.args:
            yield str(arg)
            yield repr(arg)
        for attr in ("body", "payload", "operation", "field"):
            if hasattr(e, attr):
                yield repr(getattr(e, attr))
        for nxt in (e.__cause__, e.__context__):
            if nxt is not None:
                stack.append(nxt)
        if isinstance(e, BaseExceptionGroup):
            stack.extend(e.exceptions)


# ---------------------------------------------------------------- generated plans


@dataclass(frozen=True)
class PlanShape:
    """A generated plan: ``clients`` clients, each with ``methods`` methods and ``accounts`` accounts."""

    clients: int
    methods: int
    accounts: int
    prefix: str = "r"

    @property
    def total(self) -> int:
        return self.clients * (1 + self.methods + self.accounts)

    def client_name(self, i: int) -> str:
        return f"{self.prefix}-c{i}"

    def records(self) -> Iterator[tuple[str, str, str, tuple[str, str] | None]]:
        """(kind, ledger key, unique server-side name, parent (kind, key)) of every plan record."""
        for i in range(self.clients):
            c = self.client_name(i)
            yield "client", f"c{i}", c, None
            for j in range(self.methods):
                yield "delivery_method", f"c{i}/m{j}", f"{c}-m{j}", ("client", f"c{i}")
            for j in range(self.accounts):
                m = j % self.methods
                yield "delivery_account", f"c{i}/a{j}", f"{c}-a{j}", ("delivery_method", f"c{i}/m{m}")

    def write(self, path: Path, password_var: str) -> None:
        """Write the plan as YAML, passwords pulled from ``${password_var}``."""
        lines = ["clients:"]
        for i in range(self.clients):
            c = self.client_name(i)
            lines += [
                f"  - key: c{i}",
                f"    username: {c}",
                f"    password: ${{{password_var}}}",
                "    status: Active",
                "    delivery_methods:",
            ]
            for j in range(self.methods):
                kind = ("HTTP POST", "E-Mail", "FTP", "HTTP GET")[j % 4]
                lines += [
                    f"      - key: m{j}",
                    f"        name: {c}-m{j}",
                    f"        type: {kind}",
                    f"        delivery_address: https://buyer{i}.example/in/{j}",
                    f"        ftp_password: ${{{password_var}}}",
                ]
            lines.append("    delivery_accounts:" if self.accounts else "    delivery_accounts: []")
            for j in range(self.accounts):
                lines += [
                    f"      - key: a{j}",
                    f"        delivery_method: m{j % self.methods}",
                    f"        description: {c}-a{j}",
                    f"        price: {j + 1}.25",
                    f"        day_max: {50 + j}",
                ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ledger_rows(ledger: Path) -> dict[tuple[str, str], tuple[str, int | None, int | None, str | None]]:
    """(kind, key) -> (state, id, parent_id, fingerprint), read with sqlite3 directly."""
    db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT kind, key, state, id, parent_id, fingerprint FROM records").fetchall()
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()
    return {(k, key): (state, rid, pid, fp) for k, key, state, rid, pid, fp in rows}


def check_rows_whole(rows: dict[tuple[str, str], tuple[str, int | None, int | None, str | None]]) -> None:
    """Every ledger row is whole: a state it may have, with the columns that state needs."""
    for (kind, key), (state, rid, parent_id, fp) in rows.items():
        where = f"{kind} {key}: {state} row"
        assert state in ("intended", "done", "unknown"), where
        assert fp, f"{where} without a fingerprint"
        assert len(fp) == 64, f"{where} with a cut fingerprint"
        if state == "done":
            assert isinstance(rid, int), f"{where} without an id"
            assert rid > 0, f"{where} with id {rid}"
        else:
            assert rid is None, f"{where} with an id"
        if kind != "client":
            assert isinstance(parent_id, int), f"{where} without its client id"
            assert parent_id > 0, f"{where} with client id {parent_id}"


@dataclass
class Audit:
    """How every plan record stands, by the ledger and the server together."""

    in_place: int  # done in the ledger, exactly once on the server with the ledger's id and parents
    unknown: int  # intended/unknown in the ledger: reported, never silently assumed
    unknown_applied: int  # of those, how many the server does hold (once)
    absent: int  # no ledger row, not on the server (a run will create it)
    duplicates: int  # plan records the server holds more than once
    silently_missing: int  # done in the ledger but not on the server
    orphans: int  # records on the server no ledger row accounts for


def audit(state: dict[str, Any], ledger: Path, shape: PlanShape) -> Audit:
    """Compare the emulator's records with the ledger for a plan written by :meth:`PlanShape.write`."""
    by_name = records_by_name(state)
    rows = ledger_rows(ledger) if ledger.exists() else {}
    check_rows_whole(rows)
    counts: Counter[str] = Counter()
    names = set()
    for kind, key, name, parent in shape.records():
        names.add(name)
        found = by_name.get(name, [])
        if len(found) > 1:
            counts["duplicates"] += 1
        state_, rid, _, _ = rows.get((kind, key), ("absent", None, None, None))
        if state_ == "done":
            if len(found) != 1 or found[0]["id"] != rid:
                counts["silently_missing"] += 1
                continue
            if kind != "client":
                client_key = key.split("/")[0]
                assert found[0]["client"] == rows[("client", client_key)][1], f"{kind} {key}: wrong client"
            if kind == "delivery_account":
                assert parent is not None
                assert found[0]["method"] == rows[parent][1], f"{kind} {key}: wrong method"
            counts["in_place"] += 1
        elif state_ in ("intended", "unknown"):
            counts["unknown"] += 1
            counts["unknown_applied"] += 1 if found else 0
        else:
            counts["absent"] += 1
            counts["orphans"] += len(found)
    counts["orphans"] += sum(len(v) for k, v in by_name.items() if k not in names)
    return Audit(
        counts["in_place"],
        counts["unknown"],
        counts["unknown_applied"],
        counts["absent"],
        counts["duplicates"],
        counts["silently_missing"],
        counts["orphans"],
    )


def client_for(emulator: Any, **kwargs: Any) -> lx.LeadExecClient:
    """A client on the emulator with its static token and fast backoff (faults are frequent here)."""
    kwargs.setdefault("access_token", emulator.token)
    kwargs.setdefault("base_url", emulator.base_url)
    kwargs.setdefault("retry_backoff", 0.001)
    kwargs.setdefault("retry_backoff_max", 0.01)
    return lx.LeadExecClient(**kwargs)
