"""(1) Client CPU per call: the facade against raw httpx and the generated operation.

All three send the same delivery account through one :class:`httpx.MockTransport`
whose handler answers 200 with an id, one call after another on asyncio, so the
CPU measured is the client's alone:

* facade: ``le.delivery_accounts.create(7, **fields)`` on
  ``LeadExecClient(transport=mock)`` (builds, validates and completes the
  record, serialises it, sends, checks the status, parses the id);
* raw httpx: ``client.put(url, json=body, headers=bearer)`` then
  ``int(response.text)``, with ``body`` the finished wire dict built once;
* generated: ``upsert_delivery_account.asyncio_detailed`` with a
  ``DeliveryAccount`` model built once (``to_dict`` runs per call).

CPU is ``time.process_time`` over ``n`` calls; each case runs ``rounds``
times, interleaved, and the best round counts (the least disturbed by the
rest of the machine).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable

import httpx
from leadexec_api_client import AuthenticatedClient
from leadexec_api_client.api.delivery import upsert_delivery_account
from leadexec_api_client.models import DeliveryAccount

import leadexec_async as lx

from ._report import Row
from ._workload import account_fields, account_wire, ok_handler

__all__ = ["TARGET", "measure", "run"]

TARGET = 1.3  # facade CPU per call at most this many times raw httpx
_BASE = "https://api.leadexec.net"
_CLIENT_UID = 7
_DELIVERY_UID = 3
_TOKEN = "bench-token"

Call = Callable[[], Awaitable[object]]


async def _cpu_per_call(call: Call, n: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(n):
        await call()
    return (time.process_time() - start) / n


async def _measure(n: int, rounds: int, warmup: int) -> dict[str, float]:
    transport = httpx.MockTransport(ok_handler())
    fields = account_fields(_DELIVERY_UID)
    body = account_wire(_CLIENT_UID, _DELIVERY_UID)
    url = f"{_BASE}/v1/delivery/{_CLIENT_UID}/accounts/"
    headers = {"Authorization": f"Bearer {_TOKEN}"}
    model = DeliveryAccount.from_dict(body)

    async with (
        lx.LeadExecClient(access_token=_TOKEN, base_url=_BASE, transport=transport) as le,
        httpx.AsyncClient(transport=transport) as raw,
        AuthenticatedClient(base_url=_BASE, token=_TOKEN, httpx_args={"transport": transport}) as gen,
    ):
        create = le.delivery_accounts.create

        async def facade() -> object:
            return await create(_CLIENT_UID, **fields)

        async def raw_httpx() -> object:
            response = await raw.put(url, json=body, headers=headers)
            response.raise_for_status()
            return int(response.text)

        async def generated() -> object:
            response = await upsert_delivery_account.asyncio_detailed(_CLIENT_UID, client=gen, body=model)
            return int(response.content)

        cases: dict[str, Call] = {"facade": facade, "raw httpx": raw_httpx, "generated": generated}
        for call in cases.values():
            for _ in range(warmup):
                await call()
        best = dict.fromkeys(cases, float("inf"))
        for _ in range(rounds):
            for name, call in cases.items():
                best[name] = min(best[name], await _cpu_per_call(call, n))
    return best


def measure(n: int, rounds: int = 5, warmup: int = 200) -> dict[str, float]:
    """Best CPU seconds per call of each case (``facade``, ``raw httpx``, ``generated``)."""
    return asyncio.run(_measure(n, rounds, warmup))


def run(n: int, rounds: int = 5) -> list[Row]:
    """The table rows of this benchmark."""
    best = measure(n, rounds, warmup=min(200, n))
    raw = best["raw httpx"]
    rows = [
        Row(
            "1 overhead",
            "raw httpx.AsyncClient.put",
            f"{raw * 1e6:.0f} µs/call",
            f"CPU per call, best of {rounds} x {n}",
        ),
        Row(
            "1 overhead",
            "generated operation",
            f"{best['generated'] * 1e6:.0f} µs/call",
            "asyncio_detailed, model built once",
            best["generated"] / raw,
        ),
    ]
    ratio = best["facade"] / raw
    rows.append(
        Row(
            "1 overhead",
            "facade delivery_accounts.create",
            f"{best['facade'] * 1e6:.0f} µs/call",
            "builds + validates the record per call",
            ratio,
            f"<= {TARGET}x raw",
            ratio <= TARGET,
        )
    )
    return rows
