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


async def test_admin_page_is_for_super_admins(app: Any, setting: Setting) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="root@acme.test", role="super_admin")
    admin = await sign_in(app, "root@acme.test")
    async with admin:
        r = await admin.get("/admin")
        assert r.status_code == 200
        assert "실시간 연결 모니터" in r.text
        assert 'href="/admin"' in r.text
    company_admin = await make_user(db, email="boss@acme.test", role="company_admin")
    boss = await sign_in(app, company_admin.email)
    async with boss:
        assert (await boss.get("/admin")).status_code == 404
        assert 'href="/admin"' not in (await boss.get("/projects")).text


async def test_static_files(app: Any, owner_browser: Browser) -> None:
    r = await owner_browser.http.get("/static/js/app.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    etag = r.headers["etag"]
    again = await owner_browser.http.get("/static/js/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    for url in ("/static/../page.py", "/static/%2e%2e/page.py", "/static/css/missing.css"):
        assert (await owner_browser.http.get(url)).status_code == 404
