"""The ledger: durable states, fingerprints of the plan (never of the wire body), no secret stored.

Every test that takes ``ledger_target`` runs on both backends: a SQLite file
and a real PostgreSQL server (see ``conftest.py``).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import leadexec_async as lx
from leadexec_async.cli import main as leadexec
from leadexec_async.provision import Ledger, LedgerError, Runner, default_ledger_path, fingerprint, load_plan

from ._helpers import PASSWORD, PASSWORD_VAR, audit, ledger_args, ledger_rows, ledger_text, write_plan


def test_default_ledger_sits_next_to_the_plan() -> None:
    assert default_ledger_path("/x/plan.yaml") == Path("/x/plan.ledger.sqlite")
    assert default_ledger_path("jobs/buyers.json") == Path("jobs/buyers.ledger.sqlite")


def test_fingerprints_depend_on_fields_and_parents_only() -> None:
    a = fingerprint("client", {"username": "u", "status": "Active"}, {})
    assert a == fingerprint("client", {"status": "Active", "username": "u"}, {})  # key order does not matter
    assert a != fingerprint("client", {"username": "u", "status": "Closed"}, {})
    m = fingerprint("delivery_method", {"name": "n"}, {"client_uid": 1})
    assert m != fingerprint("delivery_method", {"name": "n"}, {"client_uid": 2})


def test_secrets_change_the_fingerprint_but_are_never_stored(ledger_target: Path | str) -> None:
    one = fingerprint("client", {"username": "u", "password": "hunter2-secret"}, {})
    two = fingerprint("client", {"username": "u", "password": "other-secret"}, {})
    assert one != two
    with Ledger(ledger_target, server="http://127.0.0.1:1") as ledger:
        fields = {"username": "u", "password": "hunter2-secret", "nested": {"ftp_password": "ftp-secret-9"}}
        ledger.done("client", "u", record_id=5, parent_id=None, fingerprint=one, applied=fields)
        applied = ledger.last_applied("client", "u")
    assert applied is not None
    assert applied["username"] == "u"
    assert set(applied["password"]) == {"sha256"}
    assert set(applied["nested"]["ftp_password"]) == {"sha256"}
    text = ledger_text(ledger_target)
    assert "u" in text  # the ledger was read
    for secret in ("hunter2-secret", "ftp-secret-9"):
        assert secret not in text


def test_create_states_survive_reopening(ledger_target: Path | str) -> None:
    path = ledger_target
    server = "http://127.0.0.1:1"
    with Ledger(path, server=server) as ledger:
        assert ledger.intend_create("client", "a", parent_id=None, fingerprint="f1") is None
        ledger.intend_create("client", "b", parent_id=None, fingerprint="f2")
        ledger.done("client", "b", record_id=7, parent_id=None, fingerprint="f2")
        ledger.intend_create("client", "c", parent_id=None, fingerprint="f3")
        ledger.unknown("client", "c", parent_id=None, fingerprint="f3", error="dropped")
    with Ledger(path, server=server) as ledger:  # as a new process would see it
        a, b, c = (ledger.get("client", k) for k in "abc")
        assert a is not None
        assert (a.state, a.id) == ("intended", None)
        assert b is not None
        assert (b.state, b.id, b.fingerprint) == ("done", 7, "f2")
        assert c is not None
        assert (c.state, c.error) == ("unknown", "dropped")
        assert ledger.get("client", "zzz") is None
        assert len(list(ledger.rows())) == 3


def test_a_create_that_certainly_failed_puts_back_the_previous_row(ledger_target: Path | str) -> None:
    with Ledger(ledger_target, server="http://127.0.0.1:1") as ledger:
        before = ledger.intend_create("client", "new", parent_id=None, fingerprint="f")
        ledger.restore("client", "new", before)
        assert ledger.get("client", "new") is None  # never existed: the next run creates it
        ledger.unknown("client", "old", parent_id=None, fingerprint="f", error="x")
        before = ledger.intend_create("client", "old", parent_id=None, fingerprint="f")  # --retry-unknown
        ledger.restore("client", "old", before)
        row = ledger.get("client", "old")
        assert row is not None
        assert row.state == "unknown"  # still unknown: the first send may exist


def test_a_ledger_is_tied_to_one_server_once_it_holds_a_record(ledger_target: Path | str) -> None:
    path = ledger_target
    # nothing recorded yet (a first run that sent nothing, to a mistyped URL): not bound
    Ledger(path, server=Ledger.server_of("http://127.0.0.1:9")).close()
    with Ledger(path, server=Ledger.server_of("https://api.leadexec.net/")) as ledger:
        assert ledger.server() == "https://api.leadexec.net"
        ledger.done("client", "a", record_id=5, parent_id=None, fingerprint="f")
    Ledger(path, server=Ledger.server_of("https://api.leadexec.net")).close()
    with pytest.raises(LedgerError, match=r"holds the ids of records on https://api\.leadexec\.net"):
        Ledger(path, server=Ledger.server_of("http://127.0.0.1:8080"))
    # an intended create binds it too: it may have reached the server
    with Ledger(path, server=Ledger.server_of("https://api.leadexec.net")) as ledger:
        ledger.restore("client", "a", None)
        ledger.intend_create("client", "b", parent_id=None, fingerprint="f")
    with pytest.raises(LedgerError, match="holds the ids of records on"):
        Ledger(path, server=Ledger.server_of("http://127.0.0.1:8080"))


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    path.write_text("not a database" * 100)
    with pytest.raises(LedgerError, match="cannot use the ledger"):
        Ledger(path, server="http://127.0.0.1:1")


def test_a_ledger_in_use_by_one_run_is_refused_to_another_until_closed(ledger_target: Path | str) -> None:
    path = ledger_target
    server = "http://127.0.0.1:1"
    first = Ledger(path, server=server)
    first.done("client", "a", record_id=5, parent_id=None, fingerprint="f")
    with pytest.raises(LedgerError, match=r"is in use by another run of the plan"):
        Ledger(path, server=server)
    # another process is refused too (a second `leadexec provision` of the same plan)
    code = (
        "import sys\n"
        "from leadexec_async.provision import Ledger, LedgerError\n"
        "try:\n"
        f"    Ledger({str(path)!r}, server={server!r})\n"
        "except LedgerError as error:\n"
        "    sys.exit(str(error))\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert other.returncode == 1
    assert "in use by another run" in other.stderr
    # readers are never blocked by the run lock
    assert ledger_rows(path) == {("client", "a"): ("done", 5)}
    with Ledger(path) as reader:  # nor is the read-only opening (`leadexec ledger`)
        assert [r.id for r in reader.rows()] == [5]
    first.close()
    with Ledger(path, server=server) as again:  # released on close
        row = again.get("client", "a")
        assert row is not None
        assert row.id == 5


def test_a_second_run_while_one_holds_the_ledger_is_refused_and_sends_nothing(
    leadexec_emulator: Any,
    tmp_path: Path,
    ledger_target: Path | str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = tmp_path / "plan.yaml"
    write_plan(plan, 2)
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    monkeypatch.setenv("LEADEXEC_ACCESS_TOKEN", leadexec_emulator.token)
    command = ["provision", str(plan), "--base-url", leadexec_emulator.base_url, "--progress", "none"]
    command += ledger_args(ledger_target)
    with Ledger(ledger_target, server=Ledger.server_of(leadexec_emulator.base_url)):
        assert leadexec(command) == 2  # while a run holds the ledger
    assert "is in use by another run of the plan" in capsys.readouterr().err
    assert leadexec_emulator.state()["counters"]["requests"] == 0
    assert leadexec(command) == 0  # once it has ended


def test_the_command_and_library_import_without_the_cli_extra() -> None:
    # rich and yaml made unimportable, as on an install without the `cli` extra
    code = (
        "import sys\n"
        "sys.modules['rich'] = sys.modules['yaml'] = None\n"
        "import leadexec_async.provision._cli, leadexec_async.provision, leadexec_async.bulk\n"
        "from leadexec_async.cli import build_parser, main\n"
        "args = build_parser().parse_args(['provision', 'plan.yaml', '--dry-run'])\n"
        "assert args.dry_run\n"
        "assert main(['provision', 'plan.yaml', '--dry-run']) == 2\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "leadexec provision needs the 'cli' extra" in result.stderr
    assert "Traceback" not in result.stderr


def test_adopt_records_a_found_id_as_done_keeping_what_an_unknown_create_sent(
    ledger_target: Path | str,
) -> None:
    with Ledger(ledger_target, server="http://127.0.0.1:1") as ledger:
        with pytest.raises(
            LedgerError, match="its client 'acme' has no id in the ledger; adopt the client first"
        ):
            ledger.adopt("acme/post", "delivery_method", 21)
        ledger.intend_create("client", "acme", parent_id=None, fingerprint="f")
        ledger.unknown("client", "acme", parent_id=None, fingerprint="f", error="dropped")
        ledger.adopt("acme", "client", 11)  # resolves an unknown create
        ledger.adopt("acme/post", "delivery_method", 21)
        ledger.adopt("acme/main", "delivery_account", 31)
        ledger.adopt("acme", "client", 11)  # again: nothing changes
        with pytest.raises(LedgerError, match="has it in place as id 11, not 12"):
            ledger.adopt("acme", "client", 12)
        with pytest.raises(
            LedgerError, match="kind must be one of client, delivery_method, delivery_account"
        ):
            ledger.adopt("acme", "clients", 11)
        for bad in (0, -3, True, "11"):
            with pytest.raises(LedgerError, match="the id must be a positive integer"):
                ledger.adopt("beta", "client", bad)  # type: ignore[arg-type]
    with Ledger(ledger_target) as ledger:  # read-only, as a new process sees it
        rows = {(r.kind, r.key): r for r in ledger.rows()}
    assert set(rows) == {
        ("client", "acme"),
        ("delivery_method", "acme/post"),
        ("delivery_account", "acme/main"),
    }
    client = rows[("client", "acme")]
    assert (client.state, client.id, client.parent_id, client.error) == ("done", 11, None, None)
    # the fingerprint of the create that went unknown is kept: an unchanged plan sends nothing
    assert (client.fingerprint, client.applied, client.applied_at) == ("f", None, None)
    method = rows[("delivery_method", "acme/post")]
    assert method.parent_id == 11  # tied to its client's id
    assert method.fingerprint is None  # never seen by the ledger: the next run updates it once
    assert rows[("delivery_account", "acme/main")].parent_id == 11


def test_adopt_under_a_client_id_that_changed_keeps_what_was_last_applied(ledger_target: Path | str) -> None:
    with Ledger(ledger_target, server="http://127.0.0.1:1") as ledger:
        ledger.done("client", "acme", record_id=11, parent_id=None, fingerprint="fc")
        ledger.intend_create("delivery_method", "acme/post", parent_id=11, fingerprint="fm")
        ledger.unknown("delivery_method", "acme/post", parent_id=11, fingerprint="fm", error="dropped")
        ledger.adopt("acme/post", "delivery_method", 21)
        row = ledger.get("delivery_method", "acme/post")
        assert row is not None
        assert (row.state, row.id, row.parent_id, row.fingerprint, row.error) == ("done", 21, 11, "fm", None)
        ledger.done(
            "delivery_account",
            "acme/main",
            record_id=31,
            parent_id=11,
            fingerprint="fa",
            applied={"description": "Main"},
        )
        ledger.restore("client", "acme", None)
        ledger.adopt("acme", "client", 12)  # the client turned out to be another record
        ledger.adopt("acme/main", "delivery_account", 31)
        account = ledger.get("delivery_account", "acme/main")
        assert account is not None
        assert (account.id, account.parent_id, account.fingerprint) == (31, 12, "fa")
        assert account.applied == {"description": "Main"}  # a diff still has the old values


def test_a_read_only_ledger_refuses_writes_and_creates_nothing(ledger_target: Path | str) -> None:
    with pytest.raises(LedgerError, match="no ledger there"):
        Ledger(ledger_target)
    if isinstance(ledger_target, Path):
        assert not ledger_target.exists()
    Ledger(ledger_target, server="http://127.0.0.1:1").close()
    with Ledger(ledger_target) as reader:
        assert list(reader.rows()) == []
        with pytest.raises(LedgerError, match="opened to be read only"):
            reader.done("client", "a", record_id=1, parent_id=None, fingerprint="f")
    assert ledger_rows(ledger_target) == {}


def test_a_ledger_of_the_first_schema_is_read_and_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "plan.ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE records (
            kind TEXT NOT NULL, key TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('intended', 'done', 'unknown')),
            id INTEGER, parent_id INTEGER, fingerprint TEXT, error TEXT, updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        INSERT INTO meta VALUES ('schema', '1'), ('server', 'http://127.0.0.1:1');
        INSERT INTO records VALUES
            ('client', 'a', 'done', 5, NULL, 'f', NULL, '2026-01-02T03:04:05.000+00:00'),
            ('client', 'b', 'intended', NULL, NULL, 'f', NULL, '2026-01-02T03:04:06.000+00:00');
        """
    )
    db.close()
    with Ledger(path) as reader:  # read as it is, not changed
        a = reader.get("client", "a")
        assert a is not None
        assert (a.id, a.applied, a.applied_at) == (5, None, None)
    with Ledger(path, server="http://127.0.0.1:1") as ledger:  # a run brings it up to date
        a = ledger.get("client", "a")
        b = ledger.get("client", "b")
        assert a is not None
        assert b is not None
        assert (a.state, a.id, a.fingerprint) == ("done", 5, "f")
        assert a.applied is None  # what was applied then was not kept
        assert a.applied_at == "2026-01-02T03:04:05.000+00:00"
        assert b.applied_at is None
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() == ("2",)
    db.close()


