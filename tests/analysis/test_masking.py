"""Personal data is masked with typed placeholders; numbers that are not personal are left alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_insight.analysis.masking import PLACEHOLDERS, mask, mask_transcript
from persona_insight.analysis.transcript import parse

MASKED = [
    # (text, personal value that must disappear, placeholder kind)
    ("메일은 minji.kim@example.co.kr 로 보내주세요.", "minji.kim@example.co.kr", "email"),
    (
        "Reach me at j.doe+research@mail.example.com today.",
        "j.doe+research@mail.example.com",
        "email",
    ),
    ("제 번호는 010-1234-5678이에요.", "010-1234-5678", "phone"),
    ("번호 01098765432 로 문자 주세요", "01098765432", "phone"),
    ("사무실은 02-123-4567 입니다", "02-123-4567", "phone"),
    ("지점 번호 031-987-6543", "031-987-6543", "phone"),
    ("해외에서는 +82 10-2345-6789 로 걸어요", "+82 10-2345-6789", "phone"),
    ("Call +1 415 555 0100 after lunch.", "+1 415 555 0100", "phone"),
    ("Our desk: (415) 555-0100.", "(415) 555-0100", "phone"),
    ("주민등록번호 900101-1234567 을 입력하라고 해서 놀랐어요", "900101-1234567", "rrn"),
    ("카드 4111 1111 1111 1111 로 결제했어요", "4111 1111 1111 1111", "card"),
    ("card 5500-0000-0000-0004 was declined", "5500-0000-0000-0004", "card"),
    ("사업자번호 123-45-67890 으로 세금계산서", "123-45-67890", "brn"),
    ("환불은 국민은행 123456-78-901234 로 받았어요", "123456-78-901234", "account"),
    ("신한 계좌 110-123-456789 로 보내주세요", "110-123-456789", "account"),
    ("refund to account 12345678901 please", "12345678901", "account"),
    ("담당자 김철수 님이 전화를 주셨어요", "김철수", "name"),
    ("김철수님께서 안내해 주셨어요", "김철수", "name"),
    ("홍길동 고객님 맞으시죠?", "홍길동", "name"),
    ("이 대리님이 처리해 주셨어요", "이 대리", "name"),
    ("박지훈 팀장님께 여쭤봤어요", "박지훈", "name"),
    ("제 이름은 김민지예요", "김민지", "name"),
    ("Mr. Smith said it was fine.", "Smith", "name"),
    ("Ms. Jane Doe runs the store.", "Jane Doe", "name"),
    ("I saw Dr. Lee last week.", "Lee", "name"),
    ("서울특별시 강남구 테헤란로 123, 4층으로 오세요", "테헤란로 123", "address"),
    ("경기도 성남시 분당구 판교역로 235 101동 1203호 살아요", "판교역로 235", "address"),
    ("서울시 마포구 서교동 123-45 근처예요", "서교동 123-45", "address"),
    ("I live at 123 Main Street, Springfield.", "123 Main Street", "address"),
]

UNMASKED = [
    "2024-03-15에 처음 써봤어요.",
    "2024.03.15 오후 3시 30분에 인터뷰했어요.",
    "3월 15일 10:30에 만나요.",
    "가격은 ₩12,000이고 할인하면 12,000원이에요.",
    "It cost $1,299.99 with a 15% discount.",
    "앱 버전 2.3.1 에서 v1.10.2 로 올렸어요.",
    "제품 코드는 SKU-2024-0315, 모델은 AB-12345 예요.",
    "주문번호 ORD-20240315-0012 로 조회했어요.",
    "2024년부터 2-3번 써봤고 10분 걸렸어요.",
    "1시간 30분 기다렸고 5,000명이 가입했대요.",
    "우리 팀장님이 고객님께 선생님처럼 설명했어요.",
    "편의점 사장님이랑 배송 기사님이 친절했어요.",
    "강남구에서 택시로 10분 걸려요.",
    "20~30대가 주로 쓰고 1/2 정도는 재구매해요.",
    "빌드 20240315, IP 192.168.0.1, 해상도 1920x1080.",
    "고객센터 1588-1234 는 연결이 잘 안 돼요.",
    "Version 4.2 shipped in 2023 and took 3-4 weeks.",
]


@pytest.mark.parametrize(("text", "value", "kind"), MASKED)
def test_personal_data_is_masked(text: str, value: str, kind: str) -> None:
    result = mask(text)
    assert value not in result.text
    assert PLACEHOLDERS[kind] in result.text
    assert result.counts.get(kind, 0) >= 1


@pytest.mark.parametrize("text", UNMASKED)
def test_near_misses_stay(text: str) -> None:
    result = mask(text)
    assert result.text == text
    assert result.counts == {}


def test_titles_and_words_around_names_survive() -> None:
    result = mask("Dr. Lee와 이 대리님, 김철수 님이 오셨어요")
    assert result.text == "Dr. [NAME]와 [NAME] 대리님, [NAME] 님이 오셨어요"
    assert result.counts == {"name": 3}


def test_invalid_card_and_impossible_birth_date_stay() -> None:
    # Fails the Luhn check; month 13 is no birth date.
    text = "4111-1111-1111-1112 그리고 901301-1234567"
    assert mask(text).text == text


def test_counts_every_kind_in_a_realistic_turn() -> None:
    text = (
        "네, 홍길동 고객님 연락처는 010-2222-3333, 메일은 hong@example.com 이고요, "
        "주소는 서울특별시 송파구 올림픽로 300 이에요. 환불은 우리은행 1002-123-456789 로 해주세요."
    )
    result = mask(text)
    assert result.counts == {"name": 1, "phone": 1, "email": 1, "address": 1, "account": 1}
    for leaked in (
        "홍길동",
        "010-2222-3333",
        "hong@example.com",
        "올림픽로 300",
        "1002-123-456789",
    ):
        assert leaked not in result.text


def test_mask_transcript_keeps_ids_roles_and_line_count() -> None:
    raw = (
        "면접관: 성함이 어떻게 되세요?\n"
        "김민지: 김민지예요. 번호는 010-1111-2222 이고요.\n"
        "면접관: 주로 언제 충전하세요?\n"
        "김민지: 퇴근하고 2024-03-15 처럼 평일 저녁에요. 10분이면 돼요.\n"
    )
    transcript = parse(raw)
    masked = mask_transcript(transcript)
    assert [t.id for t in masked.transcript.turns] == [t.id for t in transcript.turns]
    assert [t.role for t in masked.transcript.turns] == [t.role for t in transcript.turns]
    assert len(masked.transcript.numbered().splitlines()) == len(transcript.numbered().splitlines())
    numbered = masked.transcript.numbered()
    assert "010-1111-2222" not in numbered
    # The speaker's name is a label here: it is replaced by a neutral alias.
    assert "김민지:" not in numbered
    assert "(Speaker 1)" in numbered
    assert "(면접관)" in numbered
    assert "2024-03-15" in numbered
    assert "10분" in numbered
    assert masked.counts["phone"] == 1


def test_empty_text() -> None:
    assert mask("").text == ""
    assert mask("").counts == {}


_lines = st.lists(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs",),
            blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
        ),
        max_size=80,
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None, database=None)
@given(_lines)
def test_masking_never_changes_the_line_count(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert len(mask(text).text.split("\n")) == len(text.split("\n"))


@settings(max_examples=100, deadline=None, database=None)
@given(st.integers(min_value=1900, max_value=2099), st.integers(1, 12), st.integers(1, 28))
def test_dates_are_never_masked(year: int, month: int, day: int) -> None:
    for text in (
        f"{year}-{month:02d}-{day:02d}",
        f"{year}.{month:02d}.{day:02d}",
        f"{year}년 {month}월 {day}일",
    ):
        assert mask(text).text == text
