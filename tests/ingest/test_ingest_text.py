"""Plain-text formats: encodings, binary rejection, normalisation, pasted text."""

from __future__ import annotations

import pytest

from persona_insight import ingest
from persona_insight.errors import InvalidInput, PayloadTooLarge
from persona_insight.ingest.normalize import normalize

LIMITS = {"max_bytes": 5_000_000, "max_chars": 1_000_000}


def extract(name: str, data: bytes) -> ingest.Extracted:
    return ingest.extract(name, data, **LIMITS)


@pytest.mark.parametrize(
    ("codec", "encoding", "charset"),
    [
        ("utf-8", "utf-8", "utf-8"),
        ("utf-8-sig", "utf-8", "utf-8"),
        ("utf-16", "utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le", "utf-16le"),
        ("utf-16-be", "utf-16-be", "utf-16be"),
        ("cp949", "cp949", "euc-kr"),
        # cp949 decodes euc-kr identically and is preferred (see text._detect)
        ("euc-kr", "cp949", "euc-kr"),
    ],
)
def test_korean_interview_decodes_exactly(
    korean_interview: str, codec: str, encoding: str, charset: str
) -> None:
    result = extract("interview.txt", korean_interview.replace("\n", "\r\n").encode(codec))
    assert result.text == korean_interview
    assert result.encoding == encoding
    assert result.kind == "txt"
    assert result.media_type == f"text/plain; charset={charset}"
    assert result.modified is None


def test_cp949_only_syllables_survive() -> None:
    # 똠 and 햏 exist in cp949 (UHC) but not in euc-kr: a euc-kr decode would fail on them.
    text = (
        "면접관: 똠양꿍 메뉴는 어떠세요?\n"
        "참여자: 햏, 재고 관리가 너무 어려워요. 매주 손으로 세고 있어요."
    )
    result = extract("menu.txt", text.encode("cp949"))
    assert result.text == text
    assert result.encoding == "cp949"


def test_short_korean_text_still_decodes() -> None:
    result = extract("short.txt", "네 맞아요".encode("cp949"))
    assert result.text == "네 맞아요"


def test_english_utf8(english_interview: str) -> None:
    result = extract("notes.txt", english_interview.encode())
    assert result.text == english_interview
    assert result.encoding == "utf-8"


def test_latin1_text_is_detected() -> None:
    text = "Participant: The café's crème brûlée sold out again, déjà vu every Friday.\n" * 3
    result = extract("notes.txt", text.encode("cp1252"))
    assert "crème brûlée" in result.text


@pytest.mark.parametrize(
    ("name", "kind", "media"),
    [
        ("a.md", "md", "text/markdown"),
        ("a.markdown", "md", "text/markdown"),
        ("a.log", "log", "text/plain"),
        ("a.text", "txt", "text/plain"),
        ("A.TXT", "txt", "text/plain"),
    ],
)
def test_text_kinds(name: str, kind: str, media: str) -> None:
    result = extract(name, b"# Notes\n\nInterviewer: hi")
    assert (result.kind, result.media_type) == (kind, f"{media}; charset=utf-8")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        b"\x00" * 200 + b"hello",
        b"\x89PNG\r\n\x1a\n" + bytes([7, 0, 0, 0, 255, 1, 0, 3]) * 200,
        b"\x00\x01\x02\x03 text" * 50,
    ],
)
def test_binary_is_undecodable(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        extract("binary.txt", data)
    assert caught.value.code == "undecodable_text"
    assert caught.value.status == 422


def test_broken_utf16_after_bom_is_undecodable() -> None:
    with pytest.raises(InvalidInput) as caught:
        extract("broken.txt", b"\xff\xfe" + "안녕".encode("utf-16-le") + b"\x00\xd8")
    assert caught.value.code == "undecodable_text"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\ufeff\u200b\n\u00a0".encode()])
def test_empty_content(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        extract("empty.txt", data)
    assert caught.value.code == "empty_content"


def test_normalisation_rules() -> None:
    raw = (
        "\ufeff  Interviewer:\u200b 안녕하세요   \r\n"
        "Participant: ok\x07\t \r\r\n\n\n\n\n"
        "Decomposed: \u1100\u1161\u11a8 e\u0301\x0cnext page\u2028end  "
    )
    assert normalize(raw) == (
        "Interviewer: 안녕하세요\nParticipant: ok\n\nDecomposed: 각 é\nnext page\nend"
    )


def test_normalisation_keeps_single_blank_lines_and_tabs() -> None:
    assert normalize("a\tb\n\nc") == "a\tb\n\nc"


def test_normalisation_repairs_surrogates() -> None:
    assert normalize("smile \ud83d\ude00 stray \ud800.") == "smile \U0001f600 stray \ufffd."


def test_normalisation_is_linear_on_long_space_runs() -> None:
    text = "a" + " " * 2_000_000 + "b\n"
    assert normalize(text) == text.strip()


def test_extract_pasted(korean_interview: str) -> None:
    result = ingest.extract_pasted(
        "\ufeff" + korean_interview.replace("\n", "\r\n") + "\n\n\n", max_chars=10_000
    )
    assert result.text == korean_interview
    assert (result.kind, result.media_type, result.encoding, result.modified) == (
        "paste",
        "text/plain; charset=utf-8",
        None,
        None,
    )


def test_extract_pasted_empty_and_too_long() -> None:
    with pytest.raises(InvalidInput) as empty:
        ingest.extract_pasted(" \u200b\n\t", max_chars=10)
    assert empty.value.code == "empty_content"
    with pytest.raises(PayloadTooLarge) as long:
        ingest.extract_pasted("x" * 11, max_chars=10)
    assert (long.value.code, long.value.status) == ("text_too_long", 413)
    assert ingest.extract_pasted("x" * 10, max_chars=10).text == "x" * 10
