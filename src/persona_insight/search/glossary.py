"""Query expansion from the company glossary: a term finds its synonyms, and each synonym the
term and the others.

A glossary entry names its synonyms in its definition, on a line (or sentence) that starts with
`동의어:`, `유의어:`, `같은 말:`, `Synonyms:` or `Also:` followed by a comma-separated list
(`전기차` — "동의어: EV, 전기자동차"); a term written `A (B)` or `A / B` makes A and B synonyms
too. A query that contains any word of a group (as a whole word, any case) gets the group's
other words added to its keyword side; meaning search reads the query as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.companies import repository as company_repo

_LABEL = re.compile(
    r"(?:^|[\n.;])\s*(?:동의어|유의어|같은\s*말|synonyms?|also|aka)\s*[:：]\s*([^\n.;]+)",
    re.IGNORECASE,
)
_ALTERNATIVES = re.compile(r"\s*(?:\(|\)|/|,|、)\s*")
MAX_EXPANSIONS = 20


def groups_of(entries: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The synonym groups of (term, definition) entries; entries without synonyms give none."""
    out: list[list[str]] = []
    for term, definition in entries:
        words = [w for w in _ALTERNATIVES.split(term) if w.strip()]
        for match in _LABEL.finditer(definition):
            words += [w for w in _ALTERNATIVES.split(match.group(1)) if w.strip()]
        unique = list(dict.fromkeys(w.strip() for w in words if 0 < len(w.strip()) <= 100))
        if len(unique) > 1:
            out.append(unique)
    return out


def _contains(query: str, word: str) -> bool:
    # A Korean word is matched as written inside the query (particles follow it: 전기차를);
    # a Latin one as a whole word (EV must not match "every").
    if re.fullmatch(r"[A-Za-z0-9 .+#-]+", word):
        return (
            re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", query, re.I) is not None
        )
    return word.lower() in query.lower()


def expansions(query: str, groups: Sequence[Sequence[str]]) -> list[str]:
    """The words to add to `query`: the other members of every group it mentions."""
    out: list[str] = []
    for group in groups:
        if any(_contains(query, word) for word in group):
            out += [w for w in group if not _contains(query, w) and w not in out]
    return out[:MAX_EXPANSIONS]


async def expand(session: AsyncSession, company_id: UUID, query: str) -> list[str]:
    """The company glossary's expansions of `query`."""
    return expansions(query, groups_of(await company_repo.glossary_entries(session, company_id)))
