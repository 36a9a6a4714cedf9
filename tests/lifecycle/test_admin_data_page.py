"""`/admin/data`: the trash's retention and each project's download and erasure, as a company
admin sees them without JavaScript, in Korean."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tests.lifecycle.test_retention import setup_admin, upload
from tests.support import client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_admin_sets_retention_downloads_and_erases(app: Any) -> None:
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    await make_user(rt.db, email="member@acme.test", company="Acme")
    async with client(app, admin) as c:
        await upload(c, project, b"Interviewer: hi\nCustomer: hello\n" * 5, "a.txt")
    async with await sign_in(app, "admin@acme.test", "ko") as browser:
        page = await browser.get("/admin/data")
        assert page.status_code == 200, page.text
        assert "프로젝트 삭제" not in page.text
        assert "휴지통 보관 일수" in page.text
        assert "현재: 30일" in page.text
        r = await browser.post("/admin/data/retention", {"trash_retention_days": "0"})
        assert r.status_code == 422
        assert "1에서 3650 사이의 일수" in r.text
        r = await browser.post("/admin/data/retention", {"trash_retention_days": "abc"})
        assert r.status_code == 422
        r = await browser.post("/admin/data/retention", {"trash_retention_days": "14"})
        assert r.status_code == 303, r.text
        assert "현재: 14일" in (await browser.get("/admin/data")).text

        r = await browser.get(f"/api/projects/{project}/export")
        assert r.status_code == 200
        assert "project.json" in zipfile.ZipFile(io.BytesIO(r.content)).namelist()

        r = await browser.post(
            f"/admin/data/projects/{project}/erase", {"project_name": "Wrong name"}
        )
        assert r.status_code == 422
        assert "프로젝트 이름을 정확히 입력하세요" in r.text
        assert (await browser.get(f"/projects/{project}")).status_code == 200
        r = await browser.post(
            f"/admin/data/projects/{project}/erase", {"project_name": "Research"}
        )
        assert r.status_code == 303, r.text
        page = await browser.get(r.headers["location"])
        assert "프로젝트와 모든 데이터가 영구 삭제되었습니다" in page.text
        assert (await browser.get(f"/projects/{project}")).status_code == 404
    # A deleted project is still listed, marked, so its data can be erased.
    gone = await make_project(app, admin, name="Old")
    async with client(app, admin) as c:
        assert (await c.delete(f"/api/projects/{gone['id']}")).status_code == 204
    async with await sign_in(app, "admin@acme.test", "ko") as browser:
        page = await browser.get("/admin/data")
        assert "프로젝트 삭제" in page.text
        assert f"/admin/data/projects/{gone['id']}/erase" in page.text
    async with await sign_in(app, "member@acme.test", "ko") as browser:
        assert (await browser.get("/admin/data")).status_code == 404
        r = await browser.post("/admin/data/retention", {"trash_retention_days": "1"})
        assert r.status_code == 404
