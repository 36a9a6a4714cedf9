"""Transcription progress: from the sandbox child to every stream of the project, never stored.

The child writes its percent into a small file (it has no database and its one pipe carries the
answer); the job reads it about once a second and, when it moved, sends a NOTIFY on
`pi_progress`. Every process's hub LISTENs and pushes `interview:transcription_progress` to the
project's local streams — stream-only like `presence:changed`: not in the outbox, never replayed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

PROGRESS_CHANNEL = "pi_progress"
PROGRESS_EVENT = "interview:transcription_progress"


class ProgressFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._last = -1

    def write(self, percent: int) -> None:
        if percent <= self._last:
            return
        self._last = percent
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(str(percent))
        os.replace(tmp, self.path)

    def read(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int(self.path.read_text())
        return None


def payload(project_id: UUID, interview_id: UUID, percent: int) -> str:
    return orjson.dumps(
        {"project_id": str(project_id), "interview_id": str(interview_id), "percent": percent}
    ).decode()


def parse(payload_text: str) -> tuple[UUID, str] | None:
    """(project, the event's data as JSON) of a NOTIFY payload; None if it is not one of ours."""
    try:
        data: Any = orjson.loads(payload_text)
        project_id = UUID(data["project_id"])
        body = {
            "interview_id": str(UUID(data["interview_id"])),
            "percent": max(0, min(100, int(data["percent"]))),
        }
    except (ValueError, KeyError, TypeError):
        return None
    return project_id, orjson.dumps(body).decode()
