"""Where a line matches a query: character spans to mark, from the same morphology as the index
(so 불편했어요 is marked for the query 불편하다). Latin words match when they share a stem-like
prefix, the index's English stemming being PostgreSQL's, not ours."""

from __future__ import annotations

from collections.abc import Sequence

from persona_insight.search import lexemes
from persona_insight.search.query import KeywordQuery


def _latin_match(word: str, query_words: set[str], prefixes: set[str]) -> bool:
    for q in query_words:
        n = max(3, min(len(q), len(word)) - 2)
        if word[:n] == q[:n] and abs(len(word) - len(q)) <= 4:
            return True
    return any(word.startswith(p) for p in prefixes)


def spans(
    texts: Sequence[str], query: KeywordQuery, stored: Sequence[str | None] | None = None
) -> list[list[tuple[int, int]]]:
    """For each text, the [start, end) spans that match, merged and in order; `stored`: each
    text's marks kept by the index, where it has them."""
    out: list[list[tuple[int, int]]] = []
    # Whether a lexeme matches, once per distinct lexeme: hit lines repeat their words.
    matches: dict[str, bool] = {}
    for text, marks in zip(texts, lexemes.marks_for(texts, stored), strict=True):
        found: list[tuple[int, int]] = []
        for mark in marks:
            for lexeme in mark[2:]:
                hit = matches.get(lexeme)
                if hit is None:
                    hit = matches[lexeme] = (
                        lexeme in query.korean
                        or any(lexeme.startswith(p) for p in query.korean_prefixes)
                        or _latin_match(lexeme, query.latin, query.latin_prefixes)
                    )
                if hit:
                    found.append((mark[0], mark[1]))
                    break
        lowered = text.lower()
        for phrase in query.phrases:
            at = lowered.find(phrase.lower())
            if at >= 0:
                found.append((at, at + len(phrase)))
        out.append(_merge(found))
    return out


def _merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
