"""`dlcheck serve`: binding, starting and stopping the web application under uvicorn.

The port is taken first, so a port in use fails fast, before any graph is loaded; then the
workers load the graph; then uvicorn serves the bound socket until told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from kg.errors import DlcheckError
from web.endpoint import Limits
from web.http import printable, protocol_for
from web.workers import QueryPool

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8790


class _Uvicorn(uvicorn.Server):
    """uvicorn without its own signal handling: `serve` below decides how dlcheck stops
    (uvicorn's would raise the signal again after the shutdown, and exit with it)."""

    def capture_signals(self):
        return contextlib.nullcontext()


class DlcheckServer:
    """The bound socket, the worker pool and the application; serve_forever() and close()."""

    def __init__(self, sock: socket.socket, pool: QueryPool, limits: Limits, quiet: bool):
        from web.app import make_app
        from web.pages import Site

        self.socket = sock
        self.pool = pool
        self.limits = limits
        self.quiet = quiet
        self.waiting = 0  # connections still sending their request head (web/http.py)
        self.site = Site(self)
        self.app = make_app(self, self.site.routes())
        config = uvicorn.Config(
            self.app,
            http=protocol_for(self),
            ws="none",
            lifespan="off",
            loop="asyncio",
            log_config=None,
            access_log=False,
            server_header=False,
            headers=[("Server", "dlcheck")],
            timeout_keep_alive=max(1, int(limits.client_timeout)),
            timeout_graceful_shutdown=int(limits.timeout) + 1,
            h11_max_incomplete_event_size=limits.max_head,
            backlog=1024,
        )
        self._uvicorn = _Uvicorn(config)
        self._stopped = threading.Event()

    @property
    def server_address(self) -> tuple[str, int]:
        return self.socket.getsockname()[:2]

    @property
    def base_url(self) -> str:
        host, port = self.server_address
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL."""
        return f"{self.base_url}/sparql"

    def log(self, client: str, request_line: str, status: int) -> None:
        if not self.quiet:  # the request line is the client's text
            sys.stderr.write(f'{client} - "{printable(request_line)}" {status}\n')

    def serve_forever(self, poll_interval: float | None = None) -> None:
        """Serve in this thread until shutdown() (poll_interval: uvicorn's own, 0.1 s)."""
        try:
            asyncio.run(self._serve())
        finally:
            self._stopped.set()

    async def _serve(self) -> None:
        # The browse catalogue is fetched while the first client is still on its way, so
        # the first page does not wait for it (a worker reads it from the cache, or builds
        # it once per graph: one to two seconds).
        warming = asyncio.create_task(self.site.warm())
        await self._uvicorn.serve(sockets=[self.socket])
        if not warming.done():
            warming.cancel()

    def shutdown(self) -> None:
        """Stop accepting and let the requests in progress finish; returns when serving ends."""
        self._uvicorn.should_exit = True
        self._stopped.wait(self.limits.timeout + 5)

    def close(self) -> None:
        """Stop the workers and release the port."""
        self.socket.close()
        self.pool.close()


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def make_server(
    graph_files: Sequence[Path] | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    limits: Limits | None = None,
    quiet: bool = True,
    start_wait: float = 120.0,
) -> DlcheckServer:
    """A bound server with its workers ready (each within `start_wait` seconds); call
    serve_forever() and close()."""
    _quiet_uvicorn()
    limits = limits or Limits()
    sock = _bind(host, port)
    pool = QueryPool(graph_files, workers or default_workers(), limits)
    try:
        pool.start(start_wait)
        return DlcheckServer(sock, pool, limits, quiet)
    except BaseException:
        sock.close()
        pool.close()
        raise


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise DlcheckError(_bind_error(host, port, exc)) from None
    sock.set_inheritable(False)
    return sock


def _bind_error(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"cannot listen on {where}: the port is already in use; choose another --port"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"cannot listen on {where}: permission denied; choose a port above 1023"
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"cannot listen on {where}: no such address on this machine"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def _quiet_uvicorn() -> None:
    """dlcheck writes its own log; uvicorn's lines would reach stderr through logging's
    last-resort handler, unescaped."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False


def serve(server: DlcheckServer, announce: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly: finish requests, stop the workers."""

    def stop(signum, frame) -> None:
        server._uvicorn.should_exit = True

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, stop)
    try:
        if announce is not None:
            announce(server.url)
        server.serve_forever()
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
