"""SQL for knowledge documents (their chunks live in the shared embeddings table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

_COLUMNS = (
    "d.id, d.company_id, d.project_id, p.name AS project_name, d.title, d.filename, d.kind,"
    " d.chars, d.chunks, d.created_at"
)


async def add(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(
        text(
            "INSERT INTO knowledge_documents (id, company_id, project_id, title, filename, kind,"
            " chars, chunks, created_by) VALUES (:id, :company_id, :project_id, :title,"
            " :filename, :kind, :chars, :chunks, :created_by)"
        ),
        row,
    )


async def get(session: AsyncSession, document_id: UUID) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(
                    f"SELECT {_COLUMNS} FROM knowledge_documents d"  # noqa: S608
                    " LEFT JOIN projects p ON p.id = d.project_id WHERE d.id = :id"
                ),
                {"id": document_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


async def listed(session: AsyncSession, project_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    """The company's documents and those of these projects, newest first."""
    stmt = text(
        f"SELECT {_COLUMNS} FROM knowledge_documents d"  # noqa: S608
        " LEFT JOIN projects p ON p.id = d.project_id"
        " WHERE d.project_id IS NULL OR d.project_id = ANY(:p) ORDER BY d.created_at DESC"
    ).bindparams(bindparam("p", type_=ARRAY(PG_UUID(as_uuid=True))))
    return [dict(r) for r in (await session.execute(stmt, {"p": list(project_ids)})).mappings()]


async def delete(session: AsyncSession, document_id: UUID) -> None:
    await session.execute(
        text("DELETE FROM knowledge_documents WHERE id = :id"), {"id": document_id}
    )


async def chunks(session: AsyncSession, document_id: UUID) -> list[tuple[int, str]]:
    rows = await session.execute(
        text(
            "SELECT ref::int, text FROM embeddings WHERE kind = 'chunk' AND owner_id = :d"
            " ORDER BY ref::int"
        ),
        {"d": document_id},
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def project_names(
    session: AsyncSession, project_ids: Sequence[UUID]
) -> list[tuple[UUID, str]]:
    """(id, name) of these projects, by name: the choices of the add form."""
    stmt = text("SELECT id, name FROM projects WHERE id = ANY(:p) ORDER BY lower(name)").bindparams(
        bindparam("p", type_=ARRAY(PG_UUID(as_uuid=True)))
    )
    return [(r[0], str(r[1])) for r in await session.execute(stmt, {"p": list(project_ids)})]
