"""Legacy Excel workbooks (.xls, BIFF8) through xlrd, rendered like .xlsx.

xlrd reads the OLE container and the BIFF records itself; its worksheets are loaded one at a
time (`on_demand`) and released after reading, and every cell counts against the same cell
budget as .xlsx.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import olefile
import xlrd
from xlrd.biffh import XLRDError

from persona_insight.ingest import tables
from persona_insight.ingest.base import Raw, TextBuffer, malformed

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_WHAT = "Excel 97-2003 workbook"


def read(data: bytes, max_chars: int) -> Raw:
    if data.startswith(_ZIP_MAGIC):
        raise malformed(f"The file is not an {_WHAT}: it is an .xlsx workbook; rename it .xlsx.")
    if not data.startswith(_OLE_MAGIC):
        raise malformed(f"The file is not an {_WHAT}: it is not an OLE compound file.")
    try:
        book = xlrd.open_workbook(
            file_contents=data, on_demand=True, formatting_info=False, logfile=_NullLog()
        )
    except (XLRDError, AssertionError, IndexError, KeyError, ValueError) as exc:
        raise malformed(f"The file is not a valid {_WHAT}: {exc}") from None
    try:
        buf = TextBuffer(max_chars)
        budget = tables.CellBudget()
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            tables.render((budget.take(row) for row in _rows(sheet, book.datemode)), buf)
            buf.add("")
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return Raw(buf.text(), modified=_modified(data))


def _rows(sheet: xlrd.sheet.Sheet, datemode: int) -> Iterator[list[str]]:
    for r in range(sheet.nrows):
        yield [_value(cell, datemode) for cell in sheet.row(r)]


def _value(cell: xlrd.sheet.Cell, datemode: int) -> str:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return tables.cell_text(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return tables.cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return tables.cell_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return ""
    return tables.cell_text(cell.value)


def _modified(data: bytes) -> datetime.date | None:
    """Last-saved (else created) date from the workbook's OLE summary information."""
    try:
        with olefile.OleFileIO(data) as ole:
            meta = ole.get_metadata()
    except Exception:  # optional metadata; a broken summary is no date
        return None
    for value in (meta.last_saved_time, meta.create_time):
        if isinstance(value, datetime.datetime) and value.year > 1980:
            return value.date()
    return None


class _NullLog:
    """xlrd writes warnings about odd records to a log file; they are not the user's concern."""

    def write(self, _text: str) -> int:
        return 0
