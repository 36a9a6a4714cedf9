"""Projects: the list (with joining public ones), the new-project form, and the workspace where
interviews arrive."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from persona_insight.accounts import throttle
from persona_insight.companies import retention
from persona_insight.errors import AppError, RateLimited
from persona_insight.interviews import service as interviews
from persona_insight.interviews.retention import purge_at as retention_purge_at
from persona_insight.projects import service as projects
from persona_insight.projects.routes import reserve_join
from persona_insight.projects.schemas import ProjectCreate
from persona_insight.web import project_form, uploads
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SNAPSHOT_LIMIT = 200


@router.get("/projects")
async def project_list(page: PageDep, q: str = "", mine: bool = False) -> Response:
    q = q.strip()[:200]
    items = await projects.list_visible(
        page.session, page.signed_in, search=q or None, mine_only=mine
    )
    activity = await projects.activity(page.session, items)
    return page.render("projects.html", projects=items, activity=activity, q=q, mine=mine)


async def _join_attempt(request: Request, project_id: UUID) -> throttle.Attempt | None:
    try:
        return await reserve_join(request, project_id)
    except RateLimited:
        return None


@router.post("/projects/{project_id}/join")
async def join_project(
    project_id: UUID,
    attempt: Annotated[throttle.Attempt | None, Depends(_join_attempt)],
    page: PageDep,
) -> Response:
    if attempt is None:
        return redirect(f"/projects#project-{project_id}", problem="too_many_join_attempts")
    try:
        await projects.join(page.session, page.signed_in, project_id, page.raw("password") or None)
        await throttle.succeeded(page.session, attempt)
    except AppError as exc:
        if exc.status == 404:
            raise
        await page.undo()
        if exc.code != "already_member":
            return redirect(f"/projects#project-{project_id}", problem=exc.code)
    return redirect(f"/projects/{project_id}", notice="joined")


def _new_project_page(
    page: Page, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page.render("project_new.html", status, values=values, errors=errors)


@router.get("/projects/new")
async def new_project(page: PageDep) -> Response:
    return _new_project_page(page, {"visibility": "private", "join_method": "invite_only"}, {})


@router.post("/projects/new")
async def create_project(page: PageDep) -> Response:
    values = project_form.form_values(page)
    body: dict[str, Any] = {k: v for k, v in values.items() if v}
    try:
        data = ProjectCreate.model_validate(body)
    except ValidationError as exc:
        values["password"] = ""
        errors = project_form.cross_field_errors(
            page, values, has_password=False
        ) | project_form.form_errors(page, exc)
        return _new_project_page(page, values, errors, 422)
    project = await projects.create(page.session, page.signed_in, data)
    return redirect(f"/projects/{project.id}")


@router.get("/projects/{project_id}")
async def workspace(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    active = await interviews.list_page(
        page.session,
        page.signed_in,
        project_id,
        deleted=False,
        status=None,
        cursor=None,
        limit=SNAPSHOT_LIMIT,
    )
    trash = await interviews.list_page(
        page.session,
        page.signed_in,
        project_id,
        deleted=True,
        status=None,
        cursor=None,
        limit=SNAPSHOT_LIMIT,
    )
    members = await projects.list_members(page.session, page.signed_in, project_id)
    trash_days = await retention.days(page.session, page.signed_in.company_id, page.rt.settings)
    return page.render(
        "workspace.html",
        trash_days=trash_days,
        purge_dates={
            iv.id: retention_purge_at(iv.deleted_at, trash_days)
            for iv in trash.items
            if iv.deleted_at
        },
        project=projects.to_out(access.project, access.role),
        can_admin=access.can_admin,
        avatars=[str(m.user_id) for m in members if m.has_avatar],
        interviews=active.items,
        trash=trash.items,
        accept=uploads.ACCEPT,
        max_upload_mb=page.rt.settings.max_upload_bytes // (1024 * 1024),
    )


@router.post("/projects/{project_id}/upload")
async def upload_files(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    files = page.files("files")
    if not files:
        return redirect(f"/projects/{project_id}", problem="file_required")
    failed = await uploads.accept_files(page, access, files, page.value("language") or None)
    if failed:
        return redirect(f"/projects/{project_id}", problem=failed)
    return redirect(f"/projects/{project_id}", notice="uploaded")


@router.post("/projects/{project_id}/paste")
async def paste_text(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    problem = await uploads.accept_text(page, access, page.value("text"), page.value("title"))
    if problem:
        return redirect(f"/projects/{project_id}", problem=problem)
    return redirect(f"/projects/{project_id}", notice="uploaded")
