"""Saved searches: at most MAX_SAVED per member even when many are added at once (ten parallel
adds over 97 left 107: each counted before any inserted — API QA pass), a name that shows
something, and each project once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from persona_insight.search.saved import MAX_SAVED
from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_the_limit_holds_when_many_are_added_at_once(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        for n in range(MAX_SAVED - 3):
            await s.execute(
                text(
                    "INSERT INTO saved_searches (id, company_id, user_id, name, query)"
                    ' VALUES (:id, :c, :u, :n, \'{"q": "배달"}\')'
                ),
                {"id": uuid.uuid4(), "c": owner.company_id, "u": owner.user_id, "n": f"s{n}"},
            )
        await s.commit()
    async with client(app, owner) as c:
        answers = await asyncio.gather(
            *(
                c.post("/api/saved-searches", json={"name": f"burst {k}", "q": "배달"})
                for k in range(10)
            )
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [201] * 3 + [409] * 7, [r.text for r in answers]
        assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {
            "too_many_saved_searches"
        }
        assert len((await c.get("/api/saved-searches")).json()) == MAX_SAVED


async def test_names_show_something_and_projects_count_once(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    async with client(app, owner) as c:
        r = await c.post("/api/saved-searches", json={"name": "\u200b", "q": "배달"})
        assert r.status_code == 422, r.text
        r = await c.post(
            "/api/saved-searches",
            json={"name": "배달비", "q": "배달", "project_ids": [project["id"], project["id"]]},
        )
        assert r.status_code == 201, r.text
        assert r.json()["project_ids"] == [project["id"]]
