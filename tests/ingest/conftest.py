"""Builders for the ingest tests: real documents generated on the fly, and zip surgery."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from collections.abc import Callable, Sequence

import pytest

KOREAN_INTERVIEW = (
    "면접관: 안녕하세요, 오늘 인터뷰에 참여해 주셔서 감사합니다. 먼저 자기소개 부탁드려도 될까요?\n"
    "김민지: 네, 저는 서울에서 작은 카페를 운영하고 있는 김민지입니다. "
    "매장을 연 지는 3년 정도 됐어요.\n"
    "면접관: 주문 관리는 주로 어떻게 하세요?\n"
    "김민지: 아직도 종이 장부랑 엑셀을 같이 쓰고 있어요. 솔직히 너무 번거롭고 실수가 많아요.\n"
    "면접관: 가장 불편한 점이 무엇인가요?\n"
    "김민지: 월말 정산할 때 숫자가 안 맞으면 밤새 다시 확인해야 해요."
)
ENGLISH_INTERVIEW = (
    "Interviewer: Thanks for joining. How do you track orders today?\n"
    "Participant: Mostly in a spreadsheet, and it takes hours every week.\n"
    "Interviewer: What would you change first?\n"
    "Participant: I would automate the month-end reconciliation."
)

Block = str | Sequence[Sequence[str]]  # a paragraph, or a table as rows of cells


@pytest.fixture(scope="session")
def korean_interview() -> str:
    return KOREAN_INTERVIEW


@pytest.fixture(scope="session")
def english_interview() -> str:
    return ENGLISH_INTERVIEW


def build_docx(blocks: Sequence[Block], *, modified: datetime.datetime | None = None) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=len(block[0]))
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    if modified is not None:
        document.core_properties.modified = modified
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_pdf(
    pages: Sequence[Sequence[str]],
    *,
    korean: bool = False,
    user_password: str | None = None,
    image_only: bool = False,
) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if korean:
        pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
        font = "HYSMyeongJo-Medium"
    encrypt = None
    if user_password is not None:
        encrypt = pdfencrypt.StandardEncryption(
            user_password, ownerPassword="owner-secret", strength=128
        )
    out = io.BytesIO()
    # invariant: fixed /CreationDate and /ModDate (2000-01-01), so the metadata is testable
    pdf = canvas.Canvas(out, invariant=1, encrypt=encrypt)
    for lines in pages:
        if image_only:
            pdf.setFillColorRGB(0.2, 0.4, 0.6)
            pdf.rect(72, 400, 300, 200, fill=1, stroke=0)
        else:
            pdf.setFont(font, 12)
            for number, line in enumerate(lines):
                pdf.drawString(72, 720 - 18 * number, line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def build_xlsx(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes], *, add_stored: bool = False) -> bytes:
    """The same package with some members' content replaced or added."""
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if add_stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", method) as target:
        for info in source.infolist():
            content = replace.pop(info.filename, None)
            target.writestr(info.filename, source.read(info) if content is None else content)
        for name, content in replace.items():
            target.writestr(name, content)
    return out.getvalue()


def set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size a member's central-directory and local headers declare,
    leaving its compressed data alone: a zip that lies about how big a part is."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<L", patched, info.header_offset + 22, size)
    struct.pack_into("<L", patched, central_entry(data, member) + 24, size)
    return bytes(patched)


def central_entry(data: bytes, member: str) -> int:
    """Offset of a member's central-directory record."""
    name = member.encode()
    position = 0
    while True:
        position = data.index(b"PK\x01\x02", position)
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name:
            return position
        position += 4


def billion_laughs_xml(root: str) -> bytes:
    """An XML part whose ten nested entities expand to 10^9 "lol"s."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<!DOCTYPE lolz [{''.join(entities)}]>\n"
        f'<{root} xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"&lol9;</{root}>"
    ).encode()


@pytest.fixture(scope="session")
def zip_tools() -> ZipTools:
    return ZipTools()


class ZipTools:
    """The zip helpers, handed to tests as a fixture (conftest modules are not importable)."""

    rezip = staticmethod(rezip)
    set_declared_size = staticmethod(set_declared_size)
    central_entry = staticmethod(central_entry)
    billion_laughs_xml = staticmethod(billion_laughs_xml)


@pytest.fixture(scope="session")
def make_docx() -> Callable[..., bytes]:
    return build_docx


@pytest.fixture(scope="session")
def make_pdf() -> Callable[..., bytes]:
    return build_pdf


@pytest.fixture(scope="session")
def make_xlsx() -> Callable[..., bytes]:
    return build_xlsx


@pytest.fixture(scope="session")
def samples() -> dict[str, bytes]:
    """One valid file per binary format, for tests that damage them."""
    return {
        ".docx": build_docx(["Interviewer: Hello?", "Participant: Hi.", [["a", "b"], ["c", "d"]]]),
        ".xlsx": build_xlsx({"Sheet": [["speaker", "text"], ["Interviewer", "Hello?"]]}),
        ".pdf": build_pdf([["Interviewer: Hello?", "Participant: Hi."]]),
    }
