"""Per-call work of the pipeline: request URLs parsed once per path (bounded), responses freed at once."""

from __future__ import annotations

import gc
import weakref

import httpx
import pytest

from leadexec_async import _httpx_wire
from tests.conftest import FakeAPI


@pytest.mark.anyio
async def test_parsed_urls_are_reused_and_bounded(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_httpx_wire, "URL_CACHE_SIZE", 4)
    async with api.client() as le:
        for client_uid in range(1, 11):
            await le.delivery_methods.update(client_uid, 5, name=f"m{client_uid}", reset_omitted=True)
            await le.delivery_methods.update(client_uid, 6, name=f"m{client_uid}", reset_omitted=True)
        wire = le._pipeline()._wire
        assert isinstance(wire, _httpx_wire.HttpxWire)
        cache = wire._urls
        assert 0 < len(cache) <= 4
        first, second = api.requests[-2:]
        assert first.url == second.url == httpx.URL("https://api.leadexec.net/v1/delivery/10/methods")
        assert cache["https://api.leadexec.net/v1/delivery/10/methods"] is not None
    paths = [r.url.path for r in api.requests]
    assert paths == [f"/v1/delivery/{n}/methods" for n in range(1, 11) for _ in (1, 2)]


@pytest.mark.anyio
async def test_a_finished_response_is_freed_without_the_cycle_collector(api: FakeAPI) -> None:
    # httpx links a response and its stream both ways; the pipeline unlinks them once the body
    # is read, so a bulk run leaves no garbage for the cycle collector (memory stays flat).
    requests: list[weakref.ref[httpx.Request]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(weakref.ref(request))
        return httpx.Response(200, text="17")

    gc.collect()
    gc.disable()
    try:
        async with api.client(transport=httpx.MockTransport(handler)) as le:
            for n in range(1, 6):
                assert await le.delivery_methods.update(42, n, reset_omitted=True) == 17
            alive = [ref for ref in requests if ref() is not None]
    finally:
        gc.enable()
    assert len(requests) == 5
    assert alive == []  # each request (held by its response) went with its response
