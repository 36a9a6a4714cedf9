"""The renderers on their own: Korean survives in every format whatever came before in the
process, and hostile text (markup, control characters, broken surrogates) stays text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document as open_docx
from pypdf import PdfReader

from persona_insight.insights.report import build, docx, fonts, markdown, pdf
from persona_insight.insights.report.model import (
    BarChart,
    Bullets,
    Document,
    Heading,
    Paragraph,
    Quote,
    Table,
)


def _(message: str, **params: Any) -> str:
    return message % params if params else message


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_each_pdf_gets_the_glyphs_it_needs() -> None:
    """Two documents with different alphabets in one process: the second one's Korean is text,
    not missing glyphs (reportlab served every font of one face name from the first)."""
    first = Document("가나다", [], "ko", [Paragraph("가나다 라마")])
    second = Document("충전 예약", [], "ko", [Paragraph("녕요 불편했어요 휴대폰")])
    assert "가나다 라마" in pdf_text(pdf.render(first))
    assert "녕요 불편했어요 휴대폰" in pdf_text(pdf.render(second))


def test_fonts_no_render_uses_are_forgotten() -> None:
    from reportlab.pdfbase import pdfmetrics

    names = []
    for n in range(fonts._KEEP + 3):
        with fonts.leased(f"글자 {n} {chr(0xAC00 + n)}") as name:
            names.append(name)
            assert name in pdfmetrics.getRegisteredFontNames()
    registered = set(pdfmetrics.getRegisteredFontNames())
    assert not set(names[:3]) & registered
    assert set(names[3:]) <= registered


HOSTILE = "<b>굵게</b> & <script>x</script> \x00\x07끝\ud800 " + "가" * 400


def _hostile() -> Document:
    return Document(
        "보고서 <i>",
        ["생성 \x1b[31m"],
        "ko",
        [
            Heading(HOSTILE),
            Paragraph(HOSTILE, muted=True),
            Bullets([HOSTILE, ""]),
            Quote(HOSTILE, "인터뷰 #1"),
            Table(["a", "b|c"], [[HOSTILE, "=1+1"], ["", "😀"]]),
            BarChart("차트", [(HOSTILE, 0.5), ("없음", 0.0)], percent=True),
            BarChart("빈 차트", []),
        ],
    )


def test_hostile_text_stays_text() -> None:
    text = pdf_text(pdf.render(_hostile()))
    assert "<b>굵게</b> & <script>x</script>" in text
    body = docx.render(_hostile())
    opened = open_docx(io.BytesIO(body))
    assert any("<b>굵게</b> & <script>x</script>" in p.text for p in opened.paragraphs)
    md = markdown.render(_hostile())
    assert "| b\\|c |" in md


def test_project_report_without_interviews_explains_itself() -> None:
    doc = build.project_report(
        "빈 프로젝트",
        [],
        None,
        locale="en",
        generated_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        _=_,
    )
    md = markdown.render(doc)
    assert "## No completed interviews yet" in md
    assert "Generated 2026-01-02 00:00 UTC" in md
    opened = open_docx(io.BytesIO(docx.render(doc)))
    assert opened.paragraphs[0].text == "빈 프로젝트 – Report"
