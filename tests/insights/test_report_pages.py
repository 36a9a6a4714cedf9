"""The pages offer the downloads: the project and insights pages the report and findings, the
interview page its Word and PDF export beside Markdown and text."""

from __future__ import annotations

from typing import Any

import pytest

from tests.insights.report_support import analysed
from tests.support import make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_download_links_on_the_pages(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    pid = project["id"]
    interview_id = await analysed(app, owner, pid)
    browser = await sign_in(app, owner.email)
    try:
        for path in (f"/projects/{pid}", f"/projects/{pid}/insights"):
            r = await browser.get(path)
            assert r.status_code == 200, path
            assert "보고서와 내보내기" in r.text
            for fmt in ("pdf", "docx", "md"):
                assert f'href="/api/projects/{pid}/report?format={fmt}" data-report' in r.text
            for fmt in ("xlsx", "csv"):
                assert f'href="/api/projects/{pid}/findings?format={fmt}" data-report' in r.text
        r = await browser.get(f"/interviews/{interview_id}")
        for fmt in ("docx", "pdf"):
            assert f'href="/api/interviews/{interview_id}/report?format={fmt}"' in r.text
        assert "Word로 내보내기" in r.text
        # The links work with the page's session cookie (a GET needs no CSRF token).
        r = await browser.get(f"/api/projects/{pid}/findings?format=csv")
        assert r.status_code == 200
        assert r.content.startswith(b"\xef\xbb\xbf")
    finally:
        await browser.http.aclose()
