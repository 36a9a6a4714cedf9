"""SQL for projects and memberships."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import and_, bindparam, delete, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import (
    Interview,
    InterviewAnalysis,
    Note,
    Project,
    ProjectInvitation,
    ProjectMember,
    User,
)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


# Built once: every project-scoped request runs it, and building the statement cost more than
# compiling it (SQLAlchemy caches the compiled form, not the construction).
_WITH_ROLE = (
    select(Project, ProjectMember.role)
    .outerjoin(
        ProjectMember,
        and_(
            ProjectMember.project_id == Project.id,
            ProjectMember.user_id == bindparam("user_id"),
        ),
    )
    .where(Project.id == bindparam("project_id"), Project.deleted_at.is_(None))
)


async def get_with_role(
    session: AsyncSession, project_id: UUID, user_id: UUID
) -> tuple[Project, str | None] | None:
    row = (
        await session.execute(_WITH_ROLE, {"project_id": project_id, "user_id": user_id})
    ).first()
    if row is None:
        return None
    return row[0], row[1]


async def visible_to(
    session: AsyncSession, *, company_id: UUID, user_id: UUID, search: str | None, mine_only: bool
) -> list[tuple[Project, str | None]]:
    stmt = (
        select(Project, ProjectMember.role)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Project.id, ProjectMember.user_id == user_id),
        )
        .where(Project.company_id == company_id, Project.deleted_at.is_(None))
        .order_by(Project.created_at.desc())
    )
    if mine_only:
        stmt = stmt.where(ProjectMember.user_id.is_not(None))
    else:
        stmt = stmt.where(or_(ProjectMember.user_id.is_not(None), Project.visibility == "public"))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Project.name.ilike(pattern), Project.description.ilike(pattern)))
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def members(session: AsyncSession, project_id: UUID) -> list[tuple[ProjectMember, User]]:
    stmt = (
        select(ProjectMember, User)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project_id)
        .order_by(ProjectMember.joined_at)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def member(session: AsyncSession, project_id: UUID, user_id: UUID) -> ProjectMember | None:
    return await session.get(ProjectMember, (project_id, user_id))


async def remove(session: AsyncSession, row: object) -> None:
    await session.delete(row)
    await session.flush()


async def invitations(session: AsyncSession, project_id: UUID) -> list[ProjectInvitation]:
    stmt = (
        select(ProjectInvitation)
        .where(ProjectInvitation.project_id == project_id)
        .order_by(ProjectInvitation.created_at.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def invitation(
    session: AsyncSession, project_id: UUID, invitation_id: UUID
) -> ProjectInvitation | None:
    stmt = select(ProjectInvitation).where(
        ProjectInvitation.id == invitation_id, ProjectInvitation.project_id == project_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def invitation_by_hash(session: AsyncSession, token_hash: str) -> dict[str, object] | None:
    row = (
        await session.execute(text("SELECT * FROM pi_invitation(:h)"), {"h": token_hash})
    ).first()
    return dict(row._mapping) if row else None


async def use_invitation(session: AsyncSession, invitation_id: UUID, user_id: UUID) -> bool:
    """Count a use by `user_id`; False when that user used the link before."""
    row = (
        await session.execute(
            text(
                "UPDATE project_invitations SET uses = uses + 1, used_by = used_by || :u"
                " WHERE id = :i AND NOT (:u = ANY (used_by)) RETURNING id"
            ),
            {"i": invitation_id, "u": user_id},
        )
    ).first()
    return row is not None


async def activity(
    session: AsyncSession, project_ids: list[UUID]
) -> dict[UUID, tuple[int, int, dt.datetime | None]]:
    """Per project: interviews (not in the trash), members, and the last change to either an
    interview or the project itself — what a project card shows."""
    if not project_ids:
        return {}
    stmt = text(
        "SELECT p.id,"
        " (SELECT count(*) FROM interviews i WHERE i.project_id = p.id AND i.deleted_at IS NULL),"
        " (SELECT count(*) FROM project_members m WHERE m.project_id = p.id),"
        " GREATEST(p.updated_at,"
        "  (SELECT max(i.updated_at) FROM interviews i WHERE i.project_id = p.id))"
        " FROM projects p WHERE p.id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    rows = await session.execute(stmt, {"ids": project_ids})
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


# --- a project's data, for its export and its erasure -------------------------------------------


async def all_interviews(session: AsyncSession, project_id: UUID) -> list[Interview]:
    """Every interview of the project, trashed ones included, oldest first."""
    stmt = (
        select(Interview)
        .where(Interview.project_id == project_id)
        .order_by(Interview.created_at, Interview.id)
    )
    return list((await session.execute(stmt)).scalars())


async def analyses_of(session: AsyncSession, project_id: UUID) -> dict[UUID, dict[str, object]]:
    stmt = (
        select(InterviewAnalysis)
        .join(Interview, Interview.id == InterviewAnalysis.interview_id)
        .where(Interview.project_id == project_id)
    )
    return {
        a.interview_id: {
            "engine": a.engine,
            "model": a.model,
            "result": a.result,
            "created_at": a.created_at,
        }
        for a in (await session.execute(stmt)).scalars()
    }


async def notes_of(session: AsyncSession, project_id: UUID) -> dict[UUID, list[dict[str, object]]]:
    stmt = select(Note).where(Note.project_id == project_id).order_by(Note.created_at, Note.id)
    out: dict[UUID, list[dict[str, object]]] = {}
    for n in (await session.execute(stmt)).scalars():
        out.setdefault(n.interview_id, []).append(
            {
                "id": n.id,
                "parent_id": n.parent_id,
                "author_id": n.author_id,
                "line_ids": n.line_ids,
                "text": n.text,
                "created_at": n.created_at,
            }
        )
    return out


async def erase(session: AsyncSession, project_id: UUID) -> list[str | None]:
    """Delete the project's interviews (analyses, terms and notes cascade) and the project
    (events, counters, members, invitations and presence cascade); returns the interviews'
    stored files."""
    shas = (
        await session.execute(
            delete(Interview)
            .where(Interview.project_id == project_id)
            .returning(Interview.file_sha256)
        )
    ).scalars()
    gone = list(shas)
    await session.execute(delete(Project).where(Project.id == project_id))
    return gone


async def of_company(session: AsyncSession, company_id: UUID) -> list[Project]:
    """Every project of the company, deleted ones too (for its admins' data page), by name."""
    stmt = (
        select(Project).where(Project.company_id == company_id).order_by(Project.name, Project.id)
    )
    return list((await session.execute(stmt)).scalars())


async def any_state(session: AsyncSession, project_id: UUID) -> Project | None:
    """The project even if it was deleted (soft), as row-level security lets the caller see it."""
    return await session.get(Project, project_id)
