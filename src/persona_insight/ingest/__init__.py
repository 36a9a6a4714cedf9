"""Uploaded files (bytes and a filename) or pasted text to normalised transcript text.

`extract` is synchronous and CPU-bound; callers run it in a worker thread. Every failure is an
`AppError` with a stable `code` (see docs/api.md): file_too_large, unsupported_file_type,
malformed_file, undecodable_text, pdf_no_text, empty_content, text_too_long and
decompression_bomb. Work and memory are bounded for hostile input: the byte limit is checked
first, zip packages are inspected before any library opens them, and readers stop collecting
text once it cannot fit `max_chars`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from persona_insight.errors import AppError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from persona_insight.ingest import (
    docx,
    html,
    hwp,
    hwpx,
    jsonfile,
    pdf,
    rtf,
    subtitles,
    tables,
    text,
    xls,
    xmlfile,
)
from persona_insight.ingest.base import Raw, malformed, too_long
from persona_insight.ingest.normalize import normalize

__all__ = ["SUPPORTED_EXTENSIONS", "Extracted", "extract", "extract_pasted"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    """Normalised transcript text: NFC, "\\n" line ends, speaker turns as `Speaker: text`."""
    kind: str
    """txt, md, log, docx, pdf, vtt, srt, html, csv, xlsx, xls, json, xml, rtf, hwp, hwpx or
    paste."""
    media_type: str
    """Media type of the uploaded bytes, for serving the original file back. Text formats
    carry the charset the bytes are actually in."""
    encoding: str | None
    """Detected source encoding of text formats (utf-8, cp949, utf-16…; the code page for RTF),
    else None."""
    modified: datetime.date | None
    """Last-modified (else created) date from the document's own metadata (docx, xlsx, xls,
    pdf, hwp, hwpx)."""


_Reader = Callable[[bytes, int], Raw]


@dataclass(frozen=True, slots=True)
class _Format:
    kind: str
    media_type: str
    reader: _Reader
    label: str


_TEXT = _Format("txt", "text/plain", text.read, "text")
_FORMATS: dict[str, _Format] = {
    ".txt": _TEXT,
    ".text": _TEXT,
    ".log": _Format("log", "text/plain", text.read, "text"),
    ".md": _Format("md", "text/markdown", text.read, "Markdown"),
    ".markdown": _Format("md", "text/markdown", text.read, "Markdown"),
    ".docx": _Format(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        docx.read,
        "a Word document",
    ),
    ".pdf": _Format("pdf", "application/pdf", pdf.read, "a PDF"),
    ".vtt": _Format("vtt", "text/vtt", subtitles.read_vtt, "WebVTT subtitles"),
    ".srt": _Format("srt", "application/x-subrip", subtitles.read_srt, "SubRip subtitles"),
    ".html": _Format("html", "text/html", html.read, "HTML"),
    ".htm": _Format("html", "text/html", html.read, "HTML"),
    ".csv": _Format("csv", "text/csv", tables.read_csv, "CSV"),
    ".xlsx": _Format(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        tables.read_xlsx,
        "an Excel workbook",
    ),
    ".json": _Format("json", "application/json", jsonfile.read, "JSON"),
    ".rtf": _Format("rtf", "application/rtf", rtf.read, "RTF"),
    ".xls": _Format("xls", "application/vnd.ms-excel", xls.read, "an Excel 97-2003 workbook"),
    ".xml": _Format("xml", "application/xml", xmlfile.read, "XML"),
    ".hwp": _Format("hwp", "application/x-hwp", hwp.read, "an HWP document"),
    ".hwpx": _Format("hwpx", "application/hwp+zip", hwpx.read, "an HWPX document"),
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_FORMATS)

# Charset labels browsers and HTTP clients understand, for the codec names we detect. Browsers
# decode "euc-kr" as windows-949, which is exactly Python's cp949.
_CHARSET_LABELS = {
    "cp949": "euc-kr",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "cp1252": "windows-1252",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "iso8859-1": "iso-8859-1",
}
_BINARY_KINDS = frozenset({"docx", "pdf", "xlsx", "rtf", "xls", "hwp", "hwpx"})


def extract(filename: str, data: bytes, *, max_bytes: int, max_chars: int) -> Extracted:
    """Read an uploaded file as transcript text; the extension decides the format."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is {len(data):,} bytes; the limit is {max_bytes:,}.", code="file_too_large"
        )
    fmt = _FORMATS.get(_extension(filename))
    if fmt is None:
        supported = sorted(SUPPORTED_EXTENSIONS)
        raise UnsupportedMediaType(
            f"Unsupported file type {_extension(filename) or '(none)'!r}; supported types: "
            f"{', '.join(supported)}.",
            code="unsupported_file_type",
            details={"supported": supported},
        )
    raw = _run(fmt, data, max_chars)
    return Extracted(
        text=_finish(raw.text, max_chars, kind=fmt.kind),
        kind=fmt.kind,
        media_type=_media_type(fmt, raw.encoding),
        encoding=raw.encoding,
        modified=raw.modified,
    )


def extract_pasted(text: str, *, max_chars: int) -> Extracted:
    """Pasted transcript text, normalised and checked like an uploaded file."""
    return Extracted(
        text=_finish(text, max_chars, kind="paste"),
        kind="paste",
        media_type="text/plain; charset=utf-8",
        encoding=None,
        modified=None,
    )


def _extension(filename: str) -> str:
    """Lower-cased extension with its dot, '' when there is none. Browsers on Windows may send
    the full client path, so both separators count."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".").lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _run(fmt: _Format, data: bytes, max_chars: int) -> Raw:
    try:
        return fmt.reader(data, max_chars)
    except (AppError, MemoryError):
        # Out of memory is the sandbox's limit (`file_too_complex`), not a malformed file.
        raise
    except Exception as exc:
        # Parsers raise whatever their internals hit on hostile bytes (KeyError, struct.error,
        # IndexError, lxml and zlib errors, …). Whatever the type, the file was unreadable.
        log.info("unreadable %s upload", fmt.kind, exc_info=True)
        raise malformed(f"The file could not be read as {fmt.label}.") from exc


def _finish(raw: str, max_chars: int, *, kind: str) -> str:
    result = normalize(raw)
    if not result:
        if kind == "pdf":
            raise InvalidInput("The PDF has no text layer.", code="pdf_no_text")
        raise InvalidInput("The transcript is empty.", code="empty_content")
    if not any(c.isalpha() for c in result):
        # Only timestamps, numbers or punctuation: refused here as an .srt of the same cues
        # is, rather than stored and failed by the analysis (`empty_transcript`).
        raise InvalidInput("The transcript has no words.", code="empty_content")
    if len(result) > max_chars:
        raise too_long(max_chars)
    return result


def _media_type(fmt: _Format, encoding: str | None) -> str:
    if encoding is None or fmt.kind in _BINARY_KINDS:
        return fmt.media_type
    if fmt.kind == "json" and encoding == "utf-8":
        return fmt.media_type  # JSON is UTF-8 by definition (RFC 8259) and takes no charset
    return f"{fmt.media_type}; charset={_CHARSET_LABELS.get(encoding, encoding)}"
