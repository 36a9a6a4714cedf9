"""Signing in and out through the pages, and the language a page is in."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from persona_insight.accounts.deps import SESSION_COOKIE
from tests.support import make_user
from tests.web.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio


def _client(app: Any, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


def _token(html: str) -> str:
    found = re.search(r'name="login_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_pages_send_strangers_to_sign_in_and_back(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="mina@acme.test")
    async with _client(app, **{"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}) as c:
        r = await c.get("/projects?mine=true")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/projects%3Fmine%3Dtrue"
        form = await c.get(r.headers["location"])
        assert '<html lang="ko">' in form.text
        assert 'name="next" value="/projects?mine=true"' in form.text

        wrong = await c.post(
            "/login",
            data={"email": "mina@acme.test", "password": "nope", "login_token": _token(form.text)},
        )
        assert wrong.status_code == 401
        assert "이메일 또는 비밀번호가 올바르지 않습니다." in wrong.text
        assert 'value="mina@acme.test"' in wrong.text  # what was typed stays

        r = await c.post(
            "/login",
            data={
                "email": "mina@acme.test",
                "password": PASSWORD,
                "login_token": _token(wrong.text),
                "next": "/projects?mine=true",
            },
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/projects?mine=true"
        assert SESSION_COOKIE in r.cookies
        assert "httponly" in r.headers["set-cookie"].lower()
        assert (await c.get("/login")).headers["location"] == "/projects"


async def test_sign_in_needs_the_form_token_and_stays_on_this_site(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="mina@acme.test")
    async with _client(app) as c:
        # A form posted from another site has no matching token cookie.
        r = await c.post("/login", data={"email": "mina@acme.test", "password": PASSWORD})
        assert r.status_code == 403
        assert SESSION_COOKIE not in r.cookies
        form = await c.get("/login")
        r = await c.post(
            "/login",
            data={
                "email": "mina@acme.test",
                "password": PASSWORD,
                "login_token": _token(form.text),
                "next": "//evil.example/steal",
            },
        )
        assert r.headers["location"] == "/projects"


async def test_sign_out_ends_the_session(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="mina@acme.test")
    browser = await sign_in(app, "mina@acme.test")
    async with browser:
        # Without the form's CSRF token, nothing happens.
        refused = await browser.http.post("/logout")
        assert refused.status_code == 403
        r = await browser.post("/logout")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?notice=signed_out"
        page = await browser.get(r.headers["location"])
        assert "로그아웃했습니다." in page.text
        assert (await browser.get("/projects")).status_code == 303
        assert (await browser.http.get("/api/me")).status_code == 401


CHOICES = [
    # (Accept-Language, switcher cookie, profile locale) → language of the page
    (("ko-KR,ko;q=0.9", None, None), "ko"),
    (("en-US,en;q=0.9,ko;q=0.8", None, None), "en"),
    (("fr-FR,ko;q=0.5,en;q=0.4", None, None), "ko"),
    (("fr-FR", None, None), "en"),
    (("ko", "en", None), "en"),  # the switcher's choice wins
    (("en", None, "ko"), "ko"),  # the profile beats the browser
    (("en", "en", "ko"), "en"),  # …but not an explicit switch
]


async def _set_profile_locale(app: Any, member: Any, locale: str | None) -> None:
    from sqlalchemy import text

    from persona_insight.db import Actor

    actor = Actor(company_id=member.company_id, user_id=member.user_id, role="company_user")
    async with app.api.state.runtime.db.unit_of_work(actor) as session:
        await session.execute(
            text("UPDATE users SET locale = :l WHERE id = :u"), {"l": locale, "u": member.user_id}
        )


async def test_language_is_chosen(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    for (accept, cookie, profile), expected in CHOICES:
        await _set_profile_locale(app, member, profile)
        async with await sign_in(app, "mina@acme.test", language=accept) as browser:
            if cookie:
                browser.http.cookies.set("pi_locale", cookie)
            r = await browser.get("/projects")
            assert f'<html lang="{expected}">' in r.text, (accept, cookie, profile)
            assert r.headers["content-language"] == expected


async def test_switcher_keeps_the_choice(app: Any) -> None:
    async with _client(app, **{"Accept-Language": "ko"}) as c:
        r = await c.get("/locale/en?next=/login%3Fnext%3D/projects")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/projects"
        assert "pi_locale=en" in r.headers["set-cookie"]
        assert '<html lang="en">' in (await c.get("/login")).text
        # Unknown languages and foreign targets change nothing.
        r = await c.get("/locale/fr?next=https://evil.example/")
        assert r.headers["location"] == "/"
        assert "set-cookie" not in r.headers
