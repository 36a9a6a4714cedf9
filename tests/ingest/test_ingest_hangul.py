"""Hancom documents: real .hwp files written by Hangul, .hwpx packages built as zipped OWPML,
and the hostile variants of both."""

from __future__ import annotations

import datetime
import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_insight import ingest
from persona_insight.analysis.transcript import parse
from persona_insight.errors import AppError
from persona_insight.ingest import hwp

FILES = Path(__file__).parent / "files"
LIMITS = {"max_bytes": 50_000_000, "max_chars": 1_000_000}


def extract(name: str, data: bytes, **limits: int) -> ingest.Extracted:
    return ingest.extract(name, data, **{**LIMITS, **limits})


def error_of(name: str, data: bytes, **limits: int) -> AppError:
    with pytest.raises(AppError) as caught:
        extract(name, data, **limits)
    return caught.value


def real(name: str) -> bytes:
    return (FILES / name).read_bytes()


# --- .hwp -----------------------------------------------------------------------------------


def test_hwp_paragraphs_in_order() -> None:
    result = extract("삼강오륜.hwp", real("hwpjs-example.hwp"))
    assert (result.kind, result.media_type, result.encoding) == ("hwp", "application/x-hwp", None)
    lines = result.text.split("\n")
    assert lines[0] == "삼강오륜"
    assert "군위신강: 임금과 신하 사이에 마땅히 지켜야 할 도리" in lines
    assert lines[-1] == "붕우유신: 친구 사이에는 믿음이 있어야 함"
    assert lines.index("삼강") < lines.index("오륜")
    # no inline control (section definition, column definition) leaks in as CJK noise
    assert "捤" not in result.text
    assert "\x00" not in result.text
    assert isinstance(result.modified, datetime.date)


def test_hwp_table_rows_keep_their_cells_together() -> None:
    assert extract("표.hwp", real("hwplib-table.hwp")).text == (
        "표\nABC 123 | DEF | GHI\nLMN | OPQ | STR\nUVM | 123 | 456"
    )


def test_hwp_form_of_tables_reads_row_by_row() -> None:
    text = extract("신청서.hwp", real("hwpjs-club-form-tables.hwp")).text
    assert "2026학년도 자율(전공)동아리 개설 신청서" in text
    assert "동아리명 | 지도교사 | (서명)" in text.split("\n")
    assert "동아리 활동시간 | 매주 화요일(8-10교시), 금요일(6-10교시)" in text.split("\n")
    # the three attachments come in document order
    assert text.index("[붙임 1]") < text.index("[붙임 2]") < text.index("[붙임 3]")


def test_hwp_from_an_older_format_version() -> None:
    text = extract("old.hwp", real("hwplib-version-5.0.2.2.hwp")).text
    assert text.startswith("테스트 누름틀 ABCD 1234567")
    assert "누름틀은 여러줄 문자열1\n여러줄 문자열2" in text


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("hwpjs-password-12345.hwp", "password"),
        ("hwpjs-distribution-viewtext.hwp", "distribution"),
    ],
)
def test_protected_hwp_is_refused_with_the_reason(name: str, fragment: str) -> None:
    error = error_of("a.hwp", real(name))
    assert (error.status, error.code) == (422, "malformed_file")
    assert fragment in error.message


def test_para_text_skips_inline_controls_and_keeps_surrogate_pairs() -> None:
    table = "\x0b" + "tbl " + "\x00" * 2 + "\x0b"  # an eight-unit extended control
    raw = ("가" + table + "나\t" + "x" * 7 + "😀\r").encode("utf-16-le", "surrogatepass")
    assert hwp.para_text(raw) == "가나\t😀"


def test_truncated_hwp_is_malformed() -> None:
    data = real("hwpjs-example.hwp")
    for cut in (512, len(data) // 2, len(data) - 1000):
        error = error_of("a.hwp", data[:cut])
        assert (error.status, error.code) == (422, "malformed_file")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.hwp", b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\x00" * 2000),
        ("a.hwp", b"PK\x03\x04 this is a zip, not an OLE file"),
        ("a.hwp", "면접관: 텍스트 파일입니다".encode()),
        ("a.hwpx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000),
    ],
)
def test_wrong_contents_for_the_extension_are_malformed(name: str, data: bytes) -> None:
    error = error_of(name, data)
    assert (error.status, error.code) == (422, "malformed_file")


