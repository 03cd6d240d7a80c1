"""Serving the emulator with uvicorn: in the foreground (the command) or in a background thread.

uvicorn picks httptools when it is installed (the emulator extra installs it: about
100 µs less CPU per request than h11), h11 otherwise.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from .. import _constants as C
from ._app import Emulator
from ._config import EmulatorConfig
from ._guard import guarded_httptools

__all__ = ["EmulatorServer", "run_emulator", "serve_forever"]


def _http_protocol(http: str, stall: float) -> type[asyncio.Protocol] | str:
    """uvicorn's HTTP protocol for ``http``: httptools with the emulator's guard when it is
    installed (``"auto"``, ``"httptools"``), else h11 (bounded by its own head limit)."""
    if http == "h11":
        return "h11"
    try:
        import httptools  # noqa: F401
    except ModuleNotFoundError:
        if http == "httptools":
            raise
        return "h11"
    return guarded_httptools(C.EMULATOR_MAX_HEAD, stall)


def _uvicorn_config(
    app: Emulator,
    host: str,
    port: int,
    log_level: str,
    http: str = "auto",
    stall: float = C.EMULATOR_STALL_TIMEOUT,
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=_http_protocol(http, stall),
        h11_max_incomplete_event_size=C.EMULATOR_MAX_HEAD,
        host=host,
        port=port,
        lifespan="off",
        log_level=log_level,
        access_log=False,
        server_header=False,
        date_header=False,
        timeout_keep_alive=C.EMULATOR_KEEP_ALIVE,
        backlog=C.EMULATOR_BACKLOG,
    )


class _Server(uvicorn.Server):
    """uvicorn's server, plus an event set once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class EmulatorServer:
    """An emulator served by uvicorn in a daemon thread, on a loopback port chosen by the system.

    Use as a context manager (or :meth:`start` / :meth:`stop`). ``base_url`` is where
    it answers; ``emulator`` is the app, whose :meth:`~Emulator.state`,
    :meth:`~Emulator.reset` and :meth:`~Emulator.schedule_fault` are re-exported here.
    ``client_id`` / ``client_secret`` / ``token`` are the credentials it accepts.
    ``http`` is uvicorn's HTTP implementation: ``"auto"`` (httptools when installed),
    ``"h11"`` or ``"httptools"``. ``stall_timeout`` is how many seconds a connection
    may stay silent before or inside a request before it is closed (httptools only; see
    :mod:`leadexec_async.emulator._guard`).
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        host: str = C.EMULATOR_HOST,
        port: int = 0,
        log_level: str = C.EMULATOR_BACKGROUND_LOG_LEVEL,
        http: str = "auto",
        stall_timeout: float = C.EMULATOR_STALL_TIMEOUT,
        **options: Any,
    ) -> None:
        if config is not None and options:
            raise TypeError("give either a config or keyword options, not both")
        self.config = config or EmulatorConfig(**options)
        self.emulator = Emulator(self.config)
        self._host = host
        self._port = port
        self._log_level = log_level
        self._http = http
        self._stall = stall_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://{self._host}:{self.port}"

    @property
    def client_id(self) -> str | None:
        """The client id the token endpoint accepts."""
        return self.config.client_id

    @property
    def client_secret(self) -> str | None:
        """The client secret the token endpoint accepts."""
        return self.config.client_secret

    @property
    def token(self) -> str | None:
        """The static bearer token, when one was configured."""
        return self.config.token

    def state(self) -> dict[str, Any]:
        """See :meth:`Emulator.state`."""
        return self.emulator.state()

    def reset(self) -> None:
        """See :meth:`Emulator.reset`."""
        self.emulator.reset()

    def schedule_fault(self, kind: str, *, operation: str | None = None, times: int = 1) -> None:
        """See :meth:`Emulator.schedule_fault`."""
        self.emulator.schedule_fault(kind, operation=operation, times=times)

    def start(self) -> EmulatorServer:
        """Bind the port, start serving in a thread, and return once it accepts connections."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
        # and without it a kept-alive connection waits ~40 ms per answer (Nagle + delayed ACK).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        sock.listen(C.EMULATOR_BACKLOG)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        server = _Server(
            _uvicorn_config(self.emulator, self._host, self.port, self._log_level, self._http, self._stall)
        )
        self._server = server

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # reported by start() or stop()
                self._failure = exc
            finally:
                sock.close()
                server.ready.set()

        self._thread = threading.Thread(target=serve, name=f"leadexec-emulator-{self.port}", daemon=True)
        self._thread.start()
        server.ready.wait(C.EMULATOR_START_TIMEOUT)
        if not server.started:
            self.stop()
            raise RuntimeError("the emulator did not start") from self._failure
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread; release the database."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(C.EMULATOR_START_TIMEOUT)
        self._server = None
        self._thread = None
        self.emulator.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def run_emulator(config: EmulatorConfig | None = None, **options: Any) -> Iterator[EmulatorServer]:
    """Run an emulator on a free loopback port for the duration of a ``with`` block.

    ``options`` are :class:`EmulatorConfig` fields (``faults=``, ``seed=``,
    ``rate_limit=``, ``db=``, ``clock=`` ...) plus ``host`` / ``port``.
    """
    with EmulatorServer(config, **options) as server:
        yield server


def serve_forever(app: Emulator, *, host: str, port: int, log_level: str = C.EMULATOR_LOG_LEVEL) -> None:
    """Serve ``app`` in the foreground until interrupted (the ``leadexec emulator`` command).

    uvicorn ends the process with status 3 when it cannot listen on ``host``:``port``.
    """
    try:
        uvicorn.Server(_uvicorn_config(app, host, port, log_level)).run()
    finally:
        app.close()
