"""Sign-up picks the company by the e-mail's domain; the first user runs the instance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.accounts.mailbox import Mailbox, mail_settings, smtp_server
from tests.live import start_live
from tests.support import client, make_user

pytestmark = pytest.mark.anyio


def _body(email: str) -> dict[str, str]:
    return {"email": email, "password": "a-fine-password", "name": "새 사용자"}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


async def _signed_up(c: httpx.AsyncClient, box: Mailbox, email: str) -> dict[str, Any]:
    """Sign up, follow the mailed link, sign in: the account as the API shows it."""
    r = await c.post("/api/auth/signup", json=_body(email))
    assert r.status_code == 202, r.text
    address = r.json()["email"]
    # The server answers after the mail server accepted the message.
    r = await c.post("/api/auth/verify", json={"token": box.tokens_to(address)[-1]})
    assert r.status_code == 200, r.text
    r = await c.post("/api/auth/login", json={"email": email, "password": _body(email)["password"]})
    assert r.status_code == 200, r.text
    assert "pi_session=" in r.headers["set-cookie"]
    user: dict[str, Any] = r.json()["user"]
    return user


async def test_first_user_becomes_super_admin_then_domains_decide(
    settings: Any, mailbox: Mailbox
) -> None:
    live, sock = start_live(mail_settings(settings, mailbox))
    try:
        async with httpx.AsyncClient(base_url=live.url) as c:
            assert (await _signed_up(c, mailbox, "founder@first.test"))["role"] == "super_admin"
        # The founder's company now claims first.test: colleagues join it as users.
        async with httpx.AsyncClient(base_url=live.url) as c:
            body = await _signed_up(c, mailbox, "colleague@FIRST.test")
            assert body["role"] == "company_user"
            assert body["company"]["name"] == "first.test"
            # Nobody claims other.test and sign-up is not open.
            r = await c.post("/api/auth/signup", json=_body("someone@other.test"))
            assert r.status_code == 403
            assert r.json()["error"]["code"] == "signup_domain_not_allowed"
            r = await c.post("/api/auth/signup", json=_body("colleague@first.test"))
            assert r.status_code == 409
            assert r.json()["error"]["code"] == "email_taken"
            for bad in (
                {"email": "not-an-email", "password": "a-fine-password", "name": "x"},
                {"email": "a@first.test", "password": "short", "name": "x"},
                {"email": "a@first.test", "password": "a-fine-password", "name": ""},
            ):
                r = await c.post("/api/auth/signup", json=bad)
                assert r.status_code == 422, bad
    finally:
        live.stop()
        sock.close()


async def test_open_signup_founds_a_company_per_domain(settings: Any, mailbox: Mailbox) -> None:
    live, sock = start_live(mail_settings(settings, mailbox, open_signup=True))
    try:
        async with httpx.AsyncClient(base_url=live.url) as c:
            assert (await _signed_up(c, mailbox, "a@one.test"))["role"] == "super_admin"
        async with httpx.AsyncClient(base_url=live.url) as c:
            body = await _signed_up(c, mailbox, "b@two.test")
            assert body["role"] == "company_admin"
            assert body["company"]["name"] == "two.test"
    finally:
        live.stop()
        sock.close()


async def test_inactive_company_refuses_signups_and_sign_ins(app: Any) -> None:
    admin = await make_user(
        app.api.state.runtime.db, email="root@root.test", role="super_admin", company="Root"
    )
    await make_user(app.api.state.runtime.db, email="kim@acme.test", company="Acme")
    async with client(app, admin) as c:
        companies = (await c.get("/api/admin/companies")).json()["items"]
        acme = next(x for x in companies if x["name"] == "Acme")
        r = await c.patch(f"/api/admin/companies/{acme['id']}", json={"is_active": False})
        assert r.status_code == 200
    async with client(app) as c:
        r = await c.post("/api/auth/signup", json=_body("new@acme.test"))
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "company_inactive"
        r = await c.post(
            "/api/auth/login", json={"email": "kim@acme.test", "password": "correct horse battery"}
        )
        assert r.status_code == 401


async def test_profile_and_avatar(app: Any) -> None:
    from tests.security.world import PNG

    kim = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    lee = await make_user(app.api.state.runtime.db, email="lee@acme.test")
    other = await make_user(app.api.state.runtime.db, email="x@other.test", company="Other")
    async with client(app, kim) as c:
        r = await c.patch("/api/me", json={"name": "김민지", "locale": "ko"})
        assert r.json()["name"] == "김민지"
        assert r.json()["locale"] == "ko"
        assert (await c.patch("/api/me", json={"locale": "fr"})).status_code == 422
        r = await c.put("/api/me/avatar", files={"file": ("a.png", PNG, "image/png")})
        assert r.status_code == 200
        assert r.json()["has_avatar"] is True
        r = await c.put("/api/me/avatar", files={"file": ("a.gif", b"GIF89a...", "image/gif")})
        assert r.status_code == 415
        r = await c.put(
            "/api/me/avatar",
            files={"file": ("big.png", PNG + b"0" * (5 * 1024 * 1024), "image/png")},
        )
        assert r.status_code == 413
    async with client(app, lee) as c:
        r = await c.get(f"/api/users/{kim.user_id}/avatar")
        assert r.status_code == 200
        assert r.content == PNG
        assert r.headers["content-type"] == "image/png"
    async with client(app, other) as c:
        assert (await c.get(f"/api/users/{kim.user_id}/avatar")).status_code == 404
