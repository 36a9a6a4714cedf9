"""Keywords: answer nouns weighted by TF-IDF against the company's analysed interviews."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from persona_insight.analysis.contract import Keyword
from persona_insight.analysis.offline.document import Document

LIMIT = 15


def noun_counts(doc: Document) -> Counter[str]:
    """Nouns of the interviewee's answers: the interviewer's words would skew the topics."""
    counts: Counter[str] = Counter()
    for s in doc.answers:
        counts.update(s.nouns)
    return counts


def terms(doc: Document) -> list[str]:
    """Distinct normalised nouns, stored so later interviews get document frequencies."""
    return sorted(noun_counts(doc))


def weights(counts: Counter[str], df: Mapping[str, int], document_count: int) -> dict[str, float]:
    if document_count > 0 and df:
        return {
            term: tf * (math.log((document_count + 1) / (df.get(term, 0) + 1)) + 1.0)
            for term, tf in counts.items()
        }
    # No corpus yet: plain term frequency (stop-words were removed when nouns were extracted).
    return {term: float(tf) for term, tf in counts.items()}


def glossary_hits(doc: Document, glossary: Sequence[str]) -> Counter[str]:
    """How often the interviewee says each company glossary term (case-insensitive, as written
    in the glossary: a Korean term is found with its particles attached)."""
    hits: Counter[str] = Counter()
    answers = [s.text.casefold() for s in doc.answers]
    for term in dict.fromkeys(t.strip() for t in glossary):
        if len(term) < 2:
            continue
        pattern = re.compile(
            (r"(?<![\w])" if term[0].isascii() else "")
            + re.escape(term.casefold())
            + (r"(?![\w])" if term[-1].isascii() else "")
        )
        n = sum(len(pattern.findall(text)) for text in answers)
        if n:
            hits[term] = n
    return hits


def keywords(
    doc: Document,
    df: Mapping[str, int],
    document_count: int,
    limit: int = LIMIT,
    glossary: Sequence[str] = (),
) -> list[Keyword]:
    """TF-IDF nouns; the company's glossary terms the interviewee uses lead, spelled as the
    company spells them, so every interview of the company shares that vocabulary."""
    counts = noun_counts(doc)
    hits = glossary_hits(doc, glossary)
    if not counts and not hits:
        return []
    scored = weights(counts, df, document_count)
    lead = max(scored.values(), default=1.0)
    known = {term.casefold() for term in hits}
    scored = {t: w for t, w in scored.items() if t.casefold() not in known}
    for term, n in hits.items():
        scored[term] = lead * (1.5 + 0.1 * min(n, 10))
    first_seen = {term: i for i, term in enumerate(counts)}
    ranked = sorted(scored, key=lambda t: (-scored[t], first_seen.get(t, 0), t))[:limit]
    top = scored[ranked[0]] or 1.0
    return [Keyword(term=t[:100], weight=round(scored[t] / top, 3)) for t in ranked]
