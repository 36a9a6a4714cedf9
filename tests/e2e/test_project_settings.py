"""A project owner invites a colleague by link; the colleague, in their own browser, opens it and
lands in the workspace while the owner's members list shows them at once. When the owner then
deletes the project, the colleague's open workspace says so and leaves."""

from __future__ import annotations

import re
from typing import Any

import pytest

from persona_insight.db import Database
from tests.e2e.conftest import Team, live_on, open_page, screenshot, signed_in
from tests.e2e.test_accounts import face_png
from tests.e2e.test_pages import assert_translated
from tests.support import http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_invitation_link_and_live_members(
    chromium: Any, team: Team, worker_settings: Any
) -> None:
    db = Database(worker_settings.database_url, pool_size=1)
    try:
        colleague = await make_user(db, email="hana@acme.test")
    finally:
        await db.dispose()
    async with http(team.url, colleague) as api:  # she has a picture
        r = await api.put("/api/me/avatar", files={"file": ("me.png", face_png(), "image/png")})
        assert r.status_code == 200, r.text
    owner = await signed_in(chromium, team.url, team.owner)
    await owner.grant_permissions(["clipboard-read", "clipboard-write"])
    settings = await open_page(owner, f"/projects/{team.project_id}")
    await live_on(settings)  # the bar has its final layout: the link stays where it is clicked
    await settings.click(f"a[href='/projects/{team.project_id}/settings']")
    await settings.wait_for_url(re.compile(r"/settings$"))
    await assert_translated(settings, "ko")
    assert await settings.locator("#member-list > .member").count() == 2

    await settings.select_option("#invite-role", "member")
    await settings.select_option("#invite-hours", "24")
    await settings.click("#invitation-form button[type=submit]")
    link = await settings.input_value("#invitation-link")
    assert re.fullmatch(rf"{re.escape(team.url)}/invitations/piv_[\w-]+", link)
    # The address is the settings' own again, so reloading does not post the form twice.
    await settings.wait_for_function("() => location.href.endsWith('/settings#invitations')")
    await settings.click("button[data-copy='invitation-link']")
    assert await settings.evaluate("() => navigator.clipboard.readText()") == link
    await screenshot(settings, "project-settings-ko")
    await settings.evaluate("() => { window.sameDocument = true; }")

    # The colleague opens the link in their own browser and lands in the workspace…
    other = await signed_in(chromium, team.url, colleague)
    joined = await open_page(other, link)
    # The link asks first; joining is the button's POST.
    await joined.click("form[action^='/invitations/'] button[type=submit]")
    await joined.wait_for_url(re.compile(rf"/projects/{team.project_id}\?notice=joined$"))
    await live_on(joined)
    assert "프로젝트에 참여했습니다" in await joined.inner_text(".notice")
    # Among the people here, she is her picture.
    await joined.wait_for_selector('#presence img.avatar[alt="hana (나)"]')
    # …and the owner's list shows them without a reload, with a notification.
    row = settings.locator(f'#member-list > .member[data-user="{colleague.user_id}"]')
    await row.wait_for(timeout=3000)
    assert "hana@acme.test" in await row.inner_text()
    assert await row.locator("img.avatar").count() == 1
    assert await settings.inner_text("#member-count") == "3"
    await settings.locator(
        "#toasts .toast", has_text="hana 님이 프로젝트에 참여했습니다"
    ).wait_for()
    assert await settings.evaluate("() => window.sameDocument === true")
    # The new row works like the others: make them an admin (a form post, then the page again).
    await row.locator("form[data-action=role][data-role=admin] button").click()
    await settings.wait_for_url(re.compile(r"notice=role_changed"))
    assert (
        await settings.get_attribute(
            f'#member-list > .member[data-user="{colleague.user_id}"]', "data-role"
        )
        == "admin"
    )

    await settings.click("nav.lang a[hreflang=en]")
    await settings.wait_for_function("() => document.documentElement.lang === 'en'")
    await assert_translated(settings, "en")
    await screenshot(settings, "project-settings-en")
    await settings.set_viewport_size({"width": 768, "height": 1024})
    assert await settings.evaluate("() => document.documentElement.scrollWidth") <= 768
    await screenshot(settings, "project-settings-tablet-en")
    await settings.set_viewport_size({"width": 1280, "height": 860})

    # A new name reaches the colleague's open workspace as it is saved.
    async with http(team.url, team.owner) as api:
        r = await api.patch(f"/api/projects/{team.project_id}", json={"name": "충전 조사 2차"})
        assert r.status_code == 200, r.text
    await joined.wait_for_function(
        "() => document.getElementById('project-name').textContent === '충전 조사 2차'"
    )
    await settings.locator(
        "#toasts .toast", has_text="The project's settings were changed"
    ).wait_for()

    # The owner deletes the project (typing its name); the colleague's workspace leaves.
    delete = settings.locator("#delete-form button[type=submit]")
    await settings.reload()
    # The page's script disables the button once it runs: on a busy machine the name can be
    # typed before it has (CI failed here), so wait for the state instead of reading it at once.
    await settings.fill("#confirm-name", "충전 조사")
    await settings.wait_for_function(
        "() => document.querySelector('#delete-form button[type=submit]').disabled"
    )
    assert await delete.is_disabled()
    await settings.fill("#confirm-name", "충전 조사 2차")
    await delete.click()
    await settings.wait_for_url(re.compile(r"/projects\?notice=project_deleted$"))
    await joined.wait_for_url(re.compile(r"/projects\?notice=project_gone$"), timeout=5000)
    assert "삭제되어 프로젝트 목록으로 이동했습니다" in await joined.inner_text(".notice")

    for page in (settings, joined):
        assert not page.errors, page.errors
    await owner.close()
    await other.close()
