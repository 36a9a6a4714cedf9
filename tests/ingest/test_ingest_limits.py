"""Size limits, unsupported types and the shape of the errors clients see."""

from __future__ import annotations

import pytest

from persona_insight import ingest
from persona_insight.errors import AppError, PayloadTooLarge, UnsupportedMediaType
from persona_insight.ingest.base import Raw

EXPECTED_EXTENSIONS = {
    ".txt", ".md", ".markdown", ".log", ".text", ".docx", ".pdf", ".vtt", ".srt", ".html",
    ".htm", ".csv", ".xlsx", ".json", ".rtf", ".xls", ".xml", ".hwp", ".hwpx",
}  # fmt: skip


def test_supported_extensions() -> None:
    assert ingest.SUPPORTED_EXTENSIONS == EXPECTED_EXTENSIONS
    assert isinstance(ingest.SUPPORTED_EXTENSIONS, frozenset)


def test_byte_limit_boundary() -> None:
    data = b"Interviewer: hello?\n" * 50
    assert ingest.extract("a.txt", data, max_bytes=len(data), max_chars=10_000).text
    with pytest.raises(PayloadTooLarge) as caught:
        ingest.extract("a.txt", data + b"x", max_bytes=len(data), max_chars=10_000)
    assert (caught.value.code, caught.value.status) == ("file_too_large", 413)


def test_byte_limit_is_checked_before_anything_else() -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        ingest.extract("a.exe", b"\x00" * 11, max_bytes=10, max_chars=10)
    assert caught.value.code == "file_too_large"


def test_char_limit_boundary_counts_normalised_text() -> None:
    body = "가" * 100
    # Trailing spaces, CRLFs and a BOM are removed before counting.
    data = ("\ufeff" + body[:50] + "   \r\n" + body[50:] + "\r\n\r\n").encode()
    result = ingest.extract("a.txt", data, max_bytes=10_000, max_chars=101)
    assert len(result.text) == 101
    with pytest.raises(PayloadTooLarge) as caught:
        ingest.extract("a.txt", data, max_bytes=10_000, max_chars=100)
    assert (caught.value.code, caught.value.status) == ("text_too_long", 413)


def test_huge_raw_text_fails_fast_in_structured_formats() -> None:
    # 2,000 rows x 1,000 chars is far beyond 4 x max_chars: the reader stops early.
    data = ("speaker,text\n" + "A,{}\n".format("y" * 1000) * 2000).encode()
    with pytest.raises(PayloadTooLarge) as caught:
        ingest.extract("a.csv", data, max_bytes=10_000_000, max_chars=1000)
    assert caught.value.code == "text_too_long"


@pytest.mark.parametrize(
    "filename",
    ["notes.doc", "notes", "notes.", ".txt", "archive.zip", "photo.PNG", "x.txt.exe", ""],
)
def test_unsupported_file_types(filename: str) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        ingest.extract(filename, b"hello", max_bytes=100, max_chars=100)
    error = caught.value
    assert (error.code, error.status) == ("unsupported_file_type", 415)
    for extension in (".docx", ".pdf", ".vtt", ".xlsx", ".txt"):
        assert extension in error.message
    assert error.to_dict()["error"]["details"]["supported"] == sorted(EXPECTED_EXTENSIONS)


@pytest.mark.parametrize(
    ("filename", "kind"),
    [
        ("C:\\Users\\kim\\Desktop\\인터뷰.TXT", "txt"),
        ("/tmp/upload/interview.final.md", "md"),
        ("Interview Notes.Markdown ", "md"),
    ],
)
def test_extension_from_any_client_path(filename: str, kind: str) -> None:
    assert ingest.extract(filename, b"hi", max_bytes=100, max_chars=100).kind == kind


def test_errors_serialise_for_clients() -> None:
    with pytest.raises(AppError) as caught:
        ingest.extract("a.json", b"{", max_bytes=100, max_chars=100)
    body = caught.value.to_dict()
    assert body["error"]["code"] == "malformed_file"
    assert body["error"]["message"]
    assert caught.value.status == 422


def test_a_text_file_that_cannot_fit_is_too_long_before_it_is_decoded() -> None:
    """A 50 MB text file (under the byte limit) ran the reader out of memory while decoding,
    and the upload was refused as a malformed file (API QA pass)."""
    data = b"a" * (4 * 1000 + 1)
    with pytest.raises(PayloadTooLarge) as caught:
        ingest.extract("a.txt", data, max_bytes=10_000_000, max_chars=1000)
    assert (caught.value.code, caught.value.status) == ("text_too_long", 413)


def test_running_out_of_memory_is_not_a_malformed_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(data: bytes, max_chars: int) -> Raw:
        raise MemoryError

    fmt = ingest._FORMATS[".md"]
    monkeypatch.setitem(
        ingest._FORMATS, ".md", type(fmt)(fmt.kind, fmt.media_type, exhausted, fmt.label)
    )
    # The sandbox turns it into its memory limit (422 file_too_complex), not malformed_file.
    with pytest.raises(MemoryError):
        ingest.extract("a.md", b"# hi", max_bytes=100, max_chars=100)


@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.srt"])
def test_a_file_of_timestamps_only_is_empty(name: str) -> None:
    """A .txt of `[00:01:00]` lines was accepted and failed later in the analysis, while the
    same cues as .srt were refused at upload (API QA pass)."""
    if name.endswith(".srt"):
        data = (
            b"1\n00:00:01,000 --> 00:00:02,000\n[00:01:00]\n\n"
            b"2\n00:00:03,000 --> 00:00:04,000\n...\n"
        )
    else:
        data = b"[00:01:00]\n[00:02:00]\n12:03 - 12:04\n"
    with pytest.raises(AppError) as caught:
        ingest.extract(name, data, max_bytes=1000, max_chars=1000)
    assert (caught.value.code, caught.value.status) == ("empty_content", 422)
