"""Shared fixtures of the test suite."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from leadexec_async import LeadExecClient


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each ``@pytest.mark.anyio`` test on asyncio and on trio."""
    return str(request.param)


class FakeAPI:
    """A scripted stand-in for the LeadExec API behind :class:`httpx.MockTransport`.

    Record requests (everything but the token endpoint) take their answer from
    ``answers`` in order: an :class:`httpx.Response`, an exception to raise at
    the transport, or a callable ``request -> Response``; once ``answers`` is
    empty each answers 200 with a fresh id. Token requests answer from
    ``token_answers`` the same way, else with ``tok-<n>`` valid ``expires_in``
    seconds. ``sleeps`` records every backoff the client asked for; the
    :meth:`sleep` it passes to the client never waits.
    """

    TOKEN_PATH = "/v1/authorization/token"

    def __init__(self) -> None:
        self.answers: list[Any] = []
        self.token_answers: list[Any] = []
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.expires_in = 3600
        self.next_id = 1000
        self.token_yields = 0  # checkpoints a token answer waits, so concurrent callers pile up

    def handler(self, request: httpx.Request) -> Any:
        if request.url.path == self.TOKEN_PATH:
            self.token_requests.append(request)
            if self.token_yields:
                return self._slow_token(request)
            return self._token(request)
        self.requests.append(request)
        if self.answers:
            return self._answer(self.answers.pop(0), request)
        self.next_id += 1
        return httpx.Response(200, text=str(self.next_id), headers={"Content-Type": "text/plain"})

    async def _slow_token(self, request: httpx.Request) -> httpx.Response:
        for _ in range(self.token_yields):
            await anyio.lowlevel.checkpoint()
        return self._token(request)

    def _token(self, request: httpx.Request) -> httpx.Response:
        if self.token_answers:
            return self._answer(self.token_answers.pop(0), request)
        token = f"tok-{len(self.token_requests)}"
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        return httpx.Response(200, json=body)

    @staticmethod
    def _answer(answer: Any, request: httpx.Request) -> httpx.Response:
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            response: httpx.Response = answer(request)
            return response
        assert isinstance(answer, httpx.Response)
        return answer

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()

    def client(self, **kwargs: Any) -> LeadExecClient:
        """A client on this fake API: a static token unless credentials are given."""
        if "client_id" not in kwargs and "access_token" not in kwargs:
            kwargs["access_token"] = "static-token-123"
        kwargs.setdefault("transport", httpx.MockTransport(self.handler))
        kwargs.setdefault("sleep", self.sleep)
        return LeadExecClient(**kwargs)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeAPI:
    """A fresh :class:`FakeAPI`; the LEADEXEC_* environment is cleared so tests see only their arguments."""
    for name in ("ACCESS_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "BASE_URL"):
        monkeypatch.delenv(f"LEADEXEC_{name}", raising=False)
    return FakeAPI()
