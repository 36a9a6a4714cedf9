"""Spreadsheets (.csv, .xlsx): a speaker/text table becomes turns, any other table rows of cells.

A header row naming a speaker column (speaker, 화자, role, name, 발화자…) and a text column
(text, utterance, content, 내용, 발화, message…) makes each row `speaker: text`; otherwise each
row is its non-empty cells joined with " | ".
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from collections.abc import Iterable, Sequence

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from persona_insight.errors import PayloadTooLarge
from persona_insight.ingest import archive, speakers, text
from persona_insight.ingest.base import Raw, TextBuffer, malformed

MAX_CELLS = 200_000
# openpyxl streams worksheets in read-only mode, so they only need to fit MAX_CELLS cells written
# out in full, a few "<" each. Every other part is loaded whole, and styles become heavyweight
# objects (some 1.4 KB and 30 µs per tag), so they get far less: real ones hold a few thousand.
MAX_XML_TAGS = 4_000_000
MAX_STYLES_TAGS = 100_000
MAX_OTHER_PART_TAGS = 1_000_000
_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_LINES = 50
_SNIFF_CHARS = 64 * 1024
_WHAT = "Excel workbook"


def read_csv(data: bytes, max_chars: int) -> Raw:
    decoded = text.decode(data)
    buf = TextBuffer(max_chars)
    try:
        delimiter = sniff_delimiter(decoded.text[:_SNIFF_CHARS])
        _render(csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter), buf)
    except csv.Error as exc:
        # including a field over csv's 128 KiB limit, left alone since it is process-wide
        raise malformed(f"The CSV file is malformed: {exc}") from None
    return Raw(buf.text(), encoding=decoded.encoding)


def sniff_delimiter(sample: str) -> str:
    """The candidate that splits the first lines into the same number (>1) of fields most often.

    Not csv.Sniffer: its quote-guessing regexes backtrack badly on hostile samples, and this
    check, bounded by the sample size, is all a transcript table needs.
    """
    lines = sample.splitlines()[:_SNIFF_LINES]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        if width > 1 and (agreeing, width) > best_score:
            best, best_score = delimiter, (agreeing, width)
    return best


def read_xlsx(data: bytes, max_chars: int) -> Raw:
    archive.check_zip(data, _WHAT, max_xml_tags=MAX_XML_TAGS, part_tag_limit=_part_tag_limit)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except (InvalidFileException, KeyError, ValueError) as exc:
        raise malformed(f"The file is not a valid {_WHAT}: {exc}") from None
    try:
        buf = TextBuffer(max_chars)
        budget = _CellBudget()
        for sheet in workbook.worksheets:
            # Rows are padded to the sheet's declared dimension, which a hostile (or buggy)
            # file can set to 16,384 columns; without it rows are only as wide as their cells.
            sheet.reset_dimensions()
            rows = (
                budget.take([_cell(value) for value in row])
                for row in sheet.iter_rows(values_only=True)
            )
            _render(rows, buf)
            buf.add("")
    finally:
        workbook.close()
    return Raw(buf.text(), modified=archive.core_date(data))


def _part_tag_limit(name: str) -> int:
    if name.startswith("xl/worksheets/"):
        return MAX_XML_TAGS
    if name == "xl/styles.xml":
        return MAX_STYLES_TAGS
    return MAX_OTHER_PART_TAGS


class _CellBudget:
    def __init__(self) -> None:
        self.used = 0

    def take(self, row: list[str]) -> list[str]:
        self.used += len(row)
        if self.used > MAX_CELLS:
            raise PayloadTooLarge(
                f"The workbook has more than {MAX_CELLS:,} cells.", code="text_too_long"
            )
        return row


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _render(rows: Iterable[Sequence[str]], buf: TextBuffer) -> None:
    columns: tuple[int, int] | None = None
    first = True
    for row in rows:
        cells = [speakers.squash(cell) for cell in row]
        if not any(cells):
            continue
        if first:
            first = False
            columns = speakers.find_columns(cells)
            if columns is not None:
                continue  # the header itself is not part of the conversation
        if columns is not None:
            who, said = columns
            utterance = cells[said] if said < len(cells) else ""
            if utterance:
                name = cells[who] if who < len(cells) else ""
                buf.add(speakers.turn_line(speakers.label(name), utterance))
        else:
            buf.add(" | ".join(cell for cell in cells if cell))


def render(rows: Iterable[Sequence[str]], buf: TextBuffer) -> None:
    """Rows of cells as transcript lines (see the module docstring); shared with the readers of
    other formats' tables (.xls, .hwp, .hwpx)."""
    _render(rows, buf)


def cell_text(value: object) -> str:
    """A spreadsheet cell value as text, for readers of other spreadsheet formats."""
    return _cell(value)


class CellBudget(_CellBudget):
    """The MAX_CELLS bound, for readers of other spreadsheet formats."""
