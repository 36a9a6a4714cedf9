"""The project stream over a real server: headers, replay, reset, membership, live events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from tests.support import Member, http, make_user, take

pytestmark = pytest.mark.anyio


async def _setup(live: Any, settings: Any) -> tuple[Member, Member, dict[str, Any]]:
    db = Database(settings.database_url, pool_size=2)
    try:
        owner = await make_user(db, email="owner@acme.test")
        stranger = await make_user(db, email="stranger@other.test", company="Other")
    finally:
        await db.dispose()
    async with http(live.url, owner) as c:
        project = (await c.post("/api/projects", json={"name": "Live"})).json()
    return owner, stranger, project


async def _upload(
    live: Any, member: Member, project_id: str, text: str = "Q: hi?\nA: hello"
) -> str:
    async with http(live.url, member) as c:
        r = await c.post("/api/workflow/async", json={"project_id": project_id, "text": text})
        assert r.status_code == 202, r.text
        return str(r.json()["interview_id"])


async def test_stream_headers_retry_and_live_event(live_server: Any, settings: Any) -> None:
    owner, _, project = await _setup(live_server, settings)
    stream = SseClient(f"{live_server.url}/api/sse/projects/{project['id']}", headers=owner.headers)
    response = await stream.connect()
    try:
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        reader = asyncio.create_task(take(stream, 1))
        await asyncio.sleep(0.2)
        interview_id = await _upload(live_server, owner, project["id"])
        [message] = await reader
        body = json.loads(message.data)
        assert body["type"] == "interview:added"
        assert body["seq"] == 1
        assert message.id == "1"
        assert body["data"]["interview_id"] == interview_id
        assert body["data"]["interview"]["status"] == "processing"
        assert body["ts"].endswith("Z")
        assert stream.retry_ms == 5000
    finally:
        await stream.close()


async def test_replay_after_last_event_id_then_live(live_server: Any, settings: Any) -> None:
    owner, _, project = await _setup(live_server, settings)
    ids = [await _upload(live_server, owner, project["id"]) for _ in range(3)]
    for kind in ("header", "query"):
        url = f"{live_server.url}/api/sse/projects/{project['id']}"
        if kind == "query":
            url += "?last_event_id=1"
        stream = SseClient(
            url, headers=owner.headers, last_event_id="1" if kind == "header" else None
        )
        assert (await stream.connect()).status == 200
        try:
            got = await take(stream, 2)
            assert [json.loads(m.data)["seq"] for m in got] == [2, 3]
            assert [json.loads(m.data)["data"]["interview_id"] for m in got] == ids[1:]
        finally:
            await stream.close()


@pytest.mark.parametrize("last_id", ["999", "abc", "-5"])
async def test_unusable_last_id_gets_one_reset(
    live_server: Any, settings: Any, last_id: str
) -> None:
    owner, _, project = await _setup(live_server, settings)
    await _upload(live_server, owner, project["id"])
    stream = SseClient(
        f"{live_server.url}/api/sse/projects/{project['id']}",
        headers=owner.headers,
        last_event_id=last_id,
    )
    assert (await stream.connect()).status == 200
    try:
        [reset] = await take(stream, 1)
        body = json.loads(reset.data)
        assert body["type"] == "sync:reset"
        assert body["data"]["last_seq"] == 1
        assert reset.id == "1"
        reader = asyncio.create_task(take(stream, 1))
        await asyncio.sleep(0.2)
        await _upload(live_server, owner, project["id"])
        [live] = await reader
        assert json.loads(live.data)["seq"] == 2
    finally:
        await stream.close()


async def test_outsider_gets_404_before_any_stream(live_server: Any, settings: Any) -> None:
    _owner, stranger, project = await _setup(live_server, settings)
    for member, status in ((stranger, 404), (None, 401)):
        stream = SseClient(
            f"{live_server.url}/api/sse/projects/{project['id']}",
            headers=member.headers if member else {},
        )
        response = await stream.connect()
        assert response.status == status
        assert project["name"].encode() not in response.body
        assert json.loads(response.body)["error"]["code"] in (
            "project_not_found",
            "unauthenticated",
        )


async def test_graceful_shutdown_sends_retry_and_closes(live_server: Any, settings: Any) -> None:
    owner, _, project = await _setup(live_server, settings)
    stream = SseClient(f"{live_server.url}/api/sse/projects/{project['id']}", headers=owner.headers)
    assert (await stream.connect()).status == 200
    retries: list[int | None] = []

    async def drain() -> None:
        async for _ in stream.messages():
            pass
        retries.append(stream.retry_ms)

    reader = asyncio.create_task(drain())
    await asyncio.sleep(0.3)
    started = asyncio.get_running_loop().time()
    await asyncio.to_thread(live_server.stop)
    await asyncio.wait_for(reader, 10)
    assert asyncio.get_running_loop().time() - started < 5.5
    assert retries
    assert retries[0] is not None
    assert 1000 <= retries[0] <= 5000
    await stream.close()


async def test_ids_older_than_retention_get_reset(live_server: Any, settings: Any) -> None:
    from sqlalchemy import text

    from persona_insight.jobs.worker import prune_events
    from tests.support import as_owner

    owner, _, project = await _setup(live_server, settings)
    for _ in range(3):
        await _upload(live_server, owner, project["id"])
    async with as_owner(settings.database_url) as s:
        await s.execute(
            text("UPDATE events SET created_at = now() - interval '30 days' WHERE seq <= 2")
        )
    db = Database(settings.database_url, pool_size=1)
    try:
        assert await prune_events(db, settings) == 2
    finally:
        await db.dispose()
    # Last id 2 → event 3 is still there: an exact replay.
    stream = SseClient(
        f"{live_server.url}/api/sse/projects/{project['id']}",
        headers=owner.headers,
        last_event_id="2",
    )
    assert (await stream.connect()).status == 200
    [replayed] = await take(stream, 1)
    assert json.loads(replayed.data)["seq"] == 3
    await stream.close()
    # Last id 1 → event 2 is gone: the client must reload.
    stream = SseClient(
        f"{live_server.url}/api/sse/projects/{project['id']}",
        headers=owner.headers,
        last_event_id="1",
    )
    assert (await stream.connect()).status == 200
    [reset] = await take(stream, 1)
    body = json.loads(reset.data)
    assert body["type"] == "sync:reset"
    assert body["data"] == {"reason": "expired_id", "last_seq": 3}
    await stream.close()


async def _presence(stream: SseClient, want: set[str], timeout: float = 10.0) -> list[str]:
    """Read until a presence message lists exactly the users `want` (by name)."""

    async def read() -> list[str]:
        async for message in stream.messages():
            body = json.loads(message.data)
            if body["type"] == "presence:changed":
                names = [u["name"] for u in body["data"]["users"]]
                if set(names) == want:
                    return names
        raise AssertionError("stream ended")

    return await asyncio.wait_for(read(), timeout)


async def test_presence_counts_each_user_once(live_server: Any, settings: Any) -> None:
    from tests.support import add_member

    owner, _, project = await _setup(live_server, settings)
    db = Database(settings.database_url, pool_size=1)
    try:
        colleague = await make_user(db, email="colleague@acme.test")
        await add_member(db, project["id"], colleague)
    finally:
        await db.dispose()
    url = f"{live_server.url}/api/sse/projects/{project['id']}"
    tab1, tab2 = SseClient(url, headers=owner.headers), SseClient(url, headers=owner.headers)
    other = SseClient(url, headers=colleague.headers)
    for s in (tab1, tab2, other):
        assert (await s.connect()).status == 200
    names = await _presence(tab1, {"owner", "colleague"})
    assert sorted(names) == ["colleague", "owner"]  # two tabs, one entry
    await other.close()
    assert await _presence(tab2, {"owner"}) == ["owner"]
    await tab1.close()
    await tab2.close()
