"""Hostile input: whatever the bytes, extraction ends quickly in text or an AppError."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_insight import ingest
from persona_insight.errors import AppError
from persona_insight.ingest.normalize import normalize

LIMITS = {"max_bytes": 1_000_000, "max_chars": 200_000}
SECONDS = 3.0  # generous: typical examples take milliseconds
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EXTENSIONS = sorted(ingest.SUPPORTED_EXTENSIONS)
MAGIC = [
    b"",
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    b"WEBVTT\n\n",
    b"1\n00:00:01,000 --> 00:00:02,000\n",
    b"{\\rtf1\\ansi\\ansicpg949 ",
    b"<!doctype html><html><body>",
    b'[{"speaker": "A", "text": ',
    b"speaker,text\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
]
TEXT_SAMPLES = {
    ".vtt": b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Kim>\xec\x95\x88\xeb\x85\x95?\n",
    ".srt": (
        b"1\n00:00:01,000 --> 00:00:02,000\nKim: hello\n\n2\n00:00:02,000 --> 00:00:03,000\n- hi\n"
    ),
    ".html": b"<html><head><meta charset=utf-8></head><body><p>Q: hi?</p><td>a</td></body></html>",
    ".csv": b'speaker,text\nA,hello\nB,"x,\ny"\n',
    ".json": b'{"utterances": [{"speaker": "A", "text": "hi"}, {"speaker": 1, "text": ["x"]}]}',
    ".rtf": b"{\\rtf1\\ansi\\ansicpg949{\\fonttbl{\\f0\\fcharset129 G;}}\\f0 \\'c0\\'ce\\par}",
}


ERROR_CODES = {
    "malformed_file",
    "undecodable_text",
    "pdf_no_text",
    "empty_content",
    "text_too_long",
    "decompression_bomb",
}


def run(filename: str, data: bytes) -> None:
    started = time.perf_counter()
    outcome: ingest.Extracted | AppError
    try:
        outcome = ingest.extract(filename, data, **LIMITS)
    except AppError as error:
        outcome = error
    assert time.perf_counter() - started < SECONDS
    if isinstance(outcome, AppError):
        assert outcome.code in ERROR_CODES
    else:
        assert outcome.text
        assert outcome.text == normalize(outcome.text)
        assert len(outcome.text) <= LIMITS["max_chars"]


@FUZZ
@given(extension=st.sampled_from(EXTENSIONS), data=st.binary(max_size=4096))
def test_random_bytes(extension: str, data: bytes) -> None:
    run("upload" + extension, data)


@FUZZ
@given(
    extension=st.sampled_from(EXTENSIONS),
    magic=st.sampled_from(MAGIC),
    data=st.binary(max_size=2048),
)
def test_random_bytes_behind_a_plausible_header(extension: str, magic: bytes, data: bytes) -> None:
    run("upload" + extension, magic + data)


@FUZZ
@given(extension=st.sampled_from(EXTENSIONS), text=st.text(max_size=2000))
def test_random_text(extension: str, text: str) -> None:
    run("upload" + extension, text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.data())
def test_damaged_documents(samples: dict[str, bytes], data: st.DataObject) -> None:
    extension = data.draw(st.sampled_from(sorted([*samples, *TEXT_SAMPLES])))
    original = bytearray(samples.get(extension) or TEXT_SAMPLES[extension])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip":
            original[position] ^= data.draw(st.integers(1, 255))
        elif action == "delete":
            del original[position : position + data.draw(st.integers(1, 64))]
        else:
            original[position:position] = data.draw(st.binary(min_size=1, max_size=64))
        if not original:
            original = bytearray(b"x")
    run("damaged" + extension, bytes(original))


PART_NAMES = [
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "docProps/core.xml",
]


@FUZZ
@given(
    extension=st.sampled_from([".docx", ".xlsx"]),
    members=st.lists(
        st.tuples(
            st.sampled_from(PART_NAMES),
            st.one_of(st.binary(max_size=512), st.text(max_size=512).map(str.encode)),
        ),
        max_size=8,
    ),
)
def test_random_zip_packages(extension: str, members: list[tuple[str, bytes]]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in dict(members).items():
            package.writestr(name, content)
    run("package" + extension, out.getvalue())


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(max_size=500))
def test_normalize_is_idempotent_and_pasted_text_round_trips(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    if any(c.isalpha() for c in once):
        assert ingest.extract_pasted(text, max_chars=10_000).text == once
    else:  # empty, or no word at all (only numbers, timestamps, punctuation)
        with pytest.raises(AppError) as caught:
            ingest.extract_pasted(text, max_chars=10_000)
        assert caught.value.code == "empty_content"
