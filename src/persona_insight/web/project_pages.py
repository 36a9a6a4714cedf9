"""Projects: the list, the new-project form, and the workspace where interviews arrive."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.interviews import service as interviews
from persona_insight.projects import service as projects
from persona_insight.projects.schemas import ProjectCreate
from persona_insight.web import uploads
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PROJECT_FIELDS = (
    "name",
    "description",
    "purpose",
    "target_audience",
    "research_method",
    "start_date",
    "end_date",
    "visibility",
    "join_method",
    "password",
)
SNAPSHOT_LIMIT = 200


@router.get("/projects")
async def project_list(page: PageDep, q: str = "", mine: bool = False) -> Response:
    q = q.strip()[:200]
    items = await projects.list_visible(
        page.session, page.signed_in, search=q or None, mine_only=mine
    )
    return page.render("projects.html", projects=items, q=q, mine=mine)


def _form_errors(page: Page, exc: ValidationError) -> dict[str, str]:
    """Field → message, in the reader's language (the model's own messages are English)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        message = str(error.get("msg", ""))
        if "end_date is before start_date" in message:
            errors["end_date"] = page._("The end date is before the start date.")
        elif "password is required" in message:
            errors["password"] = page._("A project that is joined by password needs a password.")
        elif loc and loc[0] == "name":
            errors["name"] = page._("Give the project a name (up to 200 characters).")
        elif loc and loc[0] in ("start_date", "end_date"):
            errors[loc[0]] = page._("Enter a valid date.")
        elif loc and loc[0] == "password":
            errors["password"] = page._("The password needs at least 4 characters.")
        elif loc:
            errors.setdefault(loc[0], page._("Check this field."))
    return errors


def _cross_field_errors(page: Page, values: dict[str, str]) -> dict[str, str]:
    """Rules across fields, which the model checks only once every field is valid: shown
    together with the other mistakes, so the form is fixed in one go."""
    errors = {}
    start, end = values.get("start_date", ""), values.get("end_date", "")
    if start and end and end < start:  # ISO dates compare as text
        errors["end_date"] = page._("The end date is before the start date.")
    if values.get("join_method") == "password" and not values.get("password"):
        errors["password"] = page._("A project that is joined by password needs a password.")
    return errors


def _new_project_page(
    page: Page, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page.render("project_new.html", status, values=values, errors=errors)


@router.get("/projects/new")
async def new_project(page: PageDep) -> Response:
    return _new_project_page(page, {"visibility": "private", "join_method": "invite_only"}, {})


@router.post("/projects/new")
async def create_project(page: PageDep) -> Response:
    values = {name: page.value(name) for name in PROJECT_FIELDS}
    body: dict[str, Any] = {k: v for k, v in values.items() if v}
    try:
        data = ProjectCreate.model_validate(body)
    except ValidationError as exc:
        values["password"] = ""
        errors = _cross_field_errors(page, values) | _form_errors(page, exc)
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
    return page.render(
        "workspace.html",
        project=projects.to_out(access.project, access.role),
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
    failed = await uploads.accept_files(page, access, files)
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
