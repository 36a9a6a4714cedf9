"""Administration: companies, users, roles, deactivation, and the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import client, make_user

pytestmark = pytest.mark.anyio


async def test_super_admin_manages_companies_and_moves_users(app: Any) -> None:
    db = app.api.state.runtime.db
    root = await make_user(db, email="root@root.test", role="super_admin", company="Root")
    kim = await make_user(db, email="kim@acme.test", company="Acme")
    async with client(app, root) as c:
        r = await c.post(
            "/api/admin/companies", json={"name": "Beta", "domains": ["Beta.TEST", "@beta.test"]}
        )
        assert r.status_code == 201
        beta = r.json()
        assert beta["domains"] == ["beta.test"]
        r = await c.post("/api/admin/companies", json={"name": "Bad", "domains": ["not a domain"]})
        assert r.status_code == 422
        for field in ("domains", "is_active"):
            r = await c.patch(f"/api/admin/companies/{beta['id']}", json={field: None})
            assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")
        names = {x["name"] for x in (await c.get("/api/admin/companies")).json()["items"]}
        assert {"Root", "Acme", "Beta"} <= names
        r = await c.patch(f"/api/admin/users/{kim.user_id}", json={"company_id": beta["id"]})
        assert r.status_code == 200
        assert r.json()["company_id"] == beta["id"]
        users = (await c.get("/api/admin/users", params={"company_id": beta["id"]})).json()
        assert [u["email"] for u in users["items"]] == ["kim@acme.test"]
        # The last super-admin cannot be removed, not even by themselves.
        r = await c.patch(f"/api/admin/users/{root.user_id}", json={"role": "company_user"})
        assert r.status_code == 409
    async with client(app, kim) as c:
        # Moving ended the old credentials.
        assert (await c.get("/api/me")).status_code == 401


async def test_company_admin_scope(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    kim = await make_user(db, email="kim@acme.test")
    other = await make_user(db, email="x@other.test", company="Other")
    async with client(app, admin) as c:
        emails = {u["email"] for u in (await c.get("/api/admin/users")).json()["items"]}
        assert emails == {"admin@acme.test", "kim@acme.test"}
        # Another company's user does not exist for this admin.
        r = await c.patch(f"/api/admin/users/{other.user_id}", json={"is_active": False})
        assert r.status_code == 404
        r = await c.patch(f"/api/admin/users/{kim.user_id}", json={"role": "super_admin"})
        assert r.status_code == 403
        r = await c.patch(f"/api/admin/users/{admin.user_id}", json={"is_active": False})
        assert r.json()["error"]["code"] == "cannot_change_self"
        r = await c.patch(f"/api/admin/users/{kim.user_id}", json={"role": "company_admin"})
        assert r.json()["role"] == "company_admin"
        companies = (await c.get("/api/admin/companies")).json()["items"]
        assert [x["name"] for x in companies] == ["Acme"]
        r = await c.patch(
            f"/api/admin/companies/{companies[0]['id']}", json={"domains": ["evil.test"]}
        )
        assert r.status_code == 403
        r = await c.patch(
            f"/api/admin/companies/{companies[0]['id']}", json={"description": "우리 회사"}
        )
        assert r.json()["description"] == "우리 회사"
        # A null is not "unchanged" (leave the field out for that): refused, nothing written.
        for field in ("name", "description"):
            r = await c.patch(f"/api/admin/companies/{companies[0]['id']}", json={field: None})
            assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")
        assert (await c.post("/api/admin/companies", json={"name": "X"})).status_code == 403
        audit = (await c.get("/api/admin/audit")).json()["items"]
        assert [e["action"] for e in audit][:2] == ["company_updated", "role_changed"]
        assert all(e["company_id"] in (None, companies[0]["id"]) for e in audit)
    async with client(app, kim) as c:
        assert (await c.get("/api/admin/audit")).status_code == 200  # now an admin
    async with client(app, other) as c:
        assert (await c.get("/api/admin/audit")).status_code == 403
        assert (await c.get("/api/admin/users")).status_code == 403


async def test_audit_log_records_security_actions(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    async with client(app) as c:
        await c.post("/api/auth/login", json={"email": "nobody@acme.test", "password": "wrong"})
        await c.post("/api/auth/login", json={"email": "admin@acme.test", "password": "wrong"})
        await c.post(
            "/api/auth/login",
            json={"email": "admin@acme.test", "password": "correct horse battery"},
        )
    async with client(app, admin) as c:
        token = (await c.post("/api/me/tokens", json={"name": "ci"})).json()
        await c.delete(f"/api/me/tokens/{token['id']}")
        actions = [e["action"] for e in (await c.get("/api/admin/audit")).json()["items"]]
        assert actions[:4] == ["token_revoked", "token_created", "login", "login_failed"]
        # A failed sign-in to one of the company's accounts is the company's to see (an attack
        # on its users); one naming no account is kept for the instance (super-admins).
        assert actions.count("login_failed") == 1
        filtered = (await c.get("/api/admin/audit", params={"action": "login"})).json()["items"]
        assert {e["action"] for e in filtered} == {"login"}


async def test_a_body_of_many_mistakes_gets_a_bounded_answer(app: Any) -> None:
    """Each unknown key of a JSON body was listed in the 422: 200,000 of them made an 18 MB
    answer. The first 20 are listed, then how many more there are."""
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    async with client(app, admin) as c:
        company = (await c.get("/api/admin/companies")).json()["items"][0]
        body = {f"k{n}": n for n in range(5_000)}
        r = await c.patch(f"/api/admin/companies/{company['id']}", json=body)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")
    details = r.json()["error"]["details"]
    assert len(details) == 21
    assert details[-1] == {"more": 4_980}
    assert len(r.content) < 5_000
