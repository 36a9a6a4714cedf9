"""All findings of a project, one row per finding, as XLSX or CSV.

Cells that a spreadsheet would read as a formula (=, +, -, @, and the tab/CR tricks) are written
with a leading apostrophe: a transcript line like `=HYPERLINK(…)` must stay text when a
researcher opens the export (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from persona_insight.insights.report.sources import Analysed, quote_of

Gettext = Callable[..., str]
FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# (interview id as text, `pain:<i>` / `need:<i>`) → the theme's label.
ThemeOf = Mapping[tuple[str, str], str]
# The same key → the script section the finding's first evidence line is in.
SectionOf = Mapping[tuple[str, str], str]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Row:
    interview: str
    date: str
    persona: str
    theme: str
    kind: str
    label: str
    quote: str
    line_ids: str
    confidence: float | None


def header(_: Gettext) -> list[str]:
    return [
        _("Interview"),
        _("Date"),
        _("Persona"),
        _("Theme"),
        _("Kind"),
        _("Finding"),
        _("Quote"),
        _("Line ids"),
        _("Confidence"),
    ]


def rows(
    interviews: list[Analysed],
    themes: ThemeOf,
    _: Gettext,
    *,
    only_kind: str | None = None,
    section: str | None = None,
    sections: SectionOf | None = None,
) -> Iterator[Row]:
    """One row per finding; `only_kind` and `section` (by the stored themes' section of each
    finding, `sections`) narrow them."""
    kinds = {"pain": _("Pain point"), "need": _("Need")}
    for interview in interviews:
        lines = interview.lines()
        result = interview.analysis
        for kind, found in (("pain", result.primary_pain_points), ("need", result.primary_needs)):
            if only_kind is not None and kind != only_kind:
                continue
            for index, finding in enumerate(found):
                ref = (str(interview.id), f"{kind}:{index}")
                if section is not None and (sections or {}).get(ref) != section:
                    continue
                yield Row(
                    interview=interview.title,
                    date=interview.date.isoformat() if interview.date else "",
                    persona=interview.persona or "",
                    theme=themes.get(ref, ""),
                    kind=kinds[kind],
                    label=finding.description,
                    quote=quote_of(interview, finding.evidence, lines),
                    line_ids=" ".join(str(i) for i in sorted(set(finding.evidence))),
                    confidence=finding.confidence,
                )


def _text(value: str) -> str:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cells(row: Row) -> list[str | float | None]:
    return [
        _text(row.interview),
        row.date,
        _text(row.persona),
        _text(row.theme),
        row.kind,
        _text(row.label),
        _text(row.quote),
        row.line_ids,
        row.confidence,
    ]


def as_xlsx(found: Iterator[Row], _: Gettext) -> bytes:
    # Write-only: rows stream to the file instead of building a cell object per value.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Findings"))
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (30, 11, 12, 30, 10, 50, 70, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(header(_))
    for row in found:
        sheet.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(found: Iterator[Row], _: Gettext) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads Korean as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(_))
    for row in found:
        writer.writerow(["" if c is None else c for c in _cells(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8", "replace")
