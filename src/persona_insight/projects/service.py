"""Project rules: creation, visibility, and the membership check every project route uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.accounts.security import digest, hash_password, new_secret, verify_password
from persona_insight.audit import service as audit
from persona_insight.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from persona_insight.models import Project, ProjectInvitation, ProjectMember, User
from persona_insight.projects import repository as repo
from persona_insight.projects.schemas import MemberOut, ProjectCreate, ProjectOut, ProjectPatch
from persona_insight.realtime import events, scrub

ADMIN_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True, slots=True)
class Access:
    project: Project
    role: str | None  # the caller's membership role; None for company admins acting as such

    @property
    def can_admin(self) -> bool:
        return self.role in ADMIN_ROLES or self.role is None


def to_out(project: Project, role: str | None) -> ProjectOut:
    return ProjectOut.model_validate(
        {
            **{c: getattr(project, c) for c in ProjectOut.model_fields if c != "my_role"},
            "my_role": role,
        }
    )


def may_access(
    *, role: str, company_id: UUID, project_company_id: UUID, member_role: str | None
) -> bool:
    """The one rule for working in a project (the SSE stream applies it too).

    Members work in their projects. Super-admins and the company's admins may act on any project
    of the company they administer.
    """
    if member_role is not None:
        return True
    return role == "super_admin" or (role == "company_admin" and project_company_id == company_id)


async def require_access(session: AsyncSession, user: Authenticated, project_id: UUID) -> Access:
    """The project if the caller may work in it; otherwise 404, whatever the reason.

    Everyone who may not — another company's user, a non-member — learns nothing, not even that
    the project exists.
    """
    found = await repo.get_with_role(session, project_id, user.user_id)
    if found is not None:
        project, role = found
        if may_access(
            role=user.role,
            company_id=user.company_id,
            project_company_id=project.company_id,
            member_role=role,
        ):
            return Access(project, role)
    raise NotFound("no such project", code="project_not_found")


async def get_visible(session: AsyncSession, user: Authenticated, project_id: UUID) -> ProjectOut:
    """A project the caller works in, or a public one of their company (to decide to join)."""
    found = await repo.get_with_role(session, project_id, user.user_id)
    if found is not None:
        project, role = found
        if project.company_id == user.company_id and project.visibility == "public":
            return to_out(project, role)
    access = await require_access(session, user, project_id)
    return to_out(access.project, access.role)


async def create(session: AsyncSession, user: Authenticated, body: ProjectCreate) -> Project:
    project = Project(
        company_id=user.company_id,
        owner_id=user.user_id,
        name=body.name,
        description=body.description,
        purpose=body.purpose,
        target_audience=body.target_audience,
        research_method=body.research_method,
        start_date=body.start_date,
        end_date=body.end_date,
        visibility=body.visibility,
        join_method=body.join_method,
        password_hash=hash_password(body.password) if body.password else None,
    )
    await repo.add(session, project)
    await repo.add(
        session,
        ProjectMember(
            project_id=project.id, user_id=user.user_id, company_id=user.company_id, role="owner"
        ),
    )
    await events.create_counter(session, project_id=project.id, company_id=user.company_id)
    return project


async def list_visible(
    session: AsyncSession, user: Authenticated, *, search: str | None, mine_only: bool
) -> list[ProjectOut]:
    rows = await repo.visible_to(
        session,
        company_id=user.company_id,
        user_id=user.user_id,
        search=search,
        mine_only=mine_only,
    )
    return [to_out(p, role) for p, role in rows]


async def activity(
    session: AsyncSession, projects: list[ProjectOut]
) -> dict[UUID, tuple[int, int, dt.datetime | None]]:
    """Interview and member counts and the last activity of projects the caller may see (the
    ones `list_visible` answered)."""
    return await repo.activity(session, [p.id for p in projects])


# --- settings, deletion ---------------------------------------------------------------------------


def _require_admin(access: Access) -> None:
    if not access.can_admin:
        raise Forbidden("only the project's owner and admins may do this", code="forbidden")


def _project_payload(project: Project) -> dict[str, object]:
    return to_out(project, None).model_dump(mode="json", exclude={"my_role"})


async def update(
    session: AsyncSession, user: Authenticated, project_id: UUID, body: ProjectPatch
) -> Access:
    access = await require_access(session, user, project_id)
    _require_admin(access)
    project = access.project
    changes = body.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    for key, value in changes.items():
        if value is None and key in ("name", "visibility", "join_method"):
            raise InvalidInput(f"{key} cannot be empty", code="validation_error")
        setattr(project, key, "" if value is None and key in _TEXT_FIELDS else value)
    if password:
        project.password_hash = hash_password(password)
    if project.join_method == "password" and not project.password_hash:
        raise InvalidInput("set a password to join by password", code="password_required")
    if project.start_date and project.end_date and project.end_date < project.start_date:
        raise InvalidInput("end_date is before start_date", code="invalid_date")
    await session.flush()
    await events.append(
        session,
        project_id=project.id,
        company_id=project.company_id,
        type=events.PROJECT_UPDATED,
        actor_id=user.user_id,
        data={
            "project_id": str(project.id),
            "project": _project_payload(project),
            "changes": sorted(changes) + (["password"] if password else []),
        },
    )
    return access


_TEXT_FIELDS = frozenset({"description", "purpose", "target_audience", "research_method"})


async def soft_delete(session: AsyncSession, user: Authenticated, project_id: UUID) -> Project:
    access = await require_access(session, user, project_id)
    if access.role != "owner" and user.role not in ("company_admin", "super_admin"):
        raise Forbidden("only the owner or a company admin deletes a project", code="forbidden")
    project = access.project
    project.deleted_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await events.append(
        session,
        project_id=project.id,
        company_id=project.company_id,
        type=events.PROJECT_DELETED,
        actor_id=user.user_id,
        data={"project_id": str(project.id)},
    )
    await events.revoke_streams(session, project_id=project.id)
    await audit.record(
        session,
        "project_deleted",
        company_id=project.company_id,
        actor_id=user.user_id,
        target_type="project",
        target_id=project.id,
    )
    return project


# --- members --------------------------------------------------------------------------------------


def _member_out(member: ProjectMember, who: User) -> MemberOut:
    return MemberOut(
        user_id=who.id,
        name=who.name,
        email=who.email,
        role=member.role,
        joined_at=member.joined_at,
        has_avatar=who.avatar_sha256 is not None,
    )


async def list_members(
    session: AsyncSession, user: Authenticated, project_id: UUID
) -> list[MemberOut]:
    await require_access(session, user, project_id)
    return [_member_out(m, u) for m, u in await repo.members(session, project_id)]


async def _member_event(
    session: AsyncSession, project: Project, type_: str, actor_id: UUID | None, **data: object
) -> None:
    await events.append(
        session,
        project_id=project.id,
        company_id=project.company_id,
        type=type_,
        actor_id=actor_id,
        data={"project_id": str(project.id), **data},
    )


async def add_member(
    session: AsyncSession, project: Project, who: User, role: str, actor_id: UUID | None
) -> ProjectMember:
    member = ProjectMember(
        project_id=project.id, user_id=who.id, company_id=project.company_id, role=role
    )
    await repo.add(session, member)
    await _member_event(
        session,
        project,
        events.MEMBER_ADDED,
        actor_id,
        member=_member_out(member, who).model_dump(mode="json"),
    )
    return member


async def change_role(
    session: AsyncSession, user: Authenticated, project_id: UUID, member_id: UUID, role: str
) -> MemberOut:
    access = await require_access(session, user, project_id)
    _require_admin(access)
    member = await repo.member(session, project_id, member_id)
    if member is None:
        raise NotFound("no such member", code="member_not_found")
    if member.role == "owner":
        raise Conflict(
            "the owner's role changes only by transferring ownership", code="owner_role_fixed"
        )
    previous = member.role
    member.role = role
    await session.flush()
    who = await session.get(User, member_id)
    assert who is not None
    if previous != role:
        await _member_event(
            session,
            access.project,
            events.MEMBER_ROLE_CHANGED,
            user.user_id,
            member=_member_out(member, who).model_dump(mode="json"),
            previous_role=previous,
        )
        await audit.record(
            session,
            "member_role_changed",
            company_id=access.project.company_id,
            actor_id=user.user_id,
            target_type="project",
            target_id=access.project.id,
            member=str(member_id),
            old=previous,
            new=role,
        )
    return _member_out(member, who)


async def remove_member(
    session: AsyncSession, user: Authenticated, project_id: UUID, member_id: UUID
) -> None:
    access = await require_access(session, user, project_id)
    if member_id != user.user_id:
        _require_admin(access)
    member = await repo.member(session, project_id, member_id)
    if member is None:
        raise NotFound("no such member", code="member_not_found")
    if member.role == "owner":
        raise Conflict("transfer ownership before the owner leaves", code="owner_cannot_leave")
    # The event first: a member who leaves may no longer write to the project afterwards.
    await _member_event(
        session, access.project, events.MEMBER_REMOVED, user.user_id, user_id=str(member_id)
    )
    await scrub.member_removed(session, project_id, member_id)
    await events.revoke_streams(session, user_id=member_id, project_id=project_id)
    await repo.remove(session, member)


async def transfer(
    session: AsyncSession, user: Authenticated, project_id: UUID, new_owner: UUID
) -> Project:
    access = await require_access(session, user, project_id)
    if access.role != "owner" and user.role not in ("company_admin", "super_admin"):
        raise Forbidden("only the owner hands over ownership", code="forbidden")
    project = access.project
    target = await repo.member(session, project_id, new_owner)
    if target is None:
        raise InvalidInput("the new owner must be a member of the project", code="not_a_member")
    if target.role == "owner":
        return project
    current = await repo.member(session, project_id, project.owner_id)
    if current is not None:
        current.role = "admin"
    previous = target.role
    target.role = "owner"
    project.owner_id = new_owner
    await session.flush()
    for member, old in ((current, "owner"), (target, previous)):
        if member is None:
            continue
        who = await session.get(User, member.user_id)
        assert who is not None
        await _member_event(
            session,
            project,
            events.MEMBER_ROLE_CHANGED,
            user.user_id,
            member=_member_out(member, who).model_dump(mode="json"),
            previous_role=old,
        )
    await audit.record(
        session,
        "ownership_transferred",
        company_id=project.company_id,
        actor_id=user.user_id,
        target_type="project",
        target_id=project.id,
        new_owner=str(new_owner),
    )
    return project


async def join(
    session: AsyncSession, user: Authenticated, project_id: UUID, password: str | None
) -> Access:
    found = await repo.get_with_role(session, project_id, user.user_id)
    if (
        found is None
        or found[0].company_id != user.company_id
        or (found[0].visibility != "public" and found[1] is None)
    ):
        raise NotFound("no such project", code="project_not_found")
    project, role = found
    if role is not None:
        raise Conflict("you are already a member", code="already_member")
    if project.join_method == "invite_only":
        raise Forbidden("this project is joined by invitation only", code="invitation_required")
    if project.join_method == "password" and not verify_password(
        password or "", project.password_hash
    ):
        raise Forbidden("wrong project password", code="wrong_password")
    who = await session.get(User, user.user_id)
    assert who is not None
    await add_member(session, project, who, "member", user.user_id)
    return Access(project, "member")


# --- invitations ----------------------------------------------------------------------------------


async def create_invitation(
    session: AsyncSession, user: Authenticated, project_id: UUID, role: str, hours: int
) -> tuple[ProjectInvitation, str]:
    access = await require_access(session, user, project_id)
    _require_admin(access)
    token = new_secret("piv_")
    invitation = ProjectInvitation(
        company_id=access.project.company_id,
        project_id=project_id,
        token_hash=digest(token),
        role=role,
        created_by=user.user_id,
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours),
    )
    await repo.add(session, invitation)
    return invitation, token


async def list_invitations(
    session: AsyncSession, user: Authenticated, project_id: UUID
) -> list[ProjectInvitation]:
    access = await require_access(session, user, project_id)
    _require_admin(access)
    return await repo.invitations(session, project_id)


async def revoke_invitation(
    session: AsyncSession, user: Authenticated, project_id: UUID, invitation_id: UUID
) -> None:
    access = await require_access(session, user, project_id)
    _require_admin(access)
    invitation = await repo.invitation(session, project_id, invitation_id)
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("no such invitation", code="invitation_not_found")
    invitation.revoked_at = dt.datetime.now(dt.UTC)
    await session.flush()


async def _live_invitation(
    session: AsyncSession, user: Authenticated, token: str
) -> tuple[dict[str, object], Project, str | None]:
    """The invitation a link names, if it is the caller's company's, unrevoked and unexpired:
    (its row, its project, the caller's role there or None)."""
    found = await repo.invitation_by_hash(session, digest(token))
    if found is None or found["revoked_at"] is not None or found["company_id"] != user.company_id:
        raise NotFound("no such invitation", code="invitation_not_found")
    if found["expires_at"] <= dt.datetime.now(dt.UTC):  # type: ignore[operator]
        raise AppError("this invitation has expired", code="invitation_expired", status=410)
    project_id = found["project_id"]
    assert isinstance(project_id, UUID)
    existing = await repo.get_with_role(session, project_id, user.user_id)
    assert existing is not None
    project, role = existing
    return found, project, role


async def accept_invitation(session: AsyncSession, user: Authenticated, token: str) -> Access:
    found, project, role = await _live_invitation(session, user, token)
    if role is not None:
        return Access(project, role)
    invitation_id = found["id"]
    assert isinstance(invitation_id, UUID)
    # A link joins each person once: a member removed since cannot come back with it.
    if not await repo.use_invitation(session, invitation_id, user.user_id):
        raise AppError(
            "you joined with this invitation before; ask for a new one",
            code="invitation_used",
            status=410,
        )
    who = await session.get(User, user.user_id)
    assert who is not None
    await add_member(session, project, who, str(found["role"]), user.user_id)
    return Access(project, str(found["role"]))


async def invitation_preview(
    session: AsyncSession, user: Authenticated, token: str
) -> tuple[Project, str, bool]:
    """What an invitation link would do, without doing it: (project, role, already a member)."""
    found, project, role = await _live_invitation(session, user, token)
    return project, role or str(found["role"]), role is not None
