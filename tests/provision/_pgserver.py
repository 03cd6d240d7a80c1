"""A real PostgreSQL server for the ledger tests, started in a temporary folder and stopped at the end.

Uses the server binaries of the machine (``initdb``, ``pg_ctl``): on PATH, in
``pg_config --bindir``, or under ``/usr/lib/postgresql/*/bin``. PostgreSQL
refuses to run as root, so when the tests run as root the cluster is made and
run by the unprivileged user ``nobody`` (its folder is given to that user).
The server listens on 127.0.0.1 only, on a free port, with password
authentication, so the tests use URLs that carry a password as users do.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

USER = "leadexec"
PASSWORD = "pg-secret-Zq9!x@y:w%2F"  # characters that need escaping in a URL, to test the redaction
PASSWORD_QUOTED = quote(PASSWORD, safe="")
_START_TRIES = 5
_TIMEOUT = 60


def find_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None when this machine has no PostgreSQL server."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            )
            candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (
            (folder / "initdb").is_file()
            and (folder / "pg_ctl").is_file()
            and (folder / "postgres").is_file()
        ):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running cluster: ``url(dbname)`` gives a connection URL with the password in it."""

    bindir: Path
    root: Path
    port: int
    run_as: dict[str, Any]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres", **params: str) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"postgresql://{USER}:{PASSWORD_QUOTED}@127.0.0.1:{self.port}/{dbname}{query}"

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=check,
            timeout=_TIMEOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.root,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "LANG": "C", "TZ": "UTC"},
            **self.run_as,
        )

    def stop(self) -> None:
        self._pg("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", check=False)


def _unprivileged_user() -> pwd.struct_passwd:
    """The user that runs the server when the tests run as root (PostgreSQL refuses root)."""
    for name in ("nobody", "postgres"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root, and there is no user 'nobody' or 'postgres' to run PostgreSQL as")


def _reachable_by_all(folder: Path) -> bool:
    """True when every folder down to ``folder`` lets other users through (so the server's user can)."""
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [folder, *folder.parents])


def start(bindir: Path) -> PostgresServer:
    """Make a cluster in a new temporary folder and start it; raise RuntimeError naming the cause."""
    run_as: dict[str, Any] = {}
    base: str | None = None
    if os.geteuid() == 0:
        user = _unprivileged_user()
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        if not _reachable_by_all(Path(tempfile.gettempdir())):
            base = "/tmp"  # $TMPDIR is closed to the server's user; /tmp is not
    root = Path(tempfile.mkdtemp(prefix="leadexec-pg-", dir=base))
    if run_as:
        os.chown(root, run_as["user"], run_as["group"])
    server = PostgresServer(bindir, root, 0, run_as)
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if run_as:
        os.chown(pwfile, run_as["user"], run_as["group"])
    made = server._pg(
        "initdb", "-D", str(server.data), "-U", USER, "--pwfile", str(pwfile), "--auth", "scram-sha-256",
        "--encoding", "UTF8", "--no-locale", "--no-sync", check=False,
    )  # fmt: skip
    pwfile.unlink()
    if made.returncode != 0:
        raise RuntimeError(f"initdb failed: {made.stderr.strip() or made.stdout.strip()}")
    for _ in range(_START_TRIES):  # another process may take the free port first
        server.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root} -c fsync=off "
            "-c shared_buffers=16MB -c max_connections=60"
        )
        log = str(root / "log")
        started = server._pg(
            "pg_ctl", "start", "-D", str(server.data), "-l", log, "-w", "-t", "60", "-o", options, check=False
        )  # fmt: skip
        if started.returncode == 0:
            return server
    text = (root / "log").read_text(errors="replace")[-2000:] if (root / "log").exists() else ""
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"the PostgreSQL server did not start: {started.stderr.strip()} {text}")


_schemas = itertools.count()


def new_ledger_url(server: PostgresServer) -> str:
    """The URL of a new, empty ledger: a schema of its own, named by ``search_path`` in the URL."""
    import psycopg

    schema = f"ledger_{next(_schemas)}"
    with psycopg.connect(server.url(), autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    return server.url(options=f"-csearch_path={schema}")


def terminate_runs(server: PostgresServer) -> int:
    """End the sessions of every ``leadexec provision`` run, as a lost connection would; return how many."""
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'leadexec-provision'"
        ).fetchall()
    return sum(1 for (ended,) in rows if ended)


def remove(server: PostgresServer) -> None:
    """Stop the server and delete its folder."""
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
