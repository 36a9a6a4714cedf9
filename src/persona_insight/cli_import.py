"""Bulk import behind `persona-insight import`: each file in its own transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select

from persona_insight.accounts.repository import Authenticated
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.errors import AppError
from persona_insight.files.store import FileStore
from persona_insight.interviews import service as interviews
from persona_insight.models import Project, User
from persona_insight.projects import service as projects


async def _principal(db: Database, project_id: UUID, email: str | None) -> Authenticated:
    async with db.unit_of_work(Actor.system()) as session:
        project = await session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise AppError("no such project", code="project_not_found", status=404)
        stmt = (
            select(User).where(User.email == email.lower())
            if email
            else select(User).where(User.id == project.owner_id)
        )
        user = (await session.execute(stmt)).scalar_one_or_none()
        if user is None:
            raise AppError("no such user", code="user_not_found", status=404)
        return Authenticated.acting_as(user)


async def import_paths(
    db: Database,
    settings: Settings,
    project_id: UUID,
    paths: list[Path],
    email: str | None,
    step: Callable[[Path, str | None], None],
) -> dict[str, Any]:
    principal = await _principal(db, project_id, email)
    files = FileStore(settings.files_dir)
    actor = Actor(company_id=principal.company_id, user_id=principal.user_id, role=principal.role)
    ids: list[str] = []
    failed: list[dict[str, str]] = []
    for path in paths:
        try:
            data = path.read_bytes()
            async with db.unit_of_work(actor) as session:
                access = await projects.require_access(session, principal, project_id)
                interview = await interviews.create_from_file(
                    session,
                    principal,
                    access,
                    name=path.name,
                    data=data,
                    files=files,
                    settings=settings,
                )
            ids.append(str(interview.id))
            step(path, None)
        except AppError as exc:
            failed.append({"path": str(path), "code": exc.code, "message": exc.message})
            step(path, exc.message)
    return {"imported": ids, "failed": failed}
