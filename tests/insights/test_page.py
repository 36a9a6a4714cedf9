"""The insights page: themes and charts drawn by the server in Korean and English, every chart
with its data table, the empty state explained, filters applied, bad dates and outsiders refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.insights.support import analysed, analysis, recompute
from tests.support import make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_page_empty_then_themes_in_both_languages(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    await make_user(db, email="eve@evil.test", company="Evil")
    pid = (await make_project(app, owner))["id"]
    async with await sign_in(app, owner.email, "ko") as ko:
        r = await ko.get(f"/projects/{pid}/insights")
        assert r.status_code == 200
        assert "아직 테마가 없습니다" in r.text
        assert 'id="insight-empty" hidden' not in r.text

        await analysed(
            app, owner, pid, analysis(["배달 음식이 항상 식어서 와요"], [], "ko"), "민수"
        )
        assert await recompute(app, owner, pid)
        r = await ko.get(f"/projects/{pid}/insights")
        assert "배달 음식이 항상 식어서 와요" in r.text
        assert "인터뷰 1개" in r.text
        assert r.text.count("<svg") == 6
        assert r.text.count("<table") == 6  # a data table beside every chart
        assert "주요 불편 사항" in r.text
        # A filter with no interview in it shows the explained empty state.
        r = await ko.get(f"/projects/{pid}/insights?language=en")
        assert 'id="insight-empty" hidden' not in r.text
        r = await ko.get(f"/projects/{pid}/insights?date_from=2026-02-30")
        assert r.status_code == 422
    async with await sign_in(app, owner.email, "en") as en:
        r = await en.get(f"/projects/{pid}/insights")
        assert "1 interview" in r.text
        assert "Top pain points" in r.text
    async with await sign_in(app, "eve@evil.test", "en") as eve:
        r = await eve.get(f"/projects/{pid}/insights")
        assert r.status_code == 404


async def test_a_researcher_renames_pins_hides_and_shows_a_theme_from_the_page(app: Any) -> None:
    """Renaming, pinning and hiding were API-only: the page showed a "Pinned" tag no one could
    set (browser QA)."""
    import re

    from tests.support import client

    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    await analysed(app, owner, pid, analysis(["배달 음식이 항상 식어서 와요"], [], "ko"), "민수")
    await analysed(app, owner, pid, analysis(["The food always arrives cold"], []), "Jane")
    assert await recompute(app, owner, pid)
    async with client(app, owner) as c:
        theme = (await c.get(f"/api/projects/{pid}/insights")).json()["themes"][0]
    async with await sign_in(app, owner.email, "ko") as ko:
        page = await ko.get(f"/projects/{pid}/insights")
        assert f'action="/projects/{pid}/insights/themes/{theme["id"]}"' in page.text
        r = await ko.post(
            f"/projects/{pid}/insights/themes/{theme['id']}",
            {"label": "식어서 오는 음식", "pinned": "on"},
        )
        assert r.status_code == 303
        assert "notice=theme_saved" in r.headers["location"]
        page = await ko.get(f"/projects/{pid}/insights")
        row = page.text.split(f'data-theme="{theme["id"]}"')[1].split("</li>")[0]
        assert "식어서 오는 음식" in row
        assert re.search(r'data-slot="pinned">', row), row  # the tag shows (not hidden)
        r = await ko.post(
            f"/projects/{pid}/insights/themes/{theme['id']}",
            {"label": "식어서 오는 음식", "pinned": "on", "hidden": "on"},
        )
        page = await ko.get(f"/projects/{pid}/insights")
        assert f'data-theme="{theme["id"]}"' not in page.text.split("hidden-themes")[0]
        assert "숨긴 테마 1개" in page.text
        r = await ko.post(
            f"/projects/{pid}/insights/themes/{theme['id']}",
            {"label": "식어서 오는 음식", "pinned": "on"},
        )
        page = await ko.get(f"/projects/{pid}/insights")
        assert "숨긴 테마" not in page.text
        # An empty name goes back to the computed one; a name too long is said so.
        r = await ko.post(f"/projects/{pid}/insights/themes/{theme['id']}", {"label": "x" * 201})
        assert "problem=invalid_label" in r.headers["location"]
        r = await ko.post(f"/projects/{pid}/insights/themes/{theme['id']}", {"label": ""})
        page = await ko.get(f"/projects/{pid}/insights")
        assert "식어서 오는 음식" not in page.text
