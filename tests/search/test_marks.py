"""Marking matches in found lines: an English line is read without Kiwi, word by word (Kiwi
glues a sentence's last word to its full stop and cuts some words: "a" + "nswer."); Korean
lines, and lines mixing both, go through Kiwi, in their places in the batch — once, when they are
indexed: a search reads the marks the index stored with each hit line."""

from __future__ import annotations

import pytest

from persona_insight.analysis.offline import models
from persona_insight.search import highlight, lexemes
from persona_insight.search.query import parse

ENGLISH = [
    "The charging app crashes whenever I try to pay, and support takes 3 days to answer.",
    "I'd rather not wait 45 minutes; honestly, it's the booking flow that bothers me.",
]
MIXED = "앱 결제 화면에서 payment 버튼이 자꾸 멈춰서 불편했어요."


def _spans(analysed: list[lexemes.Analysed]) -> list[list[tuple[object, ...]]]:
    return [[(s.start, s.end, *s.lexemes) for s in a.spans] for a in analysed]


def _marks(marks: list[list[lexemes.Mark]]) -> list[list[tuple[object, ...]]]:
    return [[tuple(mark) for mark in text] for text in marks]


def test_english_lines_are_read_word_by_word() -> None:
    (marks,) = lexemes.marks_for(["It's 3.5 km, or so the app says."])
    assert _marks([marks]) == [
        [
            (0, 2, "it"),
            (3, 4, "s"),
            (5, 8, "3.5"),
            (9, 11, "km"),
            (13, 15, "or"),
            (16, 18, "so"),
            (19, 22, "the"),
            (23, 26, "app"),
            (27, 31, "says"),
        ]
    ]


def test_korean_and_mixed_lines_keep_their_places_in_the_batch() -> None:
    texts = [ENGLISH[0], MIXED, ENGLISH[1], "충전소 자리가 없어요"]
    marks = lexemes.marks_for(texts)
    kiwi = lexemes.analyse(texts)
    assert _marks([marks[1], marks[3]]) == _spans([kiwi[1], kiwi[3]])
    assert [[m[2] for m in text[:2]] for text in marks] == [
        ["the", "charging"],
        ["앱", "결제"],
        ["i", "d"],
        ["충전소", "자리"],
    ]


def test_marks_for_a_query_in_both_languages() -> None:
    query = parse("불편하다 crashing payment")
    texts = [ENGLISH[0], MIXED]
    marked = [
        [t[s:e] for s, e in spans]
        for t, spans in zip(texts, highlight.spans(texts, query), strict=True)
    ]
    assert marked == [["crashes", "pay"], ["payment", "불편했"]]


def test_marks_stored_at_indexing_are_read_back_instead_of_running_kiwi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [ENGLISH[0], MIXED, "충전소 자리가 없어요"]
    kiwi = lexemes.analyse(texts)
    stored = [lexemes.marks_of(t, a) for t, a in zip(texts, kiwi, strict=True)]
    query = parse("불편하다 crashing payment 충전소")  # the query is read by Kiwi, as always
    assert stored[0] is None  # the regular expression reads an English line as well
    assert stored[1] is not None
    assert stored[2] is not None

    def no_kiwi(texts: list[str]) -> list[list[object]]:
        assert not texts, f"Kiwi ran at search time on {texts!r}"
        return []

    monkeypatch.setattr(models, "split_korean", no_kiwi)
    read_back = lexemes.marks_for(texts, stored)
    assert _marks(read_back[1:]) == _spans(kiwi[1:])
    marked = [
        [t[s:e] for s, e in spans]
        for t, spans in zip(texts, highlight.spans(texts, query, stored), strict=True)
    ]
    assert marked == [["crashes", "pay"], ["payment", "불편했"], ["충전소"]]


def test_a_korean_line_indexed_before_marks_were_stored_is_still_marked() -> None:
    query = parse("불편하다")
    assert highlight.spans([MIXED], query, [None]) == highlight.spans([MIXED], query)
    assert [MIXED[s:e] for s, e in highlight.spans([MIXED], query, [None])[0]] == ["불편했"]
