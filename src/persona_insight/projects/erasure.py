"""A project's data, handed over and then erased (the right to erasure; company admins).

The export is one zip: `project.json` (the project and its members), and per interview (trashed
ones too) `interview.json`, `analysis.json`, `notes.json` and its original file. The erasure
deletes every interview of the project (their analyses, terms and notes go with them), then the
project, whose events, counters, members, invitations and presence go with it; the audit log
keeps one `project_erased` entry naming the project's id and counts, never its content. Files
go after the commit through `files.service.delete_if_unused`, so bytes another interview (of any
company) uses stay. Never commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import zipfile
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.audit import service as audit
from persona_insight.db import Database
from persona_insight.errors import Forbidden, InvalidInput, NotFound
from persona_insight.files import service as stored_files
from persona_insight.files.names import clean_filename
from persona_insight.files.store import FileStore
from persona_insight.interviews import service as interviews
from persona_insight.models import Project
from persona_insight.projects import repository as repo
from persona_insight.projects.service import require_access
from persona_insight.realtime import events


async def _admin_project(session: AsyncSession, user: Authenticated, project_id: UUID) -> Project:
    """The project, deleted (soft) or not: erasure is owed for a deleted project too."""
    if user.role not in ("company_admin", "super_admin"):
        # A member learns the project exists only if they could see it anyway.
        await require_access(session, user, project_id)
        raise Forbidden("only company admins export or erase a project's data", code="forbidden")
    project = await repo.any_state(session, project_id)
    if project is None or (project.company_id != user.company_id and user.role != "super_admin"):
        raise NotFound("no such project", code="project_not_found")
    return project


async def projects(session: AsyncSession, user: Authenticated) -> list[Project]:
    """The projects whose data the company admin may export and erase."""
    if user.role not in ("company_admin", "super_admin"):
        raise Forbidden("only company admins export or erase a project's data", code="forbidden")
    return await repo.of_company(session, user.company_id)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode()


async def export(
    session: AsyncSession, user: Authenticated, project_id: UUID, files: FileStore
) -> tuple[str, bytes]:
    """(file name, zip bytes) of everything the project holds."""
    project = await _admin_project(session, user, project_id)
    members = [
        {"user_id": who.id, "name": who.name, "email": who.email, "role": member.role}
        for member, who in await repo.members(session, project.id)
    ]
    rows = await repo.all_interviews(session, project.id)
    analyses = await repo.analyses_of(session, project.id)
    notes = await repo.notes_of(session, project.id)
    entries: list[tuple[str, bytes]] = [
        (
            "project.json",
            _json(
                {
                    "id": project.id,
                    "name": project.name,
                    "description": project.description,
                    "purpose": project.purpose,
                    "target_audience": project.target_audience,
                    "research_method": project.research_method,
                    "start_date": project.start_date,
                    "end_date": project.end_date,
                    "created_at": project.created_at,
                    "members": members,
                }
            ),
        )
    ]
    originals: list[tuple[str, str]] = []
    for interview in rows:
        base = f"interviews/{interview.id}"
        entries.append(
            (
                f"{base}/interview.json",
                _json(interviews.to_out(interview).model_dump(mode="json")),
            )
        )
        entries.append((f"{base}/analysis.json", _json(analyses.get(interview.id))))
        entries.append((f"{base}/notes.json", _json(notes.get(interview.id, []))))
        if interview.file_sha256:
            name = clean_filename(interview.file_name or "original", default="original")
            originals.append((f"{base}/original/{name}", interview.file_sha256))
    data = await asyncio.to_thread(_zip, entries, originals, files)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    return f"project-{project.id}-{stamp}.zip", data


def _zip(
    entries: list[tuple[str, bytes]], originals: list[tuple[str, str]], files: FileStore
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        for name, sha in originals:
            if files.exists(sha):
                archive.writestr(name, files.get(sha))
    return buffer.getvalue()


async def erase(
    session: AsyncSession, user: Authenticated, project_id: UUID, confirm_name: str
) -> list[str]:
    """Delete the project and everything in it; returns the stored files to delete after the
    commit if nothing else uses them."""
    project = await _admin_project(session, user, project_id)
    if confirm_name != project.name:
        raise InvalidInput(
            "type the project's name to confirm the erasure", code="confirmation_mismatch"
        )
    # Open streams end now: their project is going.
    await events.revoke_streams(session, project_id=project.id)
    shas = await repo.erase(session, project.id)
    await audit.record(
        session,
        "project_erased",
        company_id=project.company_id,
        actor_id=user.user_id,
        target_type="project",
        target_id=project.id,
        interviews=len(shas),
    )
    return sorted({s for s in shas if s})


async def delete_files_if_unused(db: Database, files: FileStore, shas: list[str]) -> None:
    """After the erasure committed: each file goes unless something else uses it by then."""
    for sha in shas:
        await stored_files.delete_if_unused(db, files, sha)
