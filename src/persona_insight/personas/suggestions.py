"""Persona suggestions for a project or the whole company: the interviews' stored finding and
line vectors (never embedded again) clustered by `discovery`, every trait and quote validated
by the one citation validator, and a suggestion adopted as a new type through the framework
service (so codes, rules, events and audit are the framework's own)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.citations import service as citations
from persona_insight.citations.schemas import Statement
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import embed_passages
from persona_insight.errors import InvalidInput
from persona_insight.personas import discovery
from persona_insight.personas import repository as repo
from persona_insight.personas.schemas import (
    AdoptIn,
    AxisIn,
    DiscoveryOut,
    FrameworkIn,
    FrameworkOut,
    NearestPersona,
    SuggestionOut,
    TypeIn,
)
from persona_insight.personas.service import Framework, load, save_framework
from persona_insight.projects.service import require_access

# Clustering is quadratic per merge and repeated for the stability resamples; beyond this many
# interviews the newest are clustered (the answer says so).
MAX_INTERVIEWS = 300


async def for_project(
    session: AsyncSession, actor: Authenticated, project_id: UUID
) -> DiscoveryOut:
    access = await require_access(session, actor, project_id)
    return await _discover(session, access.project.company_id, [project_id])


async def for_company(session: AsyncSession, actor: Authenticated) -> DiscoveryOut:
    require_admin(actor)
    projects = await repo.company_projects(session, actor.company_id)
    return await _discover(session, actor.company_id, [p.id for p in projects])


def _persona_texts(fw: Framework) -> list[tuple[str, str, str]]:
    """(code, title, text to embed) of the enabled personas, as "which persona fits" reads them."""
    out = []
    for p in fw.personas:
        if not p.enabled:
            continue
        parts = [p.title, p.description] + [
            f"{fw.type_by_id[t].name}: {fw.type_by_id[t].description}"
            for t in p.type_ids
            if t in fw.type_by_id
        ]
        out.append((p.code, p.title, ". ".join(parts).strip(" .")))
    return out


async def _discover(
    session: AsyncSession, company_id: UUID, project_ids: Sequence[UUID]
) -> DiscoveryOut:
    ids: list[UUID] = []
    for project_id in project_ids:
        ids.extend(await repo.analysed_ids(session, project_id))
    rows = await repo.analysed_newest(session, ids, MAX_INTERVIEWS)
    chosen = [interview.id for interview, _ in rows]
    findings: dict[UUID, dict[str, np.ndarray]] = {}
    for stored in await embeddings.load(session, kind="finding", interview_ids=chosen):
        if stored.interview_id is not None:
            findings.setdefault(stored.interview_id, {})[stored.ref] = stored.vector
    lines: dict[UUID, dict[int, np.ndarray]] = {}
    for stored in await embeddings.load(session, kind="line", interview_ids=chosen):
        if stored.interview_id is not None and stored.ref.isdigit():
            lines.setdefault(stored.interview_id, {})[int(stored.ref)] = stored.vector
    members = [
        discovery.member_of(
            interview.id,
            InterviewAnalysis.model_validate(result),
            findings.get(interview.id, {}),
            lines.get(interview.id, {}),
            interview.persona_code,
        )
        for interview, result in rows
    ]
    personas = _persona_texts(await load(session, company_id))
    result = await asyncio.to_thread(_compute, members, personas)
    return await _out(session, result, personas, sampled=len(ids) > len(chosen))


def _compute(
    members: list[discovery.Member], personas: list[tuple[str, str, str]]
) -> discovery.Result:
    """CPU only: the persona descriptions' vectors, then the clustering."""
    texts = [text for _, _, text in personas]
    vectors = embed_passages(texts) if texts else np.zeros((0, 1))
    refs = [
        discovery.PersonaVector(code, title, vector)
        for (code, title, _), vector in zip(personas, vectors, strict=True)
    ]
    return discovery.discover(members, refs)


async def _out(
    session: AsyncSession,
    result: discovery.Result,
    personas: list[tuple[str, str, str]],
    *,
    sampled: bool,
) -> DiscoveryOut:
    every = [
        c
        for s in result.suggestions
        for group in (s.traits, s.quotes, s.differs_by)
        for st in group
        for c in st.citations
    ]
    check = await citations.resolve(session, every)
    repairs: list[dict[str, Any]] = []

    def valid(statements: list[Statement], section: str) -> list[dict[str, Any]]:
        kept, fixed = citations.validate_statements(statements, check)
        repairs.extend({"section": section, **r} for r in fixed)
        return [s.model_dump(mode="json") for s in kept]

    titles = {code: title for code, title, _ in personas}
    suggestions = [
        SuggestionOut(
            name=s.name,
            interview_ids=s.interview_ids,
            traits=valid(s.traits, "traits"),
            quotes=valid(s.quotes, "quotes"),
            cohesion=s.cohesion,
            nearest=None
            if s.nearest_code is None or s.nearest_similarity is None
            else NearestPersona(
                code=s.nearest_code,
                title=titles.get(s.nearest_code, ""),
                similarity=s.nearest_similarity,
                share=s.nearest_share,
            ),
            differs_by=valid(s.differs_by, "differs_by"),
        )
        for s in result.suggestions
    ]
    return DiscoveryOut(
        status=result.status,
        interviews=result.interviews,
        unindexed=result.unindexed,
        min_interviews=discovery.MIN_INTERVIEWS,
        sampled=sampled,
        clusters=result.clusters,
        silhouette=result.silhouette,
        stability=result.stability,
        suggestions=suggestions,
        outliers=result.outliers,
        repairs=repairs,
    )


async def adopt(session: AsyncSession, actor: Authenticated, body: AdoptIn) -> FrameworkOut:
    """The suggestion becomes a type: on the given axis, on the only axis, or on a new one-axis
    framework; the framework service makes its persona combinations and codes."""
    require_admin(actor)
    fw = await load(session, actor.company_id)
    axes = [
        AxisIn(
            id=a.id,
            name=a.name,
            description=a.description,
            types=[
                TypeIn(id=t.id, name=t.name, description=t.description) for t in fw.types_of(a.id)
            ],
        )
        for a in fw.axes
    ]
    new = TypeIn(name=body.name, description=body.description)
    if body.axis_id is not None:
        target = next((a for a in axes if a.id == body.axis_id), None)
        if target is None:
            raise InvalidInput(
                "no such axis", code="unknown_axis", details={"rule": "unknown_axis"}
            )
        target.types.append(new)
    elif len(axes) == 1:
        axes[0].types.append(new)
    elif not axes:
        axes.append(AxisIn(name="Persona", types=[new]))
    else:
        raise InvalidInput(
            "the framework has several axes: say which one the new type belongs to",
            code="axis_required",
            details={"rule": "axis_required"},
        )
    # Adding a type removes nothing, so no interview loses its persona: no confirmation needed.
    return await save_framework(session, actor, FrameworkIn(axes=axes))
