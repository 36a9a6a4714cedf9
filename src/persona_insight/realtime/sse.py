"""`GET /api/sse/projects/{project_id}`: the project's event stream, as a lean ASGI endpoint.

It runs outside FastAPI's routing and middleware stack on purpose: every open stream keeps its
whole call stack alive, and ten thousand idle connections must stay cheap (see
docs/ARCHITECTURE.md). One query authenticates the caller and checks membership; the stream then
registers with the hub, replays what the client missed (after `Last-Event-ID`), and relays live
events. Messages are unnamed (`id:` + `data:`), so an `EventSource.onmessage` client works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from typing import Any
from uuid import UUID

import orjson
import psycopg
from uvicorn.protocols.http.httptools_impl import RequestResponseCycle as HttptoolsCycle

from persona_insight.accounts.deps import credentials
from persona_insight.accounts.security import digest
from persona_insight.http_errors import error_response
from persona_insight.projects.service import may_access
from persona_insight.realtime import metrics, sse_log
from persona_insight.realtime.hub import ACCESS_LOST, Batcher, Hub, encode_message
from persona_insight.realtime.presence import STALE_AFTER_S
from persona_insight.realtime.subscriber import Subscriber

log = logging.getLogger(__name__)

PATH = re.compile(r"^/api/sse/projects/([0-9a-fA-F-]{36})/?$")
MAX_REPLAY = 10_000
HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]

# One round trip: who the credentials belong to, whether they may watch, and the current seq.
# A SECURITY DEFINER function (migration 0005): credentials are looked up across tenants.
# Asked for a batch of streams at once (see `Batcher`), row i answering request i.
# The last column: the user's streams on the other processes (their debounced presence rows).
_AUTHORISE = (
    "SELECT t.i, a.*, pi_user_streams_elsewhere(a.user_id, %s, %s)"
    " FROM unnest(%s::text[], %s::text[], %s::uuid[])"
    " WITH ORDINALITY AS t(kind, h, project, i)"
    " CROSS JOIN LATERAL pi_sse_authorise(t.kind, t.h, t.project) AS a"
)
AUTHORISE_BATCH = 256
# Why a subscriber is closed by the server for falling behind (the rest: the client left, shutdown).
DROPPED = frozenset({"overflow", "send_timeout"})


def parse_last_id(scope: dict[str, Any]) -> str | None:
    for name, value in scope["headers"]:
        if name == b"last-event-id":
            return value.decode("latin-1").strip() or None
    query: str = scope.get("query_string", b"").decode("latin-1")
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "last_event_id" and value:
            return value.strip()
    return None


class SseEndpoint:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        # The process id is read here, not at import: `serve --workers N` imports the
        # application in the parent and forks, so an import-time value names the parent.
        self.headers = [*HEADERS, (b"x-served-by", str(os.getpid()).encode())]
        # Streams arriving together (a reconnect storm) are authorised together: see Batcher.
        self.authorise_many = Batcher(self._authorise_many, limit=AUTHORISE_BATCH)
        metrics.PROJECT_CONNECTIONS.track(hub)

    async def _authorise_many(
        self, batch: list[tuple[str, str, UUID]]
    ) -> list[tuple[Any, ...] | None]:
        async with self.hub.pool.connection() as conn:
            cur = await conn.execute(
                _AUTHORISE,
                (
                    self.hub.process_id,
                    STALE_AFTER_S,
                    [k for k, _, _ in batch],
                    [h for _, h, _ in batch],
                    [p for _, _, p in batch],
                ),
            )
            rows = {row[0]: row[1:] for row in await cur.fetchall()}
        return [rows.get(i) for i in range(1, len(batch) + 1)]

    async def authorise(
        self, scope: dict[str, Any], project_id: UUID
    ) -> tuple[UUID, str, int, int, int] | None:
        """(user id, user name, the project's last seq, the seq its member joined at, the
        user's streams on other processes) if the caller may watch the project. Company admins
        who are not members have no join seq (0): they may see the whole project."""
        from starlette.requests import HTTPConnection

        found = credentials(HTTPConnection(scope))
        if found is None or not found[1] or len(found[1]) > 200:
            return None
        kind, secret = found
        row = await self.authorise_many((kind, digest(secret), project_id))
        if row is None:
            return None
        (
            user_id,
            name,
            role,
            company_id,
            project_company,
            member_role,
            last_seq,
            joined,
            elsewhere,
        ) = row
        if not may_access(
            role=role,
            company_id=company_id,
            project_company_id=project_company,
            member_role=member_role,
        ):
            return None
        joined_seq = (joined or 0) if member_role is not None else 0
        return user_id, name, last_seq, joined_seq, int(elsewhere or 0)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = PATH.match(scope["path"])
        if scope["method"] not in ("GET", "HEAD") or match is None:
            code = 405 if match else 404
            await error_response(
                code,
                "method_not_allowed" if match else "not_found",
                "use GET" if match else "no such route",
            )(scope, receive, send)
            return
        try:
            project_id = UUID(match.group(1))
        except ValueError:
            await error_response(404, "project_not_found", "no such project")(scope, receive, send)
            return
        if self.hub.stopping:
            await error_response(
                503, "shutting_down", "this server is restarting", headers={"Retry-After": "2"}
            )(scope, receive, send)
            return
        mark = self.hub.revocations
        try:
            auth = await self.authorise(scope, project_id)
        except (psycopg.Error, OSError):
            log.warning("SSE authorisation failed", exc_info=True)
            await error_response(
                503, "database_unavailable", "try again shortly", headers={"Retry-After": "2"}
            )(scope, receive, send)
            return
        if auth is None:
            has_credentials = any(n in (b"authorization", b"cookie") for n, _ in scope["headers"])
            if not has_credentials:
                await error_response(
                    401,
                    "unauthenticated",
                    "sign in or send an API token",
                    headers={"WWW-Authenticate": "Bearer"},
                )(scope, receive, send)
            else:
                # Not signed in, not a member, another company's project, or no such project:
                # the answer is the same, so it tells nothing.
                await error_response(404, "project_not_found", "no such project")(
                    scope, receive, send
                )
            return
        user_id, name, counter, joined, elsewhere = auth
        cap = self.hub.settings.sse_max_streams_per_user
        # Exact on this process; the other processes' counts lag by their presence debounce.
        if self.hub.streams_per_user.get(user_id, 0) + elsewhere >= cap:
            await error_response(
                429,
                "too_many_streams",
                f"at most {cap} open project streams per user; close one first",
                headers={"Retry-After": "10"},
            )(scope, receive, send)
            return
        # Nothing awaits from the check to the subscription, so the cap holds exactly.
        await self.stream(
            scope, receive, send, project_id, user_id, name, counter, joined=joined, mark=mark
        )

    async def stream(
        self,
        scope: dict[str, Any],
        receive: Any,
        send: Any,
        project_id: UUID,
        user_id: UUID,
        name: str,
        counter: int,
        *,
        joined: int = 0,
        mark: int | None = None,
    ) -> None:
        raw_last = parse_last_id(scope)
        reset_reason: str | None = None
        last = counter
        if raw_last is not None:
            try:
                last = int(raw_last)
            except ValueError:
                reset_reason = "unusable_id"
            else:
                if last < 0:
                    reset_reason = "unusable_id"
                elif last > counter:
                    reset_reason = "future_id"
                elif last < joined:
                    # What happened before they joined is not theirs to see: they load the
                    # project's state as it is now.
                    reset_reason = "before_join"
        if reset_reason:
            last = counter
        if raw_last is not None:
            metrics.RECONNECTS.inc()

        hub = self.hub
        sub = hub.subscribe(project_id, user_id, name, last_seq=last, counter=counter)
        if mark is not None and hub.revoked_since(mark, user_id, project_id):
            # Access was taken away while the authorisation query ran: its answer is stale.
            hub.unsubscribe(sub)
            await error_response(404, "project_not_found", "no such project")(scope, receive, send)
            return
        # Everything from here on reaches the stream live. What the hub relayed before (up to
        # its read position, which may be past the counter read at authorisation) and what was
        # committed up to that counter is the replay's.
        covered = max(counter, hub.read_pos.get(project_id, counter))
        sub.task = asyncio.current_task()
        watcher = asyncio.ensure_future(_watch_disconnect(receive, sub))
        sse_log.connected(sub, raw_last)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.headers})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            opening = await self._opening(sub, last, covered, reset_reason)
            if sub.close_reason in ACCESS_LOST:
                opening = b""  # revoked while the replay was read: it is no longer theirs
            await send({"type": "http.response.body", "body": opening, "more_body": True})
            del opening  # this frame lives as long as the stream
            _attach(sub, send)
            await self._relay(sub, send)
        except asyncio.CancelledError:
            if sub.close_reason not in DROPPED:
                raise
        finally:
            watcher.cancel()
            hub.unsubscribe(sub)
            if sub.close_reason in DROPPED:
                metrics.DROPPED.labels(sub.close_reason).inc()
            sse_log.disconnected(sub, asyncio.get_running_loop().time())

    async def _opening(
        self, sub: Subscriber, last: int, covered: int, reset_reason: str | None
    ) -> bytes:
        """The stream's first write: `retry:`, the replay after `last` (up to `covered`), or a
        `sync:reset`. Sets the subscriber's last seq to what it contains."""
        hub = self.hub
        project_id = sub.project_id
        first = [b"retry: 5000\n\n"]
        if reset_reason is None and last < covered:
            # From the hub's memory when it still holds every event after `last` (an
            # empty list: it has not read that far yet, and the rest comes live); else
            # from the outbox.
            replay = hub.replay_from_memory(project_id, last)
            if replay is None:
                need = covered - last
                replay = await hub.fetch_after(project_id, last, need) if need <= MAX_REPLAY else []
                if not replay or replay[0][0] != last + 1 or replay[-1][0] < covered:
                    reset_reason = "expired_id"  # pruned by retention, or too far behind
                    replay = []
            if replay:
                metrics.REPLAYS.inc()
                metrics.REPLAYED_EVENTS.inc(len(replay))
                sse_log.replayed(sub, last, len(replay))
                first.extend(data for _, data in replay)
                sub.last_seq = replay[-1][0]
        if reset_reason:
            metrics.RESETS.inc()
            sse_log.reset(sub, last, reset_reason)
            current = max(covered, sub.last_seq)
            first.append(
                encode_message(
                    "sync:reset",
                    orjson.dumps({"reason": reset_reason, "last_seq": current}).decode(),
                    seq=current,
                )
            )
            sub.last_seq = current
        return b"".join(first)

    async def _relay(self, sub: Subscriber, send: Any) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await sub.wait()
            if sub.queue:
                data, events, newest_ts = sub.drain()
                if data:
                    sub.send_started = loop.time()
                    await send({"type": "http.response.body", "body": data, "more_body": True})
                    sub.send_started = 0.0
                    if events:
                        metrics.EVENTS_DELIVERED.inc(events)
                        metrics.COMMIT_TO_WRITE.observe(max(0.0, time.time() - newest_ts))
            if sub.closed:
                break
        if sub.close_reason in DROPPED and sub.transport is not None:
            # Cut, not ended politely: the client may have stopped reading altogether, and the
            # closing chunk would wait behind its full buffers for ever. It reconnects and
            # replays from its last id. Yielding once lets the server see the connection lost
            # before the handler returns.
            sub.transport.abort()
            await asyncio.sleep(0)
            return
        if sub.close_reason != "disconnected":
            sub.send_started = loop.time()  # the sweep cuts this write too if it stalls
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def _attach(sub: Subscriber, send: Any) -> None:
    """Let the hub write to this stream's socket directly while it is idle (uvicorn, httptools).

    Every write would otherwise wake this stream's task and go through the ASGI `send`: for one
    event to 10,000 streams that is 10,000 task switches. The server's `send` is a bound method
    of its per-request cycle, which holds the transport, the back-pressure flag and the framing
    of the response; with any other server (or a wrapped `send`) the stream simply keeps to the
    ASGI path.
    """
    cycle = getattr(send, "__self__", None)
    if type(cycle) is not HttptoolsCycle or cycle.chunked_encoding is None:
        return
    sub.attach(cycle.transport, cycle.flow, chunked=bool(cycle.chunked_encoding))


async def _watch_disconnect(receive: Any, sub: Subscriber) -> None:
    with contextlib.suppress(Exception):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                sub.close("disconnected")
                return
