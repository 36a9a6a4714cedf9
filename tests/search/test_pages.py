"""The search page: Korean and English, marks around the matched words (escaped), a link to
the line, the top-bar and project boxes, and what bad input shows."""

from __future__ import annotations

import html
from typing import Any

import pytest

from tests.search.conftest import indexed_interview
from tests.support import make_project, make_user
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_search_page_in_korean_and_english(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    lines = [(1, "question", "어떠셨어요?"), (2, "answer", "<b>앱</b>이 너무 불편했어요")]
    interview_id = await indexed_interview(app, owner, project["id"], lines, title="인터뷰 A")
    browser = await sign_in(app, owner.email, "ko")
    try:
        home = await browser.get(f"/projects/{project['id']}")
        assert 'action="/search"' in home.text
        assert 'id="topbar-q"' in home.text
        assert f'name="project" value="{project["id"]}"' in home.text

        r = await browser.get("/search", params={"q": "불편하다", "project": project["id"]})
        assert r.status_code == 200, r.text
        assert "발언 1개를 찾았습니다" in r.text
        assert f'href="/interviews/{interview_id}#line-2"' in r.text
        # The line's own markup is text, and the match is marked.
        assert "<b>앱</b>" not in r.text
        assert html.escape("<b>앱</b>", quote=False) in r.text
        assert "<mark>불편했</mark>" in r.text

        none = await browser.get("/search", params={"q": "xyzzy"})
        assert "찾은 발언이 없습니다" in none.text
        long = await browser.get("/search", params={"q": "가" * 1001})
        assert long.status_code == 200
        assert "검색어는 1,000자까지" in long.text
        elsewhere = await browser.get(
            "/search", params={"q": "x", "project": "00000000-0000-0000-0000-000000000000"}
        )
        assert elsewhere.status_code == 404
    finally:
        await browser.http.aclose()
    english = await sign_in(app, owner.email, "en")
    try:
        await english.get("/locale/en?next=/projects")
        r = await english.get("/search", params={"q": "불편"})
        assert "1 line found" in r.text
    finally:
        await english.http.aclose()


async def test_search_page_filters_and_what_else_matches(app: Any) -> None:
    """The page offered only the query and who said it, and never showed the findings, notes,
    themes and documents the API finds beside the lines (browser QA)."""
    from tests.search.conftest import indexed_with_findings

    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner, "충전 조사")
    interview_id = await indexed_with_findings(app, owner, project["id"], "김 님 인터뷰")
    browser = await sign_in(app, owner.email, "ko")
    try:
        r = await browser.get("/search", params={"q": "예약", "project": project["id"]})
        assert r.status_code == 200, r.text
        assert "함께 찾은 항목" in r.text
        assert f'href="/interviews/{interview_id}#' in r.text
        assert "충전 조사" in r.text  # the scope is said, with a way out of it
        assert "모든 프로젝트에서 검색" in r.text
        later = await browser.get(
            "/search", params={"q": "예약", "date_from": "2999-01-01", "language": "ko"}
        )
        assert "찾은 발언이 없습니다" in later.text
        assert "함께 찾은 항목" not in later.text  # the filters apply to the items too
        assert 'value="2999-01-01"' in later.text
        assert '<option value="ko" selected>' in later.text
        reversed_dates = await browser.get(
            "/search", params={"q": "예약", "date_from": "2026-02-01", "date_to": "2026-01-01"}
        )
        assert "시작 날짜가 끝 날짜보다 늦습니다." in reversed_dates.text
    finally:
        await browser.http.aclose()
