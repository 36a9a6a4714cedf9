"""Word and Excel files, and the zip guard in front of both."""

from __future__ import annotations

import datetime
import io
import re
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from persona_insight import ingest
from persona_insight.analysis.transcript import parse
from persona_insight.errors import AppError, InvalidInput, PayloadTooLarge
from persona_insight.ingest import archive

LIMITS = {"max_bytes": 50_000_000, "max_chars": 1_000_000}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def extract(name: str, data: bytes) -> ingest.Extracted:
    return ingest.extract(name, data, **LIMITS)


def error_of(name: str, data: bytes) -> AppError:
    with pytest.raises(AppError) as caught:
        extract(name, data)
    return caught.value


# --- docx ---------------------------------------------------------------------------------


def test_docx_korean_paragraphs(make_docx: Callable[..., bytes], korean_interview: str) -> None:
    modified = datetime.datetime(2024, 3, 5, 9, 30, tzinfo=datetime.UTC)
    result = extract("인터뷰.docx", make_docx(korean_interview.split("\n"), modified=modified))
    assert result.text == korean_interview
    assert (result.kind, result.media_type, result.encoding) == ("docx", DOCX_TYPE, None)
    assert result.modified == datetime.date(2024, 3, 5)
    transcript = parse(result.text)
    assert [t.role for t in transcript.turns] == ["question", "answer"] * 3


def test_docx_keeps_order_and_paragraph_breaks(make_docx: Callable[..., bytes]) -> None:
    data = make_docx(
        [
            "Interview with a café owner",
            "",
            "Interviewer: How do you track orders?",
            [["Date", "Location", "Notes"], ["2024-03-05", "Seoul", ""]],
            "Participant: In a spreadsheet.",
        ]
    )
    assert extract("a.docx", data).text == (
        "Interview with a café owner\n\n"
        "Interviewer: How do you track orders?\n"
        "Date | Location | Notes\n"
        "2024-03-05 | Seoul\n"
        "Participant: In a spreadsheet."
    )


@pytest.mark.parametrize(
    "rows",
    [
        [
            ["면접관", "주문은 어떻게 관리하세요?"],
            ["김민지", "엑셀로 해요."],
            ["면접관", "불편한 점은요?"],
        ],
        [["화자", "내용"], ["면접관", "주문은 어떻게 관리하세요?"], ["김민지", "엑셀로 해요."]],
        [["Interviewer", "How do you manage orders?"], ["Participant", "With Excel."]],
    ],
)
def test_docx_dialogue_table_becomes_speaker_lines(
    make_docx: Callable[..., bytes], rows: list[list[str]]
) -> None:
    text = extract("a.docx", make_docx([rows])).text
    body = rows[1:] if rows[0][0] == "화자" else rows
    assert text == "\n".join(f"{who}: {said}" for who, said in body)
    assert parse(text).turns[0].role == "question"


def test_docx_table_with_a_time_column(make_docx: Callable[..., bytes]) -> None:
    rows = [
        ["시간", "화자", "내용"],
        ["00:01", "진행자", "평소에 장은 어떻게 보세요?"],
        ["00:05", "응답자", "쿠팡을 써요. 과일이 자주 상해서 와요."],
    ]
    text = extract("a.docx", make_docx([rows])).text
    turns = parse(text).turns
    assert [(t.role, t.speaker, t.text, t.start_ms) for t in turns] == [
        ("question", "진행자", "평소에 장은 어떻게 보세요?", 1000),
        ("answer", "응답자", "쿠팡을 써요. 과일이 자주 상해서 와요.", 5000),
    ]


@pytest.mark.parametrize("header", [["질문", "답변"], ["Interviewer", "Participant"]])
def test_docx_question_and_answer_columns(
    make_docx: Callable[..., bytes], header: list[str]
) -> None:
    # Interview notes put each question and its answer side by side: two turns per row.
    rows = [
        header,
        ["평소에 장은 어떻게 보세요?", "쿠팡을 써요."],
        ["교환은요?", "절차가 번거로워요."],
    ]
    turns = parse(extract("a.docx", make_docx([rows])).text).turns
    assert [(t.role, t.speaker, t.text) for t in turns] == [
        ("question", header[0], "평소에 장은 어떻게 보세요?"),
        ("answer", header[1], "쿠팡을 써요."),
        ("question", header[0], "교환은요?"),
        ("answer", header[1], "절차가 번거로워요."),
    ]


