"""The project settings page and its forms: fields, members and roles, ownership, invitation links,
deletion and leaving; joining from the projects list; the invitation link page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import add_member, as_owner, client, make_project, make_user
from tests.web.conftest import Browser, Setting, sign_in

pytestmark = pytest.mark.anyio


def settings(setting: Setting, part: str = "") -> str:
    return f"/projects/{setting.project_id}/settings" + (f"#{part}" if part else "")


async def _project(app: Any, setting: Setting) -> dict[str, Any]:
    async with client(app, setting.owner) as c:
        body: dict[str, Any] = (await c.get(f"/api/projects/{setting.project_id}")).json()
        return body


async def _members(app: Any, setting: Setting) -> dict[str, str]:
    async with client(app, setting.owner) as c:
        items = (await c.get(f"/api/projects/{setting.project_id}/members")).json()["items"]
        return {m["email"]: m["role"] for m in items}


async def test_who_sees_the_settings(app: Any, setting: Setting, owner_browser: Browser) -> None:
    page = await owner_browser.get(settings(setting))
    assert page.status_code == 200
    assert "프로젝트 설정" in page.text
    workspace = await owner_browser.get(f"/projects/{setting.project_id}")
    assert f'href="/projects/{setting.project_id}/settings"' in workspace.text
    # A plain member sees the workspace (with a way to leave) but not the settings: 403 page.
    member = await sign_in(app, setting.member.email)
    async with member:
        workspace = await member.get(f"/projects/{setting.project_id}")
        assert "/settings" not in workspace.text
        assert f'action="/projects/{setting.project_id}/leave"' in workspace.text
        r = await member.get(settings(setting))
        assert r.status_code == 403
        assert "요청을 처리할 수 없습니다" in r.text
        r = await member.post(f"/projects/{setting.project_id}/settings", data={"name": "x"})
        assert r.status_code == 403
    db = app.api.state.runtime.db
    await make_user(db, email="colleague@acme.test")
    await make_user(db, email="spy@other.test", company="Other")
    for email in ("colleague@acme.test", "spy@other.test"):
        async with await sign_in(app, email) as outsider:
            assert (await outsider.get(settings(setting))).status_code == 404
            r = await outsider.post(f"/projects/{setting.project_id}/invitations", data={})
            assert r.status_code == 404


async def test_fields(app: Any, setting: Setting, owner_browser: Browser) -> None:
    url = f"/projects/{setting.project_id}/settings"
    await owner_browser.get(url)
    fields = {
        "name": "충전 경험 2차",
        "description": "2차 라운드",
        "purpose": "결제 불편",
        "target_audience": "택시 기사",
        "research_method": "현장 관찰",
        "start_date": "2026-03-01",
        "end_date": "2026-04-01",
        "visibility": "public",
        "join_method": "open",
        "password": "",
    }
    r = await owner_browser.post(url, data=fields)
    assert r.headers["location"] == settings(setting, "details").replace("#", "?notice=saved#")
    stored = await _project(app, setting)
    fields.pop("password")
    assert {k: stored[k] for k in fields} == fields

    r = await owner_browser.post(
        url, data={**fields, "name": "", "start_date": "2026-05-01", "join_method": "password"}
    )
    assert r.status_code == 422
    for message in (
        "프로젝트 이름을 입력하세요.",
        "종료일이 시작일보다 빠릅니다.",
        "비밀번호로 참여하는 프로젝트에는 비밀번호가 필요합니다.",
    ):
        assert message in r.text
    assert "2차 라운드" in r.text  # what was typed stays
    # A password once set is kept when the field is left empty.
    r = await owner_browser.post(
        url, data={**fields, "join_method": "password", "password": "pw12pw12"}
    )
    assert r.status_code == 303
    r = await owner_browser.post(url, data={**fields, "join_method": "password"})
    assert r.status_code == 303
    assert "비밀번호가 설정되어 있습니다" in (await owner_browser.get(url)).text


async def test_members_and_roles(app: Any, setting: Setting, owner_browser: Browser) -> None:
    base = f"/projects/{setting.project_id}/members"
    page = await owner_browser.get(settings(setting))
    assert f'action="{base}/{setting.member.user_id}/role"' in page.text
    assert page.text.count('id="member-list"') == 1
    r = await owner_browser.post(f"{base}/{setting.member.user_id}/role", data={"role": "admin"})
    assert (
        r.headers["location"]
        == f"/projects/{setting.project_id}/settings?notice=role_changed#members"
    )
    assert (await _members(app, setting))["member@acme.test"] == "admin"
    assert "멤버의 역할을 변경했습니다." in (await owner_browser.get(r.headers["location"])).text

    for url, data, code, message in (
        (
            f"{base}/{setting.owner.user_id}/role",
            {"role": "member"},
            "owner_role_fixed",
            "소유자의 역할은 소유권을 넘길 때만 바뀝니다.",
        ),
        (
            f"{base}/{setting.member.user_id}/role",
            {"role": "owner"},
            "invalid_role",
            "목록에 있는 역할 중 하나를 선택하세요.",
        ),
        (
            f"{base}/{setting.owner.user_id}/remove",
            {},
            "owner_cannot_leave",
            "소유자는 프로젝트에서 나갈 수 없습니다.",
        ),
    ):
        r = await owner_browser.post(url, data=data)
        assert r.headers["location"].endswith(f"?problem={code}#members"), url
        assert message in (await owner_browser.get(r.headers["location"])).text

    r = await owner_browser.post(f"{base}/{setting.member.user_id}/remove")
    assert r.headers["location"].endswith("?notice=member_removed#members")
    assert "member@acme.test" not in await _members(app, setting)
    r = await owner_browser.post(f"{base}/{setting.member.user_id}/remove")
    assert r.headers["location"].endswith("?problem=member_not_found#members")
    assert (
        "더 이상 프로젝트 멤버가 아닙니다" in (await owner_browser.get(r.headers["location"])).text
    )


async def test_transfer_ownership(app: Any, setting: Setting, owner_browser: Browser) -> None:
    url = f"/projects/{setting.project_id}/transfer"
    await owner_browser.get(settings(setting))
    r = await owner_browser.post(url, data={"user_id": str(setting.member.user_id)})
    assert r.headers["location"].endswith("?problem=confirm_required#transfer")
    assert "확인란을 선택해 주세요." in (await owner_browser.get(r.headers["location"])).text
    stranger = await make_user(app.api.state.runtime.db, email="stranger@acme.test")
    r = await owner_browser.post(url, data={"user_id": str(stranger.user_id), "confirm": "yes"})
    assert r.headers["location"].endswith("?problem=not_a_member#transfer")
    r = await owner_browser.post(
        url, data={"user_id": str(setting.member.user_id), "confirm": "yes"}
    )
    assert r.headers["location"].endswith("?notice=ownership_transferred#members")
    assert await _members(app, setting) == {"owner@acme.test": "admin", "member@acme.test": "owner"}
    # Now an admin, the former owner still sees the settings, but neither transfer nor delete.
    page = await owner_browser.get(r.headers["location"])
    assert "소유권을 넘겼습니다." in page.text
    assert f'action="{url}"' not in page.text
    assert "프로젝트 나가기" in page.text
    r = await owner_browser.post(
        url, data={"user_id": str(setting.owner.user_id), "confirm": "yes"}
    )
    assert r.status_code == 403


async def test_invitation_links(app: Any, setting: Setting, owner_browser: Browser) -> None:
    url = f"/projects/{setting.project_id}/invitations"
    await owner_browser.get(settings(setting))
    r = await owner_browser.post(url, data={"role": "admin", "hours": "24"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    link = re.search(r'id="invitation-link"[^>]*value="([^"]+)"', r.text)
    assert link, r.text
    assert link.group(1).startswith("http://testserver/invitations/piv_")
    assert 'data-copy="invitation-link"' in r.text
    page = await owner_browser.get(settings(setting))
    assert link.group(1) not in page.text  # shown once
    assert "사용 중" in page.text

    # A colleague opens it: signed out first, then signed in, and lands in the workspace.
    path = link.group(1).removeprefix("http://testserver")
    colleague = await make_user(app.api.state.runtime.db, email="new@acme.test")
    async with await sign_in(app, colleague.email) as joining:
        joining.http.cookies.clear()
        r = await joining.get(path)
        assert r.headers["location"] == f"/login?next={path}"
    async with await sign_in(app, colleague.email) as joining:
        # Opening the link (a GET, which cross-site navigation can trigger) only asks.
        r = await joining.get(path)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-store"
        assert f'action="{path}"' in r.text
        assert "new@acme.test" not in await _members(app, setting)
        # The button posts with the session's CSRF token; without it nothing happens.
        r = await joining.http.post(path)
        assert r.status_code == 403
        assert "new@acme.test" not in await _members(app, setting)
        r = await joining.post(path)
        assert r.headers["location"] == f"/projects/{setting.project_id}?notice=joined"
        assert "프로젝트에 참여했습니다." in (await joining.get(r.headers["location"])).text
        # A member opening it again goes straight to the project.
        r = await joining.get(path)
        assert r.headers["location"] == f"/projects/{setting.project_id}"
    assert (await _members(app, setting))["new@acme.test"] == "admin"

    async with client(app, setting.owner) as c:
        invitation_id = (await c.get(f"/api/projects/{setting.project_id}/invitations")).json()[
            "items"
        ][0]["id"]
    r = await owner_browser.post(f"{url}/{invitation_id}/revoke")
    assert r.headers["location"].endswith("?notice=invitation_revoked#invitations")
    r = await owner_browser.post(f"{url}/{invitation_id}/revoke")
    assert r.headers["location"].endswith("?problem=invitation_not_found#invitations")
    r = await owner_browser.post(url, data={"role": "owner", "hours": "24"})
    assert r.headers["location"].endswith("?problem=validation_error#invitations")

    # Revoked, unknown and expired links are pages, in the reader's language.
    async with await sign_in(app, setting.member.email, language="en") as member:
        r = await member.get(path)
        assert r.status_code == 404
        assert "This invitation link is not valid, or it was revoked." in r.text
        assert (await member.get("/invitations/piv_nothing")).status_code == 404
        await owner_browser.post(url, data={"role": "member", "hours": "24"})
        async with as_owner(app.api.state.runtime.db.owner_url) as session:
            await session.execute(
                text("UPDATE project_invitations SET expires_at = now() - interval '1 hour'")
            )
            fresh = await owner_browser.post(url, data={"role": "member", "hours": "24"})
        expired = re.search(r'value="http://testserver(/invitations/[^"]+)"', fresh.text)
        assert expired
        async with as_owner(app.api.state.runtime.db.owner_url) as session:
            await session.execute(
                text("UPDATE project_invitations SET expires_at = now() - interval '1 hour'")
            )
        r = await member.get(expired.group(1))
        assert r.status_code == 410
        assert "This link has expired" in r.text
        assert "This invitation link has expired. Ask for a new one." in r.text


async def test_delete_and_leave(app: Any, setting: Setting, owner_browser: Browser) -> None:
    await owner_browser.get(settings(setting))
    url = f"/projects/{setting.project_id}"
    r = await owner_browser.post(f"{url}/leave")
    assert r.headers["location"] == f"{url}?problem=owner_cannot_leave"
    member = await sign_in(app, setting.member.email)
    async with member:
        await member.get(url)
        r = await member.post(f"{url}/leave")
        assert r.headers["location"] == "/projects?notice=left"
        assert "프로젝트에서 나갔습니다." in (await member.get(r.headers["location"])).text
        assert (await member.get(url)).status_code == 404

    r = await owner_browser.post(f"{url}/delete", data={"confirm_name": "Research?"})
    assert r.headers["location"] == f"{url}/settings?problem=name_mismatch#danger"
    assert (
        "입력한 이름이 프로젝트 이름과 다릅니다."
        in (await owner_browser.get(r.headers["location"])).text
    )
    r = await owner_browser.post(f"{url}/delete", data={"confirm_name": "Research"})
    assert r.headers["location"] == "/projects?notice=project_deleted"
    assert (await owner_browser.get(url)).status_code == 404


async def test_joining_from_the_projects_list(app: Any, setting: Setting) -> None:
    db = app.api.state.runtime.db
    owner = setting.owner
    open_one = await make_project(
        app, owner, "열린 프로젝트", visibility="public", join_method="open"
    )
    locked = await make_project(
        app,
        owner,
        "잠긴 프로젝트",
        visibility="public",
        join_method="password",
        password="open sesame",
    )
    invited = await make_project(app, owner, "초대 프로젝트", visibility="public")
    await make_user(db, email="colleague@acme.test")
    async with await sign_in(app, "colleague@acme.test") as c:
        page = await c.get("/projects")
        assert f'action="/projects/{open_one["id"]}/join"' in page.text
        assert "비밀번호로 참여" in page.text
        assert "초대로만 참여할 수 있습니다. 프로젝트 관리자에게 링크를 요청하세요." in page.text
        # Not a member yet: the name is not a link into a workspace they cannot open.
        assert f'href="/projects/{open_one["id"]}"' not in page.text

        r = await c.post(f"/projects/{open_one['id']}/join")
        assert r.headers["location"] == f"/projects/{open_one['id']}?notice=joined"
        assert (await c.get(r.headers["location"])).status_code == 200
        r = await c.post(f"/projects/{locked['id']}/join", data={"password": "open up"})
        assert r.headers["location"] == f"/projects?problem=wrong_password#project-{locked['id']}"
        assert "비밀번호가 올바르지 않습니다." in (await c.get(r.headers["location"])).text
        r = await c.post(f"/projects/{locked['id']}/join", data={"password": "open sesame"})
        assert r.headers["location"] == f"/projects/{locked['id']}?notice=joined"
        r = await c.post(f"/projects/{invited['id']}/join")
        assert r.headers["location"].endswith(
            "?problem=invitation_required#project-" + invited["id"]
        )
        assert "이 프로젝트는 초대로만" in (await c.get(r.headers["location"])).text
        # The private project of the setting stays invisible.
        assert (await c.post(f"/projects/{setting.project_id}/join")).status_code == 404
    await add_member(db, open_one["id"], setting.member)
