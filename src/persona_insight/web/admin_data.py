"""`/admin/data`: how long the company's trash is kept, and each project's export and erasure
(the right to erasure), through the functions behind `/api/company/retention` and
`/api/projects/{id}/export|erase`."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError
from starlette.background import BackgroundTask

from persona_insight.companies import retention
from persona_insight.companies.schemas import RetentionSettingsIn
from persona_insight.errors import AppError
from persona_insight.projects import erasure
from persona_insight.web.admin_pages import render_admin, require_admin
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _data_page(
    page: Page,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    current = await retention.get(page.session, page.signed_in, page.rt.settings)
    shown = {"trash_retention_days": str(current.trash_retention_days or "")}
    return render_admin(
        page,
        "admin_data.html",
        status,
        current=current,
        projects=await erasure.projects(page.session, page.signed_in),
        values=shown | (values or {}),
        errors=errors or {},
    )


@router.get("/admin/data")
async def data(page: PageDep) -> Response:
    require_admin(page)
    return await _data_page(page)


@router.post("/admin/data/retention")
async def save_retention(page: PageDep) -> Response:
    require_admin(page)
    raw = page.value("trash_retention_days")
    values = {"trash_retention_days": raw}
    message = page._("Enter a number of days from 1 to 3650, or leave it empty for the default.")
    try:
        days = int(raw) if raw else None
        body = RetentionSettingsIn.model_validate({"trash_retention_days": days})
    except (ValueError, ValidationError):
        return await _data_page(
            page, status=422, values=values, errors={"trash_retention_days": message}
        )
    await retention.put(page.session, page.signed_in, body, page.rt.settings)
    return redirect("/admin/data", notice="saved")


@router.post("/admin/data/projects/{project_id}/erase")
async def erase_project(project_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    try:
        shas = await erasure.erase(
            page.session, page.signed_in, project_id, page.value("project_name")
        )
    except AppError as exc:
        await page.undo()
        errors = {f"erase-{project_id}": page.reason(exc.code)}
        return await _data_page(page, status=exc.status, errors=errors)
    response = redirect("/admin/data", notice="project_erased")
    response.background = BackgroundTask(
        erasure.delete_files_if_unused, page.rt.db, page.rt.files, shas
    )
    return response
