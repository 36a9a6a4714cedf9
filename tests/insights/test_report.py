"""Project reports over the API: every format opens, Korean survives, bad input is refused."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import pytest
from docx import Document as open_docx
from pypdf import PdfReader
from sqlalchemy import text as sql

from tests.insights.report_support import analysed
from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio

KO = {"Accept-Language": "ko"}


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def docx_text(body: bytes) -> str:
    doc = open_docx(io.BytesIO(body))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.slow
async def test_report_in_every_format(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner, name="충전 연구")
    await analysed(app, owner, project["id"])
    url = f"/api/projects/{project['id']}/report"
    async with client(app, owner) as c:
        pdf = await c.get(url, params={"format": "pdf"}, headers=KO)
        docx = await c.get(url, params={"format": "docx"}, headers=KO)
        md = await c.get(url, params={"format": "md"}, headers=KO)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].endswith(quote("충전 연구 – 보고서.pdf"))
    text = pdf_text(pdf.content)
    # Korean labels and the interview's own words, as text (the font is embedded, with a
    # ToUnicode map), not boxes.
    for expected in ("충전 연구", "요약", "조사 방법과 표본", "인터뷰 목록", "페르소나"):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [f.get_object()["/BaseFont"] for f in fonts.values()]
    assert any("NotoSansKR" in str(name) for name in embedded), embedded

    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    body = docx_text(docx.content)
    assert "충전 연구 – 보고서" in body
    assert "인터뷰 목록" in body

    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text.startswith("# 충전 연구 – 보고서\n")
    assert "## 인터뷰 목록" in md.text


async def test_empty_project_is_explained(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner, name="New")
    async with client(app, owner) as c:
        r = await c.get(
            f"/api/projects/{project['id']}/report", params={"format": "md"}, headers=KO
        )
        pdf = await c.get(
            f"/api/projects/{project['id']}/report", params={"format": "pdf"}, headers=KO
        )
    assert r.status_code == 200
    assert "완료된 인터뷰가 아직 없습니다" in r.text
    assert pdf.status_code == 200
    assert "완료된 인터뷰가 아직 없습니다" in pdf_text(pdf.content)


@pytest.mark.parametrize("value", [None, "xlsx", "PDF", "pdf ", "../../etc/passwd", "x" * 5000])
async def test_unknown_format_lists_the_formats(app: Any, value: str | None) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    params = {} if value is None else {"format": value}
    async with client(app, owner) as c:
        r = await c.get(f"/api/projects/{project['id']}/report", params=params)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unknown_format"
    assert error["details"] == {"formats": ["docx", "pdf", "md"]}


async def test_other_tenants_and_outsiders_get_404(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    colleague = await make_user(db, email="colleague@acme.test")  # same company, not a member
    stranger = await make_user(db, email="eve@other.test", company="Other")
    project = await make_project(app, owner, visibility="private")
    interview_id = await analysed(app, owner, project["id"])
    for who in (stranger, colleague):
        async with client(app, who) as c:
            for url, fmt in (
                (f"/api/projects/{project['id']}/report", "pdf"),
                (f"/api/projects/{project['id']}/findings", "xlsx"),
                (f"/api/interviews/{interview_id}/report", "docx"),
            ):
                r = await c.get(url, params={"format": fmt})
                assert r.status_code == 404, (who.email, url, r.text)
    async with client(app, owner) as c:
        r = await c.get(
            "/api/projects/00000000-0000-0000-0000-000000000000/report", params={"format": "md"}
        )
        assert r.status_code == 404
        r = await c.get("/api/projects/not-a-uuid/report", params={"format": "md"})
        assert r.status_code == 422
    async with as_owner(db.owner_url) as session:
        exports = (
            await session.execute(sql("SELECT count(*) FROM audit_log WHERE action = 'export'"))
        ).scalar_one()
    assert exports == 0  # refusals export nothing, so log nothing


@pytest.mark.slow
async def test_every_export_is_audited(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await analysed(app, owner, project["id"])
    async with client(app, owner) as c:
        for url, fmt in (
            (f"/api/projects/{project['id']}/report", "pdf"),
            (f"/api/projects/{project['id']}/report", "docx"),
            (f"/api/projects/{project['id']}/findings", "csv"),
            (f"/api/interviews/{interview_id}/report", "pdf"),
        ):
            r = await c.get(url, params={"format": fmt})
            assert r.status_code == 200, r.text
    async with as_owner(db.owner_url) as session:
        rows = (
            await session.execute(
                sql(
                    "SELECT company_id, actor_id, target_type, target_id, details"
                    " FROM audit_log WHERE action = 'export' ORDER BY id"
                )
            )
        ).all()
    assert [(r.target_type, r.target_id, r.details["format"]) for r in rows] == [
        ("project", project["id"], "pdf"),
        ("project", project["id"], "docx"),
        ("project", project["id"], "csv"),
        ("interview", interview_id, "pdf"),
    ]
    assert all(r.company_id == owner.company_id and r.actor_id == owner.user_id for r in rows)
    assert [r.details.get("kind") for r in rows[:3]] == ["report", "report", "findings"]
