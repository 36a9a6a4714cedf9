"""A report as DOCX (python-docx).

East Asian text gets its own font slot in Word (`w:eastAsia`); naming Korean fonts there makes
Word and LibreOffice pick a Hangul font instead of falling back glyph by glyph. Charts become
tables with a bar drawn in block characters: python-docx embeds raster images only, and a table
stays readable by screen readers and editable by the researcher who pastes it into a deck.
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from persona_insight.insights.report.fonts import FAMILY
from persona_insight.insights.report.model import (
    BarChart,
    Bullets,
    Document,
    Heading,
    Paragraph,
    Quote,
    Table,
    printable,
)

_BAR_CELLS = 20
_MUTED = RGBColor(0x5F, 0x63, 0x68)


def _fonts(docx: DocxDocument) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        style = docx.styles[name]
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FAMILY)
        fonts.set(qn("w:ascii"), FAMILY)
        fonts.set(qn("w:hAnsi"), FAMILY)
    docx.styles["Normal"].font.size = Pt(10.5)


def _table(docx: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = docx.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = printable(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = printable(text)
    docx.add_paragraph()


def _bar(value: float, top: float) -> str:
    filled = round(_BAR_CELLS * value / top) if top > 0 else 0
    return "█" * filled


def render(doc: Document) -> bytes:
    docx = new_docx()
    _fonts(docx)
    docx.core_properties.title = printable(doc.title)[:255]
    docx.core_properties.language = doc.language
    docx.add_heading(printable(doc.title), level=0)
    for line in doc.meta:
        docx.add_paragraph(printable(line))
    for block in doc.blocks:
        match block:
            case Heading(text, level):
                docx.add_heading(printable(text), level=level)
            case Paragraph(text, muted):
                run = docx.add_paragraph().add_run(printable(text))
                if muted:
                    run.italic = True
                    run.font.color.rgb = _MUTED
            case Bullets(items):
                for item in items:
                    docx.add_paragraph(printable(item), style="List Bullet")
            case Quote(text, source):
                para = docx.add_paragraph(style="Quote")
                para.add_run(f"“{printable(text)}”")
                para.add_run(f" — {printable(source)}").italic = True
            case Table(header, rows):
                _table(docx, header, rows)
            case BarChart(title, bars):
                docx.add_paragraph().add_run(printable(title)).bold = True
                top = max((v for _, v in bars), default=0.0)
                _table(
                    docx,
                    [title, "", ""],
                    [[label, block.value_text(v), _bar(v, top)] for label, v in bars],
                )
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()
