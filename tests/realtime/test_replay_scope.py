"""Replay gives a member only what they may see now (issue 10, item 11): nothing from before
they joined, and no text, title, file or e-mail of what was deleted since. Before, a member who
had just joined opened the stream with `last_event_id=0` and received all of it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from tests.realtime.team import Recorder, add_note, analysed_interview, make_team, stream
from tests.support import http, make_user, take

pytestmark = pytest.mark.anyio

SECRET_NOTE = "삭제된 메모의 비밀 내용"
SECRET_TITLE = "퍼지된 인터뷰 비밀 제목"
SECRET_FILE = "secret-file-name.txt"


async def _replay(client: SseClient) -> bytes:
    """Everything the stream sends from its opening until it has been quiet for a moment."""
    assert (await client.connect()).status == 200
    parts: list[str] = []

    async def read() -> None:
        async for message in client.messages():
            parts.append(message.data)

    task = asyncio.create_task(read())
    try:
        size = -1
        while size != len(parts):
            size = len(parts)
            await asyncio.sleep(0.6)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
    return "\n".join(parts).encode()


async def test_a_new_member_replays_nothing_from_before_joining(
    live_server: Any, settings: Any
) -> None:
    url = live_server.url
    team = await make_team(url, settings, public=True)
    await add_note(url, team.owner, team.interview_id, "가입 전의 메모")
    db = Database(settings.database_url, pool_size=1)
    try:
        late = await make_user(db, email="late@acme.test")
    finally:
        await db.dispose()
    async with http(url, late) as c:
        assert (await c.post(f"/api/projects/{team.project_id}/join", json={})).status_code == 200
        listed = (await c.get(f"/api/projects/{team.project_id}/interviews")).json()
    joined_seq = listed["last_seq"] - 1  # the last event is their own member:added

    client = stream(url, late, team.project_id, last_id="0")
    assert (await client.connect()).status == 200
    try:
        [first] = await take(client, 1)
        body = json.loads(first.data)
        assert body["type"] == "sync:reset", body
        assert body["data"] == {"reason": "before_join", "last_seq": listed["last_seq"]}
    finally:
        await client.close()

    # From their join on, replay works as for everyone.
    client = stream(url, late, team.project_id, last_id=str(joined_seq))
    assert (await client.connect()).status == 200
    try:
        [added] = await take(client, 1)
        body = json.loads(added.data)
        assert body["type"] == "member:added"
        assert body["data"]["member"]["user_id"] == str(late.user_id)
    finally:
        await client.close()

    # The owner, a member from the start, still replays the whole history.
    history = await _replay(stream(url, team.owner, team.project_id, last_id="0"))
    assert "가입 전의 메모".encode() in history


async def test_replay_carries_no_deleted_text_title_file_or_former_email(
    live_server: Any, settings: Any
) -> None:
    url = live_server.url
    team = await make_team(url, settings)
    # A stream open all along keeps the events in the hub's memory: replays from memory must be
    # scrubbed as well as those read from the table.
    watching = stream(url, team.owner, team.project_id)
    assert (await watching.connect()).status == 200
    watch = Recorder(watching)
    await asyncio.sleep(0.3)
    try:
        note = await add_note(url, team.owner, team.interview_id, SECRET_NOTE)
        reply_text = SECRET_NOTE + " (답글)"
        async with http(url, team.owner) as c:
            r = await c.post(
                f"/api/interviews/{team.interview_id}/notes",
                json={"text": reply_text, "parent_id": note["id"]},
            )
            assert r.status_code == 201, r.text
        purged = await analysed_interview(
            url,
            settings,
            team.owner,
            team.project_id,
            files={"file": (SECRET_FILE, "Q: 뭐?\nA: 비밀".encode(), "text/plain")},
        )
        async with http(url, team.owner) as c:
            r = await c.patch(f"/api/interviews/{purged}", json={"title": SECRET_TITLE})
            assert r.status_code == 200, r.text
        await add_note(url, team.owner, purged, SECRET_NOTE + " (퍼지될 인터뷰)")
        await watch.wait_for("note:added")
        before = await _replay(stream(url, team.owner, team.project_id, last_id="0"))
        for secret in (SECRET_NOTE, SECRET_TITLE, SECRET_FILE, team.member.email):
            assert secret.encode() in before, secret  # the test would prove nothing otherwise

        async with http(url, team.owner) as c:
            assert (await c.delete(f"/api/notes/{note['id']}")).status_code == 200
            assert (await c.delete(f"/api/interviews/{purged}")).status_code == 200
            r = await c.delete(f"/api/interviews/{purged}/permanent")
            assert r.status_code == 204, r.text
            r = await c.delete(f"/api/projects/{team.project_id}/members/{team.member.user_id}")
            assert r.status_code == 204, r.text
        await watch.wait_for("member:removed")

        from_memory = await _replay(stream(url, team.owner, team.project_id, last_id="0"))
        await watch.close()
        await asyncio.sleep(0.5)  # the last stream gone, the hub forgets the project
        from_table = await _replay(stream(url, team.owner, team.project_id, last_id="0"))
        for replay in (from_memory, from_table):
            for secret in (SECRET_NOTE, SECRET_TITLE, SECRET_FILE, team.member.email):
                assert secret.encode() not in replay, secret
            events = [json.loads(line) for line in replay.decode().splitlines()]
            types = [e["type"] for e in events]
            # Still every event, in order, with the ids a client applies them by.
            seqs = [e["seq"] for e in events if e["type"] not in ("presence:changed",)]
            assert seqs == list(range(1, len(seqs) + 1))
            assert "note:deleted" in types
            assert "interview:purged" in types
            gone = [e for e in events if e["data"].get("interview_id") == purged]
            assert all(e["data"].get("scrubbed") for e in gone if e["type"] != "interview:purged")
            for e in gone:
                if "interview" in e["data"]:
                    assert e["data"]["interview"]["deleted_at"]  # a replaying list drops it
                    assert e["data"]["interview"]["file"] is None
    finally:
        await watch.close()


async def test_streams_per_user_are_capped(live_server: Any, settings: Any) -> None:
    from tests.live import start_live

    capped = settings.model_copy(update={"sse_max_streams_per_user": 2})
    live, sock = start_live(capped)
    clients: list[SseClient] = []

    def client_of(member: Any) -> SseClient:
        clients.append(stream(live.url, member, team.project_id))
        return clients[-1]

    try:
        team = await make_team(live.url, capped)
        open_ = [client_of(team.member) for _ in range(2)]
        for client in open_:
            assert (await client.connect()).status == 200
        refused = await client_of(team.member).connect()
        assert refused.status == 429
        assert json.loads(refused.body)["error"]["code"] == "too_many_streams"
        # Someone else is not affected.
        assert (await client_of(team.owner).connect()).status == 200
        # Closing one makes room again.
        await open_[0].close()
        status = 0
        for _ in range(50):
            again = client_of(team.member)
            status = (await again.connect()).status
            await again.close()
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200
    finally:
        for client in clients:
            await client.close()
        live.stop()
        sock.close()
