"""Marking matches in found lines: an English line is read without Kiwi, word by word (Kiwi
glues a sentence's last word to its full stop and cuts some words: "a" + "nswer."); Korean
lines, and lines mixing both, still go through Kiwi, in their places in the batch."""

from __future__ import annotations

from persona_insight.search import highlight, lexemes
from persona_insight.search.query import parse

ENGLISH = [
    "The charging app crashes whenever I try to pay, and support takes 3 days to answer.",
    "I'd rather not wait 45 minutes; honestly, it's the booking flow that bothers me.",
]
MIXED = "앱 결제 화면에서 payment 버튼이 자꾸 멈춰서 불편했어요."


def _spans(analysed: list[lexemes.Analysed]) -> list[list[tuple[int, int, tuple[str, ...]]]]:
    return [[(s.start, s.end, s.lexemes) for s in a.spans] for a in analysed]


def test_english_lines_are_read_word_by_word() -> None:
    (analysed,) = lexemes.analyse_for_marks(["It's 3.5 km, or so the app says."])
    assert _spans([analysed]) == [
        [
            (0, 2, ("it",)),
            (3, 4, ("s",)),
            (5, 8, ("3.5",)),
            (9, 11, ("km",)),
            (13, 15, ("or",)),
            (16, 18, ("so",)),
            (19, 22, ("the",)),
            (23, 26, ("app",)),
            (27, 31, ("says",)),
        ]
    ]
    assert analysed.latin == ["it", "s", "km", "or", "so", "the", "app", "says"]
    assert analysed.korean == ["3.5"]


def test_korean_and_mixed_lines_keep_their_places_in_the_batch() -> None:
    texts = [ENGLISH[0], MIXED, ENGLISH[1], "충전소 자리가 없어요"]
    marks = lexemes.analyse_for_marks(texts)
    kiwi = lexemes.analyse(texts)
    assert _spans([marks[1], marks[3]]) == _spans([kiwi[1], kiwi[3]])
    assert [a.latin[:2] for a in marks] == [["the", "charging"], ["payment"], ["i", "d"], []]


def test_marks_for_a_query_in_both_languages() -> None:
    query = parse("불편하다 crashing payment")
    texts = [ENGLISH[0], MIXED]
    marked = [
        [t[s:e] for s, e in spans]
        for t, spans in zip(texts, highlight.spans(texts, query), strict=True)
    ]
    assert marked == [["crashes", "pay"], ["payment", "불편했"]]
