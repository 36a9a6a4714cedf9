"""PDF text layers, scanned and protected PDFs."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from persona_insight import ingest
from persona_insight.analysis.transcript import parse
from persona_insight.errors import AppError
from persona_insight.ingest import pdf

LIMITS = {"max_bytes": 10_000_000, "max_chars": 1_000_000}


def extract(data: bytes) -> ingest.Extracted:
    return ingest.extract("interview.pdf", data, **LIMITS)


def error_of(data: bytes) -> AppError:
    with pytest.raises(AppError) as caught:
        extract(data)
    return caught.value


def test_english_pages_in_order(make_pdf: Callable[..., bytes], english_interview: str) -> None:
    lines = english_interview.split("\n")
    result = extract(make_pdf([lines[:2], lines[2:]]))
    # each page ends its own paragraph
    assert result.text == "\n".join([*lines[:2], "", *lines[2:]])
    assert (result.kind, result.media_type, result.encoding) == ("pdf", "application/pdf", None)
    # reportlab's invariant mode stamps 2000-01-01 as both creation and modification date
    assert result.modified == datetime.date(2000, 1, 1)
    assert [t.role for t in parse(result.text).turns] == ["question", "answer"] * 2


def test_korean_text_layer(make_pdf: Callable[..., bytes], korean_interview: str) -> None:
    lines = korean_interview.split("\n")
    # Wide lines would run off the page; the short ones are enough to prove the CID font path.
    short = [line for line in lines if len(line) < 40]
    result = extract(make_pdf([short], korean=True))
    assert result.text == "\n".join(short)


def test_scanned_pdf_has_no_text(make_pdf: Callable[..., bytes]) -> None:
    error = error_of(make_pdf([[], []], image_only=True))
    assert (error.code, error.status) == ("pdf_no_text", 422)


def test_password_protected_pdf(make_pdf: Callable[..., bytes]) -> None:
    error = error_of(make_pdf([["secret"]], user_password="open sesame"))
    assert error.code == "malformed_file"
    assert "password" in error.message


def test_owner_password_only_pdf_opens(make_pdf: Callable[..., bytes]) -> None:
    # An empty user password with an owner password is "encrypted" but opens for anyone.
    assert extract(make_pdf([["Interviewer: hello?"]], user_password="")).text == (
        "Interviewer: hello?"
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"PK\x03\x04 not a pdf", b"%PDF-1.7\n" + b"\x00garbage" * 20],
)
def test_not_a_pdf(data: bytes) -> None:
    assert error_of(data).code == "malformed_file"


def test_truncated_pdf(make_pdf: Callable[..., bytes]) -> None:
    data = make_pdf([["Interviewer: hello?"]])
    error = error_of(data[: len(data) // 3])
    assert error.code in {"malformed_file", "pdf_no_text"}


def test_page_cap(make_pdf: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    error = error_of(make_pdf([["one"], ["two"], ["three"]]))
    assert (error.code, error.status) == ("text_too_long", 413)


def test_text_budget_stops_reading_pages(make_pdf: Callable[..., bytes]) -> None:
    data = make_pdf([["x" * 80] * 30] * 10)
    with pytest.raises(AppError) as caught:
        ingest.extract("a.pdf", data, max_bytes=10_000_000, max_chars=100)
    assert caught.value.code == "text_too_long"


def test_operation_budget(make_pdf: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_OPERATIONS", 20)
    error = error_of(make_pdf([[f"line {n}" for n in range(30)]]))
    assert (error.code, error.status) == ("text_too_long", 413)
