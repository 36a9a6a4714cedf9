"""Functions the sandbox tests run in the child process (importable, so picklable by name)."""

from __future__ import annotations

import os
import re
import resource
import signal
import time
from pathlib import Path

from persona_insight.errors import InvalidInput
from persona_insight.ingest import pdf


def size_and_name(path: Path, suffix: str) -> tuple[int, str]:
    return path.stat().st_size, path.name + suffix


def spin(path: Path) -> None:
    while True:
        pass


def spin_in_c(path: Path) -> None:
    """Catastrophic backtracking: hours inside the regex engine, where no Python signal handler
    runs; only the kernel's hard limit stops it."""
    re.match(r"(a+)+$", "a" * 64 + "b")


def hog(path: Path) -> int:
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(256 * 1024 * 1024))
    return len(blocks)


def refuse(path: Path) -> None:
    raise InvalidInput("not today", code="not_today", details={"why": "test"})


def crash(path: Path) -> None:
    os.abort()


def sleep_long(path: Path) -> None:
    (path.parent / "child.pid").write_text(str(os.getpid()))
    time.sleep(120)


def read_pdf(path: Path) -> str:
    return pdf.read(path.read_bytes(), 2_000_000).text


def big_text(path: Path, size: int) -> str:
    """A result larger than a pipe's buffer, so it reaches the parent in several reads."""
    return "가" * size


def killed(path: Path) -> None:
    """Dies as the kernel's hard CPU limit kills: SIGKILL, no answer."""
    os.kill(os.getpid(), signal.SIGKILL)


def _cpu_time() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


class _SlowToPickle:
    """Pickling it spends CPU until past the child's soft limit, as a large answer being sent
    on a loaded machine can."""

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
        while _cpu_time() < soft + 0.5:
            pass
        return (str, ("sent",))


def over_the_limit_while_sending(path: Path) -> _SlowToPickle:
    """Returns just inside the soft CPU limit an answer whose sending crosses it."""
    soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
    while _cpu_time() < soft - 0.3:
        pass
    return _SlowToPickle()


def spin_in_fragile_library(path: Path) -> None:
    """Spins in a library whose clean-up aborts the process when an exception unwinds through
    it, as a C++ model loader did when the CPU limit's exception was raised inside it ("double
    free or corruption", SIGABRT)."""
    try:
        while True:
            pass
    finally:
        os.abort()


def how_the_cpu_limit_ends(path: Path) -> tuple[bool, int, tuple[int, int]]:
    """(SIGXCPU has its default action, the process is dumpable, the core size limit)."""
    import ctypes

    pr_get_dumpable = 3
    dumpable = int(ctypes.CDLL(None).prctl(pr_get_dumpable, 0, 0, 0, 0))
    default = signal.getsignal(signal.SIGXCPU) == signal.SIG_DFL
    return default, dumpable, resource.getrlimit(resource.RLIMIT_CORE)
