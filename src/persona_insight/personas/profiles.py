"""Persona profiles per project: synthesised from the persona's interviews (offline: assembled
from their findings, placements and quotes), every statement's citations validated by the one
validator and an uncited statement dropped; kept as numbered versions with the fingerprint of
their inputs, so a page can say the profile is stale."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.citations import service as citations
from persona_insight.citations.schemas import Statement
from persona_insight.companies import repository as company_repo
from persona_insight.companies import service as company_service
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.embeddings.vectors import embed_passages
from persona_insight.errors import NotFound
from persona_insight.models import PersonaProfile
from persona_insight.personas import generated, synthesis
from persona_insight.personas import repository as repo
from persona_insight.personas.service import Framework
from persona_insight.personas.service import load as load_framework
from persona_insight.personas.synthesis import Profile, Source
from persona_insight.realtime import events


async def _sources(
    session: AsyncSession, fw: Framework, project_id: UUID, code: str
) -> tuple[list[Source], str, str]:
    rows = await repo.persona_interviews(session, project_id, code)
    placements = await repo.placements_of(session, [r[0].id for r in rows])
    by_interview: dict[UUID, list[tuple[str, tuple[int, ...]]]] = {}
    for p in placements:
        if p.type_id is not None and p.type_id in fw.type_by_id and p.line_ids:
            by_interview.setdefault(p.interview_id, []).append(
                (fw.type_by_id[p.type_id].name, tuple(p.line_ids))
            )
    sources = [
        Source(
            interview.id,
            interview.title,
            InterviewAnalysis.model_validate(result),
            tuple(by_interview.get(interview.id, ())),
        )
        for interview, result, _ in rows
    ]
    languages = Counter(s.analysis.language for s in sources)
    language = "ko" if languages.get("ko", 0) >= max(1, len(sources)) / 2 else "en"
    return sources, language, synthesis.fingerprint([(r[0].id, r[2].isoformat()) for r in rows])


async def validated(session: AsyncSession, profile: Profile) -> tuple[dict[str, Any], list[Any]]:
    """The profile's sections with only citations that resolve; statements left with none go."""
    every: list[Statement] = [s for section in profile.sections.values() for s in section]
    check = await citations.resolve(session, [c for s in every for c in s.citations])
    sections: dict[str, Any] = {}
    repairs: list[Any] = []
    for name, statements in profile.sections.items():
        kept, fixed = citations.validate_statements(statements, check)
        sections[name] = [s.model_dump(mode="json") for s in kept]
        repairs.extend({"section": name, **r} for r in fixed)
    return sections, repairs


async def synthesise(
    db: Database,
    company_id: UUID,
    project_id: UUID,
    persona_id: UUID,
    settings: Settings | None = None,
) -> int:
    """A new version when the inputs changed since the last one; its number (0: none made).
    With the company's `llm`/`miso` engine the profile is written from the offline one's cited
    lines and critiqued (`generated`); offline it is the assembled one."""
    actor = Actor(company_id=company_id, role="system")
    writer: generated.Writer | None = None
    async with db.unit_of_work(actor) as session:
        fw = await load_framework(session, company_id)
        persona = next((p for p in fw.personas if p.id == persona_id), None)
        if persona is None:
            return 0
        sources, language, print_ = await _sources(session, fw, project_id, persona.code)
        latest = await repo.profiles(session, persona_id, project_id)
        if latest and latest[0].fingerprint == print_:
            return 0
        traits = fw.traits(persona)
        company = await company_repo.company(session, company_id)
        if settings is not None and company is not None:
            name, merged = company_service.engine_settings(company, settings)
            writer = generated.writer_for(name, merged)
    profile = await asyncio.to_thread(
        synthesis.synthesise, sources, traits, language, lambda t: embed_passages(t)
    )
    engine, usage, removed = "offline", {}, []
    if writer is not None and sources:
        lines = {s.interview_id: synthesis.script_lines(s.analysis) for s in sources}
        outcome = await generated.generate(
            writer,
            profile,
            lines,
            traits,
            language,
            mask_personal_data=bool(settings and settings.mask_personal_data),
        )
        profile, usage, removed = outcome.profile, outcome.usage, outcome.removed
        engine = writer.name if outcome.usage else "offline"
    async with db.unit_of_work(actor) as session:
        await repo.lock_profiles(session, persona_id, project_id)
        sections, repairs = await validated(session, profile)
        repairs = removed + repairs
        versions = await repo.profiles(session, persona_id, project_id)
        version = (versions[0].version if versions else 0) + 1
        session.add(
            PersonaProfile(
                persona_id=persona_id,
                company_id=company_id,
                project_id=project_id,
                version=version,
                profile={
                    "language": language,
                    "sections": sections,
                    "repairs": repairs,
                    "counts": profile.counts,
                },
                interview_ids=profile.interview_ids,
                fingerprint=print_,
                engine=engine,
                usage=usage,
            )
        )
        await session.flush()
        await events.append(
            session,
            project_id=project_id,
            company_id=company_id,
            type=events.PERSONA_PROFILE_UPDATED,
            data={"persona_id": str(persona_id), "code": persona.code, "version": version},
            actor_id=None,
        )
        return version


async def current(
    session: AsyncSession, company_id: UUID, project_id: UUID, persona_id: UUID
) -> tuple[list[PersonaProfile], bool]:
    """Versions (newest first) and whether the newest is stale (its interviews changed)."""
    fw = await load_framework(session, company_id)
    persona = next((p for p in fw.personas if p.id == persona_id), None)
    if persona is None:
        raise NotFound("no such persona", code="persona_not_found")
    versions = await repo.profiles(session, persona_id, project_id)
    _, _, print_ = await _sources(session, fw, project_id, persona.code)
    return versions, bool(versions) and versions[0].fingerprint != print_
