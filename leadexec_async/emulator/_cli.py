"""``leadexec emulator``: argument parsing only. Nothing heavy is imported until it runs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import _constants as C

__all__ = ["add_parser", "run"]

_EPILOG = f"""\
With neither --client-id nor --token, the token endpoint accepts the public
default credentials {C.EMULATOR_CLIENT_ID!r} / {C.EMULATOR_CLIENT_SECRET!r}.
Inspection: GET /_emulator/state, POST /_emulator/reset,
POST /_emulator/faults {{"kind": "drop-after", "operation": "upsert_client", "times": 1}}.

exit status: 0 when stopped by Ctrl-C or SIGTERM, 2 for bad options or an
unusable --db file, 3 when it cannot listen on --host/--port.
"""
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``emulator`` subcommand to the ``leadexec`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "emulator",
        help="run a local emulator of the LeadExec Account API",
        description="Run a local, stateful emulator of the LeadExec Account API "
        "(needs the 'emulator' extra).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host", default=C.EMULATOR_HOST, help=f"address to listen on (default {C.EMULATOR_HOST})"
    )
    parser.add_argument("--port", type=int, default=C.EMULATOR_PORT, help=f"port (default {C.EMULATOR_PORT})")
    parser.add_argument("--db", metavar="PATH", help="keep records in this SQLite file (default: memory)")
    parser.add_argument("--client-id", help="client id the token endpoint accepts")
    parser.add_argument("--client-secret", help="client secret the token endpoint accepts")
    parser.add_argument("--token", help="also accept this static bearer token")
    parser.add_argument(
        "--token-ttl",
        type=float,
        default=C.EMULATOR_TOKEN_TTL,
        help=f"seconds a token lasts (default {C.EMULATOR_TOKEN_TTL:g})",
    )
    parser.add_argument("--rate-limit", type=float, metavar="N", help="requests per second per token")
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help='e.g. "429:0.05,503:0.05,500:0.02,drop-before:0.02,drop-after:0.01,latency:0.01-0.2"',
    )
    parser.add_argument("--seed", type=int, help="seed of the fault sequence")
    parser.add_argument(
        "--log-level",
        default=C.EMULATOR_LOG_LEVEL,
        choices=_LOG_LEVELS,
        help=f"uvicorn log level (default {C.EMULATOR_LOG_LEVEL})",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; return the exit status."""
    try:
        from ._app import Emulator
        from ._config import EmulatorConfig
        from ._server import serve_forever
    except ModuleNotFoundError as exc:
        print(
            f"leadexec emulator needs the 'emulator' extra ({exc.name} is missing): "
            "pip install 'leadexec-async[emulator]'",
            file=sys.stderr,
        )
        return 2
    try:
        config = EmulatorConfig(
            client_id=args.client_id,
            client_secret=args.client_secret,
            token=args.token,
            token_ttl=args.token_ttl,
            rate_limit=args.rate_limit,
            faults=args.faults,
            seed=args.seed,
            db=args.db,
        )
        app = Emulator(config)  # opens --db
    except ValueError as exc:
        print(f"leadexec emulator: {exc}", file=sys.stderr)
        return 2
    accepts = [f"client id {config.client_id!r}"] if config.client_id else []
    accepts += ["a static token"] if config.token else []
    print(
        f"LeadExec emulator on http://{args.host}:{args.port}, accepting {' and '.join(accepts)}; "
        "state at /_emulator/state",
        file=sys.stderr,
    )
    serve_forever(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0
