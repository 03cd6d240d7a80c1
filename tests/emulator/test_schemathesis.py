"""schemathesis against the emulator, from the spec: no server error, every answer conforms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from leadexec_async._specfile import spec_path
from leadexec_async.emulator import EmulatorServer

from ._bodies import Api

schema = schemathesis.openapi.from_path(str(spec_path()))
TOKEN = "fuzz-token"
CLIENT_ID, CLIENT_SECRET = "fuzz-id", "fuzz-secret"

# Rules the schema cannot express (written in the spec's prose and its x-required-on-create):
# a schema-valid body may still get 400 for exactly these fields, and for nothing else.
CROSS_FIELD_RULES = {"Info.Username", "Info.Password", "ClientUID", "DeliveryUID"}


def schema_valid_bodies_fail_only_cross_field_rules(
    ctx: object, response: Any, case: schemathesis.Case
) -> None:
    """Stands in for schemathesis' positive_data_acceptance, which knows no rule beyond the schema."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    field = response.json().get("field")
    assert field in CROSS_FIELD_RULES, f"a schema-valid body was refused for {field!r}: {response.text}"


class Target:
    def __init__(self, server: EmulatorServer, client: int, method: int) -> None:
        self.server, self.client, self.method = server, client, method

    def aim(self, case: schemathesis.Case) -> None:
        """Point a schema-valid case at the seeded records, so it reaches the record rules and a 200.

        Random ids almost always name no record (404); these values are schema-valid too.
        """
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive:
            return
        if case.path_parameters and "ClientUID" in case.path_parameters:
            case.path_parameters["ClientUID"] = self.client
        body = case.body
        if not isinstance(body, dict):
            return
        if "client_secret" in body:  # the token request: the configured credentials
            body.update(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        for name, value in (("ClientUID", self.client), ("DeliveryUID", self.method)):
            if name in body:
                body[name] = value
        for name in ("ClientDeliveryUID", "ClientAccountUID"):
            if name in body:
                body[name] = 0
        info = body.get("Info")
        if isinstance(info, dict) and "ClientUID" in info:
            info["ClientUID"] = 0


def record_id_is_a_plain_integer(ctx: object, response: Any, case: schemathesis.Case) -> None:
    """schemathesis checks JSON bodies only; the spec's RecordId answer is a text/plain int32."""
    if response.status_code != 200 or not response.headers.get("content-type", [""])[0].startswith(
        "text/plain"
    ):
        return
    text = response.text.strip()
    assert text.isdigit(), f"200 answered {text[:40]!r}, not an integer id"
    assert 0 < int(text) < 2**31


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[Target]:
    with EmulatorServer(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token=TOKEN) as server:
        api = Api(server, token=TOKEN)
        client = api.make_client("seed")
        method = api.make_method(client)
        api.close()
        yield Target(server, client, method)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_emulator_conforms_to_the_spec(case: schemathesis.Case, fuzz_target: Target) -> None:
    fuzz_target.aim(case)
    case.call_and_validate(
        base_url=fuzz_target.server.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_bodies_fail_only_cross_field_rules, record_id_is_a_plain_integer],
    )


OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_schema_valid_cases_reach_success(operation: Any, fuzz_target: Target) -> None:
    """Guards the fuzzing above against testing only refusals: aimed positive cases of each operation
    get a 200. Runs its own cases, so it stands alone (any order, any selection)."""
    statuses: set[int] = set()

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def send(case: schemathesis.Case) -> None:
        fuzz_target.aim(case)
        response = case.call(
            base_url=fuzz_target.server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        statuses.add(response.status_code)

    send()
    assert 200 in statuses, statuses
