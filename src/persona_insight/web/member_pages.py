"""Members and invitation links of a project (the forms of its settings page), and the page an
invitation link opens.

Refusals a person can run into while using the page (the owner's role, a member who already left,
an expired link) come back to the settings page as messages; being in the wrong place altogether
(not allowed, not there) is the 403 or 404 page, as the project services decide.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Path, Response
from pydantic import ValidationError

from persona_insight.errors import AppError
from persona_insight.projects import service as projects
from persona_insight.projects.schemas import (
    InvitationCreate,
    InvitationCreated,
    InvitationOut,
    MemberRolePatch,
)
from persona_insight.web.page import Page, PageDep, PageRoute, PublicPageDep, no_store, redirect
from persona_insight.web.settings_pages import invitation_base, settings_page, settings_url

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _known(page: Page, project_id: UUID) -> None:
    """Outsiders get the 404 page before anything they sent is looked at."""
    await projects.require_access(page.session, page.signed_in, project_id)


async def _refused(page: Page, exc: AppError, project_id: UUID, part: str) -> Response:
    # A member already gone, the owner's fixed role: a message. Not allowed or not there: a page.
    if exc.status in (403, 404) and exc.code not in ("member_not_found", "invitation_not_found"):
        raise exc
    await page.undo()
    return redirect(settings_url(project_id, part), problem=exc.code)


@router.post("/projects/{project_id}/members/{user_id}/role")
async def change_role(project_id: UUID, user_id: UUID, page: PageDep) -> Response:
    await _known(page, project_id)
    try:
        body = MemberRolePatch.model_validate({"role": page.value("role")})
    except ValidationError:
        return redirect(settings_url(project_id, "members"), problem="invalid_role")
    try:
        await projects.change_role(page.session, page.signed_in, project_id, user_id, body.role)
    except AppError as exc:
        return await _refused(page, exc, project_id, "members")
    return redirect(settings_url(project_id, "members"), notice="role_changed")


@router.post("/projects/{project_id}/members/{user_id}/remove")
async def remove_member(project_id: UUID, user_id: UUID, page: PageDep) -> Response:
    try:
        await projects.remove_member(page.session, page.signed_in, project_id, user_id)
    except AppError as exc:
        return await _refused(page, exc, project_id, "members")
    if user_id == page.signed_in.user_id:
        return redirect("/projects", notice="left")
    return redirect(settings_url(project_id, "members"), notice="member_removed")


@router.post("/projects/{project_id}/transfer")
async def transfer(project_id: UUID, page: PageDep) -> Response:
    await _known(page, project_id)
    if page.value("confirm") != "yes":
        return redirect(settings_url(project_id, "transfer"), problem="confirm_required")
    try:
        new_owner = UUID(page.value("user_id"))
    except ValueError:
        return redirect(settings_url(project_id, "transfer"), problem="not_a_member")
    try:
        await projects.transfer(page.session, page.signed_in, project_id, new_owner)
    except AppError as exc:
        return await _refused(page, exc, project_id, "transfer")
    return redirect(settings_url(project_id, "members"), notice="ownership_transferred")


@router.post("/projects/{project_id}/invitations")
async def create_invitation(project_id: UUID, page: PageDep) -> Response:
    await _known(page, project_id)
    try:
        hours = page.value("hours")
        body = InvitationCreate.model_validate(
            {"role": page.value("role") or "member"}
            | ({"expires_in_hours": int(hours)} if hours else {})
        )
    except (ValidationError, ValueError):
        return redirect(settings_url(project_id, "invitations"), problem="validation_error")
    invitation, token = await projects.create_invitation(
        page.session, page.signed_in, project_id, body.role, body.expires_in_hours
    )
    out = InvitationOut.model_validate(invitation, from_attributes=True)
    url = f"{invitation_base(page)}/invitations/{token}"
    created = InvitationCreated(**out.model_dump(), token=token, url=url)
    # The link is shown once, in this answer; the module then moves the address back to the
    # settings page, so reloading does not post the form again.
    return no_store(await settings_page(page, project_id, new_invitation=created))


@router.post("/projects/{project_id}/invitations/{invitation_id}/revoke")
async def revoke_invitation(project_id: UUID, invitation_id: UUID, page: PageDep) -> Response:
    try:
        await projects.revoke_invitation(page.session, page.signed_in, project_id, invitation_id)
    except AppError as exc:
        return await _refused(page, exc, project_id, "invitations")
    return redirect(settings_url(project_id, "invitations"), notice="invitation_revoked")


@router.get("/invitations/{token}")
async def open_invitation(
    token: Annotated[str, Path(max_length=200)], page: PublicPageDep
) -> Response:
    """Opening the link shows what it joins and a button; only the button's POST (with the
    session's CSRF token) joins — a cross-site navigation, which carries SameSite=Lax cookies,
    must not make anyone a member. Signed out, the person signs in or up first and comes back
    here. An expired or used link is the 410 page, an unknown or revoked one the 404 page."""
    if page.user is None:
        return redirect("/login?next=" + quote(f"/invitations/{token}", safe="/"))
    project, role, member = await projects.invitation_preview(page.session, page.user, token)
    if member:
        return redirect(f"/projects/{project.id}")
    return no_store(page.render("invitation.html", project=project, role=role, token=token))


@router.post("/invitations/{token}")
async def accept_invitation(token: Annotated[str, Path(max_length=200)], page: PageDep) -> Response:
    access = await projects.accept_invitation(page.session, page.signed_in, token)
    return redirect(f"/projects/{access.project.id}", notice="joined")
