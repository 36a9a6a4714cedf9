"""Searching what was said about the lines: findings, notes, themes and knowledge-document
chunks. Keyword (the query's lexemes as prefix terms, so 불편 meets 불편했음) and, for findings
and chunks, which have vectors, meaning; fused like lines. Each read joins what the item hangs
on, so a trashed interview's findings and notes, a hidden or retired theme and a deleted
document leave the results in the transaction that removes them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import Vectors, query_vector
from persona_insight.search import fusion
from persona_insight.search import query as keyword
from persona_insight.search import repository as repo
from persona_insight.search.repository import ItemKey, ItemRow

ITEM_KINDS = ("finding", "note", "theme", "document")
CANDIDATES = 50
# The same floor as lines (service.MIN_SIMILARITY): below it a "nearest" item is noise.
MIN_SIMILARITY = 0.84


def tsqueries(parsed: keyword.KeywordQuery) -> tuple[str, str]:
    """(Korean prefix terms, Latin words) as tsquery texts, every lexeme quoted."""
    korean = [keyword.quote(t) + ":*" for t in sorted(parsed.korean | parsed.korean_prefixes)]
    latin = [keyword.quote(t) for t in sorted(parsed.latin)]
    latin += [keyword.quote(t) + ":*" for t in sorted(parsed.latin_prefixes)]
    return " | ".join(korean), " | ".join(latin)


def needs_vector(kinds: Sequence[str]) -> bool:
    """Whether ranking these kinds searches by meaning (findings and chunks have vectors)."""
    return bool({"finding", "document"} & set(kinds))


async def by_meaning(
    session: AsyncSession,
    q: str,
    kinds: Sequence[str],
    project_ids: Sequence[UUID],
    embedding: asyncio.Future[Vectors] | None,
    interview_ids: Sequence[UUID] | None = None,
) -> list[ItemKey]:
    """The findings and document chunks nearest the query, nearest first, above the floor;
    `embedding`: the query's vector, already being computed (`service.embed_soon`);
    `interview_ids`: only the findings of these interviews (and no chunk)."""
    if not needs_vector(kinds) or not await embeddings.has_vector(session):
        return []
    if interview_ids is not None and not interview_ids:
        return []
    vector = await query_vector(q, embedding)
    near: list[tuple[ItemKey, float]] = []
    if "finding" in kinds and project_ids:
        found = await embeddings.nearest_refs(
            session,
            kind="finding",
            vector=vector,
            limit=CANDIDATES,
            project_ids=project_ids,
            interview_ids=interview_ids,
        )
        near += [(("finding", owner_id, ref), sim) for owner_id, ref, sim in found]
    if "document" in kinds and interview_ids is None:
        near += await repo.nearest_chunks(
            session, vector=vector, project_ids=project_ids, limit=CANDIDATES
        )
    near.sort(key=lambda pair: -pair[1])
    return [key for key, sim in near if sim >= MIN_SIMILARITY]


async def by_words(
    session: AsyncSession,
    parsed: keyword.KeywordQuery,
    project_ids: Sequence[UUID],
    kinds: Sequence[str],
    interview_ids: Sequence[UUID] | None = None,
) -> list[ItemKey]:
    """The items of `kinds` whose words match the query's, best first; `interview_ids`: only
    the findings and notes of these interviews (themes and documents belong to none)."""
    kinds = [k for k in kinds if k in ITEM_KINDS]
    if not kinds:
        return []
    korean, latin = tsqueries(parsed)
    return await repo.item_keyword_hits(
        session,
        korean=korean,
        latin=latin,
        kinds=kinds,
        project_ids=project_ids,
        limit=CANDIDATES,
        interview_ids=interview_ids,
    )


def fused(
    words: Sequence[ItemKey], meaning: Sequence[ItemKey], limit: int
) -> list[tuple[ItemKey, float]]:
    """The two rankings as one, with the fused score, best first."""
    return fusion.fuse([words, meaning])[:limit]


async def rows_of(
    session: AsyncSession, found: Sequence[tuple[ItemKey, float]]
) -> list[tuple[ItemRow, float]]:
    """The rows of `fused`'s keys, in its order; an item gone since is left out."""
    if not found:
        return []
    rows = await repo.items_of(session, [key for key, _ in found])
    return [(rows[key], score) for key, score in found if key in rows]


async def rank_items(
    session: AsyncSession,
    q: str,
    parsed: keyword.KeywordQuery,
    project_ids: Sequence[UUID],
    kinds: Sequence[str],
    limit: int,
    embedding: asyncio.Future[Vectors] | None = None,
) -> list[tuple[ItemRow, float]]:
    """The best items of `kinds` for the query, with their fused score, best first;
    `embedding`: the query's vector, already being computed (`service.embed_soon`)."""
    words = await by_words(session, parsed, project_ids, kinds)
    meaning = await by_meaning(session, q, kinds, project_ids, embedding)
    return await rows_of(session, fused(words, meaning, limit))