def test_hwp_file_renamed_docx_is_malformed() -> None:
    error = error_of("a.docx", real("hwpjs-example.hwp"))
    assert (error.status, error.code) == (422, "malformed_file")


def _with_section(stream: bytes, base: str = "hwpjs-club-form-tables.hwp") -> bytes:
    """A real file with its first body section replaced (olefile rewrites same-size streams)."""
    data = bytearray(real(base))
    with olefile.OleFileIO(bytes(data)) as ole:
        size = ole.get_size("BodyText/Section0")
    assert len(stream) <= size
    out = io.BytesIO(bytes(data))
    with olefile.OleFileIO(out, write_mode=True) as ole:
        ole.write_stream("BodyText/Section0", stream.ljust(size, b"\x00"))
    return out.getvalue()


def _deflate(raw: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(raw) + compressor.flush()


def _record(tag: int, level: int, payload: bytes) -> bytes:
    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def test_rewritten_section_is_read() -> None:
    # The helper itself: a section we write is what the reader returns.
    text = "면접관: 요즘 어떻게 주문을 관리하세요?\r".encode("utf-16-le")
    body = _record(66, 0, struct.pack("<I", 20) + b"\x00" * 18) + _record(67, 1, text)
    assert (
        extract("a.hwp", _with_section(_deflate(body))).text
        == "면접관: 요즘 어떻게 주문을 관리하세요?"
    )


def test_hwp_decompression_bomb() -> None:
    bomb = _deflate(b"\x00" * (8 << 20))  # 8 MB of nothing in about 8 KB
    assert len(bomb) < 17502
    error = error_of("a.hwp", _with_section(bomb), max_chars=1000)
    assert (error.status, error.code) == (413, "decompression_bomb")


@pytest.mark.parametrize(
    "body",
    [
        struct.pack("<I", 67 | 500 << 20) + b"short",  # a record running past its section
        b"\x43\x00",  # a header cut off
    ],
)
def test_hwp_broken_records_are_malformed(body: bytes) -> None:
    error = error_of("a.hwp", _with_section(_deflate(body)))
    assert (error.status, error.code) == (422, "malformed_file")


def test_hwp_not_deflated_is_malformed() -> None:
    error = error_of("a.hwp", _with_section(b"\xff" * 64))
    assert (error.status, error.code) == (422, "malformed_file")


# --- .hwpx ----------------------------------------------------------------------------------

_HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
_HS = "http://www.hancom.co.kr/hwpml/2011/section"


def _p(text: str) -> str:
    return f"<hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p>"


def _tbl(rows: list[list[str]]) -> str:
    cells = "".join(
        "<hp:tr>"
        + "".join(f"<hp:tc><hp:subList>{_p(c)}</hp:subList></hp:tc>" for c in row)
        + "</hp:tr>"
        for row in rows
    )
    return f"<hp:p><hp:run><hp:tbl>{cells}</hp:tbl></hp:run></hp:p>"


def build_hwpx(*sections: str, prologue: str = "", modified: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip")
        meta = (
            f'<opf:meta name="ModifiedDate" content="text">{modified}</opf:meta>'
            if modified
            else ""
        )
        z.writestr(
            "Contents/content.hpf",
            '<?xml version="1.0" encoding="UTF-8"?><opf:package '
            'xmlns:opf="http://www.idpf.org/2007/opf/"><opf:metadata>'
            f"{meta}</opf:metadata></opf:package>",
        )
        for i, body in enumerate(sections):
            z.writestr(
                f"Contents/section{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?>{prologue}'
                f'<hs:sec xmlns:hs="{_HS}" xmlns:hp="{_HP}">{body}</hs:sec>',
            )
    return out.getvalue()


def test_hwpx_paragraphs_tables_and_sections_in_order(korean_interview: str) -> None:
    lines = korean_interview.split("\n")
    data = build_hwpx(
        _p("인터뷰 기록") + _tbl([["일시", "2024-03-05"], ["장소", "서울"]]),
        "".join(_p(line) for line in lines),
        modified="2024-03-05T09:30:00Z",
    )
    result = extract("인터뷰.hwpx", data)
    assert (result.kind, result.media_type) == ("hwpx", "application/hwp+zip")
    assert result.text == "인터뷰 기록\n일시 | 2024-03-05\n장소 | 서울\n" + korean_interview
    assert result.modified == datetime.date(2024, 3, 5)
    assert [t.role for t in parse(result.text).turns] == ["question", "answer"] * 3


def test_hwpx_dialogue_table_becomes_turns() -> None:
    data = build_hwpx(
        _tbl([["화자", "내용"], ["면접관", "가장 불편한 점은요?"], ["참여자", "정산이요."]])
    )
    assert extract("a.hwpx", data).text == "면접관: 가장 불편한 점은요?\n참여자: 정산이요."


def test_hwpx_inline_tabs_and_breaks_and_skipped_controls() -> None:
    body = (
        "<hp:p><hp:run><hp:ctrl><hp:header><hp:subList>"
        + _p("머리말")
        + "</hp:subList></hp:header></hp:ctrl>"
        "<hp:t>가<hp:tab/>나<hp:lineBreak/>다</hp:t></hp:run></hp:p>"
    )
    assert extract("a.hwpx", build_hwpx(body)).text == "가\t나\n다"


def test_hwpx_entity_expansion_is_refused() -> None:
    prologue = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    error = error_of("a.hwpx", build_hwpx(_p("&lol2;"), prologue=prologue))
    assert (error.status, error.code) == (422, "malformed_file")


def test_hwpx_external_entity_is_refused() -> None:
    prologue = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    error = error_of("a.hwpx", build_hwpx(_p("&xxe;"), prologue=prologue))
    assert (error.status, error.code) == (422, "malformed_file")
    assert "root:" not in error.message


def test_hwpx_zip_bomb() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/section0.xml", b" " * (50 << 20))
    error = error_of("a.hwpx", out.getvalue())
    assert (error.status, error.code) == (413, "decompression_bomb")


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        build_hwpx(_p("ok"))[:200],
        build_hwpx("<hp:p><hp:run><hp:t>unclosed</hp:run></hp:p>"),
    ],
)
def test_hwpx_broken_packages_are_malformed(data: bytes) -> None:
    error = error_of("a.hwpx", data)
    assert (error.status, error.code) == (422, "malformed_file")


