"""Project membership: join methods, invitations, roles, ownership, leaving — with events."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def _events(app: Any, project_id: str) -> list[str]:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        rows = await s.execute(
            text("SELECT type FROM events WHERE project_id = :p ORDER BY seq"), {"p": project_id}
        )
        return list(rows.scalars())


async def test_join_methods(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    kim = await make_user(db, email="kim@acme.test")
    outsider = await make_user(db, email="x@other.test", company="Other")
    open_p = await make_project(app, owner, "Open", visibility="public", join_method="open")
    pw_p = await make_project(
        app, owner, "Pw", visibility="public", join_method="password", password="open sesame"
    )
    inv_p = await make_project(app, owner, "Inv", visibility="public", join_method="invite_only")
    private = await make_project(app, owner, "Private", visibility="private", join_method="open")
    async with client(app, kim) as c:
        listed = {p["name"] for p in (await c.get("/api/projects")).json()["items"]}
        assert listed == {"Open", "Pw", "Inv"}
        r = await c.post(f"/api/projects/{open_p['id']}/join", json={})
        assert r.status_code == 200
        assert r.json()["my_role"] == "member"
        assert (await c.post(f"/api/projects/{open_p['id']}/join", json={})).status_code == 409
        r = await c.post(f"/api/projects/{pw_p['id']}/join", json={"password": "wrong"})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "wrong_password"
        assert (
            await c.post(f"/api/projects/{pw_p['id']}/join", json={"password": "open sesame"})
        ).status_code == 200
        r = await c.post(f"/api/projects/{inv_p['id']}/join", json={})
        assert r.json()["error"]["code"] == "invitation_required"
        assert (await c.post(f"/api/projects/{private['id']}/join", json={})).status_code == 404
    async with client(app, outsider) as c:
        assert (await c.post(f"/api/projects/{open_p['id']}/join", json={})).status_code == 404
    assert await _events(app, open_p["id"]) == ["member:added"]


async def test_invitation_links(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    kim = await make_user(db, email="kim@acme.test")
    outsider = await make_user(db, email="x@other.test", company="Other")
    project = await make_project(app, owner, "Inv", join_method="invite_only")
    async with client(app, owner) as c:
        r = await c.post(
            f"/api/projects/{project['id']}/invitations",
            json={"role": "admin", "expires_in_hours": 2},
        )
        assert r.status_code == 201
        invitation = r.json()
        assert invitation["url"].endswith("/invitations/" + invitation["token"])
        listed = (await c.get(f"/api/projects/{project['id']}/invitations")).json()["items"]
        assert [i["id"] for i in listed] == [invitation["id"]]
        assert "token" not in listed[0]
    async with client(app, outsider) as c:
        r = await c.post(f"/api/invitations/{invitation['token']}/accept")
        assert r.status_code == 404
    async with client(app, kim) as c:
        r = await c.post(f"/api/invitations/{invitation['token']}/accept")
        assert r.status_code == 200
        assert r.json()["my_role"] == "admin"
        r = await c.post("/api/invitations/piv_nope/accept")
        assert r.status_code == 404
    async with as_owner(db.owner_url) as s:
        await s.execute(text("UPDATE project_invitations SET expires_at = now() - interval '1s'"))
    lee = await make_user(db, email="lee@acme.test")
    async with client(app, lee) as c:
        r = await c.post(f"/api/invitations/{invitation['token']}/accept")
        assert r.status_code == 410
        assert r.json()["error"]["code"] == "invitation_expired"
    async with client(app, owner) as c:
        r = await c.delete(f"/api/projects/{project['id']}/invitations/{invitation['id']}")
        assert r.status_code == 204


async def test_roles_transfer_and_leaving(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    kim = await make_user(db, email="kim@acme.test")
    lee = await make_user(db, email="lee@acme.test")
    project = await make_project(app, owner, "Team", visibility="public", join_method="open")
    pid = project["id"]
    for member in (kim, lee):
        async with client(app, member) as c:
            await c.post(f"/api/projects/{pid}/join", json={})
    async with client(app, kim) as c:
        r = await c.patch(f"/api/projects/{pid}/members/{lee.user_id}", json={"role": "admin"})
        assert r.status_code == 403
    async with client(app, owner) as c:
        r = await c.patch(f"/api/projects/{pid}/members/{kim.user_id}", json={"role": "admin"})
        assert r.json()["role"] == "admin"
        r = await c.patch(f"/api/projects/{pid}/members/{kim.user_id}", json={"role": "owner"})
        assert r.status_code == 422
    async with client(app, kim) as c:
        # An admin cannot demote or remove the owner.
        r = await c.patch(f"/api/projects/{pid}/members/{owner.user_id}", json={"role": "member"})
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "owner_role_fixed"
        r = await c.delete(f"/api/projects/{pid}/members/{owner.user_id}")
        assert r.status_code == 409
        r = await c.post(f"/api/projects/{pid}/transfer", json={"user_id": str(kim.user_id)})
        assert r.status_code == 403
    async with client(app, owner) as c:
        assert (await c.post(f"/api/projects/{pid}/leave")).status_code == 409
        r = await c.post(f"/api/projects/{pid}/transfer", json={"user_id": str(kim.user_id)})
        assert r.status_code == 200
        assert r.json()["my_role"] == "admin"
        assert (await c.post(f"/api/projects/{pid}/leave")).status_code == 204
        assert (await c.get(f"/api/projects/{pid}/interviews")).status_code == 404
    async with client(app, kim) as c:
        members = (await c.get(f"/api/projects/{pid}/members")).json()["items"]
        assert {(m["email"], m["role"]) for m in members} == {
            ("kim@acme.test", "owner"),
            ("lee@acme.test", "member"),
        }
        r = await c.delete(f"/api/projects/{pid}/members/{lee.user_id}")
        assert r.status_code == 204
    assert await _events(app, pid) == [
        "member:added",
        "member:added",
        "member:role_changed",
        "member:role_changed",
        "member:role_changed",
        "member:removed",
        "member:removed",
    ]


async def test_settings_edit_and_soft_delete(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, owner, "Settings")
    pid = project["id"]
    async with client(app, owner) as c:
        r = await c.patch(
            f"/api/projects/{pid}", json={"purpose": "왜 충전이 불편한가", "end_date": "2026-12-31"}
        )
        assert r.status_code == 200
        assert r.json()["purpose"] == "왜 충전이 불편한가"
        r = await c.patch(f"/api/projects/{pid}", json={"join_method": "password"})
        assert r.json()["error"]["code"] == "password_required"
        r = await c.patch(f"/api/projects/{pid}", json={"start_date": "2027-01-01"})
        assert r.status_code == 422
        r = await c.patch(f"/api/projects/{pid}", json={"visibility": "everyone"})
        assert r.status_code == 422
    async with client(app, admin) as c:
        assert (await c.delete(f"/api/projects/{pid}")).status_code == 204
    async with client(app, owner) as c:
        assert (await c.get(f"/api/projects/{pid}")).status_code == 404
        assert pid not in (await c.get("/api/projects")).text
    assert await _events(app, pid) == ["project:updated", "project:deleted"]
