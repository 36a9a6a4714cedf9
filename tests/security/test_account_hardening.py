"""Issue 10: an invitation link is not re-usable by a removed member (part of item 1), a password
change revokes API tokens by default (item 15), cookies are Secure on https, the audit log is
numbered per company and failed sign-ins reach the targeted company's admins (item 16)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery"


async def test_a_removed_member_cannot_come_back_with_the_same_link(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    kim = await make_user(db, email="kim@acme.test")
    lee = await make_user(db, email="lee@acme.test")
    project = await make_project(app, owner)
    async with client(app, owner) as c:
        r = await c.post(f"/api/projects/{project['id']}/invitations", json={"role": "member"})
        token = r.json()["token"]
    async with client(app, kim) as c:
        assert (await c.post(f"/api/invitations/{token}/accept")).status_code == 200
        # Accepting again while a member changes nothing.
        assert (await c.post(f"/api/invitations/{token}/accept")).status_code == 200
    async with client(app, owner) as c:
        r = await c.delete(f"/api/projects/{project['id']}/members/{kim.user_id}")
        assert r.status_code == 204
    async with client(app, kim) as c:
        r = await c.post(f"/api/invitations/{token}/accept")
        assert r.status_code == 410
        assert r.json()["error"]["code"] == "invitation_used"
        assert (await c.get(f"/api/projects/{project['id']}")).status_code == 404
    # The link still works for people it was not used by …
    async with client(app, lee) as c:
        assert (await c.post(f"/api/invitations/{token}/accept")).status_code == 200
    # … and a new link lets the removed member back in.
    async with client(app, owner) as c:
        r = await c.post(f"/api/projects/{project['id']}/invitations", json={"role": "member"})
        fresh = r.json()["token"]
    async with client(app, kim) as c:
        assert (await c.post(f"/api/invitations/{fresh}/accept")).status_code == 200


async def _sign_in(app: Any, email: str) -> httpx.AsyncClient:
    c = client(app)
    r = await c.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


@pytest.mark.parametrize("keep", [False, True])
async def test_a_password_change_revokes_api_tokens_unless_kept(app: Any, keep: bool) -> None:
    kim = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app, kim) as token_client:
        assert (await token_client.get("/api/me")).status_code == 200
        browser = await _sign_in(app, kim.email)
        other = await _sign_in(app, kim.email)
        try:
            body = {"current_password": PASSWORD, "new_password": "a new long password"}
            r = await browser.post("/api/me/password", json={**body, "keep_api_tokens": keep})
            assert r.status_code == 200, r.text
            browser.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            # Other sessions end either way; this one continues on its new cookie.
            assert (await other.get("/api/me")).status_code == 401
            assert (await browser.get("/api/me")).status_code == 200
            listed = (await browser.get("/api/me/tokens")).json()["items"]
        finally:
            await browser.aclose()
            await other.aclose()
        r = await token_client.get("/api/me")
        assert r.status_code == (200 if keep else 401)
        assert len(listed) == (1 if keep else 0)


@pytest.mark.parametrize(
    ("base_url", "secure_cookies", "secure"),
    [
        ("https://insight.example", None, True),
        ("http://insight.example", None, False),
        (None, None, False),
        ("https://insight.example", False, False),
        ("http://127.0.0.1:8000", True, True),
    ],
)
async def test_cookies_are_secure_by_default_behind_https(
    settings: Any, base_url: str | None, secure_cookies: bool | None, secure: bool
) -> None:
    from persona_insight.app import create_app

    tuned = settings.model_copy(update={"base_url": base_url, "secure_cookies": secure_cookies})
    application = create_app(tuned)
    async with application.lifespan():
        await make_user(application.api.state.runtime.db, email="kim@acme.test")
        async with client(application) as c:
            r = await c.post(
                "/api/auth/login", json={"email": "kim@acme.test", "password": PASSWORD}
            )
            assert r.status_code == 200
            assert ("; secure" in r.headers["set-cookie"].lower()) is secure
        async with client(application) as c:
            form = await c.get("/login")
            assert ("; secure" in form.headers["set-cookie"].lower()) is secure


@pytest.fixture
async def two_companies(app: Any) -> dict[str, Any]:
    db = app.api.state.runtime.db
    return {
        "acme_admin": await make_user(db, email="boss@acme.test", role="company_admin"),
        "kim": await make_user(db, email="kim@acme.test"),
        "beta_admin": await make_user(
            db, email="boss@beta.test", company="Beta", role="company_admin"
        ),
        "lee": await make_user(db, email="lee@beta.test", company="Beta"),
    }


async def test_failed_sign_ins_reach_the_targeted_companys_admins(
    app: Any, two_companies: dict[str, Any]
) -> None:
    kim = two_companies["kim"]
    async with client(app) as c:
        for _ in range(2):
            r = await c.post("/api/auth/login", json={"email": kim.email, "password": "guess"})
            assert r.status_code == 401
        r = await c.post("/api/auth/login", json={"email": "ghost@acme.test", "password": "x"})
        assert r.status_code == 401
    async with client(app, two_companies["acme_admin"]) as c:
        items = (await c.get("/api/admin/audit", params={"action": "login_failed"})).json()["items"]
        assert len(items) == 2
        assert {(e["target_type"], e["target_id"]) for e in items} == {("user", str(kim.user_id))}
        assert all(e["ip"] for e in items)
    async with client(app, two_companies["beta_admin"]) as c:
        items = (await c.get("/api/admin/audit", params={"action": "login_failed"})).json()["items"]
        assert items == []


async def test_the_audit_log_is_numbered_per_company(
    app: Any, two_companies: dict[str, Any]
) -> None:
    # Interleaved entries of both companies.
    for _ in range(3):
        for who in ("kim", "lee"):
            member = two_companies[who]
            async with client(app, member) as c:
                r = await c.post("/api/me/tokens", json={"name": "t"})
                assert r.status_code == 201
    for admin in ("acme_admin", "beta_admin"):
        async with client(app, two_companies[admin]) as c:
            r = await c.get("/api/admin/audit", params={"action": "token_created"})
            ids = [e["id"] for e in r.json()["items"]]
            # Each company counts its own entries: no gaps where the other company wrote.
            assert ids == sorted(ids, reverse=True)
            assert ids == list(range(ids[0], ids[0] - 3, -1)), ids
            page = (await c.get("/api/admin/audit", params={"limit": 1})).json()
            assert page["next_before"] == page["items"][0]["id"]
            older = (
                await c.get("/api/admin/audit", params={"limit": 1, "before": page["next_before"]})
            ).json()["items"]
            assert older[0]["id"] == page["items"][0]["id"] - 1
            # A number past the ids' range is a bad parameter, not "a value that cannot be
            # stored" from the database (API QA pass).
            r = await c.get("/api/admin/audit", params={"before": "9" * 20})
            assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")
            r = await c.post("/api/me/tokens", json={"name": "\u200b"})
            assert r.status_code == 422, r.text
