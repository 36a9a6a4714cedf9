"""Pages answer outsiders with 404 like the API, escape what users wrote, run no inline script,
and stay out of the OpenAPI schema."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import api_operations, client, make_project, make_user
from tests.web.conftest import Browser, Setting, sign_in

pytestmark = pytest.mark.anyio

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def test_outsiders_get_404_pages(app: Any, setting: Setting) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="colleague@acme.test")  # same company, not a member
    await make_user(db, email="spy@other.test", company="Other")
    for email in ("colleague@acme.test", "spy@other.test"):
        browser = await sign_in(app, email)
        async with browser:
            for url in (
                f"/projects/{setting.project_id}",
                f"/interviews/{setting.interview_id}",
                f"/interviews/{setting.interview_id}/export.md",
                f"/interviews/{setting.interview_id}/export.txt",
                "/projects/not-an-id",
                "/admin",
            ):
                r = await browser.get(url)
                assert r.status_code == 404, url
                assert "페이지를 찾을 수 없습니다" in r.text
            for url in (
                f"/projects/{setting.project_id}/paste",
                f"/interviews/{setting.interview_id}/delete",
                f"/interviews/{setting.interview_id}/notes",
            ):
                r = await browser.post(url, data={"text": "x", "line_ids": "1"})
                assert r.status_code == 404, url


async def test_user_content_is_escaped_and_no_script_is_inline(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner, name=HOSTILE, description=HOSTILE)
    async with client(app, owner) as c:
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project["id"], "text": "Q: 왜?\nA: 몰라요", "title": HOSTILE},
        )
        interview_id = r.json()["interview_id"]
    browser = await sign_in(app, "owner@acme.test")
    async with browser:
        for url in ("/projects", f"/projects/{project['id']}", f"/interviews/{interview_id}"):
            r = await browser.get(url)
            assert r.status_code == 200
            assert HOSTILE not in r.text
            assert "&lt;script&gt;alert(" in r.text
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp
            assert "script-src 'self'" in csp
            assert "unsafe-inline" not in csp
            assert r.headers["x-frame-options"] == "DENY"
            for tag in re.findall(r"<script\b[^>]*>", r.text):
                assert 'type="application/json"' in tag or (
                    'type="module"' in tag and "src=" in tag
                )
            assert not re.search(r"\son[a-z]+=", r.text.replace("onerror=alert", ""))
            assert not re.search(r'\sstyle="', r.text)


async def test_page_routes_are_not_in_the_schema(app: Any) -> None:
    paths = {path for _, path in api_operations(app)}
    assert all(p.startswith("/api/") or p in {"/healthz", "/readyz", "/metrics"} for p in paths), (
        paths
    )


async def test_unknown_addresses_are_the_404_page_outside_the_api(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    async with client(app) as c:
        r = await c.get("/nope", headers={"Accept-Language": "ko"})
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/html")
        assert "페이지를 찾을 수 없습니다" in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]
        r = await c.get("/projects/x/y/z", headers={"Accept-Language": "en"})
        assert "This page is not here" in r.text
        r = await c.get("/api/nope")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    # Signed in, the page is in the language of the profile, with the top bar.
    from tests.web.test_sign_in import _set_profile_locale

    await _set_profile_locale(app, member, "en")
    async with await sign_in(app, "mina@acme.test", language="ko") as browser:
        r = await browser.get("/nope")
        assert r.status_code == 404
        assert '<html lang="en">' in r.text
        assert 'href="/profile"' in r.text


# Every form a page posts, with the ids it needs; none may do anything without the CSRF token.
POST_FORMS = [
    "/logout",
    "/profile",
    "/profile/avatar",
    "/profile/avatar/delete",
    "/profile/password",
    "/profile/tokens",
    "/profile/tokens/{uuid}/revoke",
    "/projects/new",
    "/projects/{project}/join",
    "/projects/{project}/leave",
    "/projects/{project}/settings",
    "/projects/{project}/delete",
    "/projects/{project}/members/{member}/role",
    "/projects/{project}/members/{member}/remove",
    "/projects/{project}/transfer",
    "/projects/{project}/invitations",
    "/projects/{project}/invitations/{uuid}/revoke",
    "/invitations/{uuid}",
    "/projects/{project}/upload",
    "/projects/{project}/paste",
    "/projects/{project}/insights/summary",
    "/projects/{project}/personas/{uuid}/synthesise",
    "/projects/{project}/chat",
    "/projects/{project}/chat/{uuid}/settings",
    "/projects/{project}/chat/{uuid}/delete",
    "/projects/{project}/chat/{uuid}/summary",
    "/interviews/{interview}/edit",
    "/interviews/{interview}/delete",
    "/interviews/{interview}/restore",
    "/interviews/{interview}/retry",
    "/interviews/{interview}/purge",
    "/interviews/{interview}/persona",
    "/projects/{project}/insights/themes/{uuid}",
    "/interviews/{interview}/notes",
    "/interviews/{interview}/speakers",
    "/interviews/{interview}/speakers/rename",
    "/notes/{uuid}/edit",
    "/notes/{uuid}/delete",
    "/admin/users/{member}",
    "/admin/analysis",
    "/admin/analysis/clear-key",
    "/admin/analysis/speech",
    "/admin/analysis/test",
    "/admin/data/retention",
    "/admin/data/projects/{project}/erase",
    "/admin/glossary",
    "/admin/glossary/{uuid}/delete",
    "/admin/knowledge",
    "/admin/knowledge/{uuid}/delete",
    "/admin/personas",
    "/admin/personas/{uuid}",
    "/admin/personas/{uuid}/delete",
    "/admin/personas/framework",
    "/admin/personas/{uuid}/combination",
    "/admin/personas/{uuid}/picture",
    "/admin/personas/{uuid}/picture/delete",
    "/admin/companies",
    "/admin/companies/{company}",
    "/admin/companies/{company}/active",
]


def test_the_list_of_forms_is_complete() -> None:
    from fastapi.routing import APIRoute

    from persona_insight.web.routes import PARTS

    posted = {
        re.sub(r"\{\w+\}", "<>", route.path)
        for part in PARTS
        for route in part.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    }
    listed = {re.sub(r"\{\w+\}", "<>", url) for url in POST_FORMS}
    # Signed-out forms: their own form tokens (sign-in, sign-up) or a secret in the address.
    assert posted - {"/login", "/signup", "/verify-email/<>"} == listed


async def test_every_form_needs_the_csrf_token(app: Any, setting: Setting) -> None:
    root = await make_user(app.api.state.runtime.db, email="root@acme.test", role="super_admin")
    ids = {
        "project": setting.project_id,
        "interview": setting.interview_id,
        "member": str(setting.member.user_id),
        "company": str(root.company_id),
        "uuid": "00000000-0000-0000-0000-000000000000",
    }
    async with await sign_in(app, "root@acme.test") as browser:
        for url in POST_FORMS:
            r = await browser.http.post(url.format(**ids), data={"name": "x", "confirm": "yes"})
            assert r.status_code == 403, url
            assert "로그인 상태가 바뀌었습니다." in r.text
        assert (await browser.get("/projects")).status_code == 200  # still signed in


async def test_static_files(app: Any, owner_browser: Browser) -> None:
    r = await owner_browser.http.get("/static/js/app.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    etag = r.headers["etag"]
    again = await owner_browser.http.get("/static/js/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    for url in ("/static/../page.py", "/static/%2e%2e/page.py", "/static/css/missing.css"):
        assert (await owner_browser.http.get(url)).status_code == 404