@pytest.mark.anyio
async def test_records_adopted_into_a_new_ledger_are_updated_never_created_again(
    leadexec_emulator: Any,
    tmp_path: Path,
    ledger_target: Path | str,
    monkeypatch: pytest.MonkeyPatch,
    anyio_backend: str,
) -> None:
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    plan_path = tmp_path / "plan.yaml"
    total = write_plan(plan_path, 2)
    plan = load_plan(plan_path)
    server = Ledger.server_of(leadexec_emulator.base_url)
    async with lx.LeadExecClient(
        access_token=leadexec_emulator.token, base_url=leadexec_emulator.base_url
    ) as le:
        with Ledger(tmp_path / "lost.sqlite", server=server) as lost:  # a ledger that is then lost
            assert (await Runner(plan, lost).run(le)).counts["created"] == total
            found = {(r.kind, r.key): r.id for r in lost.rows()}
        with Ledger(ledger_target, server=server) as ledger:  # ids found on the server, adopted
            for (kind, key), record_id in found.items():
                assert record_id is not None
                ledger.adopt(key, kind, record_id)
            again = await Runner(plan, ledger).run(le)
    assert again.counts["created"] == 0
    assert again.counts["updated"] == total  # nothing was known to be applied: each is sent once
    assert audit(leadexec_emulator.state(), ledger_target, 2).in_place == total  # and none twice


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:s3cr%zzet-XY@h/db",  # an unreadable escape, inside the password
        "postgresql://u:s3cret-XY@h/db?foo=bar",  # an unknown parameter
        "postgresql://u:s3cret-XY@127.0.0.1:1/db",  # nothing listening
        "postgres://u@127.0.0.1:1/db?password=s3cret-XY&connect_timeout=3",
        "postgresql://u:s3cret%2DXY@127.0.0.1:1/db",  # the password escaped in the URL
    ],
)
def test_a_postgresql_url_is_never_shown_with_its_password(url: str) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (the 'postgres' extra)")
    with pytest.raises(LedgerError) as caught:
        Ledger(url, server="http://127.0.0.1:1")
    message = str(caught.value)
    assert message.startswith(("postgresql://u@", "postgres://u@"))
    for form in ("s3cr", "XY"):
        assert form not in message
        assert form not in repr(caught.value)
    assert caught.value.__context__ is None  # the driver's exception is not carried along
    assert caught.value.__cause__ is None
