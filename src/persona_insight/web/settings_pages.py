"""`/projects/{id}/settings`: the project's fields, members, invitation links and danger zone.

The page is for the project's owner and admins (and company admins): the project services decide,
so an outsider gets the 404 page and a plain member the 403 page, as from the API. The member and
invitation forms are in `member_pages.py`; this module draws the page and handles the fields,
deletion and leaving.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.errors import AppError
from persona_insight.projects import service as projects
from persona_insight.projects.schemas import InvitationCreated, ProjectOut, ProjectPatch
from persona_insight.web import project_form
from persona_insight.web.page import Page, PageDep, PageRoute, redirect, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)

COMPANY_ADMINS = ("company_admin", "super_admin")
# The project's text fields as the form shows them; dates as ISO text.
SHOWN_FIELDS = tuple(f for f in project_form.FIELDS if f != "password")
EXPIRY_HOURS = (24, 24 * 7, 24 * 30)
# Which field a refusal of the project service is about.
FIELD_OF = {"password_required": "password", "invalid_date": "end_date"}


def settings_url(project_id: UUID, part: str = "") -> str:
    return f"/projects/{project_id}/settings" + (f"#{part}" if part else "")


def invitation_base(page: Page) -> str:
    """Where invitation links point: the configured public URL, else the address this page was
    reached at (what the person sharing the link sees in their browser)."""
    return page.rt.settings.base_url or str(page.request.base_url).rstrip("/")


async def settings_page(
    page: Page,
    project_id: UUID,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    new_invitation: InvitationCreated | None = None,
) -> Response:
    user = page.signed_in
    access = await projects.require_access(page.session, user, project_id)
    # Members may see the members but not the links: a plain member is refused here (403).
    invitations = await projects.list_invitations(page.session, user, project_id)
    members = await projects.list_members(page.session, user, project_id)
    project = projects.to_out(access.project, access.role)
    # The service decides; these only keep buttons away from people they would refuse.
    may_delete = access.role == "owner" or user.role in COMPANY_ADMINS
    context: dict[str, Any] = {
        "project": project,
        "values": _as_form(project) | (values or {}),
        "errors": errors or {},
        "has_password": access.project.password_hash is not None,
        "members": members,
        "invitations": invitations,
        "new_invitation": new_invitation,
        "expiry_hours": EXPIRY_HOURS,
        "now": dt.datetime.now(dt.UTC),
        "may_delete": may_delete,
        "may_transfer": may_delete,
        "may_leave": access.role in ("admin", "member"),
    }
    return page.render("project_settings.html", status, **context)


def _as_form(project: ProjectOut) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name in SHOWN_FIELDS:
        value = getattr(project, name)
        shown[name] = value.isoformat() if isinstance(value, dt.date) else (value or "")
    return shown


@router.get("/projects/{project_id}/settings")
async def project_settings(project_id: UUID, page: PageDep) -> Response:
    return await settings_page(page, project_id)


@router.post("/projects/{project_id}/settings")
async def save_settings(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    values = project_form.form_values(page)
    body: dict[str, Any] = {k: v for k, v in values.items() if k != "password"}
    for name in ("start_date", "end_date"):
        body[name] = body[name] or None
    if values["password"]:
        body["password"] = values["password"]
    values["password"] = ""
    has_password = access.project.password_hash is not None
    try:
        patch = ProjectPatch.model_validate(body)
    except ValidationError as exc:
        errors = project_form.cross_field_errors(
            page, values, has_password=has_password
        ) | project_form.form_errors(page, exc)
        return await settings_page(page, project_id, status=422, values=values, errors=errors)
    try:
        await projects.update(page.session, page.signed_in, project_id, patch)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        await page.undo()
        errors = {FIELD_OF.get(exc.code, "form"): page.reason(exc.code)}
        return await settings_page(page, project_id, status=422, values=values, errors=errors)
    return redirect(settings_url(project_id, "details"), notice="saved")


@router.post("/projects/{project_id}/delete")
async def delete_project(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    # Typing the name is the confirmation: a slip of the mouse deletes nothing.
    if page.value("confirm_name") != access.project.name:
        return redirect(settings_url(project_id, "danger"), problem="name_mismatch")
    await projects.soft_delete(page.session, page.signed_in, project_id)
    return redirect("/projects", notice="project_deleted")


@router.post("/projects/{project_id}/leave")
async def leave_project(project_id: UUID, page: PageDep) -> Response:
    back = safe_next(page.value("next"), default=f"/projects/{project_id}")
    try:
        await projects.remove_member(
            page.session, page.signed_in, project_id, page.signed_in.user_id
        )
    except AppError as exc:
        if exc.status in (403, 404) and exc.code != "member_not_found":
            raise
        await page.undo()
        return redirect(back, problem=exc.code)
    return redirect("/projects", notice="left")
