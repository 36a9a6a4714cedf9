"""Reports over computed insights: the themes, their quotes and the charts are in the report, and
each finding's theme is in the findings export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.insights.support import analysed, analysis, recompute
from tests.insights.test_report import pdf_text
from tests.support import client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

EN = {"Accept-Language": "en"}


async def test_report_and_findings_carry_the_themes(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner, name="Pricing")
    pid = project["id"]
    url = f"/api/projects/{pid}/report"
    await analysed(app, owner, pid, analysis(["The price is too high"], ["A cheaper plan"]))
    async with client(app, owner) as c:
        before = await c.get(url, params={"format": "md"}, headers=EN)
    # Interviews are there, the insights are not computed yet: the report says so.
    assert "Themes and charts have not been computed for this project yet." in before.text

    await analysed(app, owner, pid, analysis(["Prices are too expensive"], ["Cheaper plans"]))
    await analysed(app, owner, pid, analysis(["가격이 너무 비싸요"], ["더 저렴한 요금제"], "ko"))
    assert await recompute(app, owner, pid)
    async with client(app, owner) as c:
        insights = (await c.get(f"/api/projects/{pid}/insights")).json()
        md = await c.get(url, params={"format": "md"}, headers=EN)
        pdf = await c.get(url, params={"format": "pdf"}, headers={"Accept-Language": "ko"})
        xlsx = await c.get(f"/api/projects/{pid}/findings", params={"format": "xlsx"}, headers=EN)
    themes = [t for t in insights["themes"] if not t["hidden"]]
    assert themes
    assert "Themes and charts have not been computed" not in md.text
    assert "## Charts" in md.text
    assert "Top pain points (share of interviews)" in md.text
    text = pdf_text(pdf.content)
    assert "차트" in text
    for theme in themes:
        assert theme["label"] in md.text
        assert theme["label"] in text
        for quote in theme["quotes"]:
            assert quote["text"] in md.text

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    labels = {t["label"] for t in themes}
    assert len(rows) == 6
    assert all(r[3] in labels for r in rows), rows
    by_finding = {r[5]: r[3] for r in rows}
    assert by_finding["The price is too high"] == by_finding["Prices are too expensive"]
