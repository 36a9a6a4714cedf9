"""`/api/knowledge`: a company's and its projects' knowledge documents."""

from __future__ import annotations

from pathlib import PureWindowsPath
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from persona_insight.accounts.deps import CtxDep
from persona_insight.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from persona_insight.knowledge import repository as repo
from persona_insight.knowledge import service
from persona_insight.knowledge.schemas import ChunkOut, DocumentDetail, DocumentOut
from persona_insight.projects import service as projects

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"])


def _form_str(form: object, name: str) -> str | None:
    value = form.get(name) if hasattr(form, "get") else None
    return value.strip() or None if isinstance(value, str) else None


@router.post(
    "",
    status_code=201,
    response_model=DocumentOut,
    summary="Add a document (multipart: file, optional title and project_id) — company admins",
)
async def add_document(request: Request, ctx: CtxDep) -> DocumentOut:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # As the interview upload answers (a JSON or text body was "file_required", 422).
        raise UnsupportedMediaType("send multipart/form-data with a file", code="unsupported_body")
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("send the document as the `file` field", code="file_required")
        raw_project = _form_str(form, "project_id")
        try:
            project_id = UUID(raw_project) if raw_project else None
        except ValueError:
            raise InvalidInput("project_id must be a UUID", code="invalid_project_id") from None
        data = await upload.read(ctx.rt.settings.max_upload_bytes + 1)
        if len(data) > ctx.rt.settings.max_upload_bytes:
            raise PayloadTooLarge(
                "the file is too large",
                code="file_too_large",
                details={"max_bytes": ctx.rt.settings.max_upload_bytes},
            )
        row = await service.add(
            ctx.session,
            ctx.user,
            ctx.rt.settings,
            name=PureWindowsPath(upload.filename or "document").name,
            data=data,
            title=_form_str(form, "title"),
            project_id=project_id,
        )
    finally:
        await form.close()
    return DocumentOut.model_validate(row)


@router.get("", response_model=list[DocumentOut], summary="Knowledge documents the caller can read")
async def list_documents(
    ctx: CtxDep, project_id: Annotated[UUID | None, Query()] = None
) -> list[DocumentOut]:
    if project_id is not None:
        await projects.require_access(ctx.session, ctx.user, project_id)
        scope = [project_id]
    else:
        scope = await service.readable_projects(ctx.session, ctx.user)
    return [DocumentOut.model_validate(r) for r in await repo.listed(ctx.session, scope)]


@router.get("/{document_id}", response_model=DocumentDetail, summary="A document and its chunks")
async def get_document(document_id: UUID, ctx: CtxDep) -> DocumentDetail:
    row = await service.readable(ctx.session, ctx.user, document_id)
    chunks = [ChunkOut(chunk=n, text=t) for n, t in await repo.chunks(ctx.session, document_id)]
    return DocumentDetail.model_validate({**row, "chunk_texts": chunks})


@router.delete("/{document_id}", status_code=204, summary="Delete a document — company admins")
async def delete_document(document_id: UUID, ctx: CtxDep) -> Response:
    await service.delete(ctx.session, ctx.user, document_id)
    return Response(status_code=204)
