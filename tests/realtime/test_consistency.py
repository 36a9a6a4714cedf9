"""Zulip's guarantee: a client's list built from a snapshot plus the events it received equals a
fresh fetch, after a random mix of uploads, completions, failures, retries, deletes, restores."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from tests.realtime.listing import apply, snapshot
from tests.support import Member, http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

GOOD = [
    "면접관: 충전은 어디서 하세요?\n참여자: 집에서 하는데 충전기가 부족해서 너무 불편해요.\n"
    "면접관: 바라는 점은요?\n참여자: 예약 기능이 있으면 좋겠어요.",
    "Interviewer: How do you shop?\nParticipant: Online, but delivery slots are always full, "
    "which is frustrating.\nInterviewer: What would help?\nParticipant: I wish I got alerts.",
]
BAD = "Q: What do you think about it?"  # no answer at all: the analysis fails


class Watcher:
    """One client: snapshot, then the stream from the snapshot's seq, applying every event."""

    def __init__(self, url: str, member: Member, project_id: str) -> None:
        self.url, self.member, self.project_id = url, member, project_id
        self.state: dict[str, Any] = {}
        self.seqs: list[int] = []
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with http(self.url, self.member) as c:
            self.state, last_seq = await snapshot(c, self.project_id)
        self.stream = SseClient(
            f"{self.url}/api/sse/projects/{self.project_id}",
            headers=self.member.headers,
            last_event_id=str(last_seq),
        )
        assert (await self.stream.connect()).status == 200
        self.task = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        async for message in self.stream.messages():
            apply(self.state, message.data)
            # Every stored event counts (insights and persona events share the project's
            # numbering); stream-only messages carry no seq.
            seq = json.loads(message.data).get("seq")
            if seq is not None:
                self.seqs.append(seq)

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await self.stream.close()


async def test_snapshot_plus_events_equals_fresh_fetch(
    live_worker_server: Any, settings: Any
) -> None:
    rng = random.Random(20261126)
    db = Database(settings.database_url, pool_size=2)
    owner = await make_user(db, email="owner@acme.test", role="company_admin")
    await db.dispose()
    url = live_worker_server.url
    async with http(url, owner) as c:
        project_id = (await c.post("/api/projects", json={"name": "Zulip"})).json()["id"]
        early = Watcher(url, owner, project_id)
        await early.start()
        late: Watcher | None = None
        ids: list[str] = []
        for step in range(60):
            roll = rng.random()
            if roll < 0.4 or not ids:
                text = BAD if rng.random() < 0.3 else rng.choice(GOOD)
                r = await c.post(
                    "/api/workflow/async", json={"project_id": project_id, "text": text}
                )
                assert r.status_code == 202
                ids.append(r.json()["interview_id"])
            elif roll < 0.6:
                await c.post(f"/api/interviews/{rng.choice(ids)}/retry")
            elif roll < 0.75:
                await c.delete(f"/api/interviews/{rng.choice(ids)}")
            elif roll < 0.9:
                await c.post(f"/api/interviews/{rng.choice(ids)}/restore")
            else:
                await c.patch(
                    f"/api/interviews/{rng.choice(ids)}", json={"title": f"renamed {step}"}
                )
            if step == 25:
                late = Watcher(url, owner, project_id)
                await late.start()
            await asyncio.sleep(rng.random() * 0.05)
        assert late is not None
        # Quiet down: every interview finished, no more events.
        for _ in range(300):
            rows = []
            for trash in (False, True):
                path = f"/api/projects/{project_id}/{'trash' if trash else 'interviews'}"
                rows += (await c.get(path, params={"limit": 200})).json()["items"]
            if all(r["status"] in ("completed", "failed") for r in rows):
                break
            await asyncio.sleep(0.2)
        # Jobs the analyses deferred (insights recomputation, persona placement) append
        # events for a few seconds after the last completion: wait until the project's
        # numbering stands still.
        fresh, last_seq = await snapshot(c, project_id)
        for _ in range(20):
            await asyncio.sleep(3.0)
            fresh, settled = await snapshot(c, project_id)
            if settled == last_seq:
                break
            last_seq = settled
        await asyncio.sleep(0.5)
    await early.stop()
    await late.stop()
    statuses = {i["status"] for i in fresh.values()}
    assert {"completed", "failed"} <= statuses, statuses
    for watcher in (early, late):
        assert watcher.state == fresh
        assert watcher.seqs == sorted(set(watcher.seqs))
        assert watcher.seqs[-1] == last_seq
    assert early.seqs == list(range(1, last_seq + 1))
