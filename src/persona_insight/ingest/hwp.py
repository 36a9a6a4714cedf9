"""Hancom HWP 5 documents (.hwp): body paragraphs and tables in document order.

An HWP 5 file is an OLE compound file. Its body lives in `BodyText/Section0…N`, each a stream
of records (a 32-bit header: tag, nesting level, size), raw-deflated when the file header says
so. Paragraph text is the `PARA_TEXT` record: UTF-16LE with inline controls (tables, fields,
section definitions…) occupying eight code units each. A table is a `tbl ` control whose cells
are list headers carrying their row and column, followed by the cell's paragraphs one level
deeper. Own reader over olefile, not a library: see docs/ARCHITECTURE.md ("HWP documents").
"""

from __future__ import annotations

import datetime
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import olefile

from persona_insight.ingest import tables
from persona_insight.ingest.base import Raw, TextBuffer, bomb, malformed, raw_limit

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HWP3_MAGIC = b"HWP Document File V3"
_SIGNATURE = b"HWP Document File"
_HEADER_SIZE = 256
_COMPRESSED, _PASSWORD, _DISTRIBUTION, _DRM = 0x1, 0x2, 0x4, 0x10
_CERT_ENCRYPTED, _CERT_DRM = 0x100, 0x400
_SECTION = re.compile(r"Section(\d{1,4})")
_MAX_SECTIONS = 1_000

_HWPTAG_PARA_HEADER = 66
_HWPTAG_PARA_TEXT = 67
_HWPTAG_CTRL_HEADER = 71
_HWPTAG_LIST_HEADER = 72
_HWPTAG_TABLE = 77
# Control ids are four ASCII letters stored as a little-endian integer, i.e. reversed.
_TABLE = b" lbt"
_PAGE_FURNITURE = frozenset({b"daeh", b"toof"})  # headers and footers repeat on every page

# Records carry layout (line segments, shapes, char runs) besides text, typically 3-6 bytes per
# character of text; past this many bytes per character of the raw-text cap the stream is not a
# document but a bomb.
_EXPANSION_PER_CHAR = 32
_MAX_RATIO = 200
_RATIO_EXEMPT = 1024 * 1024

# Code units 1-9, 11-12 and 14-23 start an eight-unit control; the rest below 32 stand alone.
_WIDE_CONTROLS = frozenset((*range(1, 10), 11, 12, *range(14, 24)))
_CONTROL_TEXT = {9: "\t", 10: "\n", 24: "-", 30: "\u00a0", 31: " "}
_CONTROL = re.compile("[\x00-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WHAT = "HWP document"


def read(data: bytes, max_chars: int) -> Raw:
    if data.startswith(_HWP3_MAGIC):
        raise malformed(
            "This is an HWP 3 document (Hangul 97 or older), which cannot be read; "
            "open it in Hangul and save it as .hwp (HWP 5) or .hwpx."
        )
    if not data.startswith(_OLE_MAGIC) or len(data) < olefile.MINIMAL_OLEFILE_SIZE:
        raise malformed(f"The file is not an {_WHAT}: it is not an OLE compound file.")
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError) as exc:
        raise malformed(f"The {_WHAT} is damaged: {exc}") from None
    with ole:
        compressed = _check_header(ole)
        budget = _Budget(_EXPANSION_PER_CHAR * raw_limit(max_chars))
        buf = TextBuffer(max_chars)
        for name in _sections(ole):
            stream = ole.openstream(name).read()
            body = _inflate(stream, budget) if compressed else budget.take(stream)
            _Section(buf).read(body)
        return Raw(buf.text(), modified=_modified(ole))


def _check_header(ole: olefile.OleFileIO) -> bool:
    if not ole.exists("FileHeader") or ole.get_size("FileHeader") != _HEADER_SIZE:
        raise malformed(f"The file is not an {_WHAT}: its file header is missing.")
    header = ole.openstream("FileHeader").read(_HEADER_SIZE)
    if not header.startswith(_SIGNATURE):
        raise malformed(f"The file is not an {_WHAT}: its file header is not Hangul's.")
    flags = struct.unpack_from("<I", header, 36)[0]
    if flags & _PASSWORD:
        raise malformed(f"The {_WHAT} is password-protected; save a copy without the password.")
    if flags & (_DISTRIBUTION | _DRM | _CERT_ENCRYPTED | _CERT_DRM):
        raise malformed(
            f"The {_WHAT} is a distribution (read-only) or DRM-protected copy whose text is "
            "encrypted; upload the original document."
        )
    return bool(flags & _COMPRESSED)


def _sections(ole: olefile.OleFileIO) -> list[str]:
    numbers: list[int] = []
    for path in ole.listdir(streams=True, storages=False):
        if len(path) == 2 and path[0] == "BodyText":
            match = _SECTION.fullmatch(path[1])
            if match:
                numbers.append(int(match.group(1)))
    if not numbers:
        raise malformed(f"The {_WHAT} has no body text.")
    if len(numbers) > _MAX_SECTIONS:
        raise bomb(f"The {_WHAT} has more than {_MAX_SECTIONS:,} sections.")
    return [f"BodyText/Section{n}" for n in sorted(numbers)]


