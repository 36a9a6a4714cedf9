"""Keywords: answer nouns weighted by TF-IDF against the company's analysed interviews."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

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


def keywords(
    doc: Document, df: Mapping[str, int], document_count: int, limit: int = LIMIT
) -> list[Keyword]:
    counts = noun_counts(doc)
    if not counts:
        return []
    scored = weights(counts, df, document_count)
    first_seen = {term: i for i, term in enumerate(counts)}
    ranked = sorted(scored, key=lambda t: (-scored[t], first_seen[t]))[:limit]
    top = scored[ranked[0]] or 1.0
    return [Keyword(term=t[:100], weight=round(scored[t] / top, 3)) for t in ranked]
