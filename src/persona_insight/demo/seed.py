"""Seed the demo company, users and project; safe to run again (it adds only what is missing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight import ingest
from persona_insight.accounts import repository as accounts_repo
from persona_insight.accounts import service as accounts
from persona_insight.accounts.repository import Authenticated
from persona_insight.companies import repository as company_repo
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.demo.framework import GLOSSARY, PERSONAS
from persona_insight.files.store import FileStore
from persona_insight.interviews import service as interviews
from persona_insight.models import GlossaryTerm, Interview, Persona, Project, ProjectMember
from persona_insight.projects import service as projects
from persona_insight.projects.schemas import ProjectCreate

SAMPLES = Path(__file__).parent / "samples"
COMPANY = "Demo Company"
DOMAIN = "example.com"
OWNER_EMAIL = "demo@example.com"
MEMBER_EMAIL = "researcher@example.com"
PASSWORD = "persona-demo"  # noqa: S105 - the published demo login
PROJECT = "고객 인터뷰 데모 · Customer interviews demo"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    password: str
    project_id: str
    added: int


def sample_files() -> list[Path]:
    return sorted(
        p
        for p in SAMPLES.iterdir()
        if p.is_file()
        and p.suffix.lower() in ingest.SUPPORTED_EXTENSIONS
        and p.name.lower() != "readme.md"
    )


async def _framework(session: AsyncSession, company_id: UUID) -> None:
    """The personas and glossary the samples fit, added while the company has neither: what an
    admin later changes or removes stays so."""
    if await company_repo.personas(session, company_id) or await company_repo.glossary(
        session, company_id
    ):
        return
    for code, title, description in PERSONAS:
        session.add(Persona(company_id=company_id, code=code, title=title, description=description))
    for term, definition in GLOSSARY:
        session.add(GlossaryTerm(company_id=company_id, term=term, definition=definition))
    await session.flush()


async def seed(db: Database, settings: Settings) -> DemoLogin:
    files = FileStore(settings.files_dir)
    async with db.unit_of_work(Actor.system()) as session:
        company = await accounts.ensure_company(session, COMPANY, domains=[DOMAIN])
        company.description = "A demo company researching how people charge, shop, travel and bank."
        users = []
        for email, name, role in (
            (OWNER_EMAIL, "데모 관리자 Demo Admin", "company_admin"),
            (MEMBER_EMAIL, "김연구 Researcher", "company_user"),
        ):
            user = await accounts_repo.user_by_email(session, email)
            if user is None:
                user = await accounts.create_user(
                    session, email=email, password=PASSWORD, name=name, company=company, role=role
                )
            users.append(user)
        owner, member = users
        await _framework(session, company.id)
        principal = Authenticated.acting_as(owner)
        project = (
            await session.execute(
                select(Project).where(Project.company_id == company.id, Project.name == PROJECT)
            )
        ).scalar_one_or_none()
        if project is None:
            project = await projects.create(
                session,
                principal,
                ProjectCreate(
                    name=PROJECT,
                    description="여러 서비스의 고객 인터뷰 모음 · Interviews across services.",
                    purpose="고객의 불편과 니즈를 찾는다 · Find customers' pain points and needs.",
                    target_audience="20–50대 모바일 서비스 이용자 · Mobile service users, 20–50",
                    research_method="1:1 심층 인터뷰 · One-to-one in-depth interviews",
                    start_date=dt.date(2026, 1, 5),
                    visibility="public",
                    join_method="open",
                ),
            )
        has_member = await session.get(ProjectMember, (project.id, member.id))
        if has_member is None:
            session.add(
                ProjectMember(
                    project_id=project.id, user_id=member.id, company_id=company.id, role="member"
                )
            )
            await session.flush()
        existing = set(
            (
                await session.execute(
                    # By file: the analysis gives the interviews readable titles.
                    select(Interview.file_name).where(Interview.project_id == project.id)
                )
            ).scalars()
        )
        access = await projects.require_access(session, principal, project.id)
        added = 0
        for path in sample_files():
            if path.name in existing:
                continue
            await interviews.create_from_file(
                session,
                principal,
                access,
                name=path.name,
                data=path.read_bytes(),
                files=files,
                settings=settings,
            )
            added += 1
        return DemoLogin(
            email=OWNER_EMAIL, password=PASSWORD, project_id=str(project.id), added=added
        )