def test_docx_speaker_column_headed_gubun(make_docx: Callable[..., bytes]) -> None:
    # "구분 | 내용": the header row names the columns; it is no turn of a speaker "구분".
    rows = [["구분", "내용"], ["질문", "교환은요?"], ["답변", "절차가 번거로워요."]]
    assert extract("a.docx", make_docx([rows])).text == "질문: 교환은요?\n답변: 절차가 번거로워요."


def test_docx_two_column_table_of_sentences_is_not_a_dialogue(
    make_docx: Callable[..., bytes],
) -> None:
    rows = [["We tried the app.", "It crashed."], ["Then we called support.", "No answer."]]
    assert extract("a.docx", make_docx([rows])).text == (
        "We tried the app. | It crashed.\nThen we called support. | No answer."
    )


def test_docx_merged_cells_are_read_once(make_docx: Callable[..., bytes]) -> None:
    import docx

    document = docx.Document(io.BytesIO(make_docx([[["a", "b", "c"], ["d", "e", "f"]]])))
    table = document.tables[0]
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(0, 2).merge(table.cell(1, 2))
    out = io.BytesIO()
    document.save(out)
    text = extract("a.docx", out.getvalue()).text
    # a+b merged horizontally, c+f vertically: each merged cell's text appears once
    assert text.splitlines() == ["a b | c f", "d | e"]


def test_empty_docx(make_docx: Callable[..., bytes]) -> None:
    assert error_of("a.docx", make_docx(["", "   "])).code == "empty_content"


# --- xlsx ---------------------------------------------------------------------------------


def test_xlsx_speaker_columns(make_xlsx: Callable[..., bytes]) -> None:
    data = make_xlsx(
        {
            "인터뷰": [
                ["시간", "발화자", "발화"],
                ["00:01", "면접관", "주문은 어떻게 관리하세요?"],
                ["00:05", "김민지", "엑셀로 관리해요.\n가끔 종이에도 적어요."],
                [None, None, None],
                ["00:09", None, "(웃음)"],
            ]
        }
    )
    result = extract("a.xlsx", data)
    assert result.text == (
        "[00:01] 면접관: 주문은 어떻게 관리하세요?\n"
        "[00:05] 김민지: 엑셀로 관리해요. 가끔 종이에도 적어요.\n[00:09] (웃음)"
    )
    assert (result.kind, result.media_type, result.encoding) == ("xlsx", XLSX_TYPE, None)
    assert isinstance(result.modified, datetime.date)
    assert parse(result.text).turns[0].role == "question"


def test_xlsx_plain_rows_and_sheets(make_xlsx: Callable[..., bytes]) -> None:
    data = make_xlsx(
        {
            "Notes": [["Participant", "Pain point", "Score"], ["P1", "Slow exports", 4.0]],
            "More": [[datetime.datetime(2024, 3, 5), True, 2.5]],
        }
    )
    assert extract("a.xlsx", data).text == (
        "Participant | Pain point | Score\nP1 | Slow exports | 4\n\n2024-03-05 | TRUE | 2.5"
    )


def test_xlsx_modified_date_from_core_properties(
    make_xlsx: Callable[..., bytes], zip_tools: Any
) -> None:
    data = make_xlsx({"S": [["hello"]]})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        core = package.read("docProps/core.xml").decode()
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", r"\g<1>2023-11-20T08:00:00Z", core)
    data = zip_tools.rezip(data, {"docProps/core.xml": core.encode()})
    assert extract("a.xlsx", data).modified == datetime.date(2023, 11, 20)


