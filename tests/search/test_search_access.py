"""Who finds what: company B finds nothing of A whatever the query, colleagues outside a project
find nothing of it, trashed lines disappear at once and purged ones leave the index."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from persona_insight.db import Actor
from tests.search.conftest import indexed_interview
from tests.support import add_member, client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

QUERIES = ["불편하다", "충전", "crash", "*", "주차 공간이 부족하다", '"자리가"', "a"]


def _lines(body: dict[str, Any]) -> list[int]:
    return [hit["line_id"] for group in body["groups"] for hit in group["hits"]]


async def test_nobody_outside_finds_anything(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    member = await make_user(db, email="member@acme.test")
    colleague = await make_user(db, email="colleague@acme.test")
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    outsider = await make_user(db, email="b@other.test", company="Other")
    outsider_admin = await make_user(
        db, email="admin@other.test", company="Other", role="company_admin"
    )
    project = await make_project(app, owner)
    await add_member(db, project["id"], member)
    interview_id = await indexed_interview(app, owner, project["id"])
    # B has a project and an interview of its own, so its searches do run.
    b_project = await make_project(app, outsider)
    await indexed_interview(app, outsider, b_project["id"], [(1, "answer", "전혀 다른 이야기")])

    for who, finds in [
        (owner, True),
        (member, True),
        (admin, True),
        (colleague, False),
        (outsider, False),
        (outsider_admin, False),
    ]:
        async with client(app, who) as c:
            for q in QUERIES:
                r = await c.get("/api/search", params={"q": q, "role": "any"})
                assert r.status_code == 200, r.text
                found = {g["interview"]["id"] for g in r.json()["groups"]}
                if not finds:
                    assert interview_id not in found, (who.email, q)
            r = await c.get("/api/search", params={"q": "불편", "project_id": project["id"]})
            assert r.status_code == (200 if finds else 404), (who.email, r.text)
            r = await c.get("/api/search", params={"q": "불편", "interview_id": interview_id})
            assert r.status_code == (200 if finds else 404), (who.email, r.text)
            if finds:
                assert _lines(r.json())[0] == 2
            else:
                assert "자리" not in r.text

    # The second wall: acting as company B, the tables themselves show nothing of A.
    async with db.unit_of_work(
        Actor(company_id=outsider.company_id, user_id=outsider.user_id, role="company_admin")
    ) as session:
        for table in ("search_lines", "embeddings"):
            rows = await session.execute(
                text(f"SELECT count(*) FROM {table} WHERE interview_id = :i"),  # noqa: S608
                {"i": UUID(interview_id)},
            )
            assert rows.scalar_one() == 0, table


async def test_trashed_lines_vanish_at_once_and_purged_ones_leave_the_index(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, owner)
    interview_id = await indexed_interview(app, owner, project["id"])
    async with client(app, owner) as c:
        before = await c.get("/api/search", params={"q": "불편하다"})
        assert _lines(before.json())[0] == 2
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code == 200
        # Meaning alone too: a paraphrase must not surface the trashed line either.
        for q, mode in [("불편하다", "keyword"), ("주차 공간이 부족하다", "hybrid")]:
            r = await c.get("/api/search", params={"q": q, "mode": mode})
            assert r.json()["groups"] == [], (q, mode)
        assert (await c.post(f"/api/interviews/{interview_id}/restore")).status_code == 200
        assert _lines((await c.get("/api/search", params={"q": "불편하다"})).json())[0] == 2
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code == 200
    async with client(app, admin) as c:
        r = await c.delete(f"/api/interviews/{interview_id}/permanent")
        assert r.status_code in (200, 204), r.text
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        for table in ("search_lines", "embeddings"):
            rows = await session.execute(
                text(f"SELECT count(*) FROM {table} WHERE interview_id = :i"),  # noqa: S608
                {"i": UUID(interview_id)},
            )
            assert rows.scalar_one() == 0, table
