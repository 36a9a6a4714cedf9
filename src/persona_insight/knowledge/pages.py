"""`/admin/knowledge` (company admins add and delete knowledge documents) and `/knowledge/{id}`
(a document's chunks, each at `#chunk-<n>`, where search results and citations link), through
the functions behind `/api/knowledge`."""

from __future__ import annotations

from pathlib import PureWindowsPath
from uuid import UUID

from fastapi import APIRouter, Response

from persona_insight.errors import AppError, InvalidInput, PayloadTooLarge
from persona_insight.knowledge import repository as repo
from persona_insight.knowledge import service
from persona_insight.web.admin_pages import render_admin, require_admin
from persona_insight.web.page import PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/admin/knowledge")
async def knowledge(page: PageDep) -> Response:
    require_admin(page)
    scope = await service.readable_projects(page.session, page.signed_in)
    documents = await repo.listed(page.session, scope)
    projects = await repo.project_names(page.session, scope)
    return render_admin(page, "admin_knowledge.html", documents=documents, projects=projects)


@router.post("/admin/knowledge")
async def add_document(page: PageDep) -> Response:
    require_admin(page)
    files = page.files("file")
    try:
        if not files:
            raise InvalidInput("choose a file", code="file_required")
        raw_project = page.value("project_id")
        try:
            project_id = UUID(raw_project) if raw_project else None
        except ValueError:
            raise InvalidInput("no such project", code="invalid_project_id") from None
        settings = page.ctx.rt.settings
        data = await files[0].read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise PayloadTooLarge("the file is too large", code="file_too_large")
        await service.add(
            page.session,
            page.signed_in,
            settings,
            name=PureWindowsPath(files[0].filename or "document").name,
            data=data,
            title=page.value("title") or None,
            project_id=project_id,
        )
    except AppError as exc:
        await page.undo()
        return redirect("/admin/knowledge", problem=exc.code)
    return redirect("/admin/knowledge", notice="document_added")


@router.post("/admin/knowledge/{document_id}/delete")
async def delete_document(document_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    try:
        await service.delete(page.session, page.signed_in, document_id)
    except AppError as exc:
        await page.undo()
        return redirect("/admin/knowledge", problem=exc.code)
    return redirect("/admin/knowledge", notice="document_removed")


@router.get("/knowledge/{document_id}")
async def document(document_id: UUID, page: PageDep) -> Response:
    row = await service.readable(page.session, page.signed_in, document_id)
    chunks = await repo.chunks(page.session, document_id)
    return page.render("knowledge/document.html", document=row, chunks=chunks)