class _Budget:
    """Bytes of decompressed record streams left, over all sections."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, chunk: bytes) -> bytes:
        self.left -= len(chunk)
        if self.left < 0:
            raise bomb(f"The {_WHAT} expands to more than its text could ever need.")
        return chunk


def _inflate(stream: bytes, budget: _Budget) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    limit = min(budget.left, max(_RATIO_EXEMPT, _MAX_RATIO * len(stream)))
    try:
        # One bounded step: whatever is left unconsumed past `limit` is a bomb, not a document.
        body = inflater.decompress(stream, limit + 1)
    except zlib.error:
        raise malformed(f"The {_WHAT} is damaged: a body section cannot be inflated.") from None
    if len(body) > limit or inflater.unconsumed_tail:
        raise bomb(f"A body section of the {_WHAT} is compressed beyond any real document.")
    if not inflater.eof:
        raise malformed(f"The {_WHAT} is damaged: a body section is truncated.")
    return budget.take(body)


def _records(body: bytes) -> Iterator[tuple[int, int, bytes]]:
    offset, end = 0, len(body)
    view = memoryview(body)
    while offset < end:
        if offset + 4 > end:
            raise malformed(f"The {_WHAT} is damaged: a record header is cut off.")
        header = struct.unpack_from("<I", body, offset)[0]
        offset += 4
        size = header >> 20
        if size == 0xFFF:
            if offset + 4 > end:
                raise malformed(f"The {_WHAT} is damaged: a record header is cut off.")
            size = struct.unpack_from("<I", body, offset)[0]
            offset += 4
        if offset + size > end:
            raise malformed(f"The {_WHAT} is damaged: a record runs past its section.")
        yield header & 0x3FF, (header >> 10) & 0x3FF, bytes(view[offset : offset + size])
        offset += size


def para_text(payload: bytes) -> str:
    """The visible text of one PARA_TEXT record."""
    units = payload[: len(payload) & ~1].decode("utf-16-le", "surrogatepass")
    parts: list[str] = []
    position = 0
    while True:
        match = _CONTROL.search(units, position)
        if match is None:
            parts.append(units[position:])
            break
        parts.append(units[position : match.start()])
        code = ord(match.group())
        parts.append(_CONTROL_TEXT.get(code, ""))
        position = match.end() + (7 if code in _WIDE_CONTROLS else 0)
    # A lone surrogate cannot be encoded anywhere downstream; a paired one is a real character.
    text = "".join(parts).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _SURROGATE.sub("", text).rstrip("\n")


@dataclass(slots=True)
class _Table:
    level: int
    started: bool = False
    cells: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    current: list[str] | None = None


class _Section:
    """Walks one section's records, tracking the open table and skipped page furniture."""

    def __init__(self, buf: TextBuffer) -> None:
        self._buf = buf
        self._table: _Table | None = None
        self._skip_below: int | None = None

    def read(self, body: bytes) -> None:
        for tag, level, payload in _records(body):
            self._record(tag, level, payload)
        self._close_table()

    def _record(self, tag: int, level: int, payload: bytes) -> None:
        if self._skip_below is not None:
            if level > self._skip_below:
                return
            self._skip_below = None
        table = self._table
        if table is not None and level <= table.level:
            self._close_table()
            table = None
        if tag == _HWPTAG_CTRL_HEADER:
            control = payload[:4]
            if control in _PAGE_FURNITURE:
                self._skip_below = level
            elif control == _TABLE and table is None:
                self._table = _Table(level)
        elif table is not None:
            self._table_record(table, tag, level, payload)
        elif tag == _HWPTAG_PARA_TEXT:
            self._buf.add(para_text(payload))
        elif tag == _HWPTAG_PARA_HEADER and not _has_text(payload):
            self._buf.add("")  # an empty paragraph: a blank line in the document

    def _table_record(self, table: _Table, tag: int, level: int, payload: bytes) -> None:
        if tag == _HWPTAG_TABLE and level == table.level + 1:
            table.started = True
        elif tag == _HWPTAG_LIST_HEADER and level == table.level + 1 and table.started:
            if len(payload) < 12:
                raise malformed(f"The {_WHAT} is damaged: a table cell is cut off.")
            column, row = struct.unpack_from("<HH", payload, 8)
            table.current = table.cells.setdefault((row, column), [])
            if len(table.cells) > tables.MAX_CELLS:
                raise bomb(f"A table of the {_WHAT} has more than {tables.MAX_CELLS:,} cells.")
        elif tag == _HWPTAG_PARA_TEXT:
            # Cell text is held until the table ends; the section's inflate budget bounds it.
            text = para_text(payload)
            if table.current is not None:
                table.current.append(text)
            else:
                self._buf.add(text)  # a caption, before the first cell

    def _close_table(self) -> None:
        table, self._table = self._table, None
        if table is None or not table.cells:
            return
        rows: dict[int, list[tuple[int, str]]] = {}
        for (row, column), parts in table.cells.items():
            rows.setdefault(row, []).append((column, " ".join(parts)))
        tables.render(
            ([text for _, text in sorted(cells)] for _, cells in sorted(rows.items())), self._buf
        )


def _has_text(para_header: bytes) -> bool:
    # The first field counts the paragraph's characters, its end mark included; its top bit is
    # a flag.
    return len(para_header) >= 4 and (struct.unpack_from("<I", para_header)[0] & 0x7FFFFFFF) > 1


def _modified(ole: olefile.OleFileIO) -> datetime.date | None:
    try:
        properties = ole.getproperties("\x05HwpSummaryInformation", convert_time=True)
    except Exception:  # the summary is optional metadata; a broken one is no date
        return None
    for key in (13, 12):  # PIDSI_LASTSAVE_DTM, PIDSI_CREATE_DTM
        value = properties.get(key)
        if isinstance(value, datetime.datetime) and value.year > 1980:
            return value.date()
    return None
