"""Legacy Excel (.xls, written by xlwt as Excel 97-2003 does) and XML files."""

from __future__ import annotations

import datetime
import io

import pytest
import xlwt

from persona_insight import ingest
from persona_insight.analysis.transcript import parse
from persona_insight.errors import AppError

LIMITS = {"max_bytes": 50_000_000, "max_chars": 1_000_000}


def extract(name: str, data: bytes) -> ingest.Extracted:
    return ingest.extract(name, data, **LIMITS)


def error_of(name: str, data: bytes) -> AppError:
    with pytest.raises(AppError) as caught:
        extract(name, data)
    return caught.value


def build_xls(*sheets: list[list[object]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for number, rows in enumerate(sheets):
        sheet = book.add_sheet(f"Sheet{number + 1}")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime.date):
                    sheet.write(r, c, value, dates)
                elif value is not None:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- .xls -----------------------------------------------------------------------------------


def test_xls_speaker_table_becomes_turns(korean_interview: str) -> None:
    rows: list[list[object]] = [["화자", "내용"]]
    rows += [line.split(": ", 1) for line in korean_interview.split("\n")]
    result = extract("인터뷰.xls", build_xls(rows))
    assert (result.kind, result.media_type, result.encoding) == (
        "xls",
        "application/vnd.ms-excel",
        None,
    )
    assert result.text == korean_interview
    assert [t.role for t in parse(result.text).turns] == ["question", "answer"] * 3


def test_xls_values_and_sheets() -> None:
    data = build_xls(
        [["Date", "Score", "Done", "Note"], [datetime.date(2024, 3, 5), 4.0, True, None]],
        [["second sheet", 2.5]],
    )
    assert extract("a.xls", data).text == (
        "Date | Score | Done | Note\n2024-03-05 | 4 | TRUE\n\nsecond sheet | 2.5"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000,  # an OLE header and nothing else
        b"plain text, not a workbook",
        b"PK\x03\x04 an xlsx renamed",
    ],
)
def test_xls_broken_or_wrong_contents_are_malformed(data: bytes) -> None:
    error = error_of("a.xls", data)
    assert (error.status, error.code) == (422, "malformed_file")


def test_truncated_xls_is_malformed() -> None:
    data = build_xls([["a", "b"]] * 200)
    error = error_of("a.xls", data[: len(data) // 2])
    assert (error.status, error.code) == (422, "malformed_file")


# --- .xml -----------------------------------------------------------------------------------


def test_xml_text_and_speaker_attributes() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<interview><title>카페 운영자 인터뷰</title>"
        '<turn speaker="면접관">주문은 어떻게 관리하세요?</turn>'
        '<turn who="참여자">엑셀로요. <em>너무</em> 번거로워요.</turn>'
        "</interview>"
    ).encode()
    result = extract("a.xml", data)
    assert (result.kind, result.media_type) == ("xml", "application/xml; charset=utf-8")
    assert result.text == (
        "카페 운영자 인터뷰\n면접관: 주문은 어떻게 관리하세요?\n"
        "참여자: 엑셀로요.\n너무\n번거로워요."
    )


def test_xml_in_a_declared_korean_encoding() -> None:
    source = '<?xml version="1.0" encoding="euc-kr"?><doc><p>면접관: 안녕하세요</p></doc>'
    result = extract("a.xml", source.encode("cp949"))
    assert result.text == "면접관: 안녕하세요"
    assert result.media_type == "application/xml; charset=euc-kr"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>',
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>',
        b"<a><b>unclosed</a>",
        b"",
    ],
)
def test_hostile_or_broken_xml_is_refused(data: bytes) -> None:
    error = error_of("a.xml", data)
    assert error.status == 422
    assert error.code in {"malformed_file", "empty_content"}
    assert "root:" not in error.message


def test_deeply_nested_xml() -> None:
    depth = 20_000
    data = ("<a>" * depth + "깊다" + "</a>" * depth).encode()
    assert extract("a.xml", data).text == "깊다"
