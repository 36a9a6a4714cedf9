"""A typed query as the keyword index reads it: words (any of them ranks a line), prefixes
(`충전*`, `charg*`) and exact phrases (`"자리가 없어"`, which a line must contain as written).

Words and phrases pass through the same morphology as the lines (`lexemes.analyse`), so an
inflected query meets every inflection. The tsquery is built here from lexemes only, each
quoted, and bound as parameters: nothing the user typed reaches the SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from persona_insight.search import lexemes

_PHRASE = re.compile(r'"([^"]+)"')
_PREFIX = re.compile(r"(\w+)\*")


@dataclass(slots=True)
class KeywordQuery:
    korean: set[str] = field(default_factory=set)
    latin: set[str] = field(default_factory=set)
    korean_prefixes: set[str] = field(default_factory=set)
    latin_prefixes: set[str] = field(default_factory=set)
    phrases: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.korean or self.latin or self.korean_prefixes or self.latin_prefixes)

    def lexemes(self) -> set[str]:
        """Everything a highlighted line may match (prefixes end in '*')."""
        return (
            self.korean | self.latin | {p + "*" for p in self.korean_prefixes | self.latin_prefixes}
        )


def parse(q: str) -> KeywordQuery:
    out = KeywordQuery()
    phrases = [p.strip() for p in _PHRASE.findall(q) if p.strip()]
    rest = _PHRASE.sub(" ", q)
    for match in _PREFIX.finditer(rest):
        stem = match.group(1)
        if re.fullmatch(r"[A-Za-z]+", stem):
            out.latin_prefixes.add(stem.lower())
        else:
            out.korean_prefixes.add(stem.lower())
    rest = _PREFIX.sub(" ", rest)
    texts = [rest, *phrases]
    for analysed in lexemes.analyse(texts):
        out.korean.update(analysed.korean)
        out.latin.update(analysed.latin)
    out.phrases = phrases
    return out


def quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(query: KeywordQuery) -> tuple[str, dict[str, str]]:
    """A SQL expression of the query's tsquery (any term) and its parameters."""
    parts: list[str] = []
    params: dict[str, str] = {}
    korean = [quote(t) for t in sorted(query.korean)]
    korean += [quote(t) + ":*" for t in sorted(query.korean_prefixes)]
    if korean:
        parts.append("to_tsquery('simple', :tsq_ko)")
        params["tsq_ko"] = " | ".join(korean)
    latin = [quote(t) for t in sorted(query.latin)]
    latin += [quote(t) + ":*" for t in sorted(query.latin_prefixes)]
    if latin:
        # 'english' drops stop words; numnode() = 0 then, and || keeps the other side.
        parts.append("to_tsquery('english', :tsq_en)")
        params["tsq_en"] = " | ".join(latin)
    if not parts:
        return "''::tsquery", params
    return " || ".join(parts), params
