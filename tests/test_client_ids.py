"""The id in a 2xx body: every documented variant, whatever the Content-Type; anything else is an error."""

from __future__ import annotations

import httpx
import pytest

import leadexec_async as lx
from tests.conftest import FakeAPI

pytestmark = pytest.mark.anyio

GOOD = [
    ("12345", "text/plain", 12345),
    (" 12345\r\n", "text/plain; charset=utf-8", 12345),
    ("12345", "application/json", 12345),
    ("12345", None, 12345),
    ('"12345"', "application/json", 12345),
    ('" 12345 "', "text/plain", 12345),
    ("12345.0", "application/json", 12345),
    ("\t7\n", "text/html", 7),
    ("2147483647", "text/plain", 2147483647),
]

BAD = [
    "",
    "   ",
    "abc",
    "0",
    '"0"',
    "-5",
    "1.5",
    "true",
    "null",
    '{"id": 1}',
    "[1]",
    "12 34",
    '"12a"',
    "1e400",
    "99999999999999999999999",
    "[" * 4_000,  # nested deeper than the JSON parser goes (within the 4 KiB id cap)
]


def _answer(body: str, content_type: str | None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return httpx.Response(200, content=body.encode(), headers=headers)


@pytest.mark.parametrize(("body", "content_type", "expected"), GOOD)
async def test_id_variants(api: FakeAPI, body: str, content_type: str | None, expected: int) -> None:
    api.answers.extend([_answer(body, content_type), _answer(body, content_type)])
    async with api.client() as le:
        assert await le.clients.create(username="u", password="p") == expected
        assert await le.delivery_accounts.update(3, 9, delivery_uid=1, reset_omitted=True) == expected


@pytest.mark.parametrize("body", BAD)
async def test_anything_else_is_unexpected(api: FakeAPI, body: str) -> None:
    api.answers.append(_answer(body, "text/plain"))
    async with api.client() as le:
        with pytest.raises(lx.UnexpectedResponseError) as caught:
            await le.delivery_methods.create(3, name="m")
    assert caught.value.status_code == 200
    assert caught.value.body == body
    assert caught.value.attempts == 1
    assert len(api.requests) == 1  # never repeated: the server answered


async def test_other_2xx_statuses_carry_the_id(api: FakeAPI) -> None:
    api.answers.append(httpx.Response(201, text="55"))
    async with api.client() as le:
        assert await le.delivery_methods.create(3, name="m") == 55
