"""Signing up through the page (the company comes from the e-mail's domain), every refusal said
in both languages, and the sign-in page's answer to too many failures."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from persona_insight.accounts.deps import SESSION_COOKIE
from tests.support import as_owner, make_user
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.anyio


def _client(app: Any, language: str = "ko") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Accept-Language": language},
    )


def _token(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def _sign_up(c: httpx.AsyncClient, **fields: str) -> httpx.Response:
    form = await c.get("/signup" + (f"?next={fields.pop('next')}" if "next" in fields else ""))
    assert form.status_code == 200
    data = {
        "signup_token": _token(form.text, "signup_token"),
        "next": _token(form.text, "next"),
        **fields,
    }
    return await c.post("/signup", data=data)


async def test_sign_up_asks_to_confirm_the_address_before_anything(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="boss@acme.test")  # Acme claims acme.test
    async with _client(app) as c:
        login = await c.get("/login")
        assert 'href="/signup"' in login.text
        assert "계정 만들기" in login.text
        r = await _sign_up(c, email="New.Person@ACME.test", name="새 사람", password=PASSWORD)
        assert r.status_code == 200, r.text
        assert "메일함을 확인하세요" in r.text
        assert "new.person@acme.test" in r.text
        # Not signed in: the account sees nothing of Acme until the mailbox is proven.
        assert SESSION_COOKIE not in r.cookies
        assert (await c.get("/api/me")).status_code == 401
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        from sqlalchemy import text

        actions = (
            await session.execute(text("SELECT action FROM audit_log ORDER BY id"))
        ).scalars()
        assert set(actions) == {"signup"}


async def test_sign_up_comes_back_to_where_it_was_asked(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="boss@acme.test")
    async with _client(app) as c:
        login = await c.get("/login?next=/invitations/piv_abc")
        assert 'href="/signup?next=/invitations/piv_abc"' in login.text
        r = await _sign_up(
            c, next="/invitations/piv_abc", email="mina@acme.test", name="민아", password=PASSWORD
        )
        assert 'href="/login?next=/invitations/piv_abc"' in r.text


REFUSALS = [
    # (fields, status, field with the message, Korean, English)
    (
        {"email": "kim@nowhere.test"},
        403,
        "email",
        "이 이메일 도메인을 쓰는 회사가 등록되어 있지 않습니다.",
        "No company on Persona Insight uses this e-mail domain.",
    ),
    (
        {"email": "boss@acme.test"},
        409,
        "email",
        "이 이메일로 가입한 계정이 이미 있습니다.",
        "An account with this e-mail already exists.",
    ),
    (
        {"password": "short"},
        422,
        "password",
        "비밀번호는 8자 이상이어야 합니다.",
        "The password needs at least 8 characters.",
    ),
    (
        {"email": "kim@closed.test"},
        403,
        "email",
        "회사 계정이 비활성화되어 있습니다.",
        "Your company's accounts are closed.",
    ),
    (
        {"email": "not-an-address"},
        422,
        "email",
        "올바른 이메일 주소를 입력하세요.",
        "Enter a valid e-mail address.",
    ),
    ({"name": ""}, 422, "name", "이름을 입력하세요", "Enter your name"),
]


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_every_refusal_is_said_next_to_its_field(app: Any, language: str) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="boss@acme.test")
    closed = await make_user(db, email="boss@closed.test", company="Closed")
    async with as_owner(db.owner_url) as session:
        from sqlalchemy import text

        await session.execute(
            text("UPDATE companies SET is_active = false WHERE id = :c"), {"c": closed.company_id}
        )
    async with _client(app, language) as c:
        for fields, status, field, korean, english in REFUSALS:
            typed = {"email": "kim@acme.test", "name": "김", "password": PASSWORD, **fields}
            r = await _sign_up(c, **typed)
            assert r.status_code == status, (fields, r.status_code)
            message = korean if language == "ko" else english
            shown = re.search(rf'<p class="field-error" id="e-{field}">([^<]*)</p>', r.text)
            assert shown, (fields, r.text)
            assert message.replace("'", "&#39;") in shown.group(1), (fields, shown.group(1))
            assert SESSION_COOKIE not in r.cookies
            assert f'value="{typed["email"]}"' in r.text  # nothing typed is lost…
            assert PASSWORD not in r.text  # …but the password


async def test_sign_up_needs_the_form_token(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="boss@acme.test")
    async with _client(app) as c:
        r = await c.post(
            "/signup", data={"email": "kim@acme.test", "name": "김", "password": PASSWORD}
        )
        assert r.status_code == 403
        assert "가입 양식이 만료되었습니다" in r.text


async def test_too_many_sign_ins_say_how_long_to_wait(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="mina@acme.test")
    async with _client(app) as c:
        for _ in range(5):
            form = await c.get("/login")
            r = await c.post(
                "/login",
                data={
                    "email": "mina@acme.test",
                    "password": "wrong",
                    "login_token": _token(form.text, "login_token"),
                },
            )
            assert r.status_code == 401
        form = await c.get("/login")
        r = await c.post(
            "/login",
            data={
                "email": "mina@acme.test",
                "password": PASSWORD,
                "login_token": _token(form.text, "login_token"),
            },
        )
        assert r.status_code == 429
        # Back-off: a short wait first, growing with each further failure.
        assert "로그인 실패가 너무 많습니다. 1분 뒤에 다시 시도해 주세요." in r.text
        assert 20 < int(r.headers["retry-after"]) <= 30
        assert SESSION_COOKIE not in r.cookies
