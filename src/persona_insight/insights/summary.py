"""The offline project summary: an honest template over the themes, in the project's language.

It frames the largest themes with their counts and quotes their members' own lines (the quotes
were checked against the stored scripts when the themes were computed); it invents nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from persona_insight.insights.schemas import SummaryStatement, ThemeOut

TOP = 3
QUOTES = 2

_TEXT = {
    "ko": {
        "sample": "완료된 인터뷰 {n}개를 묶었습니다.",
        "pain": "가장 많이 나온 불편: “{label}” (인터뷰 {count}개, {share}%).",
        "need": "가장 많이 나온 요구: “{label}” (인터뷰 {count}개, {share}%).",
    },
    "en": {
        "sample": "Grouped from {n} completed interviews.",
        "pain": "A leading pain point: “{label}” ({count} interviews, {share}%).",
        "need": "A leading need: “{label}” ({count} interviews, {share}%).",
    },
}


LANGUAGES = frozenset(_TEXT)


def language_of(facts: Mapping[str, Mapping[str, Any]]) -> str:
    """Korean when most interviews are, else English."""
    counts = Counter(f.get("language") or "und" for f in facts.values())
    return "ko" if counts.get("ko", 0) * 2 >= max(1, sum(counts.values())) else "en"


def statements(themes: list[ThemeOut], interviews: int, language: str) -> list[SummaryStatement]:
    text = _TEXT[language]
    out = [SummaryStatement(text=text["sample"].format(n=interviews), quotes=[])]
    for kind in ("pain", "need"):
        shown = [t for t in themes if t.kind == kind and not t.hidden and t.quotes]
        for t in shown[:TOP]:
            line = text[kind].format(label=t.label, count=t.interviews, share=round(t.share * 100))
            # A statement stands only with a citation (DESIGN §8): the theme's own quotes.
            out.append(SummaryStatement(text=line, quotes=t.quotes[:QUOTES]))
    return out
