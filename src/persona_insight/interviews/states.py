"""The interview state machine — the only place that knows which moves are legal.

    processing → analyzing → completed → processing (re-analysis, e.g. speaker roles fixed)
         │            └────→ failed → processing (retry)
         └──────────────────→ failed   (a job that could not start)

    transcribing → processing   (a recording's transcript is ready; media.service)
         └───────→ failed → transcribing (retry while no transcript exists yet)

An illegal move is a bug in the caller, except where a user asked for it (retry of an interview
that has not failed), which the service answers with 409 `invalid_transition`.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Status = Literal["transcribing", "processing", "analyzing", "completed", "failed"]
STATUSES: Final[tuple[str, ...]] = get_args(Status)

ALLOWED: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("processing", "analyzing"),
        ("processing", "failed"),
        ("analyzing", "completed"),
        ("analyzing", "failed"),
        ("failed", "processing"),
        ("completed", "processing"),
        ("transcribing", "processing"),
        ("transcribing", "failed"),
        ("failed", "transcribing"),
    }
)


class IllegalTransition(Exception):
    def __init__(self, old: str, new: str) -> None:
        super().__init__(f"an interview cannot go from {old} to {new}")
        self.old = old
        self.new = new


def can(old: str, new: str) -> bool:
    return (old, new) in ALLOWED


def check(old: str, new: str) -> None:
    if not can(old, new):
        raise IllegalTransition(old, new)
