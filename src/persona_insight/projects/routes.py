"""`/api/projects`: create, list and read projects."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.background import BackgroundTask

from persona_insight.accounts import throttle
from persona_insight.accounts.deps import CtxDep, authenticate
from persona_insight.errors import Unauthenticated
from persona_insight.projects import erasure, service
from persona_insight.projects.schemas import (
    EraseIn,
    InvitationCreate,
    InvitationCreated,
    InvitationList,
    InvitationOut,
    JoinIn,
    MemberList,
    MemberOut,
    MemberRolePatch,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    ProjectPatch,
    TransferIn,
)
from persona_insight.runtime import runtime_of

router = APIRouter(prefix="/api/projects", tags=["projects"])


@router.post("", status_code=201, response_model=ProjectOut, summary="Create a project")
async def create_project(body: ProjectCreate, ctx: CtxDep) -> ProjectOut:
    project = await service.create(ctx.session, ctx.user, body)
    return service.to_out(project, "owner")


@router.get("", response_model=ProjectList, summary="Projects I belong to and public ones")
async def list_projects(
    ctx: CtxDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    mine: bool = False,
) -> ProjectList:
    return ProjectList(
        items=await service.list_visible(ctx.session, ctx.user, search=q, mine_only=mine)
    )


@router.get("/{project_id}", response_model=ProjectOut, summary="One project")
async def get_project(project_id: UUID, ctx: CtxDep) -> ProjectOut:
    return await service.get_visible(ctx.session, ctx.user, project_id)


@router.patch("/{project_id}", response_model=ProjectOut, summary="Edit a project (owner/admins)")
async def patch_project(project_id: UUID, body: ProjectPatch, ctx: CtxDep) -> ProjectOut:
    access = await service.update(ctx.session, ctx.user, project_id, body)
    return service.to_out(access.project, access.role)


@router.delete(
    "/{project_id}", status_code=204, summary="Delete a project (owner or company admin; soft)"
)
async def delete_project(project_id: UUID, ctx: CtxDep) -> Response:
    await service.soft_delete(ctx.session, ctx.user, project_id)
    return Response(status_code=204)


@router.get(
    "/{project_id}/export",
    summary="Download all of the project's data as a zip (company admins)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def export_project(project_id: UUID, ctx: CtxDep) -> Response:
    from persona_insight.interviews.routes import content_disposition

    name, data = await erasure.export(ctx.session, ctx.user, project_id, ctx.rt.files)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
    )


@router.post(
    "/{project_id}/erase",
    status_code=204,
    summary="Erase the project and all its data for good (company admins)",
)
async def erase_project(project_id: UUID, body: EraseIn, ctx: CtxDep) -> Response:
    shas = await erasure.erase(ctx.session, ctx.user, project_id, body.project_name)
    # After the response, so after the commit; each file only if nothing else uses it then.
    return Response(
        status_code=204,
        background=BackgroundTask(erasure.delete_files_if_unused, ctx.rt.db, ctx.rt.files, shas),
    )


@router.get("/{project_id}/members", response_model=MemberList, summary="The project's members")
async def list_members(project_id: UUID, ctx: CtxDep) -> MemberList:
    return MemberList(items=await service.list_members(ctx.session, ctx.user, project_id))


@router.patch(
    "/{project_id}/members/{user_id}",
    response_model=MemberOut,
    summary="Change a member's role (owner/admins)",
)
async def change_member_role(
    project_id: UUID, user_id: UUID, body: MemberRolePatch, ctx: CtxDep
) -> MemberOut:
    return await service.change_role(ctx.session, ctx.user, project_id, user_id, body.role)


@router.delete(
    "/{project_id}/members/{user_id}",
    status_code=204,
    summary="Remove a member (owner/admins; anyone for themselves)",
)
async def remove_member(project_id: UUID, user_id: UUID, ctx: CtxDep) -> Response:
    await service.remove_member(ctx.session, ctx.user, project_id, user_id)
    return Response(status_code=204)


@router.post(
    "/{project_id}/transfer",
    response_model=ProjectOut,
    summary="Hand ownership to another member (the owner)",
)
async def transfer(project_id: UUID, body: TransferIn, ctx: CtxDep) -> ProjectOut:
    project = await service.transfer(ctx.session, ctx.user, project_id, body.user_id)
    access = await service.require_access(ctx.session, ctx.user, project.id)
    return service.to_out(access.project, access.role)


async def reserve_join(request: Request, project_id: UUID) -> throttle.Attempt:
    """Count a join attempt per (user, project) before the password is checked, so that a project
    password cannot be guessed quickly (429 with Retry-After); the API and the projects page use
    it. Its own short transaction, committed before the request's unit of work opens: a wrong
    password rolls that one back, parallel guesses must see each other, and a request must never
    wait for a second pooled connection while holding one."""
    rt = runtime_of(request)
    async with rt.db.sessions() as session:
        user = await authenticate(session, request)
        if user is None:
            raise Unauthenticated("sign in or send an API token", code="unauthenticated")
        attempt = await throttle.begin_join(session, user_id=user.user_id, project_id=project_id)
        await session.commit()
    return attempt


JoinAttempt = Annotated[throttle.Attempt, Depends(reserve_join)]


@router.post(
    "/{project_id}/join",
    response_model=ProjectOut,
    summary="Join a public project (open, or with its password)",
)
async def join(project_id: UUID, body: JoinIn, attempt: JoinAttempt, ctx: CtxDep) -> ProjectOut:
    access = await service.join(ctx.session, ctx.user, project_id, body.password)
    await throttle.succeeded(ctx.session, attempt)
    return service.to_out(access.project, access.role)


@router.post("/{project_id}/leave", status_code=204, summary="Leave a project")
async def leave(project_id: UUID, ctx: CtxDep) -> Response:
    await service.remove_member(ctx.session, ctx.user, project_id, ctx.user.user_id)
    return Response(status_code=204)


@router.get(
    "/{project_id}/invitations",
    response_model=InvitationList,
    summary="Invitation links (owner/admins)",
)
async def list_invitations(project_id: UUID, ctx: CtxDep) -> InvitationList:
    rows = await service.list_invitations(ctx.session, ctx.user, project_id)
    return InvitationList(
        items=[InvitationOut.model_validate(r, from_attributes=True) for r in rows]
    )


@router.post(
    "/{project_id}/invitations",
    status_code=201,
    response_model=InvitationCreated,
    summary="Create an invitation link (owner/admins)",
)
async def create_invitation(
    project_id: UUID, body: InvitationCreate, ctx: CtxDep
) -> InvitationCreated:
    invitation, token = await service.create_invitation(
        ctx.session, ctx.user, project_id, body.role, body.expires_in_hours
    )
    out = InvitationOut.model_validate(invitation, from_attributes=True)
    return InvitationCreated(
        **out.model_dump(), token=token, url=f"{ctx.rt.settings.public_url()}/invitations/{token}"
    )


@router.delete(
    "/{project_id}/invitations/{invitation_id}",
    status_code=204,
    summary="Revoke an invitation link",
)
async def revoke_invitation(project_id: UUID, invitation_id: UUID, ctx: CtxDep) -> Response:
    await service.revoke_invitation(ctx.session, ctx.user, project_id, invitation_id)
    return Response(status_code=204)


invitations = APIRouter(prefix="/api/invitations", tags=["projects"])


@invitations.post(
    "/{token}/accept", response_model=ProjectOut, summary="Join the project of an invitation link"
)
async def accept_invitation(token: Annotated[str, Path(max_length=200)], ctx: CtxDep) -> ProjectOut:
    access = await service.accept_invitation(ctx.session, ctx.user, token)
    return service.to_out(access.project, access.role)
