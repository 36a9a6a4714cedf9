"""What a running process holds: settings, database, job queue, file store and real-time hub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from persona_insight.config import Settings
from persona_insight.db import Database
from persona_insight.files.store import FileStore

if TYPE_CHECKING:
    import procrastinate

    from persona_insight.realtime.hub import Hub


@dataclass(slots=True)
class Runtime:
    settings: Settings
    db: Database
    jobs: procrastinate.App
    files: FileStore
    hub: Hub | None = None


def runtime_of(conn: HTTPConnection) -> Runtime:
    rt: Runtime = conn.app.state.runtime
    return rt