def test_hwpx_without_sections_or_with_another_mimetype_is_malformed() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("Contents/section0.xml", "<sec/>")
    assert error_of("a.hwpx", out.getvalue()).code == "malformed_file"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
    assert error_of("a.hwpx", out.getvalue()).code == "malformed_file"


def test_hwpx_deep_nesting_does_not_exhaust_the_stack() -> None:
    depth = 5000
    body = "<hp:p><hp:run><hp:rect><hp:drawText>" + "<hp:subList>" * depth + _p("깊은 곳")
    body += "</hp:subList>" * depth + "</hp:drawText></hp:rect></hp:run></hp:p>"
    assert extract("a.hwpx", build_hwpx(body)).text == "깊은 곳"


def test_new_types_are_listed_as_supported() -> None:
    assert {".hwp", ".hwpx", ".xls", ".xml"} <= ingest.SUPPORTED_EXTENSIONS


@given(
    flips=st.lists(st.tuples(st.integers(0, 26_623), st.integers(0, 255)), min_size=1, max_size=8),
    name=st.sampled_from(["hwpjs-example.hwp", "hwpjs-club-form-tables.hwp"]),
)
@settings(max_examples=60, deadline=None, database=None)
def test_mutated_real_hwp_ends_in_text_or_a_clear_error(
    flips: list[tuple[int, int]], name: str
) -> None:
    data = bytearray(real(name))
    for position, value in flips:
        data[position % len(data)] = value
    started = time.perf_counter()
    outcome: tuple[str, int] = ("text", 200)
    try:
        extract("a.hwp", bytes(data))
    except AppError as error:
        outcome = (error.code, error.status)
    assert time.perf_counter() - started < 3.0
    assert outcome in {
        ("text", 200),
        ("malformed_file", 422),
        ("empty_content", 422),
        ("decompression_bomb", 413),
    }
