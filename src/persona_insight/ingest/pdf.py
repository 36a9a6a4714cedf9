"""PDF: the text layer of every page, in page order."""

from __future__ import annotations

import datetime
import logging
from io import BytesIO

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PdfReadError

from persona_insight.errors import AppError, InvalidInput, PayloadTooLarge
from persona_insight.ingest.base import Raw, TextBuffer, malformed

MAX_PAGES = 2_000
# Beyond any transcript: a page of text is a few hundred operations, a dense one a few thousand.
# Each costs ~10 µs, so this bounds a crafted file (one form drawn 2,000 times) to ~3 s of CPU
# (issue 10, item 6: 5,000,000 allowed 87 s).
MAX_OPERATIONS = 250_000
# Readers accept the header anywhere in the first kilobyte (some generators prepend junk).
_HEADER_WINDOW = 1024
log = logging.getLogger(__name__)


def read(data: bytes, max_chars: int) -> Raw:
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise malformed("The file is not a PDF: it has no %PDF- header.")
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        _unlock(reader)
        page_count = len(reader.pages)
    except (PdfReadError, DependencyError, ValueError) as exc:
        raise malformed(f"The PDF cannot be opened: {exc}") from None
    if page_count > MAX_PAGES:
        raise PayloadTooLarge(
            f"The PDF has {page_count:,} pages; at most {MAX_PAGES:,} are accepted.",
            code="text_too_long",
        )
    buf = TextBuffer(max_chars)
    budget = _OperationBudget()
    failed = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text(visitor_operand_before=budget.spend)
        except AppError:
            raise
        except Exception:
            # One page with a broken font or content stream should not lose the other pages'
            # text; pypdf raises many unrelated types on malformed page content.
            log.info("pdf page %d: text extraction failed", number, exc_info=True)
            failed += 1
            continue
        buf.add(text)
    text = buf.text()
    if not text.strip():
        if failed:
            raise malformed("The PDF's pages could not be read.")
        raise InvalidInput(
            "The PDF has no text layer (it is probably scanned); run OCR on it or upload the "
            "transcript as text.",
            code="pdf_no_text",
        )
    return Raw(text, modified=_date(reader))


class _OperationBudget:
    """Counts content-stream operations across the document.

    pypdf bounds each stream (2M tokens) but re-parses a form XObject every time a page draws
    it, up to 5,000 times a page, so a small crafted file can still keep it busy for hours.
    """

    def __init__(self) -> None:
        self.left = MAX_OPERATIONS

    def spend(self, *_: object) -> None:
        self.left -= 1
        if self.left < 0:
            raise PayloadTooLarge(
                f"The PDF's pages hold more than {MAX_OPERATIONS:,} drawing operations.",
                code="text_too_long",
            )


def _unlock(reader: PdfReader) -> None:
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise malformed("The PDF is password-protected; upload an unprotected copy.")


def _date(reader: PdfReader) -> datetime.date | None:
    try:
        info = reader.metadata
        if info is None:
            return None
        return as_date(info.modification_date) or as_date(info.creation_date)
    except (ValueError, TypeError, PdfReadError):
        return None  # a garbled date string is no reason to refuse the document


def as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else None
