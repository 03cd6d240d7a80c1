"""The record rules: ids, 404 / 409 / 400, replacement, inspection and SQLite persistence."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from leadexec_async.cli import main
from leadexec_async.emulator import EmulatorServer

from ._bodies import Api, account_body, client_body, method_body, setting


def test_ids_increase_per_kind_and_state_holds_wire_records(api: Api) -> None:
    first, second = api.make_client("a"), api.make_client("b")
    assert second == first + 1
    method = api.make_method(first)
    other_method = api.make_method(first)
    assert other_method == method + 1
    assert len({first, method}) == 2  # kinds do not share ids
    account = int(api.account(first, account_body(first, method)).text)
    state = api.server.state()
    assert [c["Info"]["ClientUID"] for c in state["clients"]] == [first, second]
    assert state["clients"][0] == setting(client_body("a"), first, "Info", "ClientUID")
    assert [m["ClientDeliveryUID"] for m in state["delivery_methods"]] == [method, other_method]
    assert state["delivery_accounts"] == [setting(account_body(first, method), account, "ClientAccountUID")]
    counters = state["counters"]
    assert counters["creates_applied"] == {"clients": 2, "delivery_methods": 2, "delivery_accounts": 1}
    assert counters["by_operation_outcome"]["upsert_client"] == {"200": 2}
    assert counters["by_operation_outcome"]["create_token"] == {"200": 1}
    assert counters["requests"] == 6


def test_updates_replace_the_stored_record(api: Api) -> None:
    client = api.make_client()
    method = api.make_method(client)
    account = int(api.account(client, account_body(client, method)).text)
    renamed = method_body(client, method_uid=method, name="renamed")
    del renamed["FieldSettings"]
    assert int(api.method(client, renamed).text) == method
    repriced = account_body(client, method, account_uid=account, price=99.0)
    assert int(api.account(client, repriced).text) == account
    update = client_body("buyer-1", client_uid=client, status="Suspended")
    del update["FieldData"]
    assert int(api.client(update).text) == client
    state = api.server.state()
    assert state["delivery_methods"] == [renamed]
    assert state["delivery_accounts"] == [repriced]
    assert state["clients"] == [update]
    assert state["counters"]["updates_applied"] == {
        "clients": 1,
        "delivery_methods": 1,
        "delivery_accounts": 1,
    }


def test_unknown_ids_and_other_clients_records_are_404(api: Api) -> None:
    a, b = api.make_client("a"), api.make_client("b")
    method_a = api.make_method(a)
    account_a = int(api.account(a, account_body(a, method_a)).text)
    method_b = api.make_method(b)
    assert api.client(client_body("a", client_uid=a + 100)).status_code == 404
    missing = api.method(a, method_body(a, method_uid=method_a + 100))
    assert (missing.status_code, missing.json()["field"]) == (404, "ClientDeliveryUID")
    assert api.method(b, method_body(b, method_uid=method_a)).status_code == 404  # a's method under b
    assert api.account(b, account_body(b, method_b, account_uid=account_a)).status_code == 404
    assert api.account(a, account_body(a, method_a, account_uid=method_a)).status_code == 404  # wrong kind
    assert api.method(a + 100, method_body(a + 100)).status_code == 404  # unknown client in the path
    assert api.account(a + 100, account_body(a + 100, method_a)).status_code == 404
    assert api.server.state()["counters"]["updates_applied"]["delivery_methods"] == 0


def test_taken_username_is_409_on_create_and_update(api: Api) -> None:
    a = api.make_client("alice")
    b = api.make_client("bob")
    taken = api.client(client_body("alice"))
    assert (taken.status_code, taken.json()["field"]) == (409, "Info.Username")
    assert api.client(client_body("alice", client_uid=b)).status_code == 409
    assert api.client(client_body("alice", client_uid=a)).status_code == 200  # its own name
    assert api.client(client_body("alicia", client_uid=a)).status_code == 200
    assert api.client(client_body("alice", client_uid=b)).status_code == 200  # freed by the rename


def test_body_client_must_match_the_path(api: Api) -> None:
    a, b = api.make_client("a"), api.make_client("b")
    response = api.method(a, method_body(b))
    assert (response.status_code, response.json()["field"]) == (400, "ClientUID")


def test_account_method_must_belong_to_the_client(api: Api) -> None:
    a, b = api.make_client("a"), api.make_client("b")
    method_b = api.make_method(b)
    for delivery_uid in (method_b, method_b + 1000):
        response = api.account(a, account_body(a, delivery_uid))
        assert (response.status_code, response.json()["field"]) == (400, "DeliveryUID")
    assert api.server.state()["delivery_accounts"] == []


def test_unknown_paths_and_methods(api: Api) -> None:
    assert api.http.get("/v1/nothing").status_code == 404
    wrong = api.http.get("/v1/clients")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "PATCH")
    no_slash = api.http.put(
        "/v1/delivery/1/accounts", json={}, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert no_slash.status_code == 400  # the trailing slash is optional, as on ASP.NET


def test_inspection_over_http_is_not_counted(api: Api) -> None:
    api.make_client()
    before = api.server.state()["counters"]["requests"]
    state = api.http.get("/_emulator/state").json()
    assert len(state["clients"]) == 1
    assert state["counters"]["requests"] == before
    scheduled = api.http.post("/_emulator/faults", json={"kind": "503", "operation": "upsert_client"})
    assert scheduled.status_code == 200
    assert api.client(client_body("x")).status_code == 503
    assert api.http.post("/_emulator/faults", json={"kind": "boom"}).status_code == 400
    assert api.http.post("/_emulator/reset").status_code == 200
    after = api.http.get("/_emulator/state").json()
    assert after["clients"] == []
    assert after["counters"]["requests"] == 0
    assert api.make_client() == 1_000_001  # ids restart too


def test_sqlite_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite"
    with EmulatorServer(db=db) as first:
        api = Api(first)
        client = api.make_client("persisted")
        method = api.make_method(client)
        api.close()
        before = first.state()
    with EmulatorServer(db=db) as second:
        api = Api(second)
        after = second.state()
        assert {k: after[k] for k in ("clients", "delivery_methods")} == {
            k: before[k] for k in ("clients", "delivery_methods")
        }
        assert api.make_method(client) == method + 1  # ids carry on
        assert api.client(client_body("persisted")).status_code == 409  # the username index too
        second.reset()
        api.close()
    with EmulatorServer(db=db) as third:
        assert third.state()["clients"] == []


@pytest.mark.parametrize("bad", ["missing-folder/emulator.sqlite", "not-a-database.sqlite"])
def test_an_unusable_db_file_is_named_and_refused_before_serving(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "not-a-database.sqlite").write_text("plain text, not SQLite " * 100)
    path = tmp_path / bad
    with pytest.raises(ValueError, match="cannot keep the emulator's records there"):
        EmulatorServer(db=path)
    assert main(["emulator", "--port", "1", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: cannot keep the emulator's records there" in err
    assert "Traceback" not in err


def test_memory_state_does_not_survive(tmp_path: Path) -> None:
    with EmulatorServer() as first:
        Api(first).make_client()
    with EmulatorServer() as second:
        assert second.state()["clients"] == []
        assert httpx.get(second.base_url + "/_emulator/state").json()["clients"] == []
