"""Tables (.csv, .xlsx, and the tables of .docx, .xls, .hwp, .hwpx) as transcript lines.

A header row naming a speaker column (speaker, 화자, 구분, role, name, 발화자…) and a text column
(text, utterance, content, 내용, 발화, message…) makes each row `speaker: text`, after the row's
time when a column holds one (시간, time…); a header naming a question role and an answer role
(질문 | 답변, Interviewer | Participant) makes each row a question and its answer; a two-column
table without a header whose first column reads as speakers is read the same way; otherwise each
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

from persona_insight.analysis import cleaning
from persona_insight.analysis.transcript import ANSWER_LABELS, QUESTION_LABELS
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
    table = [cells for row in rows if any(cells := [speakers.squash(cell) for cell in row])]
    if not table:
        return
    header = table[0]
    pair = _question_answer_columns(header)
    if pair is not None:
        # One question and its answer per row (`질문 | 답변`): two turns, in that order.
        for cells in table[1:]:
            for column in pair:
                if column < len(cells) and cells[column]:
                    buf.add(speakers.turn_line(speakers.label(header[column]), cells[column]))
        return
    columns = speakers.find_columns(header)
    when = speakers.time_column(header) if columns is not None else None
    body = table[1:] if columns is not None else table  # a header is not part of the talk
    if columns is None:
        columns = _name_column(table)
    if columns is None:
        for cells in table:
            buf.add(" | ".join(cell for cell in cells if cell))
        return
    who, said = columns
    for cells in body:
        utterance = cells[said] if said < len(cells) else ""
        if not utterance:
            continue
        line = speakers.turn_line(speakers.label(cells[who] if who < len(cells) else ""), utterance)
        stamp = cells[when] if when is not None and when < len(cells) else ""
        # A time the transcript parser reads back as the turn's start (and end, for a range).
        buf.add(f"[{stamp}] {line}" if stamp and cleaning.is_only_stamps(stamp) else line)


def _question_answer_columns(header: Sequence[str]) -> tuple[int, int] | None:
    """(question column, answer column) of a header that names one of each role (`질문 | 답변`,
    `Interviewer | Participant`), when no column is named for speakers or text."""
    roles = [_role(cell) for cell in header]
    if "question" not in roles or "answer" not in roles or speakers.find_columns(header):
        return None
    return roles.index("question"), roles.index("answer")


def _name_column(table: list[list[str]]) -> tuple[int, int] | None:
    """(speaker column, text column) of a two-column table without a header that reads as a
    dialogue: a first column of speaker-like names (short, no sentence punctuation, and either
    repeating or known interview roles)."""
    if len(table) < 2 or any(len(cells) != 2 for cells in table):
        return None
    names = [cells[0] for cells in table if cells[0]]
    if len(names) < 0.8 * len(table) or not all(_name_like(name) for name in names):
        return None
    if len(set(names)) < len(names) or all(_role(name) for name in names):
        return 0, 1
    return None


def _name_like(text: str) -> bool:
    return (
        len(text) <= speakers.MAX_LABEL
        and len(text.split()) <= 4
        and not any(ch in text for ch in "?!.。,:：")
        and not text[0].isdigit()
    )


def _role(text: str) -> str | None:
    word = text.strip().lower().rstrip("0123456789 ")
    if word in QUESTION_LABELS:
        return "question"
    return "answer" if word in ANSWER_LABELS else None


def render(rows: Iterable[Sequence[str]], buf: TextBuffer) -> None:
    """Rows of cells as transcript lines (see the module docstring); shared with the readers of
    other formats' tables (.xls, .hwp, .hwpx)."""
    _render(rows, buf)


def cell_text(value: object) -> str:
    """A spreadsheet cell value as text, for readers of other spreadsheet formats."""
    return _cell(value)


class CellBudget(_CellBudget):
    """The MAX_CELLS bound, for readers of other spreadsheet formats."""
