"""A create answered 2xx without a readable id was applied: it is never resent by a later run."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import leadexec_async as lx
from leadexec_async import bulk
from leadexec_async.provision import Ledger, Runner, load_plan

from ._helpers import PASSWORD, PASSWORD_VAR, ledger_rows

PLAN = """\
clients:
  - key: acme
    username: acme
    password: ${PROVISION_TEST_PASSWORD}
"""


class _Server:
    """Answers every client upsert 200 with a body that is not an id, and counts the requests."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, text="<html>saved</html>")


@pytest.mark.anyio
async def test_a_create_with_an_unreadable_id_is_unknown_and_not_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anyio_backend: str
) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    (tmp_path / "plan.yaml").write_text(PLAN)
    plan = load_plan(tmp_path / "plan.yaml")
    ledger_path = tmp_path / "plan.ledger.sqlite"
    server = _Server()
    async with lx.LeadExecClient(
        access_token="t", base_url="http://127.0.0.1:9", transport=httpx.MockTransport(server)
    ) as le:
        with Ledger(ledger_path, server="test") as ledger:
            first = await Runner(plan, ledger).run(le)
        assert first.counts["unknown"] == 1
        assert ledger_rows(ledger_path)[("client", "acme")][0] == "unknown"
        assert server.requests == 1

        with Ledger(ledger_path, server="test") as ledger:
            second = await Runner(plan, ledger).run(le)
    assert second.counts["unknown"] == 1
    assert server.requests == 1  # the applied create was not sent a second time


@pytest.mark.anyio
async def test_bulk_marks_an_unreadable_id_as_an_unknown_outcome(anyio_backend: str) -> None:
    server = _Server()
    body = {"Info": {"ClientUID": 0, "Username": "acme", "Password": PASSWORD}}
    async with (
        lx.LeadExecClient(
            access_token="t", base_url="http://127.0.0.1:9", transport=httpx.MockTransport(server)
        ) as le,
        bulk.upsert_many(le, [bulk.Upsert.client(body)]) as results,
    ):
        (result,) = [r async for r in results]
    assert isinstance(result.error, lx.UnexpectedResponseError)
    assert result.outcome_unknown
