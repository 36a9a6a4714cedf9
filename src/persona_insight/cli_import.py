"""Bulk import behind `persona-insight import`: each file in its own transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select

from persona_insight import ingest
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
        return Authenticated(
            user_id=user.id,
            company_id=user.company_id,
            role=user.role,
            email=user.email,
            name=user.name,
            locale=user.locale,
            session_id=None,
            token_id=None,
            csrf_token=None,
            last_seen_at=None,
        )


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
            extracted = ingest.extract(
                path.name,
                data,
                max_bytes=settings.max_upload_bytes,
                max_chars=settings.max_text_chars,
            )
            sha = files.put(data)
            async with db.unit_of_work(actor) as session:
                access = await projects.require_access(session, principal, project_id)
                interview = await interviews.create(
                    session,
                    principal,
                    access,
                    title=path.stem,
                    text=extracted.text,
                    interview_date=extracted.modified,
                    file=interviews.StoredFile(
                        sha256=sha,
                        name=path.name,
                        media_type=extracted.media_type,
                        size=len(data),
                        encoding=extracted.encoding,
                    ),
                )
            ids.append(str(interview.id))
            step(path, None)
        except AppError as exc:
            failed.append({"path": str(path), "code": exc.code, "message": exc.message})
            step(path, exc.message)
    return {"imported": ids, "failed": failed}
