"""Per-call work the pipeline does once: parsed request URLs are reused, and their cache stays bounded."""

from __future__ import annotations

import httpx
import pytest

from leadexec_async import _pipeline
from tests.conftest import FakeAPI


@pytest.mark.anyio
async def test_parsed_urls_are_reused_and_bounded(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pipeline, "URL_CACHE_SIZE", 4)
    async with api.client() as le:
        for client_uid in range(1, 11):
            await le.delivery_methods.update(client_uid, 5, name=f"m{client_uid}")
            await le.delivery_methods.update(client_uid, 6, name=f"m{client_uid}")
        cache = le._pipeline()._urls
        assert 0 < len(cache) <= 4
        first, second = api.requests[-2:]
        assert first.url == second.url == httpx.URL("https://api.leadexec.net/v1/delivery/10/methods")
        assert cache["/v1/delivery/10/methods"] is not None
    paths = [r.url.path for r in api.requests]
    assert paths == [f"/v1/delivery/{n}/methods" for n in range(1, 11) for _ in (1, 2)]
