"""The per-process hub: one LISTEN connection, one read per wake-up, one encoding per event.

A commit that appended events sends `NOTIFY pi_events '<project_id>:<seq>'`. The hub wakes,
reads the new rows of that project once (only if someone here subscribes to it), encodes each
event once and hands the same bytes to every local subscriber. A periodic catch-up read covers
notifications lost while the LISTEN connection was down; the connection re-opens by itself. One
shared timer sends keep-alive comments and closes subscribers whose socket write has stalled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import os
import random
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
import psycopg
from psycopg_pool import AsyncConnectionPool

from persona_insight.config import Settings
from persona_insight.db import as_app_role
from persona_insight.media import progress as media_progress
from persona_insight.realtime import metrics
from persona_insight.realtime.events import (
    CHANNEL,
    MEMBER_REMOVED,
    PROJECT_DELETED,
    REVOKED_CHANNEL,
    parse_revoked,
)
from persona_insight.realtime.presence import PRESENCE_CHANNEL, Presence
from persona_insight.realtime.scrub import SCRUBBING_TYPES
from persona_insight.realtime.subscriber import Subscriber, chunk

log = logging.getLogger(__name__)
Req = TypeVar("Req")
Res = TypeVar("Res")

READ_BATCH = 1000
# Per project with local subscribers: the latest events as encoded for the streams, so that a
# client reconnecting a few events behind is replayed from memory (no query, no encoding).
RECENT_EVENTS = 256
RECENT_BYTES = 256 * 1024
KEEPALIVE = b": keepalive\n\n"
KEEPALIVE_CHUNK = chunk(KEEPALIVE)
# Access revocations remembered for streams still being authorised (a query in flight when the
# revocation arrived); a stream older than this many revocations is treated as revoked.
REVOCATION_LOG = 4096
# Why a stream was closed because its user lost access: it ends and sends nothing more.
ACCESS_LOST = frozenset({"signed_out", "access_lost"})
# A project-level revocation closes its streams when the hub relays the revoking event; this is
# the bound if that read is late or fails (the promise is: closed within 2 s).
REVOKE_GRACE_S = 1.0

# Cross-tenant by nature (the hub serves every project of the process), so through the
# SECURITY DEFINER functions of migration 0005 rather than the tables.
_READ_SQL = "SELECT seq, type, payload, created_at FROM pi_events_after(%s, %s, %s)"
_COUNTERS_SQL = "SELECT project_id, last_seq FROM pi_event_counters(%s)"
# Replays of a batch of streams in one query, row by row tagged with the request's position.
_READ_MANY_SQL = (
    "SELECT t.i, r.seq, r.type, r.payload, r.created_at"
    " FROM unnest(%s::uuid[], %s::bigint[], %s::int[]) WITH ORDINALITY AS t(project, after, lim, i)"
    " CROSS JOIN LATERAL pi_events_after(t.project, t.after, t.lim) AS r ORDER BY t.i, r.seq"
)


class Batcher(Generic[Req, Res]):
    """Runs the requests that arrive while a query is in flight together, in the next query.

    An idle server runs each request at once, alone; in a burst (every client reconnecting
    after a restart) one round trip serves a whole batch. Measured in bench/sse.py: a query
    costs the server ~100-150 µs of CPU of its own (pool, psycopg, round trip), a row in a
    batch a few µs. `run` answers a list of requests with a list of results, in order.
    """

    def __init__(self, run: Callable[[list[Req]], Awaitable[list[Res]]], limit: int) -> None:
        self.run = run
        self.limit = limit
        self.pending: list[tuple[Req, asyncio.Future[Res]]] = []
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, request: Req) -> Res:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Res] = loop.create_future()
        self.pending.append((request, answer))
        if self.task is None:
            self.task = loop.create_task(self._drain())
        return await answer

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch = self.pending[: self.limit]
                del self.pending[: self.limit]
                try:
                    results = await self.run([request for request, _ in batch])
                except Exception as exc:  # each waiter gets it; the next batch tries again
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(exc)
                    continue
                for (_, answer), result in zip(batch, results, strict=True):
                    if not answer.done():
                        answer.set_result(result)
        finally:
            self.task = None


def encode_event(seq: int, type_: str, payload_json: str, created_at: dt.datetime) -> bytes:
    """One SSE message: `id: <seq>` and `data: {"type", "data", "seq", "ts"}` on one line each.

    The payload is PostgreSQL's JSON text of the stored jsonb, which never contains a raw line
    break, so it is spliced in without being parsed and dumped again.
    """
    ts = created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return (
        f'id: {seq}\ndata: {{"type":"{type_}","data":{payload_json},"seq":{seq},"ts":"{ts}"}}\n\n'
    ).encode()


def encode_message(type_: str, data_json: str, *, seq: int | None = None) -> bytes:
    """A stream-only message (presence, reset); with `seq`, it also moves the client's last id."""
    ts = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    seq_json = "null" if seq is None else str(seq)
    body = f'data: {{"type":"{type_}","data":{data_json},"seq":{seq_json},"ts":"{ts}"}}\n\n'
    return (f"id: {seq}\n" + body if seq is not None else body).encode()


