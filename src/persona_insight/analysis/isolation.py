"""CPU-bound analysis in separate processes, so it never competes with the event loop.

A server process runs event streams, requests and job heartbeats on one event loop. The offline
engine is Python-heavy work under the GIL: in a thread it would hold the loop back (stream
latency, and heartbeats late enough to make a running job look stalled). Here it runs in a small
pool of long-lived processes (models load once in each) forked from a forkserver that has
imported the engine's modules but started no threads. A call that is cancelled — the job's hard
time limit — kills its process, so the time limit really stops the work; the pool replaces it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from persona_insight.analysis.engine import EngineError

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1
# The upload sandbox (ingest/sandbox.py) forks from the same forkserver; whichever starts it first
# decides what it has imported, so both lists name both.
PRELOAD = ["persona_insight.analysis.offline.engine", "persona_insight.ingest.untrusted"]


def _die_with_parent() -> None:
    """Linux: be killed when the forkserver goes (it goes when the server process dies), so no
    orphaned analysis outlives a crashed server."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _serve(conn: Connection) -> None:
    """A pool process: run each call it is sent, answer with the result or the error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    _die_with_parent()
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", fn(*args)))
        except EngineError as exc:
            conn.send(("engine_error", (exc.code, exc.message, exc.retryable, exc.retry_after)))
        except Exception as exc:
            conn.send(("crash", f"{type(exc).__name__}: {exc}"[:500]))


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class ProcessRunner:
    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._count = 0
        self._closed = False

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._idle.empty() and self._count < self.size:
                self._count += 1
                return _Worker(self._context)
        while True:
            worker = self._idle.get()
            if worker.alive:
                return worker
            self._discard(worker)
            with self._lock:
                if self._count < self.size:
                    self._count += 1
                    return _Worker(self._context)

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._count -= 1

    def _release(self, worker: _Worker) -> None:
        if worker.alive and not self._closed:
            self._idle.put(worker)
        else:
            self._discard(worker)

    def _run(
        self, fn: Callable[..., Any], args: tuple[Any, ...], holder: dict[str, _Worker]
    ) -> tuple[str, Any]:
        worker = self._acquire()
        holder["worker"] = worker
        try:
            worker.conn.send((fn, args))
            answer: tuple[str, Any] = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise EngineError(
                "analysis_crashed", "the analysis process ended unexpectedly", retryable=True
            ) from exc
        self._release(worker)
        return answer

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in a pool process; `fn` and its arguments must be picklable."""
        holder: dict[str, _Worker] = {}
        try:
            status, payload = await asyncio.to_thread(self._run, fn, args, holder)
        except asyncio.CancelledError:
            worker = holder.get("worker")
            if worker is not None:
                worker.kill()  # the thread waiting on it sees the pipe close and gives up
            raise
        if status == "ok":
            result: T = payload
            return result
        if status == "engine_error":
            code, message, retryable, retry_after = payload
            raise EngineError(code, message, retryable=retryable, retry_after=retry_after)
        raise EngineError("analysis_crashed", f"the engine failed: {payload}", retryable=False)

    def close(self) -> None:
        self._closed = True
        while not self._idle.empty():
            self._discard(self._idle.get_nowait())


_runner: ProcessRunner | None = None
_runner_lock = threading.Lock()


def runner(size: int = 2) -> ProcessRunner:
    """The process-wide pool (created on first use; its size is fixed by the first caller)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = ProcessRunner(size)
            atexit.register(_runner.close)
        return _runner
