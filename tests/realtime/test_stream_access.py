"""Losing access to a project ends its open streams within 2 s, on every server process, and
they deliver nothing after it (issue 10, item 1). Before, a removed member's stream kept
delivering `note:added` with the full text while REST already answered 404."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest

from persona_insight.config import Settings
from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from persona_insight.realtime.hub import Hub
from tests.live import start_live
from tests.realtime.team import Recorder, add_note, make_team, stream
from tests.support import http, make_user, stop_worker

pytestmark = [pytest.mark.anyio, pytest.mark.serial]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(
    settings: Any, attempt: int, extra: dict[str, str]
) -> tuple[subprocess.Popen[bytes], str, Any]:
    port = _free_port()
    env = {
        **os.environ,
        "PERSONA_INSIGHT_DATABASE_URL": settings.database_url,
        "PERSONA_INSIGHT_DATA_DIR": str(settings.data_dir),
        "PERSONA_INSIGHT_LOG_LEVEL": "WARNING",
        **extra,
    }
    log = settings.data_dir / f"second-process-{attempt}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "persona_insight", "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, f"http://127.0.0.1:{port}", log


@contextlib.contextmanager
def serving(settings: Any, **extra: str) -> Iterator[str]:
    """Another server process (`persona-insight serve`) on the same database. Started again
    once if it exits at start (the free port it was given may have been taken meanwhile)."""
    for attempt in (1, 2):
        proc, url, log = _serve(settings, attempt, extra)
        deadline = time.monotonic() + 150
        last = "no answer"
        while proc.poll() is None:
            try:
                r = httpx.get(f"{url}/readyz", timeout=2)
                if r.status_code == 200:
                    break
                last = f"{r.status_code} {r.text[:300]}"
            except httpx.TransportError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                stop_worker(proc)
                tail = log.read_text(errors="replace")[-2000:]
                raise AssertionError(f"the second server did not start: {last} {tail}")
            time.sleep(0.3)
        if proc.poll() is None:
            break
        tail = log.read_text(errors="replace")[-2000:]
        assert attempt == 1, f"the second server exited: {tail}"
    try:
        yield url
    finally:
        stop_worker(proc)


@pytest.fixture
def second_process(settings: Any, live_server: Any) -> Iterator[str]:
    with serving(settings) as url:
        yield url


@pytest.mark.slow
async def test_member_removed_on_one_process_loses_the_stream_on_another(
    live_server: Any, second_process: str, settings: Any
) -> None:
    a, b = live_server.url, second_process
    team = await make_team(a, settings)
    client = stream(b, team.member, team.project_id)
    response = await client.connect()
    assert response.status == 200
    assert response.headers["x-served-by"] != str(os.getpid()), "not the second process"
    watch = Recorder(client)
    try:
        # Live: a note written through A reaches the member's stream on B.
        await add_note(a, team.owner, team.interview_id, "첫 번째 메모")
        await watch.wait_for("note:added")

        async with http(a, team.owner) as c:
            removed_at = time.monotonic()
            r = await c.delete(f"/api/projects/{team.project_id}/members/{team.member.user_id}")
            assert r.status_code == 204, r.text
            took = await watch.wait_end(timeout=2.0 - (time.monotonic() - removed_at))
        assert took < 2.0
        # The change that removed them is the last thing they get; then nothing.
        await add_note(a, team.owner, team.interview_id, "제거된 뒤의 비밀 메모")
        await asyncio.sleep(0.5)
        events = [e for e in watch.events() if e["type"] != "presence:changed"]
        assert events[-1]["type"] == "member:removed", [e["type"] for e in events]
        assert events[-1]["data"]["user_id"] == str(team.member.user_id)
        assert [e["type"] for e in events].count("note:added") == 1
        assert not any("비밀" in m.data for _, m in watch.got)
        # And back on B, the stream is refused like any outsider's.
        again = await stream(b, team.member, team.project_id).connect()
        assert again.status == 404
        assert json.loads(again.body)["error"]["code"] == "project_not_found"
    finally:
        await watch.close()


async def _as_super(settings: Any) -> Any:
    db = Database(settings.database_url, pool_size=1)
    try:
        return await make_user(
            db, email="root@operator.test", company="Operator", role="super_admin"
        )
    finally:
        await db.dispose()


@pytest.mark.parametrize("how", ["leave", "project_deleted", "user_deactivated", "company_off"])
async def test_every_loss_of_access_ends_the_stream(
    live_server: Any, settings: Any, how: str
) -> None:
    url = live_server.url
    team = await make_team(url, settings)
    client = stream(url, team.member, team.project_id)
    assert (await client.connect()).status == 200
    watch = Recorder(client)
    # The owner's stream of the same project stays, except when the project itself goes.
    owner_client = stream(url, team.owner, team.project_id)
    assert (await owner_client.connect()).status == 200
    owner_watch = Recorder(owner_client)
    try:
        await asyncio.sleep(0.3)
        started = time.monotonic()
        if how == "leave":
            async with http(url, team.member) as c:
                r = await c.post(f"/api/projects/{team.project_id}/leave")
        elif how == "project_deleted":
            async with http(url, team.owner) as c:
                r = await c.delete(f"/api/projects/{team.project_id}")
        elif how == "user_deactivated":
            async with http(url, team.owner) as c:
                r = await c.patch(
                    f"/api/admin/users/{team.member.user_id}", json={"is_active": False}
                )
        else:
            root = await _as_super(settings)
            async with http(url, root) as c:
                r = await c.patch(
                    f"/api/admin/companies/{team.member.company_id}", json={"is_active": False}
                )
        assert r.status_code in (200, 204), r.text
        await watch.wait_end(timeout=2.0 - (time.monotonic() - started))
        if how == "project_deleted":
            await owner_watch.wait_end(timeout=2.0)
            # Everyone is told why before the stream ends.
            assert "project:deleted" in watch.types()
        elif how == "leave":
            await asyncio.sleep(0.5)
            assert owner_watch.ended_at is None
        assert (await stream(url, team.member, team.project_id).connect()).status in (401, 404)
    finally:
        await watch.close()
        await owner_watch.close()


async def test_a_revocation_during_authorisation_is_not_missed(settings: Any) -> None:
    """The stream's membership check runs before it registers with the hub; a removal that
    arrives in between must still close it (the hub keeps a log of recent revocations)."""
    hub = Hub(settings.database_url, Settings(database_url=settings.database_url))
    user, other, project = uuid4(), uuid4(), uuid4()
    mark = hub.revocations
    hub._on_notify("pi_revoked", f"{other}:{project}")
    assert not hub.revoked_since(mark, user, project)
    hub._on_notify("pi_revoked", f"{user}:{uuid4()}")
    assert not hub.revoked_since(mark, user, project)
    hub._on_notify("pi_revoked", f"{user}:{project}")
    assert hub.revoked_since(mark, user, project)
    later = hub.revocations
    assert not hub.revoked_since(later, user, project)
    hub._on_notify("pi_revoked", f"*:{project}")
    assert hub.revoked_since(later, user, project)
    hub._on_notify("pi_revoked", str(user))
    assert hub.revoked_since(hub.revocations - 1, user, uuid4())
    before = hub.revocations
    for junk in ("not a payload", "*", "*:", f"{user}:nope"):
        hub._on_notify("pi_revoked", junk)
    assert hub.revocations == before
    await asyncio.sleep(0)


async def test_a_revocation_without_its_event_still_ends_the_stream(
    live_server: Any, settings: Any
) -> None:
    """The hub ends a removed member's streams when it relays the removal's event; if that read
    is late or fails, the revocation alone closes them after a second."""
    url = live_server.url
    team = await make_team(url, settings)
    client = stream(url, team.member, team.project_id)
    assert (await client.connect()).status == 200
    watch = Recorder(client)
    other = stream(url, team.owner, team.project_id)
    assert (await other.connect()).status == 200
    other_watch = Recorder(other)
    try:
        await asyncio.sleep(0.3)
        db = Database(settings.database_url, pool_size=1)
        try:
            async with await psycopg.AsyncConnection.connect(db.owner_url, autocommit=True) as c:
                await c.execute(
                    "SELECT pg_notify('pi_revoked', %s)",
                    (f"{team.member.user_id}:{team.project_id}",),
                )
        finally:
            await db.dispose()
        took = await watch.wait_end(timeout=2.0)
        assert 0.8 < took < 2.0
        await asyncio.sleep(0.3)
        assert other_watch.ended_at is None  # only the user named
    finally:
        await watch.close()
        await other_watch.close()


@pytest.mark.slow
async def test_the_stream_cap_holds_across_processes(settings: Any) -> None:
    capped = settings.model_copy(update={"sse_max_streams_per_user": 2})
    live, sock = start_live(capped)
    clients: list[SseClient] = []
    try:
        with serving(settings, PERSONA_INSIGHT_SSE_MAX_STREAMS_PER_USER="2") as b:
            team = await make_team(live.url, capped)
            for _ in range(2):
                clients.append(stream(b, team.member, team.project_id))
                assert (await clients[-1].connect()).status == 200
            # B writes its presence after its debounce window; then A counts B's streams.
            status = 200
            for _ in range(40):
                await asyncio.sleep(0.25)
                clients.append(stream(live.url, team.member, team.project_id))
                answer = await clients[-1].connect()
                status = answer.status
                if status == 429:
                    assert json.loads(answer.body)["error"]["code"] == "too_many_streams"
                    break
                await clients.pop().close()
            assert status == 429
            # Another user is not affected.
            clients.append(stream(live.url, team.owner, team.project_id))
            assert (await clients[-1].connect()).status == 200
    finally:
        for client in clients:
            await client.close()
        live.stop()
        sock.close()
