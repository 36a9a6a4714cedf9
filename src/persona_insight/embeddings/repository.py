"""SQL for the embeddings table.

Vectors travel as text literals on the way in and as the column's binary send format on the way
out: loading 20,000 vectors as `real[]` text would parse 7.7 million numbers in Python, the
binary form is one `numpy.frombuffer` per row. The column is pgvector's `vector` when the server
has the extension and `real[]` otherwise (migration 0014); both are read and written here, and
only nearest-neighbour search needs pgvector.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.db import sql
from persona_insight.embeddings.vectors import DIM, MODEL, Vectors
from persona_insight.embeddings.windows import LONG

KINDS = frozenset({"line", "finding", "theme", "persona", "chunk"})

Row = tuple[str, str, Vectors]
"""(ref, text, vector) of one embedding to store."""


class VectorSearchUnavailable(RuntimeError):
    """The database has no pgvector: vectors can be stored and loaded, not searched."""


@dataclass(frozen=True, slots=True)
class Stored:
    owner_id: UUID
    kind: str
    ref: str
    project_id: UUID | None
    interview_id: UUID | None
    text: str
    vector: Vectors


_column_is_vector: dict[str, bool] = {}

# Statements are composed from these constants and the filters below; every value is bound.
# Findings and knowledge chunks keep their words for searching (migration 0034: a search ranks
# them by words read from the row, not analysed again at each search).
_INSERT = (
    "INSERT INTO embeddings (owner_id, kind, ref, company_id, project_id, interview_id,"
    " text, model, words, embedding) VALUES (:owner_id, :kind, :ref, :company_id, :project_id,"
    " :interview_id, :text, :model, CASE WHEN CAST(:kind AS varchar) IN ('finding', 'chunk') THEN"
    " to_tsvector('simple', CAST(:text AS text)) || to_tsvector('english', CAST(:text AS text))"
    " END, "
)
_SELECT = "SELECT e.owner_id, e.kind, e.ref, e.project_id, e.interview_id, e.text"
_FROM = "FROM embeddings e WHERE"
_DISTANCE = "e.embedding <=> CAST(:q AS vector) AS distance"
_BY_DISTANCE = "ORDER BY e.embedding <=> CAST(:q AS vector) LIMIT :limit"


async def has_vector(session: AsyncSession) -> bool:
    """Whether the embedding column is pgvector's type (cached per database)."""
    bind = session.sync_session.get_bind()
    key = str((bind if isinstance(bind, Engine) else bind.engine).url)
    known = _column_is_vector.get(key)
    if known is None:
        kind = await session.scalar(
            sql(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = 'embeddings'::regclass AND attname = 'embedding'"
            )
        )
        known = _column_is_vector[key] = str(kind).startswith("vector")
    return known


def _literal(vector: Vectors, pgvector: bool) -> str:
    values = ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).reshape(DIM))
    return f"[{values}]" if pgvector else f"{{{values}}}"


def query_literal(vector: Vectors) -> str:
    """A query vector as pgvector's text input. A search sends its one query vector to four
    statements; formatting 384 floats costs ~0.4 ms each time, so the text of the vectors seen
    lately is kept (query vectors are cached per text too: `vectors.embed_query`)."""
    return _query_literal(np.asarray(vector, dtype=np.float32).reshape(DIM).tobytes())


@functools.lru_cache(maxsize=256)
def _query_literal(raw: bytes) -> str:
    return _literal(np.frombuffer(raw, dtype=np.float32), True)


def _decode(raw: bytes, pgvector: bool) -> Vectors:
    if pgvector:
        # vector_send: int16 dimensions, int16 unused, then big-endian float4s.
        return np.frombuffer(raw, dtype=">f4", offset=4).astype(np.float32)
    # array_send of a one-dimensional real[]: 20 bytes of header, then (int32 length,
    # float4 value) per element.
    pairs = np.frombuffer(raw, dtype=[("n", ">i4"), ("v", ">f4")], offset=20)
    return pairs["v"].astype(np.float32)


def _send(pgvector: bool) -> str:
    return "vector_send(e.embedding)" if pgvector else "array_send(e.embedding)"


async def replace(
    session: AsyncSession,
    *,
    company_id: UUID,
    project_id: UUID | None,
    owner_id: UUID,
    interview_id: UUID | None,
    kind: str,
    rows: Sequence[Row],
) -> None:
    """Make `rows` the owner's only embeddings of `kind`."""
    if kind not in KINDS:
        raise ValueError(f"unknown embedding kind {kind!r}")
    await delete_owner(session, owner_id, kind)
    if not rows:
        return
    pgvector = await has_vector(session)
    cast = "vector" if pgvector else "real[]"
    await session.execute(
        sql(_INSERT + f"CAST(:embedding AS {cast}))"),
        [
            {
                "owner_id": owner_id,
                "kind": kind,
                "ref": ref,
                "company_id": company_id,
                "project_id": project_id,
                "interview_id": interview_id,
                "text": body,
                "model": MODEL,
                "embedding": _literal(vector, pgvector),
            }
            for ref, body, vector in rows
        ],
    )


async def delete_owner(session: AsyncSession, owner_id: UUID, kind: str | None = None) -> None:
    if kind is None:
        await session.execute(
            sql("DELETE FROM embeddings WHERE owner_id = :owner_id"), {"owner_id": owner_id}
        )
    else:
        await session.execute(
            sql("DELETE FROM embeddings WHERE owner_id = :owner_id AND kind = :kind"),
            {"owner_id": owner_id, "kind": kind},
        )


