"""A company admin at work: changes a colleague's role, deactivates another — who, with the
workspace open in their own browser, is signed out at once — and deletes a trashed interview for
good. Screenshots of the users and analysis-engine pages in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import Team, company_admin, live_on, open_page, screenshot, signed_in
from tests.e2e.test_pages import assert_translated
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_company_admin(chromium: Any, team: Team, worker_settings: Any) -> None:
    boss = await company_admin(team, worker_settings)
    # A trashed interview to delete for good (a question with no answer: no analysis needed).
    async with http(team.url, team.owner) as api:
        r = await api.post(
            "/api/workflow/async",
            json={
                "project_id": team.project_id,
                "text": "Q: 지난주 충전은 어땠나요?",
                "title": "버릴 기록",
            },
        )
        trashed = r.json()["interview_id"]
        assert (await api.delete(f"/api/interviews/{trashed}")).status_code == 200

    # The member who will be deactivated has the workspace open.
    member_context = await signed_in(chromium, team.url, team.member)
    workspace = await open_page(member_context, f"/projects/{team.project_id}")
    await live_on(workspace)

    admin_context = await signed_in(chromium, team.url, boss)
    users = await open_page(admin_context, "/projects")
    await users.click("nav.mainnav a[href='/admin']")
    await users.wait_for_url(re.compile(r"/admin/users$"))
    await assert_translated(users, "ko")
    owner_row = users.locator(f"tr[data-user='{team.owner.user_id}']")
    await owner_row.locator("select").select_option("company_admin")
    await owner_row.locator("form[data-action=role] button").click()
    await users.wait_for_url(re.compile(r"notice=user_saved"))
    assert "사용자의 역할을 변경했습니다" in await users.inner_text(".notice")
    assert (
        await users.locator(f"tr[data-user='{team.owner.user_id}'] select").input_value()
        == "company_admin"
    )

    member_row = users.locator(f"tr[data-user='{team.member.user_id}']")
    await member_row.locator("details.confirm summary").click()
    await member_row.locator("form[data-action=deactivate] button").click()
    await users.wait_for_url(re.compile(r"notice=user_deactivated"))
    # Signed out at once in their own browser: the stream closes, the page goes to sign-in.
    await workspace.wait_for_url(re.compile(r"/login\?next="), timeout=5000)
    assert "비활성" in await users.inner_text(f"tr[data-user='{team.member.user_id}']")
    await screenshot(users, "admin-users-ko")

    analysis = await open_page(admin_context, "/admin/analysis")
    await analysis.check("input[name=engine][value=llm]")
    await analysis.fill("#f-llm_model", "openai:gpt-4.1-mini")
    await analysis.fill("#f-llm_api_key", "sk-test-secret")
    await analysis.click("#analysis-form button[type=submit]:not([formaction])")
    await analysis.wait_for_url(re.compile(r"notice=saved"))
    assert "sk-test-secret" not in await analysis.content()
    assert await analysis.locator("#llm_api_key .state-active").count() == 1
    await assert_translated(analysis, "ko")
    await screenshot(analysis, "company-settings-ko")

    # Delete for good, from the trash of the workspace; the row goes without a reload.
    trash = await open_page(admin_context, f"/projects/{team.project_id}")
    await live_on(trash)
    await trash.click("#trash summary")
    row = trash.locator(f"#trash-list > li[data-id='{trashed}']")
    await row.locator("details.confirm summary").click()
    await row.locator("form[data-action=purge] button").click()
    await row.wait_for(state="detached")
    await trash.locator("#toasts .toast", has_text="영구 삭제했습니다").wait_for()
    assert await trash.inner_text("#trash-count") == "0"

    await trash.click("nav.lang a[hreflang=en]")
    await trash.wait_for_function("() => document.documentElement.lang === 'en'")
    for name, path in (("admin-users", "/admin/users"), ("company-settings", "/admin/analysis")):
        await trash.goto(path)
        await assert_translated(trash, "en")
        await screenshot(trash, f"{name}-en")
    await trash.set_viewport_size({"width": 768, "height": 1024})
    for path in ("/admin/users", "/admin/analysis"):
        await trash.goto(path)
        assert await trash.evaluate("() => document.documentElement.scrollWidth") <= 768, path
    await screenshot(trash, "company-settings-tablet-en")
    # The speech-to-text form beside the engine's fits a phone too.
    await trash.set_viewport_size({"width": 360, "height": 740})
    await trash.goto("/admin/analysis#speech")
    assert await trash.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert await trash.locator("#speech-api-notice").is_visible()

    for page in (users, analysis, trash):
        assert not page.errors, page.errors
    # The signed-out page asked /api/me once, which the console reports as a 401.
    assert all("401" in e for e in workspace.errors), workspace.errors
    await admin_context.close()
    await member_context.close()