def test_xlsx_cell_cap(make_xlsx: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    from persona_insight.ingest import tables

    monkeypatch.setattr(tables, "MAX_CELLS", 50)
    data = make_xlsx({"S": [[f"r{r}c{c}" for c in range(10)] for r in range(6)]})
    error = error_of("a.xlsx", data)
    assert (error.code, error.status) == ("text_too_long", 413)


def test_xlsx_bogus_dimension_does_not_pad_rows(
    make_xlsx: Callable[..., bytes], zip_tools: Any
) -> None:
    data = make_xlsx({"S": [["Interviewer", "hello?"]]})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<dimension ref="A1:B1"/>', '<dimension ref="A1:XFD1048576"/>')
    assert "XFD1048576" in sheet
    data = zip_tools.rezip(data, {"xl/worksheets/sheet1.xml": sheet.encode()})
    started = time.perf_counter()
    assert extract("a.xlsx", data).text == "Interviewer | hello?"
    assert time.perf_counter() - started < 2


# --- malformed packages -------------------------------------------------------------------


@pytest.mark.parametrize("extension", [".docx", ".xlsx"])
def test_not_a_zip(extension: str) -> None:
    assert error_of("a" + extension, b"Interviewer: hello").code == "malformed_file"


@pytest.mark.parametrize("extension", [".docx", ".xlsx"])
def test_truncated_package(extension: str, samples: dict[str, bytes]) -> None:
    data = samples[extension]
    assert error_of("a" + extension, data[: len(data) // 2]).code == "malformed_file"


@pytest.mark.parametrize("extension", [".docx", ".xlsx"])
def test_corrupted_member(extension: str, samples: dict[str, bytes]) -> None:
    data = bytearray(samples[extension])
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.infolist()[2]
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle] ^= 0xFF
    assert error_of("a" + extension, bytes(data)).code == "malformed_file"


def test_wrong_package_type(samples: dict[str, bytes]) -> None:
    assert error_of("a.docx", samples[".xlsx"]).code == "malformed_file"
    assert error_of("a.xlsx", samples[".docx"]).code == "malformed_file"


def test_plain_zip_is_not_a_docx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("notes.txt", "Interviewer: hi")
    assert error_of("a.docx", out.getvalue()).code == "malformed_file"


def test_password_protected_zip_member(samples: dict[str, bytes], zip_tools: Any) -> None:
    data = bytearray(samples[".docx"])
    central = zip_tools.central_entry(bytes(data), "word/document.xml")
    data[central + 8] |= 0x1  # general-purpose flag bit 0: encrypted
    assert error_of("a.docx", bytes(data)).code == "malformed_file"


# --- bombs --------------------------------------------------------------------------------


def test_highly_compressed_member_is_a_bomb(samples: dict[str, bytes], zip_tools: Any) -> None:
    data = zip_tools.rezip(samples[".docx"], {"word/media/filler.bin": b"\0" * (20 << 20)})
    error = error_of("a.docx", data)
    assert (error.code, error.status) == ("decompression_bomb", 413)


def test_declared_total_over_limit_is_a_bomb(samples: dict[str, bytes], zip_tools: Any) -> None:
    data = zip_tools.set_declared_size(samples[".xlsx"], "xl/workbook.xml", 250 << 20)
    error = error_of("a.xlsx", data)
    assert error.code == "decompression_bomb"
    assert "200 MB" in error.message


def test_total_over_limit_is_a_bomb(
    samples: dict[str, bytes], zip_tools: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored (uncompressed) members pass the ratio check; only the running total stops them.
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 3 << 20)
    filler = {f"word/media/{n}.bin": bytes(range(256)) * 4096 for n in range(4)}
    data = zip_tools.rezip(samples[".docx"], filler, add_stored=True)
    assert error_of("a.docx", data).code == "decompression_bomb"


def test_central_directory_understating_size_is_caught(
    samples: dict[str, bytes], zip_tools: Any
) -> None:
    data = zip_tools.set_declared_size(samples[".docx"], "word/document.xml", 100)
    error = error_of("a.docx", data)
    assert error.code == "decompression_bomb"
    assert "larger than its zip header says" in error.message


def test_central_directory_overstating_size_is_malformed(
    samples: dict[str, bytes], zip_tools: Any
) -> None:
    with zipfile.ZipFile(io.BytesIO(samples[".docx"])) as package:
        real = package.getinfo("word/document.xml").file_size
    data = zip_tools.set_declared_size(samples[".docx"], "word/document.xml", real + 10)
    assert error_of("a.docx", data).code == "malformed_file"


def test_too_many_members_is_a_bomb() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for number in range(archive.MAX_MEMBERS + 1):
            package.writestr(f"m/{number}", b"")
    error = error_of("a.xlsx", out.getvalue())
    assert error.code == "decompression_bomb"


@pytest.mark.parametrize(
    ("extension", "member", "root"),
    [
        (".docx", "word/document.xml", "w:document"),
        (".xlsx", "xl/sharedStrings.xml", "sst"),
        (".docx", "[Content_Types].xml", "Types"),
    ],
)
def test_billion_laughs_is_refused_quickly(
    extension: str, member: str, root: str, samples: dict[str, bytes], zip_tools: Any
) -> None:
    data = zip_tools.rezip(samples[extension], {member: zip_tools.billion_laughs_xml(root)})
    started = time.perf_counter()
    error = error_of("a" + extension, data)
    assert time.perf_counter() - started < 1
    assert error.code == "malformed_file"
    assert isinstance(error, InvalidInput)


def test_utf16_encoded_doctype_is_refused(samples: dict[str, bytes], zip_tools: Any) -> None:
    xml = zip_tools.billion_laughs_xml("w:document").decode().replace("UTF-8", "UTF-16")
    data = zip_tools.rezip(samples[".docx"], {"word/document.xml": xml.encode("utf-16")})
    assert error_of("a.docx", data).code == "malformed_file"


def test_bomb_errors_are_payload_too_large(samples: dict[str, bytes], zip_tools: Any) -> None:
    data = zip_tools.rezip(samples[".docx"], {"word/media/filler.bin": b"\0" * (20 << 20)})
    with pytest.raises(PayloadTooLarge):
        extract("a.docx", data)


def test_docx_markup_cap(make_docx: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    from persona_insight.ingest import docx

    monkeypatch.setattr(docx, "MAX_XML_TAGS", 500)
    error = error_of("a.docx", make_docx([f"paragraph {n}" for n in range(200)]))
    assert error.code == "decompression_bomb"


def test_xlsx_styles_cap(make_xlsx: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    from persona_insight.ingest import tables

    monkeypatch.setattr(tables, "MAX_STYLES_TAGS", 10)
    error = error_of("a.xlsx", make_xlsx({"S": [["hello"]]}))
    assert error.code == "decompression_bomb"
    assert "styles.xml" in error.message


def test_docx_with_thousands_of_paragraphs_is_fast(make_docx: Callable[..., bytes]) -> None:
    data = make_docx([f"Participant: answer number {n}." for n in range(5_000)])
    started = time.perf_counter()
    assert len(extract("a.docx", data).text.splitlines()) == 5_000
    assert time.perf_counter() - started < 3


def test_docx_without_core_properties_has_no_date(
    make_docx: Callable[..., bytes], zip_tools: Any
) -> None:
    # python-docx would invent a core-properties part stamped with the current time.
    data = make_docx(["Interviewer: hello?"])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        rels = package.read("_rels/.rels").decode()
    rels = re.sub(r"<Relationship [^>]*core-properties[^>]*/>", "", rels)
    assert "core-properties" not in rels
    data = zip_tools.rezip(data, {"_rels/.rels": rels.encode()})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "docProps/core.xml":
                target.writestr(info.filename, source.read(info))
    assert extract("a.docx", out.getvalue()).modified is None


def test_docx_created_date_when_never_modified(
    make_docx: Callable[..., bytes], zip_tools: Any
) -> None:
    data = make_docx(["Interviewer: hello?"])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        core = package.read("docProps/core.xml").decode()
    core = re.sub(r"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", "", core)
    core = re.sub(r"(<dcterms:created[^>]*>)[^<]*", r"\g<1>2022-07-01T10:00:00Z", core)
    data = zip_tools.rezip(data, {"docProps/core.xml": core.encode()})
    assert extract("a.docx", data).modified == datetime.date(2022, 7, 1)
