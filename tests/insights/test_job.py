"""The recomputation is queued by itself: storing an analysis queues it (once for a burst, by its
queueing lock), trashing an interview queues it again; running it appends `insights:updated`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from tests.insights.support import analysed, analysis, recompute
from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def _queued(database_url: str) -> int:
    async with as_owner(database_url) as session:
        n: int = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs"
                " WHERE task_name = 'recompute_insights' AND status = 'todo'"
            )
        )
        return n


async def test_queued_after_completion_and_trash(app: Any, database_url: str) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    assert await _queued(database_url) == 0
    first = await analysed(app, owner, pid, analysis(["Delivery always arrives cold"], []))
    await analysed(app, owner, pid, analysis(["The food is cold when it arrives"], []))
    assert await _queued(database_url) == 1  # one job for both
    async with as_owner(database_url) as session:
        await session.execute(
            text("DELETE FROM procrastinate_jobs WHERE task_name = 'recompute_insights'")
        )
    assert await recompute(app, owner, pid)
    async with client(app, owner) as c:
        r = await c.delete(f"/api/interviews/{first}")
        assert r.status_code == 200, r.text
        assert await _queued(database_url) == 1
        assert (await c.get(f"/api/projects/{pid}/insights")).json()["pending"]
        assert await recompute(app, owner, pid)
        body = (await c.get(f"/api/projects/{pid}/insights")).json()
    assert body["interview_count"] == 1
    assert not body["pending"]


async def test_a_scheduled_full_recomputation_does_not_hold_back_the_next(
    app: Any, database_url: str, worker: None
) -> None:
    """After an incremental update a full recomputation is scheduled 15 minutes ahead. It used
    to share the project's job lock with the quick one, and the queue does not start a job
    while an earlier one of its lock waits — even one scheduled for later: a colleague's next
    upload reached the insights page a quarter of an hour late."""
    import asyncio

    from persona_insight.db import Actor
    from persona_insight.insights import service

    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]

    async def count_becomes(n: int) -> None:
        async with client(app, owner) as c:
            for _ in range(100):  # bounded: 20 s
                body = (await c.get(f"/api/projects/{pid}/insights")).json()
                if body["interview_count"] == n and not body["pending"]:
                    return
                await asyncio.sleep(0.2)
        raise AssertionError(f"insights never showed {n} interviews: {body['interview_count']}")

    await analysed(app, owner, pid, analysis(["Delivery always arrives cold"], []))
    await count_becomes(1)
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        await service.defer_recompute(
            session, UUID(pid), owner.company_id, delay_s=service.FULL_AFTER_S, full=True
        )
    await analysed(app, owner, pid, analysis(["The food is cold when it arrives"], []))
    await count_becomes(2)
