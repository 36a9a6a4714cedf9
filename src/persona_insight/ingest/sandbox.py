"""The one place where untrusted files are parsed or decoded: each in a child process of its own,
with CPU-time and memory limits, at most `workers` at once, killed when its caller gives up.

A parser fed a hostile file can spin (a PDF drawing one form 2,000 times: 87 s of CPU), balloon
(a 37 MB WebVTT file with a million cues: ~1.2 GB), or hold the GIL long enough to stall every
request and stream of the server process. In a child none of that touches the server: the
kernel enforces the limits (`setrlimit` in the child: RLIMIT_CPU, RLIMIT_AS), the parent only
waits on a pipe, and a cancelled call — the client left, the wall-clock limit passed — kills the
child at once.

Children are forked from multiprocessing's forkserver, which has imported the parsers (and the
analysis engine, which `analysis/isolation.py` forks from the same server) and runs no threads.
A fresh child per call costs ~10 ms of CPU; in exchange no state, no memory and no exhausted CPU
budget carries over from one hostile file to the next.

API: `await sandbox().run(fn, path, *args, limits=Limits(...))` runs `fn(path, *args)` in a
child and returns its result; `fn`, the arguments and the result must be picklable. An `AppError`
raised by `fn` comes back as itself; a limit gives `LimitExceeded` (422 `file_too_complex`); a
child that dies gives `SandboxCrashed` (422 `malformed_file`). Both are `AppError`s.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from persona_insight.errors import AppError, InvalidInput

T = TypeVar("T")

# Imported once by the forkserver, shared (copy-on-write) by every child. The analysis pool forks
# from the same server, so its modules are listed too: whichever pool starts the server first
# decides what it has imported.
PRELOAD = ["persona_insight.ingest.untrusted", "persona_insight.analysis.offline.engine"]
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4


@dataclass(frozen=True, slots=True)
class Limits:
    cpu_s: int = 30
    """CPU seconds the call may use (the kernel stops the child beyond it)."""
    memory_bytes: int = 768 * 1024 * 1024
    """Address space the call may add to what the child starts with."""
    wall_s: float = 120.0
    """Elapsed seconds before the child is killed whatever it is doing (waiting uses no CPU)."""


class LimitExceeded(InvalidInput):
    code = "file_too_complex"


class SandboxCrashed(InvalidInput):
    code = "malformed_file"


class Abandoned(AppError):
    """The caller's `cancel` finished first (the client left); the child was killed."""

    status = 400
    code = "client_disconnected"


_MESSAGES = {
    "cpu": "Reading the file took more computing time than allowed; it is too complex.",
    "memory": "Reading the file needed more memory than allowed; it is too complex.",
    "time": "Reading the file took too long; it is too complex.",
}


def _child(
    conn: Connection, fn: Callable[..., Any], path: Path, args: tuple[Any, ...], limits: Limits
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        # Die with the forkserver (which dies with the server): no orphan keeps parsing.
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # A child ended by its CPU limit leaves no core dump (a transcription's is gigabytes,
        # and a host's dump collector would take it even with RLIMIT_CORE at 0).
        libc.prctl(_PR_SET_DUMPABLE, 0)
    _lower(resource.RLIMIT_CORE, 0, 0)
    # The soft limit ends the child where it stands: the kernel's SIGXCPU, whose exit the parent
    # reads as the limit (`_run`). A Python handler ran only when the main thread came back to
    # the interpreter; a model loader's native code kept running past the limit meanwhile, ran
    # into the memory limit and corrupted its heap ("corrupted size vs. prev_size"), which the
    # parent could only read as a crash (`malformed_file`). Raising from the handler, before
    # that, unwound through the same code ("double free or corruption"). The hard limit two
    # seconds later is the kernel's SIGKILL, for a child that blocks SIGXCPU.
    used = resource.getrusage(resource.RUSAGE_SELF)
    start = int(used.ru_utime + used.ru_stime) + 1
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    _lower(resource.RLIMIT_CPU, start + limits.cpu_s, start + limits.cpu_s + 2)
    with contextlib.suppress(OSError):  # no /proc: no memory limit rather than no reading
        space = _address_space() + limits.memory_bytes
        _lower(resource.RLIMIT_AS, space, space)
    answer = _answer(fn, path, args)
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)  # sending an answer is not reading a file
    try:
        conn.send(answer)
    except MemoryError:
        conn.send(("limit", "memory"))
    conn.close()


