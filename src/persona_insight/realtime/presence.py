"""Who is looking at a project right now, across every server process.

Each process writes its own connected users per project to an unlogged table (debounced, so a
burst of joins and leaves is one write) and notifies `pi_presence`; every process with
subscribers to that project reads the merged list and, when it changed, sends `presence:changed`
to them. A user with several tabs, on one or several processes, counts once. Rows of a process
that stopped refreshing them (killed) age out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from typing import TYPE_CHECKING
from uuid import UUID

import orjson
import psycopg

if TYPE_CHECKING:
    from persona_insight.realtime.hub import Hub

log = logging.getLogger(__name__)

PRESENCE_CHANNEL = "pi_presence"
STALE_AFTER_S = 90
REFRESH_EVERY_S = 30

# The presence table is reached only through these SECURITY DEFINER functions (migration 0005).
_READ = "SELECT id, name FROM pi_presence_users(%s, %s)"


class Presence:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._dirty: set[UUID] = set()
        self._flush_task: asyncio.Task[None] | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._last: dict[UUID, bytes] = {}  # the users list last sent, per project

    async def start(self) -> None:
        self._refresh_task = asyncio.create_task(self._refresh_forever(), name="presence")

    async def stop(self) -> None:
        for task in (self._flush_task, self._refresh_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        with contextlib.suppress(psycopg.Error, OSError):
            async with self.hub.pool.connection() as conn:
                await conn.execute("SELECT pi_presence_clear(%s)", (self.hub.process_id,))

    def changed(self, project_id: UUID) -> None:
        """A local subscriber joined or left: write our part after the debounce window."""
        self._dirty.add(project_id)
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.hub.settings.sse_presence_debounce_s)
        while self._dirty:
            projects = list(self._dirty)
            self._dirty.clear()
            try:
                await self._write(projects)
            except (psycopg.Error, OSError):
                log.warning("presence write failed", exc_info=True)

    async def _write(self, projects: list[UUID]) -> None:
        async with self.hub.pool.connection() as conn, conn.transaction():
            for project_id in projects:
                counts = Counter(s.user_id for s in self.hub.subs.get(project_id, ()))
                await conn.execute(
                    "SELECT pi_presence_write(%s, %s, %s, %s)",
                    (self.hub.process_id, project_id, list(counts), list(counts.values())),
                )
                if not counts:
                    self._last.pop(project_id, None)

    def remote_changed(self, project_id: UUID) -> None:
        """Some process changed the project's presence: re-read it if anyone here listens."""
        if project_id in self.hub.subs:
            asyncio.get_running_loop().create_task(self._broadcast(project_id))

    async def _broadcast(self, project_id: UUID) -> None:
        from persona_insight.realtime.hub import encode_message

        try:
            async with self.hub.pool.connection() as conn:
                cur = await conn.execute(_READ, (project_id, STALE_AFTER_S))
                rows = await cur.fetchall()
        except (psycopg.Error, OSError):
            log.warning("presence read failed", exc_info=True)
            return
        users = [{"id": str(uid), "name": name} for uid, name in rows]
        body = orjson.dumps({"project_id": str(project_id), "users": users})
        changed = self._last.get(project_id) != body
        self._last[project_id] = body
        data = encode_message("presence:changed", body.decode())
        for sub in list(self.hub.subs.get(project_id, ())):
            if changed or not sub.presence_sent:
                sub.push(0, data)
                sub.presence_sent = True

    async def _refresh_forever(self) -> None:
        """Keep our rows fresh and drop rows of processes that died without cleaning up."""
        while True:
            await asyncio.sleep(REFRESH_EVERY_S)
            with contextlib.suppress(psycopg.Error, OSError):
                async with self.hub.pool.connection() as conn:
                    await conn.execute(
                        "SELECT pi_presence_refresh(%s, %s)", (self.hub.process_id, STALE_AFTER_S)
                    )