def _deliver(subs: list[Subscriber], items: list[tuple[int, bytes]], ts: float) -> int:
    """Push consecutive events to the subscribers; how many writes went out at once."""
    if not items:
        return 0
    written = 0
    if len(items) == 1:
        seq, data = items[0]
        framed = chunk(data)  # once for every subscriber
        for sub in subs:
            if sub.push(seq, data, ts, framed):
                written += 1
    else:
        first, last = items[0][0], items[-1][0]
        framed = chunk(b"".join(data for _, data in items))
        for sub in subs:
            written += sub.push_many(first, last, framed, items, ts)
    return written


def _revoking(rows: list[Any], after: int) -> list[tuple[int, UUID | None]]:
    """(seq, user or None for everyone) of the events after `after` that end access to the
    project: a member removed (or who left), the project deleted."""
    cuts: list[tuple[int, UUID | None]] = []
    for seq, type_, payload, _ in rows:
        if seq <= after:
            continue
        if type_ == PROJECT_DELETED:
            cuts.append((seq, None))
        elif type_ == MEMBER_REMOVED:
            with contextlib.suppress(ValueError, TypeError, KeyError, orjson.JSONDecodeError):
                cuts.append((seq, UUID(orjson.loads(payload)["user_id"])))
    return cuts


class Hub:
    def __init__(self, url: str, settings: Settings) -> None:
        self.url = as_app_role(url)
        self.settings = settings
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(32):08x}"
        self.pool: AsyncConnectionPool = AsyncConnectionPool(
            self.url,
            min_size=2,
            max_size=8,
            open=False,
            kwargs={"autocommit": True},
            name="realtime",
        )
        self.subs: dict[UUID, set[Subscriber]] = {}
        self.streams_per_user: dict[UUID, int] = {}
        # (user or None for all, project or None for all), newest last; `revocations` counts
        # every one ever received, so a position in it is a mark that never repeats.
        self.revocation_log: deque[tuple[UUID | None, UUID | None]] = deque(maxlen=REVOCATION_LOG)
        self.revocations = 0
        # Bumped whenever a project's memory is dropped because stored payloads were scrubbed:
        # a replay read from the table before that must not put the old payloads back.
        self.forgotten = 0
        self.read_pos: dict[UUID, int] = {}
        # Events up to read_pos, contiguous, newest last: (seq, encoded, created_at timestamp).
        self.backlog: dict[UUID, deque[tuple[int, bytes, float]]] = {}
        self._backlog_bytes: dict[UUID, int] = {}
        self._replays = Batcher(self._read_many, limit=64)
        self.recent: deque[dict[str, Any]] = deque(maxlen=50)
        self.presence = Presence(self)
        self.stopping = False
        self.listening = asyncio.Event()
        self._reading: set[UUID] = set()
        self._dirty: set[UUID] = set()
        self._tasks: list[asyncio.Task[None]] = []

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.pool.open(wait=True, timeout=30)
        for coro, name in (
            (self._listen_forever(), "hub-listen"),
            (self._catch_up_forever(), "hub-catch-up"),
            (self._tick_forever(), "hub-tick"),
        ):
            self._tasks.append(asyncio.create_task(coro, name=name))
        await self.presence.start()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await self.listening.wait()

    def begin_shutdown(self) -> None:
        """Tell every stream to reconnect later (jittered, to spread the herd) and close it."""
        if self.stopping:
            return
        self.stopping = True
        for subs in self.subs.values():
            for sub in list(subs):
                sub.push(0, b"retry: %d\n\n" % random.randint(1000, 5000))
                sub.close("shutdown")

    async def stop(self) -> None:
        metrics.PROJECT_CONNECTIONS.untrack(self)
        self.begin_shutdown()
        await self.presence.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.pool.close()

    # --- subscribers ----------------------------------------------------------------------------

    def subscribe(
        self, project_id: UUID, user_id: UUID, user_name: str, *, last_seq: int, counter: int
    ) -> Subscriber:
        """Register before replaying, so no event falls between the replay and live delivery."""
        loop = asyncio.get_running_loop()
        sub = Subscriber(
            project_id,
            user_id,
            user_name,
            last_seq=last_seq,
            max_events=self.settings.sse_queue_events,
            max_bytes=self.settings.sse_queue_bytes,
            now=loop.time(),
        )
        sub.keepalive_at = sub.connected_at + self.settings.sse_keepalive_s
        subs = self.subs.get(project_id)
        if subs is None:
            subs = self.subs[project_id] = set()
            # Everything up to the counter read at authorisation time is the replay's job.
            self.read_pos[project_id] = counter
            self.backlog[project_id] = deque()
            self._backlog_bytes[project_id] = 0
        subs.add(sub)
        self.streams_per_user[user_id] = self.streams_per_user.get(user_id, 0) + 1
        metrics.SSE_CONNECTIONS.inc()
        self.presence.changed(project_id)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self.subs.get(sub.project_id)
        if subs is None or sub not in subs:
            return
        subs.discard(sub)
        left = self.streams_per_user.get(sub.user_id, 1) - 1
        if left > 0:
            self.streams_per_user[sub.user_id] = left
        else:
            self.streams_per_user.pop(sub.user_id, None)
        metrics.SSE_CONNECTIONS.dec()
        if not subs:
            del self.subs[sub.project_id]
            self.read_pos.pop(sub.project_id, None)
            self.backlog.pop(sub.project_id, None)
            self._backlog_bytes.pop(sub.project_id, None)
        self.presence.changed(sub.project_id)

    def all_subscribers(self) -> Iterable[Subscriber]:
        for subs in self.subs.values():
            yield from subs

    def close_user(self, user_id: UUID, reason: str) -> int:
        """Close every stream of a user (signed out, deactivated)."""
        return self.revoke(user_id, None, reason)

    def revoke(self, user_id: UUID | None, project_id: UUID | None, reason: str) -> int:
        """Close the streams of a user (None: everyone's) on a project (None: every project),
        and remember it for the streams whose authorisation is still in flight."""
        self._log_revocation(user_id, project_id)
        if project_id is not None:
            candidates: Iterable[Subscriber] = list(self.subs.get(project_id, ()))
        else:
            candidates = list(self.all_subscribers())
        closed = 0
        for sub in candidates:
            if user_id is None or sub.user_id == user_id:
                sub.close(reason)
                closed += 1
        return closed

    def _log_revocation(self, user_id: UUID | None, project_id: UUID | None) -> None:
        self.revocation_log.append((user_id, project_id))
        self.revocations += 1

    def revoked_since(self, mark: int, user_id: UUID, project_id: UUID) -> bool:
        """Whether access of `user_id` to `project_id` was revoked after `mark` (the value of
        `revocations` read before the stream's authorisation query)."""
        missed = self.revocations - mark
        if missed <= 0:
            return False
        if missed > len(self.revocation_log):
            return True  # forgotten: safer to make the client reconnect
        for user, project in itertools.islice(
            self.revocation_log, len(self.revocation_log) - missed, None
        ):
            if (user is None or user == user_id) and (project is None or project == project_id):
                return True
        return False

    # --- reading the outbox ---------------------------------------------------------------------

    def _wake(self, project_id: UUID) -> None:
        if project_id in self._reading:
            self._dirty.add(project_id)
            return
        self._reading.add(project_id)
        asyncio.get_running_loop().create_task(self._read_loop(project_id))

    async def _read_loop(self, project_id: UUID) -> None:
        try:
            while True:
                self._dirty.discard(project_id)
                try:
                    more = await self._read(project_id)
                except (psycopg.Error, OSError):
                    log.warning(
                        "hub read of %s failed; the catch-up will retry", project_id, exc_info=True
                    )
                    return
                if not more and project_id not in self._dirty:
                    return
        finally:
            self._reading.discard(project_id)

    async def _read(self, project_id: UUID) -> bool:
        pos = self.read_pos.get(project_id)
        if pos is None:
            return False
        async with self.pool.connection() as conn:
            cur = await conn.execute(_READ_SQL, (project_id, pos, READ_BATCH))
            rows = await cur.fetchall()
        metrics.HUB_READS.inc()
        # Read concurrently by a catch-up, or everyone left:
        start = self.read_pos.get(project_id)
        if start is None:
            return len(rows) == READ_BATCH
        items = [
            (seq, encode_event(seq, type_, payload, created_at))
            for seq, type_, payload, created_at in rows
            if seq > start
        ]
        if not items:
            return len(rows) == READ_BATCH
        subs = list(self.subs.get(project_id, ()))
        last = items[-1][0]
        ts = rows[-1][3].timestamp()
        cuts = _revoking(rows, start)
        if not cuts:
            written = _deliver(subs, items, ts)
        else:
            # Who lost access gets the event that says so, and nothing after it.
            written = 0
            done = 0
            for seq, user_id in cuts:
                upto = seq - items[0][0] + 1
                written += _deliver(subs, items[done:upto], ts)
                done = upto
                self._log_revocation(user_id, project_id)
                for sub in [s for s in subs if user_id is None or s.user_id == user_id]:
                    sub.close("access_lost")
                    subs.remove(sub)
            written += _deliver(subs, items[done:], ts)
        self.read_pos[project_id] = last
        if any(row[1] in SCRUBBING_TYPES for row in rows if row[0] > start):
            # The change scrubbed stored payloads of earlier events: what memory holds of them
            # is the text before, and must not be replayed.
            self.forget(project_id)
        self._remember(project_id, items, ts)
        if written:
            # Events written straight to idle streams; queued ones are counted by their stream.
            metrics.EVENTS_DELIVERED.inc(written)
            metrics.COMMIT_TO_WRITE.observe(max(0.0, time.time() - ts))
        for seq, type_, _, created_at in rows:
            if seq > start:
                self.recent.append(
                    {
                        "project_id": str(project_id),
                        "seq": seq,
                        "type": type_,
                        "ts": created_at.isoformat(),
                        "subscribers": len(subs),
                    }
                )
        return len(rows) == READ_BATCH

    def forget(self, project_id: UUID) -> None:
        backlog = self.backlog.get(project_id)
        if backlog is not None:
            backlog.clear()
            self._backlog_bytes[project_id] = 0
        self.forgotten += 1

    def _remember(self, project_id: UUID, items: list[tuple[int, bytes]], ts: float) -> None:
        backlog = self.backlog.get(project_id)
        if backlog is None:
            return
        size = self._backlog_bytes[project_id]
        if backlog and backlog[-1][0] + 1 != items[0][0]:
            backlog.clear()  # not contiguous (cannot happen with gap-free seqs): start again
            size = 0
        for seq, data in items:
            backlog.append((seq, data, ts))
            size += len(data)
        while backlog and (len(backlog) > RECENT_EVENTS or size > RECENT_BYTES):
            size -= len(backlog.popleft()[1])
        self._backlog_bytes[project_id] = size

    def replay_from_memory(self, project_id: UUID, after: int) -> list[tuple[int, bytes]] | None:
        """The events after `after` that this process has already relayed, if it still holds
        all of them; None when the outbox must be read. Events newer than the hub's read
        position reach a registered subscriber live."""
        backlog = self.backlog.get(project_id)
        pos = self.read_pos.get(project_id)
        if backlog is None or pos is None:
            return None
        if after >= pos:
            return []
        if not backlog or backlog[0][0] > after + 1:
            return None
        start = after + 1 - backlog[0][0]
        oldest_ts = backlog[start][2]
        if time.time() - oldest_ts > self.settings.event_retention_days * 86400 - 3600:
            return None  # near the retention window: let the outbox decide (it may reset)
        return [(seq, data) for seq, data, _ in itertools.islice(backlog, start, None)]

    async def fetch_after(
        self, project_id: UUID, after: int, limit: int
    ) -> list[tuple[int, bytes]]:
        """Encoded events after `after`, for a stream's replay (and the memory's, see below).
        Short replays are read in batches with the other streams' (see `Batcher`)."""
        forgotten = self.forgotten
        if limit <= RECENT_EVENTS:
            rows = await self._replays((project_id, after, limit))
        else:
            async with self.pool.connection() as conn:
                cur = await conn.execute(_READ_SQL, (project_id, after, limit))
                rows = await cur.fetchall()
        items = [(seq, encode_event(seq, t, p, c)) for seq, t, p, c in rows]
        if rows and forgotten == self.forgotten:
            self._remember_older(project_id, items, rows[0][3].timestamp())
        return items

    async def _read_many(self, batch: list[tuple[UUID, int, int]]) -> list[list[Any]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                _READ_MANY_SQL,
                ([p for p, _, _ in batch], [a for _, a, _ in batch], [n for _, _, n in batch]),
            )
            rows = await cur.fetchall()
        answers: list[list[Any]] = [[] for _ in batch]
        for i, *row in rows:
            answers[i - 1].append(row)
        return answers

    def _remember_older(self, project_id: UUID, items: list[tuple[int, bytes]], ts: float) -> None:
        """Events read for a replay that end where the memory starts (or, when it is empty, at
        the read position) extend it backwards: the next client that reconnects about as far
        behind, typically in the same storm after a restart, is replayed from memory."""
        backlog = self.backlog.get(project_id)
        pos = self.read_pos.get(project_id)
        if backlog is None or pos is None:
            return
        end = backlog[0][0] - 1 if backlog else pos
        older = [item for item in items if item[0] <= end]
        if not older or older[-1][0] != end:
            return  # not adjacent to what the memory holds
        size = self._backlog_bytes[project_id]
        for seq, data in reversed(older):
            if seq != end or len(backlog) >= RECENT_EVENTS or size + len(data) > RECENT_BYTES:
                break
            backlog.appendleft((seq, data, ts))
            size += len(data)
            end -= 1
        self._backlog_bytes[project_id] = size

    # --- background loops -----------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await conn.execute(f"LISTEN {PRESENCE_CHANNEL}")
                    await conn.execute(f"LISTEN {REVOKED_CHANNEL}")
                    await conn.execute(f"LISTEN {media_progress.PROGRESS_CHANNEL}")
                    self.listening.set()
                    delay = 0.2
                    # Anything committed while we were not listening:
                    self._catch_up_now()
                    async for note in conn.notifies():
                        self._on_notify(note.channel, note.payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("LISTEN connection lost; reconnecting in %.1fs", delay, exc_info=True)
            self.listening.clear()
            metrics.HUB_LISTEN_RECONNECTS.inc()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _on_notify(self, channel: str, payload: str) -> None:
        if channel == REVOKED_CHANNEL:
            # Signed out, password changed, deactivated, token revoked, removed from a project,
            # project deleted: close the streams concerned; a reconnect succeeds only with
            # credentials and access that still hold.
            target = parse_revoked(payload)
            if target is None:
                return
            user_id, project_id = target
            if project_id is None:
                self.revoke(user_id, None, "signed_out")
                return
            # Lost access to one project: the streams concerned end right after relaying the
            # change's own event (`_read`), so they get it and nothing later. Noted now for the
            # authorisations in flight; enforced after a second in case that read failed.
            self._log_revocation(user_id, project_id)
            asyncio.get_running_loop().call_later(
                REVOKE_GRACE_S, self.revoke, user_id, project_id, "access_lost"
            )
            return
        if channel == PRESENCE_CHANNEL:
            with contextlib.suppress(ValueError):
                self.presence.remote_changed(UUID(payload))
            return
        if channel == media_progress.PROGRESS_CHANNEL:
            self._relay_progress(payload)
            return
        project, _, seq_text = payload.partition(":")
        try:
            project_id = UUID(project)
            seq = int(seq_text)
        except ValueError:
            return
        pos = self.read_pos.get(project_id)
        if pos is not None and seq > pos:
            self._wake(project_id)

    def _relay_progress(self, payload: str) -> None:
        """A transcription's percent: stream-only (never stored, never replayed), to this
        process's streams of the project."""
        parsed = media_progress.parse(payload)
        if parsed is None:
            return
        project_id, data = parsed
        subs = self.subs.get(project_id)
        if not subs:
            return
        message = encode_message(media_progress.PROGRESS_EVENT, data)
        for sub in list(subs):
            sub.push(0, message)

    def _catch_up_now(self) -> None:
        asyncio.get_running_loop().create_task(self._catch_up())

    async def _catch_up(self) -> None:
        projects = list(self.subs)
        if not projects:
            return
        try:
            async with self.pool.connection() as conn:
                cur = await conn.execute(_COUNTERS_SQL, (projects,))
                rows = await cur.fetchall()
        except (psycopg.Error, OSError):
            log.warning("hub catch-up failed", exc_info=True)
            return
        for project_id, last_seq in rows:
            pos = self.read_pos.get(project_id)
            if pos is not None and last_seq > pos:
                self._wake(project_id)

    async def _catch_up_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sse_catchup_s)
            await self._catch_up()

    async def _tick_forever(self) -> None:
        """Once a second: stalled writes are cut, and the streams whose keep-alive is due get
        it. Each stream's falls on its own second (its connection time + the period), so the
        comments to 10,000 streams are spread over the period instead of one burst of writes
        that would delay the events behind it."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(1.0)
            self.sweep(loop.time(), keepalive=False)

    def sweep(self, now: float, *, keepalive: bool) -> None:
        """Cut stalled writes; send a keep-alive to every stream (`keepalive`) or to those
        whose period is up."""
        limit = self.settings.sse_send_timeout_s
        period = self.settings.sse_keepalive_s
        for sub in list(self.all_subscribers()):
            if sub.send_started and now - sub.send_started > limit:
                sub.close("send_timeout")
                if sub.task is not None:
                    sub.task.cancel()
            elif keepalive or sub.keepalive_at <= now:
                sub.keepalive_at = max(sub.keepalive_at + period, now)
                sub.push(0, KEEPALIVE, 0.0, KEEPALIVE_CHUNK)

    # --- the admin's view -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        projects = []
        for project_id, subs in self.subs.items():
            users = sorted({s.user_name for s in subs})
            projects.append(
                {
                    "project_id": str(project_id),
                    "connections": len(subs),
                    "users": users,
                    "read_position": self.read_pos.get(project_id),
                }
            )
        return {
            "process": self.process_id,
            "listening": self.listening.is_set(),
            "connections": sum(len(s) for s in self.subs.values()),
            "projects": sorted(projects, key=lambda p: -int(p["connections"])),
            "recent_events": list(reversed(self.recent)),
            "time": time.time(),
        }