# A window's ref is `<line>.<n>` (embeddings/windows.py). Readers that want one vector per
# text see whole rows only; a search by meaning sees a long text as its windows instead.
WHOLE_ROWS = "strpos(e.ref, '.') = 0"
BY_WINDOWS = f"(strpos(e.ref, '.') > 0 OR length(e.text) <= {LONG})"
# Rows of a trashed interview stay (restoring it needs no re-embedding) but are invisible to
# every reader. A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS under OR into a hashed
# subplan that reads every interview the caller can see through the row-level policy first
# (4.5 ms of a 6 ms nearest search at 1,000 interviews); this looks up only the interviews of
# the rows a search returns.
LIVE = (
    "(e.interview_id IS NULL OR (SELECT i.deleted_at IS NULL FROM interviews i"
    " WHERE i.id = e.interview_id))"
)


def _filters(
    project_ids: Sequence[UUID] | None,
    interview_ids: Sequence[UUID] | None,
    live_only: bool,
    windows: bool = False,
    kind: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """`kind`: written into the statement (one of KINDS) rather than bound as `:kind`, so the
    planner can prove a partial index on that kind applies (migration 0034's findings index)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown embedding kind {kind!r}")
    where = ["e.kind = :kind" if kind is None else f"e.kind = '{kind}'"]
    if kind in (None, "line"):
        # Only lines have windows. For another kind the clause would only mislead the planner:
        # a function's selectivity is a guess (0.5 %), which put the 8,105 findings of the
        # benchmark's index at 20 rows, sorted exactly (24–57 ms), not walked by their own HNSW
        # index (5 ms).
        where.append(BY_WINDOWS if windows else WHOLE_ROWS)
    params: dict[str, Any] = {}
    if project_ids is not None:
        where.append("e.project_id = ANY(:project_ids)")
        params["project_ids"] = list(project_ids)
    if interview_ids is not None:
        where.append("e.interview_id = ANY(:interview_ids)")
        params["interview_ids"] = list(interview_ids)
    if live_only:
        where.append(LIVE)
    return " AND ".join(where), params


def _stored(row: Any, pgvector: bool) -> Stored:
    return Stored(
        owner_id=row.owner_id,
        kind=row.kind,
        ref=row.ref,
        project_id=row.project_id,
        interview_id=row.interview_id,
        text=row.text,
        vector=_decode(bytes(row.raw), pgvector),
    )


async def load(
    session: AsyncSession,
    *,
    kind: str,
    project_ids: Sequence[UUID] | None = None,
    interview_ids: Sequence[UUID] | None = None,
    owner_ids: Sequence[UUID] | None = None,
    live_only: bool = True,
) -> list[Stored]:
    """Every matching embedding with its vector, in a stable order (owner, ref)."""
    pgvector = await has_vector(session)
    where, params = _filters(project_ids, interview_ids, live_only)
    if owner_ids is not None:
        where += " AND e.owner_id = ANY(:owner_ids)"
        params["owner_ids"] = list(owner_ids)
    result = await session.execute(
        sql(f"{_SELECT}, {_send(pgvector)} AS raw {_FROM} {where} ORDER BY e.owner_id, e.ref"),
        {"kind": kind, **params},
    )
    return [_stored(row, pgvector) for row in result]


async def nearest(
    session: AsyncSession,
    *,
    kind: str,
    vector: Vectors,
    limit: int,
    project_ids: Sequence[UUID] | None = None,
    interview_ids: Sequence[UUID] | None = None,
    windows: bool = False,
) -> list[tuple[Stored, float]]:
    """The `limit` embeddings closest to `vector` by cosine, with their cosine similarity;
    `windows`: a long text is found by its windows (refs `<line>.<n>`, several may come back)
    rather than by its one pooled vector."""
    rows = await _nearest_rows(
        session,
        f"{_SELECT}, vector_send(e.embedding) AS raw",
        kind=kind,
        vector=vector,
        limit=limit,
        project_ids=project_ids,
        interview_ids=interview_ids,
        windows=windows,
    )
    return [(_stored(row, True), 1.0 - float(row.distance)) for row in rows]


async def nearest_refs(
    session: AsyncSession,
    *,
    kind: str,
    vector: Vectors,
    limit: int,
    project_ids: Sequence[UUID] | None = None,
    interview_ids: Sequence[UUID] | None = None,
) -> list[tuple[UUID, str, float]]:
    """What `nearest` finds as (owner, ref, cosine) only: for rankings, which need neither the
    text nor the vector back (384 numbers a row to send and decode)."""
    rows = await _nearest_rows(
        session,
        "SELECT e.owner_id, e.ref",
        kind=kind,
        vector=vector,
        limit=limit,
        project_ids=project_ids,
        interview_ids=interview_ids,
        windows=False,
    )
    return [(row.owner_id, row.ref, 1.0 - float(row.distance)) for row in rows]


async def _nearest_rows(
    session: AsyncSession,
    columns: str,
    *,
    kind: str,
    vector: Vectors,
    limit: int,
    project_ids: Sequence[UUID] | None,
    interview_ids: Sequence[UUID] | None,
    windows: bool,
) -> list[Any]:
    if not await has_vector(session):
        raise VectorSearchUnavailable("this database has no pgvector extension")
    where, params = _filters(project_ids, interview_ids, live_only=True, windows=windows, kind=kind)
    # Filters are applied after the HNSW scan, which keeps going until `limit` rows pass them
    # (the connection's iterative scan: db.VECTOR_SCAN_OPTION).
    result = await session.execute(
        sql(f"{columns}, {_DISTANCE} {_FROM} {where} {_BY_DISTANCE}").bindparams(
            bindparam("limit")
        ),
        {"q": query_literal(vector), "limit": limit, **params},
    )
    rows = list(result)
    # A relaxed-order scan may return neighbours slightly out of order.
    rows.sort(key=lambda row: float(row.distance))
    return rows
