"""Findings as XLSX and CSV, and one interview as DOCX/PDF: they open, they hold the right cells,
and what a transcript says cannot become a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.insights.report_support import analysed
from tests.insights.test_report import docx_text, pdf_text
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio

EN = {"Accept-Language": "en"}
COLUMNS = [
    "Interview",
    "Date",
    "Persona",
    "Theme",
    "Kind",
    "Finding",
    "Quote",
    "Line ids",
    "Confidence",
]


@pytest.mark.slow
async def test_findings_as_xlsx_and_csv(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner, name="충전 연구")
    await analysed(app, owner, project["id"])
    url = f"/api/projects/{project['id']}/findings"
    async with client(app, owner) as c:
        xlsx = await c.get(url, params={"format": "xlsx"}, headers=EN)
        text = await c.get(url, params={"format": "csv"}, headers=EN)
        ko = await c.get(url, params={"format": "csv"}, headers={"Accept-Language": "ko"})
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-disposition"].endswith(quote("충전 연구 – findings.xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == COLUMNS
    pain, need = rows[1], rows[2]
    assert pain[4:] == ["Pain point", "충전 자리가 없다", "자리가 없어요.", "2", 0.9]
    # Evidence 5 is the line [4, 5]; 9 is no line and quotes nothing. The line starts with "=":
    # it stays text, never a formula.
    assert need[4:] == ["Need", "충전 예약", "'=예약이요.", "5 9", None]
    assert all(r[0] == "Q: 충전?" for r in rows[1:])  # the title pasted text got

    assert text.headers["content-type"] == "text/csv; charset=utf-8"
    assert text.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    parsed = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert parsed[0] == COLUMNS
    assert parsed[2][6] == "'=예약이요."
    assert parsed[1][8] == "0.9"
    assert parsed[2][8] == ""
    korean = list(csv.reader(io.StringIO(ko.content.decode("utf-8-sig"))))
    assert korean[0][:3] == ["인터뷰", "날짜", "페르소나"]
    assert korean[1][4] == "페인포인트"


async def test_findings_of_an_empty_project_is_a_header(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    async with client(app, owner) as c:
        r = await c.get(
            f"/api/projects/{project['id']}/findings", params={"format": "csv"}, headers=EN
        )
        bad = await c.get(f"/api/projects/{project['id']}/findings", params={"format": "pdf"})
    assert r.status_code == 200
    assert r.content.decode("utf-8-sig").splitlines() == [",".join(COLUMNS)]
    assert bad.status_code == 422
    assert bad.json()["error"]["details"] == {"formats": ["xlsx", "csv"]}


@pytest.mark.slow
async def test_one_interview_as_docx_and_pdf(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await analysed(app, owner, project["id"])
    url = f"/api/interviews/{interview_id}/report"
    ko = {"Accept-Language": "ko"}
    async with client(app, owner) as c:
        docx = await c.get(url, params={"format": "docx"}, headers=ko)
        pdf = await c.get(url, params={"format": "pdf"}, headers=ko)
    assert docx.status_code == 200, docx.text
    # Named like the Markdown export: never the uploaded original's name.
    assert docx.headers["content-disposition"].endswith(quote("Q_ 충전_ – 분석.docx"))
    body = docx_text(docx.content)
    for expected in ("페인포인트", "충전 자리가 없다", "자리가 없어요.", "니즈", "스크립트"):
        assert expected in body, expected
    text = pdf_text(pdf.content)
    for expected in ("페인포인트", "충전 자리가 없다", "니즈", "충전 예약", "핵심 인사이트"):
        assert expected in text, expected


async def test_an_interview_not_analysed_yet_is_409(app: Any) -> None:
    from tests.notes.conftest import upload

    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await upload(app, owner, project["id"])
    async with client(app, owner) as c:
        r = await c.get(f"/api/interviews/{interview_id}/report", params={"format": "pdf"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "interview_not_analysed"