def _answer(fn: Callable[..., Any], path: Path, args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return ("ok", fn(path, *args))
    except MemoryError:
        return ("limit", "memory")
    except AppError as exc:
        return ("app_error", exc)
    except Exception as exc:
        return ("crash", f"{type(exc).__name__}: {exc}"[:300])


def _lower(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never above one the process already has (a container's ulimit)."""
    _, current = resource.getrlimit(kind)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(kind, (soft, hard))


def _address_space() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


class Sandbox:
    def __init__(self, workers: int) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self.workers = max(1, workers)
        # One semaphore per event loop (a server process has one; tests run several).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _slots_here(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.workers)
        return slots

    async def run(
        self,
        fn: Callable[..., T],
        path: Path,
        *args: Any,
        limits: Limits,
        cancel: Callable[[], Awaitable[object]] | None = None,
    ) -> T:
        """`fn(path, *args)` in a child process. When the awaitable `cancel()` completes first
        (the client left), the child is killed and `Abandoned` raised."""
        if cancel is None:
            return await self._queued(fn, path, args, limits)
        # Watched from the start: a client that leaves while its call waits for a slot frees
        # the slot for the next one.
        work = asyncio.ensure_future(self._queued(fn, path, args, limits))
        stop = asyncio.ensure_future(cancel())
        try:
            await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
        if work.cancelled():
            raise Abandoned("the client left before its file was read")
        return work.result()

    async def _queued(
        self, fn: Callable[..., T], path: Path, args: tuple[Any, ...], limits: Limits
    ) -> T:
        async with self._slots_here():
            return await self._run(fn, path, args, limits)

    async def _run(
        self, fn: Callable[..., T], path: Path, args: tuple[Any, ...], limits: Limits
    ) -> T:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child, args=(sender, fn, path, args, limits), daemon=True
        )
        answered = False
        try:
            # Blocking: the forkserver is asked for a child (and started, the first time).
            await asyncio.to_thread(process.start)
            sender.close()
            try:
                async with asyncio.timeout(limits.wall_s):
                    answer = await _receive(receiver, process.sentinel)
                answered = True
            except TimeoutError:
                raise LimitExceeded(_MESSAGES["time"], details={"limit": "time"}) from None
        finally:
            receiver.close()
            sender.close()
            if answered and answer is None and process.exitcode is None:
                # Dead without an answer, but the forkserver may not have reported its status
                # yet: wait for it here, before `_reap`. Two joins at once (this one and
                # `_reap`'s background thread, as before) race to read the one status the
                # forkserver sends, and the loser reads 255 — a CPU limit taken for a crash.
                await asyncio.to_thread(process.join, 10.0)
            _reap(process)
        if answer is None:
            code = process.exitcode
            if code in (-signal.SIGKILL, -signal.SIGXCPU):
                # The kernel's hard CPU limit (or the OOM killer): a limit, not a malformed file.
                raise LimitExceeded(_MESSAGES["cpu"], details={"limit": "cpu"})
            raise SandboxCrashed("The file could not be read.", details={"exit": code})
        status, payload = answer
        if status == "ok":
            result: T = payload
            return result
        if status == "app_error":
            raise payload
        if status == "limit":
            raise LimitExceeded(_MESSAGES[payload], details={"limit": payload})
        raise SandboxCrashed("The file could not be read.")


async def _receive(conn: Connection, sentinel: int) -> tuple[str, Any] | None:
    """The child's answer, or None when it ended without one. Waits on the event loop (no
    thread), reads once the answer is there."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(conn.fileno(), wake)
    loop.add_reader(sentinel, wake)
    try:
        await ready
    finally:
        loop.remove_reader(conn.fileno())
        loop.remove_reader(sentinel)
        # uvloop's add_reader leaves the descriptor non-blocking, and a blocking recv of an answer
        # larger than the pipe's buffer would then stop at the first empty read.
        os.set_blocking(conn.fileno(), True)
    if conn.poll():
        try:
            answer: tuple[str, Any] = await asyncio.to_thread(conn.recv)
        except (EOFError, OSError):
            return None
        return answer
    return None


def _reap(process: multiprocessing.process.BaseProcess) -> None:
    """Kill the child if it still runs and collect its exit status, without blocking the loop."""
    if process.pid is None:
        return
    with contextlib.suppress(OSError, ValueError, AssertionError):
        if process.exitcode is None:
            process.kill()
            process.join(timeout=0)
        if process.exitcode is None:
            threading.Thread(target=process.join, args=(10,), daemon=True).start()


_sandbox: Sandbox | None = None
_lock = threading.Lock()


def sandbox(workers: int = 2) -> Sandbox:
    """The process-wide sandbox (created on first use; its size is fixed by the first caller)."""
    global _sandbox
    with _lock:
        if _sandbox is None:
            _sandbox = Sandbox(workers)
        return _sandbox
