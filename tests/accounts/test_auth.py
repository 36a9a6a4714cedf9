"""Sign-in, sessions, bearer tokens, CSRF, and that every API route wants a caller."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import api_operations, client, make_user

pytestmark = pytest.mark.anyio

PUBLIC = {
    "/api/auth/login",
    "/api/auth/signup",
    "/api/auth/verify",
    "/healthz",
    "/readyz",
    "/metrics",
}


async def test_login_sets_httponly_cookie_and_me_works(app: Any) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="kim@acme.test", password="correct horse battery")
    async with client(app) as c:
        r = await c.post(
            "/api/auth/login", json={"email": "KIM@acme.test", "password": "correct horse battery"}
        )
        assert r.status_code == 200, r.text
        cookie = r.headers["set-cookie"]
        assert "pi_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
        csrf = r.json()["csrf_token"]
        me = await c.get("/api/me")
        assert me.status_code == 200
        assert me.json()["email"] == "kim@acme.test"
        # A cookie-authenticated change without the CSRF token is refused…
        r = await c.post("/api/projects", json={"name": "x"})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "csrf_failed"
        # …and accepted with it.
        r = await c.post("/api/projects", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        r = await c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 204
        assert (await c.get("/api/me")).status_code == 401


async def test_wrong_password_and_unknown_user_look_the_same(app: Any) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="lee@acme.test")
    async with client(app) as c:
        a = await c.post("/api/auth/login", json={"email": "lee@acme.test", "password": "nope"})
        b = await c.post("/api/auth/login", json={"email": "who@acme.test", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()
    assert a.json()["error"]["code"] == "invalid_credentials"


async def test_bearer_token_authenticates(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="park@acme.test")
    async with client(app, member) as c:
        assert (await c.get("/api/me")).json()["email"] == "park@acme.test"
    async with client(app) as c:
        r = await c.get("/api/me", headers={"Authorization": "Bearer pit_not-a-real-token"})
        assert r.status_code == 401


async def test_every_api_route_requires_a_user(app: Any) -> None:
    ids = {
        "project_id": "0190a0a0-0000-7000-8000-000000000000",
        "interview_id": "0190a0a0-0000-7000-8000-000000000000",
    }
    checked = 0
    async with client(app) as c:
        for method, template in api_operations(app):
            if template in PUBLIC or not template.startswith("/api"):
                continue
            path = re.sub(r"\{[a-z_]+\}", ids["project_id"], template)
            r = await c.request(method, path)
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["error"]["code"] == "unauthenticated"
            checked += 1
    assert checked >= 12
