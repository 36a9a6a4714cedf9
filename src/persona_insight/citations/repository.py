"""SQL that citations resolve against: the cleaned scripts of live interviews and the chunks of
knowledge documents, both under the reader's row-level security."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def scripts(session: AsyncSession, interview_ids: Sequence[UUID]) -> list[Any]:
    """(id, title, cleaned_script) of the live, analysed interviews among `interview_ids`."""
    if not interview_ids:
        return []
    result = await session.execute(
        text(
            "SELECT i.id, i.title, a.result -> 'cleaned_script' AS script"
            " FROM interviews i JOIN interview_analyses a ON a.interview_id = i.id"
            " WHERE i.id = ANY(:ids) AND i.deleted_at IS NULL"
        ),
        {"ids": list(interview_ids)},
    )
    return list(result)


async def chunks(session: AsyncSession, keys: Sequence[tuple[UUID, int]]) -> list[Any]:
    """(owner_id, ref, text, title) of the knowledge chunks among `keys` (document, chunk) of
    documents that still exist."""
    if not keys:
        return []
    result = await session.execute(
        text(
            "SELECT e.owner_id, e.ref, e.text, d.title FROM embeddings e"
            " JOIN knowledge_documents d ON d.id = e.owner_id WHERE e.kind = 'chunk'"
            " AND (e.owner_id, e.ref) IN (SELECT * FROM unnest(CAST(:owners AS uuid[]),"
            " CAST(:refs AS text[])))"
        ),
        {"owners": [k[0] for k in keys], "refs": [str(k[1]) for k in keys]},
    )
    return list(result)
