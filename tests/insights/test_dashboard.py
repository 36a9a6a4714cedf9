"""The company dashboard: top themes per year across the caller's projects only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.insights.support import analysed, analysis, recompute
from tests.support import add_member, client, make_project, make_user
from tests.web.conftest import sign_in

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


async def test_dashboard_page_in_both_languages_and_only_what_each_reader_may_see(
    app: Any,
) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    member = await make_user(db, email="member@acme.test")
    await make_user(db, email="eve@evil.test", company="Evil")
    shared = (await make_project(app, owner, name="Delivery"))["id"]
    private = (await make_project(app, owner, name="Secret banking"))["id"]
    await add_member(db, shared, member)

    # Nothing analysed yet: the page explains what will appear, in the reader's language.
    async with await sign_in(app, member.email, "ko") as ko:
        r = await ko.get("/dashboard")
        assert r.status_code == 200
        assert 'id="dashboard-empty"' in r.text
        assert "아직 보여줄 내용이 없습니다" in r.text
        assert 'href="/dashboard" aria-current="page"' in r.text  # in the top navigation

    said = analysis(["배달 음식이 항상 식어서 와요"], ["Live tracking of the rider"], "ko")
    said = said.model_copy(update={"key_takeaways": ["빠른 배달이 가장 중요"]})
    first = await analysed(app, owner, shared, said, "민수")
    await analysed(app, owner, shared, said.model_copy(), "지영")
    secret = analysis(["The PIN reset takes a branch visit"], [])
    secret = secret.model_copy(update={"key_takeaways": ["Branch visits are hated"]})
    await analysed(app, owner, private, secret, "Secret interview")
    assert await recompute(app, owner, shared)
    assert await recompute(app, owner, private)

    async with await sign_in(app, member.email, "ko") as ko:
        r = await ko.get("/dashboard")
    assert r.status_code == 200
    assert 'id="dashboard-empty"' not in r.text
    assert "핵심 인사이트" in r.text
    assert "빠른 배달이 가장 중요" in r.text
    assert "인터뷰 2개" in r.text
    assert "배달 음식이 항상 식어서 와요" in r.text
    # Links into the project's insights for that year and to the quoted interview line.
    assert f'href="/projects/{shared}/insights?date_from=' in r.text
    assert f'href="/interviews/{first}#line-2"' in r.text
    # The member is not in the private project: none of it shows.
    for hidden in ("Secret banking", "Branch visits are hated", "PIN reset", private):
        assert hidden not in r.text

    async with await sign_in(app, owner.email, "en") as en:
        r = await en.get("/dashboard")
    assert "Key takeaways" in r.text
    assert "Top themes across projects" in r.text
    assert "Secret banking" in r.text
    assert "Branch visits are hated" in r.text
    assert "2 interviews" in r.text

    async with await sign_in(app, "eve@evil.test", "en") as eve:
        r = await eve.get("/dashboard")
    assert r.status_code == 200
    assert "Nothing to show yet" in r.text
    for hidden in ("Delivery", "Secret banking", "빠른 배달", shared, private):
        assert hidden not in r.text


async def test_dashboard_counts_takeaways_per_year(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    pid = (await make_project(app, owner, name="Delivery"))["id"]
    base = analysis(["Cold food"], [])
    ids = [
        await analysed(
            app, owner, pid, base.model_copy(update={"key_takeaways": takeaways}), f"I{n}"
        )
        for n, takeaways in enumerate(
            [["Speed matters", "Price matters"], ["Speed matters"], ["Price matters "]]
        )
    ]
    async with client(app, owner) as c:
        r = await c.patch(f"/api/interviews/{ids[0]}", json={"interview_date": "2025-03-01"})
        assert r.status_code == 200, r.text
        years = (await c.get("/api/insights/dashboard")).json()["years"]
    by_year = {y["year"]: y["takeaways"] for y in years}
    old = by_year.pop(2025)
    assert [(k["text"], k["interviews"]) for k in old] == [
        ("Price matters", 1),
        ("Speed matters", 1),
    ]
    [recent] = by_year.values()
    assert [(k["text"], k["interviews"]) for k in recent] == [
        ("Price matters", 1),
        ("Speed matters", 1),
    ]
    assert recent[0]["projects"] == [{"id": pid, "name": "Delivery"}]
    assert recent[0]["example_interview_id"] == str(ids[2])
