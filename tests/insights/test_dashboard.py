"""The company dashboard: top themes per year across the caller's projects only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.insights.support import analysed, analysis, recompute
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_years_and_projects_in_reach(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    colleague = await make_user(db, email="colleague@acme.test")
    outsider = await make_user(db, email="eve@evil.test", company="Evil")
    pid = (await make_project(app, owner, name="Delivery"))["id"]
    old = await analysed(app, owner, pid, analysis(["Delivery always arrives cold"], []))
    await analysed(app, owner, pid, analysis(["The app logs me out every day"], []))
    async with client(app, owner) as c:
        r = await c.patch(f"/api/interviews/{old}", json={"interview_date": "2025-05-01"})
        assert r.status_code == 200, r.text
    assert await recompute(app, owner, pid)

    async with client(app, owner) as c:
        years = (await c.get("/api/insights/dashboard")).json()["years"]
    assert [y["year"] for y in years][-1] == 2025
    y2025 = years[-1]
    assert y2025["interviews"] == 1
    assert [p["name"] for p in y2025["projects"]] == ["Delivery"]
    assert y2025["top_themes"][0]["label"] == "Delivery always arrives cold"
    assert y2025["projects"][0]["top_pains"][0]["interviews"] == 1

    for other in (colleague, outsider):  # not a member / another company: nothing of it
        async with client(app, other) as c:
            r = await c.get("/api/insights/dashboard")
            assert r.status_code == 200
            assert r.json() == {"years": []}
