"""The project summary: built from the themes in the project's language, every statement after
the first quoting interview lines; it knows how many interviews came after it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from persona_insight.db import Actor
from persona_insight.insights import service
from tests.insights.support import analysed, analysis, recompute
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_summary_covers_its_interviews(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    for title in ("가", "나"):
        await analysed(app, owner, pid, analysis(["배달 음식이 항상 식어서 와요"], [], "ko"), title)
    assert await recompute(app, owner, pid)
    async with client(app, owner) as c:
        assert (await c.get(f"/api/projects/{pid}/insights")).json()["summary"] is None
        r = await c.post(f"/api/projects/{pid}/insights/summary")
        assert r.status_code == 202
        again = await c.post(f"/api/projects/{pid}/insights/summary")
        assert again.status_code == 202  # joins the queued job
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        await service.summarise(session, UUID(pid), owner.company_id)
    async with client(app, owner) as c:
        summary = (await c.get(f"/api/projects/{pid}/insights")).json()["summary"]
    assert summary["language"] == "ko"
    assert summary["new_interviews"] == 0
    assert len(summary["interview_ids"]) == 2
    assert summary["statements"][0]["text"] == "완료된 인터뷰 2개를 묶었습니다."
    pain = summary["statements"][1]
    assert "배달 음식이 항상 식어서 와요" in pain["text"]
    assert pain["quotes"]
    assert all(q["line_ids"] for q in pain["quotes"])

    await analysed(app, owner, pid, analysis(["Delivery is always cold"], []), "다")
    async with client(app, owner) as c:
        summary = (await c.get(f"/api/projects/{pid}/insights")).json()["summary"]
    assert summary["new_interviews"] == 1


async def test_summary_of_unknown_project_is_404(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    async with client(app, owner) as c:
        r = await c.post("/api/projects/00000000-0000-7000-8000-000000000000/insights/summary")
        assert r.status_code == 404


async def test_the_summary_speaks_the_language_of_who_asked(app: Any) -> None:
    """A project of English interviews, a Korean reader asks from the Korean page: the summary
    is written in Korean (it followed the interviews alone, so half a team read it in the
    other language). Without a language of the asker's, the interviews decide."""
    from sqlalchemy import text

    from tests.support import as_owner
    from tests.web.conftest import sign_in

    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    await analysed(app, owner, pid, analysis(["Delivery is always cold"], []), "A")
    assert await recompute(app, owner, pid)
    async with await sign_in(app, owner.email, "ko") as ko:
        r = await ko.post(f"/projects/{pid}/insights/summary")
        assert r.status_code == 303
    async with as_owner(db.owner_url) as session:
        args = await session.scalar(
            text("SELECT args FROM procrastinate_jobs WHERE task_name = 'summarise_insights'")
        )
    assert args["language"] == "ko"
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        await service.summarise(session, UUID(pid), owner.company_id, args["language"])
    async with client(app, owner) as c:
        summary = (await c.get(f"/api/projects/{pid}/insights")).json()["summary"]
    assert summary["language"] == "ko"
    assert summary["statements"][0]["text"] == "완료된 인터뷰 1개를 묶었습니다."
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        await service.summarise(session, UUID(pid), owner.company_id)
    async with client(app, owner) as c:
        assert (await c.get(f"/api/projects/{pid}/insights")).json()["summary"]["language"] == "en"
