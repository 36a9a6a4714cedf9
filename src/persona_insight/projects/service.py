"""Project rules: creation, visibility, and the membership check every project route uses."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.accounts.security import hash_password
from persona_insight.errors import NotFound
from persona_insight.models import Project, ProjectMember
from persona_insight.projects import repository as repo
from persona_insight.projects.schemas import ProjectCreate, ProjectOut
from persona_insight.realtime import events

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
