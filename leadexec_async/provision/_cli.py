"""``leadexec provision``: argument parsing here; rich and pyyaml are imported only when it runs."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .. import _constants as C

__all__ = ["add_parser", "run"]

EXIT_OK = 0  # every record is in place (or, with --dry-run, the plan is valid)
EXIT_NOT_IN_PLACE = 1  # some record failed, is unknown or was skipped; or the report could not be written
EXIT_BAD_INPUT = 2  # bad plan, arguments, ledger or credentials, or a systemic failure halted the run
EXIT_STOPPED = 130  # stopped by Ctrl-C or SIGTERM

_EPILOG = """\
credentials come from the environment: LEADEXEC_ACCESS_TOKEN, or
LEADEXEC_CLIENT_ID and LEADEXEC_CLIENT_SECRET; LEADEXEC_BASE_URL unless --base-url.

exit status: 0 when every record is in place (--dry-run: the plan is valid),
1 when some record is not (or --report could not be written), 2 when nothing
was sent (bad plan, arguments, credentials or ledger, or the ledger is in use
by another run) or when a failure every request would meet halted the run
after at most --concurrency requests (credentials refused: 401 after renewing
the token, or 403; server unreachable: connection refused, DNS, TLS), 130 when
stopped by Ctrl-C or SIGTERM.
"""


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``provision`` subcommand to the ``leadexec`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "provision",
        help="create or update the clients, delivery methods and accounts of a plan",
        description="Apply a YAML or JSON plan of clients, delivery methods and delivery accounts: "
        "concurrently, resumably, never creating a record twice.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("plan", metavar="PLAN", help="the plan file (.yaml, .yml or .json)")
    parser.add_argument(
        "--base-url", metavar="URL", help="API address (default: $LEADEXEC_BASE_URL or production)"
    )
    parser.add_argument(
        "--ledger",
        metavar="PATH|URL",
        help=f"ledger: a SQLite file (default: next to the plan, PLAN{C.LEDGER_SUFFIX}) or a "
        "postgresql://user@host/db URL (the 'postgres' extra; password best in PGPASSWORD)",
    )
    parser.add_argument(
        "--concurrency",
        type=_positive_int,
        default=C.DEFAULT_BULK_CONCURRENCY,
        metavar="N",
        help=f"requests in flight at once (default {C.DEFAULT_BULK_CONCURRENCY})",
    )
    parser.add_argument(
        "--rate-limit", type=_positive_float, metavar="R", help="at most R requests per second"
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would be done; send nothing")
    parser.add_argument(
        "--retry-unknown",
        action="store_true",
        help="send again the creates whose outcome is unknown (may duplicate them if they were applied)",
    )
    parser.add_argument(
        "--resolve-unknown-clients",
        action="store_true",
        help="send again the creates of clients whose outcome is unknown, relying on the rule that a new "
        "client's Username is unique: 409 means it exists (adopt its id), 2xx means it is now created",
    )
    parser.add_argument(
        "--adopt",
        action="append",
        default=[],
        metavar="KEY=ID",
        help="the record KEY (client, client/method or client/account, as the report prints it) exists "
        "on the server as ID: record it in the ledger, send no create for it (repeatable)",
    )
    parser.add_argument("--report", metavar="FILE.json", help="write the summary and every record's outcome")
    parser.add_argument(
        "--progress",
        choices=("auto", "bar", "lines", "none"),
        default="auto",
        help="progress output: a bar on a terminal, lines otherwise (default auto)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``leadexec provision``; return the exit status."""
    try:
        from ._output import Output
    except ModuleNotFoundError as error:
        print(
            f"leadexec provision needs the 'cli' extra ({error.name} is missing): "
            "pip install 'leadexec-async[cli]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    out = Output(args.progress)
    try:
        return _run(args, out)
    except KeyboardInterrupt:  # before the run began listening for signals, or after it ended
        out.error("interrupted; creates that were in flight, if any, are unknown to the next run")
        return EXIT_STOPPED


def _run(args: argparse.Namespace, out: Any) -> int:
    import json
    from pathlib import Path

    import anyio

    from .._constants import DEFAULT_BASE_URL, ENV_BASE_URL
    from .ledger import Ledger, LedgerError, default_ledger_path, is_ledger_url
    from .plan import PlanError, load_plan
    from .runner import Runner, RunSummary

    try:
        plan = load_plan(args.plan)
    except ModuleNotFoundError as error:
        out.error(
            f"reading a YAML plan needs the 'cli' extra ({error.name} is missing): "
            "pip install 'leadexec-async[cli]'"
        )
        return EXIT_BAD_INPUT
    except PlanError as error:
        out.error(str(error))
        return EXIT_BAD_INPUT

    report_path = Path(args.report) if args.report else None
    if report_path is not None and not report_path.parent.is_dir():
        out.error(f"--report {report_path}: the folder {report_path.parent} does not exist")
        return EXIT_BAD_INPUT
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    ledger_path: Path | str = Path(args.ledger) if args.ledger else default_ledger_path(args.plan)
    if is_ledger_url(args.ledger):
        ledger_path = args.ledger  # PostgreSQL; shown by the ledger without its password
    try:
        server = Ledger.server_of(base_url)
    except Exception as error:  # httpx.InvalidURL and friends
        out.error(f"--base-url: not a usable URL: {error}")
        return EXIT_BAD_INPUT
    from ._adopt import AdoptError, adopt, parse_adoptions

    try:
        adoptions = parse_adoptions(args.adopt, plan)
    except AdoptError as error:
        out.error(str(error))
        return EXIT_BAD_INPUT
    if adoptions and args.dry_run:
        out.error("--adopt writes the ledger and --dry-run writes nothing: adopt in a run of its own")
        return EXIT_BAD_INPUT
    if args.dry_run and isinstance(ledger_path, Path) and not ledger_path.exists():
        ledger_path = Path(":memory:")  # nothing applied yet, and a dry run writes no file
    try:
        ledger = Ledger(ledger_path, server=server)
    except LedgerError as error:
        out.error(str(error))
        return EXIT_BAD_INPUT

    with ledger:
        try:
            adopted = adopt(adoptions, ledger)
        except (AdoptError, LedgerError) as error:  # nothing was sent
            out.error(str(error))
            return EXIT_BAD_INPUT
        for line in adopted:
            out.note(line)
        runner = Runner(
            plan,
            ledger,
            retry_unknown=args.retry_unknown,
            resolve_unknown_clients=args.resolve_unknown_clients,
            concurrency=args.concurrency,
            on_result=out.record,
        )
        if args.dry_run:
            summary: RunSummary = runner.preview()
            out.dry_run(summary)
        else:
            out.start(plan, base_url, ledger)
            outcome = anyio.run(_apply, runner, args, base_url, out)
            if outcome is _STOPPED_AT_ONCE:
                out.error(
                    "stopped at once (second interrupt); creates that were in flight are unknown "
                    "to the next run"
                )
                return EXIT_STOPPED
            if isinstance(outcome, _LedgerFailed):
                out.error(
                    f"the ledger failed during the run, which was stopped: {outcome}; creates that were "
                    "in flight are unknown to the next run"
                )
                return EXIT_NOT_IN_PLACE
            if isinstance(outcome, str):
                out.error(outcome)
                return EXIT_BAD_INPUT
            summary = outcome
            out.finish(summary)
            if summary.halted is not None:
                out.error(halt_message(summary.halted, base_url, args.base_url is not None))
    if report_path is not None:
        report = summary.as_json()
        report["summary"]["plan"] = str(args.plan)
        try:
            report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        except OSError as error:  # the ledger holds the outcome anyway; the summary was printed
            out.error(f"--report {report_path}: cannot write it: {error.strerror or error}")
            return EXIT_NOT_IN_PLACE
    if args.dry_run:
        return EXIT_OK
    if summary.halted is not None:
        return EXIT_BAD_INPUT
    if summary.stopped:
        return EXIT_STOPPED
    return EXIT_OK if summary.all_in_place else EXIT_NOT_IN_PLACE


_STOPPED_AT_ONCE = object()


def halt_message(error: Exception, base_url: str, from_option: bool) -> str:
    """What to tell the user when a systemic ``error`` halted the run: the cause and where to look."""
    import leadexec_async as lx

    from .._constants import ENV_ACCESS_TOKEN, ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET

    if os.environ.get(ENV_ACCESS_TOKEN):
        credentials = f"the token in {ENV_ACCESS_TOKEN}"
    else:
        credentials = f"{ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}"
    where = (
        "--base-url"
        if from_option
        else (f"{ENV_BASE_URL}" if os.environ.get(ENV_BASE_URL) else "the default URL")
    )
    if isinstance(error, lx.AuthenticationError):
        cause = (
            f"the server refused the credentials (401, also after renewing the token): check {credentials}, "
            f"and that {where} ({base_url}) is the server they belong to"
        )
    elif isinstance(error, lx.PermissionDeniedError):
        cause = (
            f"the server refused access (403): the account behind {credentials} may not change these "
            f"records on {base_url}"
        )
    else:
        cause = (
            f"cannot reach {base_url} (connection refused, unknown host name, or TLS failure): "
            f"check {where}, the network, and the server's certificate"
        )
    return (
        f"stopped: {cause}. Nothing new was sent after the first such failure. ({error}) "
        "The ledger holds what was applied; run again once this is fixed."
    )


async def _apply(runner: Any, args: argparse.Namespace, base_url: str, out: Any) -> Any:
    """Run the plan with a client, stopping gracefully on the first SIGINT or SIGTERM.

    Returns the run's summary, an error message (str), or ``_STOPPED_AT_ONCE``
    when a second signal cancelled the requests in flight (their creates stay
    ``intended`` in the ledger: unknown to the next run).
    """
    import signal

    import anyio

    import leadexec_async as lx

    try:
        client = lx.LeadExecClient(
            base_url=base_url, max_concurrency=args.concurrency, rate_limit=args.rate_limit
        )
    except (lx.LeadExecError, ValueError) as error:
        return f"cannot make a client: {error}"

    stop = anyio.Event()
    summary: Any = _STOPPED_AT_ONCE
    async with client as le, anyio.create_task_group() as tg:

        async def on_signals() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for signum in signals:
                    if stop.is_set():
                        tg.cancel_scope.cancel()  # the run too: `summary` stays _STOPPED_AT_ONCE
                        return
                    out.stopping(signal.Signals(signum).name, C.STOP_GRACE_SECONDS)
                    stop.set()

        tg.start_soon(on_signals)
        try:
            summary = await runner.run(le, stop=stop)
        except Exception as error:  # the ledger failed (a lost database connection): stop, and say so
            summary = _LedgerFailed.of(error)
        tg.cancel_scope.cancel()
    return summary


class _LedgerFailed(str):
    """The message of a ledger that failed during a run (the run was stopped)."""

    @classmethod
    def of(cls, error: BaseException) -> _LedgerFailed:
        """The LedgerError inside ``error`` (an exception group, as task groups raise), or re-raise it."""
        from .ledger import LedgerError

        found: list[BaseException] = [error]
        while found:
            e = found.pop()
            if isinstance(e, LedgerError):
                return cls(str(e))
            if isinstance(e, BaseExceptionGroup):
                found.extend(e.exceptions)
        raise error
