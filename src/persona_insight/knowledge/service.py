"""Knowledge rules: who may add and delete (company admins), where a document belongs (the
company or one project the admin can reach), and indexing — the file is read by the same
sandboxed extraction as interviews, cut into chunks, and the chunks' vectors (computed outside
the database, in a thread) written in the caller's unit of work with the document row, so a
document is searchable in the commit that adds it and gone in the one that deletes it. Nothing
here commits."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import PurePath
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.config import Settings
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import embed_passages
from persona_insight.errors import InvalidInput, NotFound
from persona_insight.files.names import clean_filename
from persona_insight.ingest import untrusted
from persona_insight.knowledge import chunking
from persona_insight.knowledge import repository as repo
from persona_insight.limits import upload_slots
from persona_insight.projects import service as projects
from persona_insight.search import repository as search_repo

CHUNK_KIND = "chunk"


async def readable_projects(session: AsyncSession, user: Authenticated) -> list[UUID]:
    return await search_repo.readable_projects(
        session,
        company_id=user.company_id,
        user_id=user.user_id,
        all_of_company=user.role in ("company_admin", "super_admin"),
    )


async def add(
    session: AsyncSession,
    user: Authenticated,
    settings: Settings,
    *,
    name: str,
    data: bytes,
    title: str | None,
    project_id: UUID | None,
) -> dict[str, Any]:
    require_admin(user)
    if project_id is not None:
        await projects.require_access(session, user, project_id)
    if not data:
        raise InvalidInput("the file is empty", code="empty_file")
    name = clean_filename(name)
    slots = upload_slots(settings.uploads_per_user, settings.uploads_per_process)
    with slots.hold(user.user_id):
        try:
            extracted = await untrusted.extract_upload(name, data, settings)
        except InvalidInput as exc:
            if exc.code != "empty_content":
                raise
            # The knowledge base's own word for it (ingest speaks of transcripts).
            raise InvalidInput("the document has no text", code="empty_document") from None
    chunks = chunking.chunk(extracted.text)
    if not chunks:
        raise InvalidInput("the document has no text", code="empty_document")
    vectors = await asyncio.to_thread(embed_passages, chunks)
    document_id = uuid.uuid4()
    title = (title or "").strip()[:200] or PurePath(name).stem[:200] or name[:200]
    await repo.add(
        session,
        {
            "id": document_id,
            "company_id": user.company_id,
            "project_id": project_id,
            "title": title,
            "filename": name[:255],
            "kind": extracted.kind,
            "chars": len(extracted.text),
            "chunks": len(chunks),
            "created_by": user.user_id,
        },
    )
    await embeddings.replace(
        session,
        company_id=user.company_id,
        project_id=project_id,
        owner_id=document_id,
        interview_id=None,
        kind=CHUNK_KIND,
        rows=[
            (str(n), body, vector)
            for n, (body, vector) in enumerate(zip(chunks, vectors, strict=True))
        ],
    )
    found = await repo.get(session, document_id)
    assert found is not None
    return found


async def readable(session: AsyncSession, user: Authenticated, document_id: UUID) -> dict[str, Any]:
    """The document if the caller may read it (row-level security, then project access)."""
    row = await repo.get(session, document_id)
    if row is not None and row["project_id"] is not None:
        try:
            await projects.require_access(session, user, row["project_id"])
        except NotFound:
            row = None
    if row is None:
        raise NotFound("no such document", code="document_not_found")
    return row


async def delete(session: AsyncSession, user: Authenticated, document_id: UUID) -> None:
    require_admin(user)
    await readable(session, user, document_id)
    await embeddings.delete_owner(session, document_id, CHUNK_KIND)
    await repo.delete(session, document_id)
