"""A report as PDF (reportlab), set in Noto Sans KR embedded as a subset.

Charts are drawn from the same numbers the insights page's SVG charts show, as reportlab vector
drawings, rather than by parsing that SVG (see docs/ARCHITECTURE.md, "Reports").
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as Para

from persona_insight.insights.report import fonts
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

_WIDTH = A4[0] - 36 * mm
_INK = colors.HexColor("#1f2328")
_MUTED = colors.HexColor("#5f6368")
_BAR = colors.HexColor("#3b6fd4")
_RULE = colors.HexColor("#d0d7de")
_CELL_SIZE, _CELL_LEADING, _CELL_PAD = 8.0, 10.5, 4.0


class _Styles:
    def __init__(self, font: str) -> None:
        base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, textColor=_INK)
        # Korean wraps between syllables, like CJK text (reportlab breaks it only when told).
        base.wordWrap = "CJK"
        base.alignment = TA_LEFT
        self.body = base
        self.title = ParagraphStyle("title", base, fontSize=18, leading=24, spaceAfter=4)
        self.h1 = ParagraphStyle(
            "h1", base, fontSize=13.5, leading=18, spaceBefore=12, spaceAfter=4
        )
        self.h2 = ParagraphStyle("h2", base, fontSize=11, leading=15, spaceBefore=8, spaceAfter=2)
        self.muted = ParagraphStyle("muted", base, textColor=_MUTED)
        self.quote = ParagraphStyle("quote", base, leftIndent=10, textColor=_INK)
        self.source = ParagraphStyle("source", base, leftIndent=10, fontSize=8, textColor=_MUTED)
        self.cell = ParagraphStyle("cell", base, fontSize=_CELL_SIZE, leading=_CELL_LEADING)
        self.bullet = ParagraphStyle("bullet", base, leftIndent=10, bulletIndent=0)


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Para:
    return Para(escape(printable(text)).replace("\n", "<br/>"), style, bulletText=bullet)


def _cell(text: str, width: float, font: str, s: _Styles) -> Para | str:
    """A cell that fits on one line is a plain string: a Paragraph per cell is most of the
    time a long report takes (1,000 interviews × 6 columns)."""
    text = printable(text)
    if "\n" not in text and stringWidth(text, font, _CELL_SIZE) <= width - 2 * _CELL_PAD:
        return text
    return _p(text, s.cell)


def _table(
    header: list[str], rows: list[list[str]], widths: list[float] | None, font: str, s: _Styles
) -> LongTable:
    weights = widths or [1.0] * len(header)
    total = sum(weights)
    col_widths = [_WIDTH * w / total for w in weights]
    data = [
        [_cell(c, w, font, s) for c, w in zip(row, col_widths, strict=True)]
        for row in [header, *rows]
    ]
    table = LongTable(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, _CELL_SIZE, _CELL_LEADING),
                ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, _INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, _RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _chart(chart: BarChart, font: str) -> Drawing:
    """Labels left, bars scaled to the largest value, the value at the bar's end."""
    row, size = 14.0, 8.0
    label_width = min(
        _WIDTH * 0.4,
        max((stringWidth(printable(label), font, size) for label, _ in chart.bars), default=0) + 6,
    )
    bar_space = _WIDTH - label_width - 40
    top = max((v for _, v in chart.bars), default=0.0) or 1.0
    height = row * len(chart.bars) + 4
    drawing = Drawing(_WIDTH, height)
    for i, (label, value) in enumerate(chart.bars):
        y = height - (i + 1) * row
        text = printable(label)
        while text and stringWidth(text, font, size) > label_width - 6:
            text = text[:-2] + "…"
        drawing.add(String(0, y + 3, text, fontName=font, fontSize=size, fillColor=_INK))
        width = bar_space * value / top
        drawing.add(Rect(label_width, y + 1, width, row - 4, fillColor=_BAR, strokeColor=None))
        drawing.add(
            String(
                label_width + width + 3,
                y + 3,
                chart.value_text(value),
                fontName=font,
                fontSize=size,
                fillColor=_MUTED,
            )
        )
    return drawing


def _flowables(doc: Document, font: str, s: _Styles) -> list[Flowable]:
    story: list[Flowable] = [_p(doc.title, s.title)]
    story += [_p(line, s.muted) for line in doc.meta]
    for block in doc.blocks:
        match block:
            case Heading(text, level):
                story.append(_p(text, s.h1 if level <= 1 else s.h2))
            case Paragraph(text, muted):
                story.append(_p(text, s.muted if muted else s.body))
            case Bullets(items):
                story += [_p(item, s.bullet, bullet="•") for item in items]
            case Quote(text, source):
                story.append(KeepTogether([_p(f"“{text}”", s.quote), _p(f"— {source}", s.source)]))
                story.append(Spacer(1, 3))
            case Table(header, rows, widths):
                story += [_table(header, rows, widths, font, s), Spacer(1, 6)]
            case BarChart(title, bars):
                story.append(_p(title, s.h2))
                if bars:
                    story += [_chart(block, font), Spacer(1, 6)]
    return story


def render(doc: Document) -> bytes:
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=printable(doc.title),
        lang=doc.language,
        invariant=True,
    )
    with fonts.leased("".join(doc.characters())) as font:
        template.build(_flowables(doc, font, _Styles(font)))
    return out.getvalue()
