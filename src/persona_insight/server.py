"""Serving HTTP: one process or several on one port, stopping gracefully.

The socket is bound here (not by uvicorn) so that accepted connections inherit TCP keep-alive
settings: a peer that vanished without a FIN (a laptop lid closed, a NAT dropping state) is
detected by the kernel within about a minute and its stream reclaimed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
import signal
import socket
import sys
import threading
from types import FrameType

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from persona_insight.config import Settings

KEEPALIVE_IDLE_S = 20
KEEPALIVE_INTERVAL_S = 10
KEEPALIVE_PROBES = 4
# Unacknowledged data older than this kills the connection: keep-alive probes are not sent while
# data is in flight, so without it a vanished peer behind a stream of writes would linger for
# the kernel's retransmission limit (~15 minutes).
USER_TIMEOUT_MS = 40_000


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if hasattr(socket, "TCP_KEEPIDLE"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_IDLE_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, KEEPALIVE_PROBES)
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, USER_TIMEOUT_MS)
    sock.bind((host, port))
    sock.listen(4096)
    sock.set_inheritable(True)
    return sock


class GracefulServer(uvicorn.Server):
    """Tells open event streams to close (with a jittered `retry:`) the moment a stop is asked."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        # What exists once the application has started (modules, the app, pools, the hub)
        # lives as long as the process: out of the cyclic collector's way, a full collection
        # walks only what requests and streams allocate (measured: one full collection of a
        # server holding 10,000 streams paused it for ~190 ms before, see bench/sse.py).
        gc.collect()
        gc.freeze()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Unwrap uvicorn's middleware down to our Root (not imported here: a signal may arrive
        # while the application is still being imported).
        app = getattr(self.config, "loaded_app", None)
        while app is not None and not hasattr(app, "begin_shutdown"):
            app = getattr(app, "app", None)
        if app is not None:
            app.begin_shutdown()
        super().handle_exit(sig, frame)


class _HeaderDeadline(HttpToolsProtocol):
    """httptools with a deadline for each request's headers.

    uvicorn waits for ever for a connection's first request and for the rest of a request's
    headers; a client that sends a byte now and then holds a socket (and a slot of the
    descriptor limit) indefinitely. The clock starts when the connection opens or a request
    begins, and stops when the headers are complete; the body's pace is the BodyGate's
    (limits.py). Idle keep-alive connections keep uvicorn's own timeout.
    """

    header_timeout_s: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        self._disarm_header_timer()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def protocol_class(settings: Settings) -> type[HttpToolsProtocol]:
    return type(
        "HeaderDeadlineProtocol",
        (_HeaderDeadline,),
        {"header_timeout_s": settings.header_timeout_s},
    )


def _config(settings: Settings, app: object) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        factory=isinstance(app, str),
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.sse_shutdown_s) + 3,
        timeout_keep_alive=30,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        backlog=4096,
        loop="uvloop",
        http=protocol_class(settings),
    )


def serve(settings: Settings, *, workers: int = 1) -> None:
    raise_file_limit()
    several = workers > 1 and hasattr(socket, "SO_REUSEPORT")
    sock = bind(settings.host, settings.port, reuse_port=several)
    if workers <= 1:
        from persona_insight.app import create_app

        # uvicorn re-raises the SIGTERM it handled once it has shut down; met by the default
        # action, that would kill the process before its exit hooks run (the embedded
        # PostgreSQL is stopped by one). Exiting normally instead lets them run.
        signal.signal(signal.SIGTERM, _exit_normally)
        GracefulServer(_config(settings, create_app(settings))).run(sockets=[sock])
        return
    # A socket per process on the same port (SO_REUSEPORT): the kernel spreads new connections
    # evenly over them. One shared socket lets whichever process wakes first accept a whole
    # burst of connections, and keep-alive clients then stay on it: measured in
    # bench/pipeline.py, two processes on one socket served no more than one.
    port = sock.getsockname()[1]
    sockets = [sock] + [
        bind(settings.host, port, reuse_port=True) for _ in range(workers - 1) if several
    ]
    supervise(_config(settings, "persona_insight.app:create_app"), sockets, workers)


def _exit_normally(sig: int, frame: FrameType | None) -> None:
    sys.exit(0)


def _run_child(config: uvicorn.Config, sockets: list[socket.socket]) -> None:
    GracefulServer(config).run(sockets=sockets)


def supervise(config: uvicorn.Config, sockets: list[socket.socket], workers: int) -> None:
    """Run `workers` server processes; restart any that dies; stop on a signal. With one socket
    per process, process i accepts on socket i (a replacement takes over its predecessor's, and
    the connections waiting in it); with a single socket, all share it.

    Each child is a full process (its own hub, LISTEN connection and job worker); events reach
    every child's subscribers through PostgreSQL NOTIFY. Children are forked after the
    application's modules are imported, so they start in a fraction of a second (importing takes
    seconds); nothing that forking would break (threads, open connections, an event loop) exists
    in the parent at that point.
    """
    import multiprocessing

    import persona_insight.app  # noqa: F401 - imported once, inherited by every child

    log = logging.getLogger(__name__)
    stop = threading.Event()

    def on_signal(sig: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    context = multiprocessing.get_context("fork")

    def start(index: int) -> multiprocessing.process.BaseProcess:
        own = [sockets[index % len(sockets)]]
        process = context.Process(target=_run_child, args=(config, own), daemon=False)
        process.start()
        return process

    processes = [start(index) for index in range(workers)]
    while not stop.wait(0.5):
        for index, process in enumerate(processes):
            if not process.is_alive():
                log.warning("server process %s exited; starting another", process.pid)
                processes[index] = start(index)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=30)
