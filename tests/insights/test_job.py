"""The recomputation is queued by itself: storing an analysis queues it (once for a burst, by its
queueing lock), trashing an interview queues it again; running it appends `insights:updated`."""

from __future__ import annotations

from typing import Any

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
