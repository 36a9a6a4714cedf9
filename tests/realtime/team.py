"""A project with an owner (company admin), a member and an analysed interview, over a live
server: the set-up of the stream-access and replay tests."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor, Database
from persona_insight.interviews import service as interviews
from persona_insight.realtime.client import Message, SseClient
from tests.notes.conftest import analysis
from tests.support import Member, http, make_user


@dataclass
class Team:
    owner: Member
    member: Member
    project_id: str
    interview_id: str


async def make_team(url: str, settings: Any, *, public: bool = False) -> Team:
    """The owner is a company admin (purges need one); the member joins through the API, so
    that `member:added` is written as in real use."""
    db = Database(settings.database_url, pool_size=2)
    try:
        owner = await make_user(db, email="owner@acme.test", role="company_admin")
        member = await make_user(db, email="member@acme.test")
    finally:
        await db.dispose()
    async with http(url, owner) as c:
        r = await c.post(
            "/api/projects",
            json={"name": "Live", "visibility": "public", "join_method": "open"},
        )
        assert r.status_code == 201, r.text
        project_id = r.json()["id"]
    async with http(url, member) as c:
        r = await c.post(f"/api/projects/{project_id}/join", json={})
        assert r.status_code == 200, r.text
    interview_id = await analysed_interview(url, settings, owner, project_id)
    if not public:
        async with http(url, owner) as c:
            r = await c.patch(f"/api/projects/{project_id}", json={"visibility": "private"})
            assert r.status_code == 200, r.text
    return Team(owner, member, project_id, interview_id)


async def analysed_interview(
    url: str, settings: Any, owner: Member, project_id: str, **upload: Any
) -> str:
    """Uploaded through the server, analysed as the job would (no engine run)."""
    async with http(url, owner) as c:
        if "files" in upload:
            r = await c.post("/api/workflow/async", data={"project_id": project_id}, **upload)
        else:
            r = await c.post(
                "/api/workflow/async",
                json={"project_id": project_id, "text": "Q: 어디?\nA: 집", **upload},
            )
        assert r.status_code == 202, r.text
        interview_id: str = r.json()["interview_id"]
    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
            assert await interviews.begin_analysis(session, UUID(interview_id)) is not None
            assert await interviews.complete(
                session, UUID(interview_id), EngineResult(analysis=analysis(), engine="test"), 5
            )
    finally:
        await db.dispose()
    return interview_id


async def add_note(url: str, author: Member, interview_id: str, text: str) -> dict[str, Any]:
    async with http(url, author) as c:
        r = await c.post(
            f"/api/interviews/{interview_id}/notes", json={"text": text, "line_ids": [1]}
        )
        assert r.status_code == 201, r.text
        note: dict[str, Any] = r.json()
        return note


def stream(url: str, member: Member, project_id: str, last_id: str | None = None) -> SseClient:
    return SseClient(
        f"{url}/api/sse/projects/{project_id}", headers=member.headers, last_event_id=last_id
    )


class Recorder:
    """Reads a stream in the background: every message with the time it arrived, and when the
    stream ended."""

    def __init__(self, client: SseClient) -> None:
        self.client = client
        self.got: list[tuple[float, Message]] = []
        self.ended_at: float | None = None
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.client.messages():
            self.got.append((time.monotonic(), message))
        self.ended_at = time.monotonic()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(m.data) for _, m in self.got]

    def types(self) -> list[str]:
        return [e["type"] for e in self.events()]

    async def wait_for(self, type_: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if event["type"] == type_:
                    return event
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {type_} within {timeout}s; got {self.types()}")

    async def wait_end(self, timeout: float) -> float:
        """Seconds from now until the stream ended (fails if it did not within `timeout`)."""
        start = time.monotonic()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout)
        except TimeoutError:
            raise AssertionError(
                f"the stream still runs {timeout}s later; got {self.types()}"
            ) from None
        assert self.ended_at is not None
        return self.ended_at - start

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()
