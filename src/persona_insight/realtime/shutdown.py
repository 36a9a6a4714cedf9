"""A process-wide "we are stopping" flag, set from the signal handler, watched by the hub."""

from __future__ import annotations

import threading

_requested = threading.Event()
_callbacks: list[object] = []


def request() -> None:
    _requested.set()
    for callback in list(_callbacks):
        callback()  # type: ignore[operator]


def requested() -> bool:
    return _requested.is_set()


def on_request(callback: object) -> None:
    _callbacks.append(callback)


def reset() -> None:
    """For tests that run several servers in one process."""
    _requested.clear()
    _callbacks.clear()
