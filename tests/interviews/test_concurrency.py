"""Twenty uploads at once into one project: every event numbered, no gap, no duplicate."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_seq_is_gap_free_under_concurrent_uploads(app: Any) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member)

    async with client(app, member) as c:

        async def upload(n: int) -> int:
            r = await c.post(
                "/api/workflow/async",
                json={
                    "project_id": project["id"],
                    "text": f"Q: question {n}?\nA: answer {n} " + "x" * 2000,
                },
            )
            return r.status_code

        statuses = await asyncio.gather(*(upload(n) for n in range(20)))
    assert statuses == [202] * 20
    async with as_owner(db.owner_url) as s:
        rows = (
            await s.execute(
                text(
                    "SELECT seq, type, payload->>'interview_id' FROM events WHERE project_id = :p"
                    " ORDER BY seq"
                ),
                {"p": project["id"]},
            )
        ).all()
        counter = (
            await s.execute(
                text("SELECT last_seq FROM project_event_counters WHERE project_id = :p"),
                {"p": project["id"]},
            )
        ).scalar_one()
        jobs = (await s.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar_one()
    assert [r[0] for r in rows] == list(range(1, 21))
    assert {r[1] for r in rows} == {"interview:added"}
    assert len({r[2] for r in rows}) == 20
    assert counter == 20
    assert jobs == 20
