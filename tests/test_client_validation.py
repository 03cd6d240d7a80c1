"""Bad input is refused before anything is sent, with an error naming the field."""

from __future__ import annotations

from typing import Any

import pytest

import leadexec_async as lx
from tests.conftest import FakeAPI

pytestmark = pytest.mark.anyio


async def _calls(le: lx.LeadExecClient) -> list[tuple[str, Any]]:
    return [
        ("client_id", le.clients.update(0, username="u", reset_omitted=True)),
        ("client_id", le.clients.update(True, username="u", reset_omitted=True)),
        ("method_id", le.delivery_methods.update(1, 0, name="m", reset_omitted=True)),
        ("account_id", le.delivery_accounts.update(1, -4, delivery_uid=2, reset_omitted=True)),
        ("client_uid", le.delivery_methods.create(0, name="m")),
        ("client_uid", le.delivery_accounts.create("12", delivery_uid=2)),
        ("username", le.clients.create(password="p")),
        ("price", le.delivery_accounts.create(1, delivery_uid=2, price="cheap")),
        ("type", le.delivery_methods.create(1, type="carrier pigeon")),
        ("body", le.clients.upsert(["not", "a", "body"])),  # type: ignore[arg-type]
    ]


async def test_bad_input_names_the_field_and_sends_nothing(api: FakeAPI) -> None:
    async with api.client() as le:
        for field, call in await _calls(le):
            with pytest.raises(lx.ValidationError) as caught:
                await call
            assert caught.value.field is not None
            assert field.lower() in caught.value.field.lower(), (field, caught.value.field)
            assert caught.value.attempts == 0
    assert api.requests == []


async def test_misspelt_wire_key_suggests_the_right_one(api: FakeAPI) -> None:
    async with api.client() as le:
        with pytest.raises(lx.ValidationError, match="FieldSettings"):
            await le.delivery_methods.upsert(1, {"Name": "m", "Settings": []})
    assert api.requests == []


async def test_validation_error_is_a_value_error(api: FakeAPI) -> None:
    async with api.client() as le:
        with pytest.raises(ValueError):
            await le.delivery_methods.update(1, 0, reset_omitted=True)
