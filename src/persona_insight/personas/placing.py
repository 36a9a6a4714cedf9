"""Placing analysed interviews on the framework and storing it: read in one short transaction,
embed and score with none open (and, with the company's `llm`/`miso` engine, have the engine
judge each interview's closest lines: `judged`), write in another. Manual placements and a
researcher's persona are never replaced; the interview's persona follows from the result
(`interview:updated` when it changes). Used by the job after each analysis and by the bulk
re-match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.companies import repository as company_repo
from persona_insight.companies import service as company_service
from persona_insight.config import Settings
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import embed_passages, embed_query
from persona_insight.models import InterviewPlacement
from persona_insight.personas import generated, judged, matching
from persona_insight.personas import repository as repo
from persona_insight.personas.matching import AxisRef, Placement, TypeRef
from persona_insight.personas.service import Framework, code_from, emit_interview_updated
from persona_insight.personas.service import load as load_framework


@dataclass(slots=True)
class Inputs:
    framework: Framework
    axes: list[AxisRef]
    # interview id → (line ids, line texts, stored vectors by line id)
    lines: dict[UUID, tuple[list[int], list[str]]]
    stored: dict[tuple[UUID, int], np.ndarray]
    # The company's engine when it is `llm`/`miso`: it judges what the embeddings found.
    writer: generated.Writer | None = None
    mask_personal_data: bool = False


@dataclass(slots=True)
class Computed:
    placements: dict[UUID, list[Placement]]
    # Per interview, the lines an engine is shown to judge (each type's closest).
    shown: dict[UUID, list[int]]


def axis_refs(fw: Framework) -> list[AxisRef]:
    return [
        AxisRef(
            a.id,
            tuple(
                TypeRef(t.id, matching.type_text(a.name, t.name, t.description))
                for t in fw.types_of(a.id)
            ),
        )
        for a in fw.axes
    ]


def axis_specs(fw: Framework) -> list[judged.AxisSpec]:
    return [
        judged.AxisSpec(
            a.id,
            a.name,
            tuple(judged.TypeSpec(t.id, t.name, t.description) for t in fw.types_of(a.id)),
        )
        for a in fw.axes
    ]


async def read(
    session: AsyncSession,
    company_id: UUID,
    interview_ids: Sequence[UUID],
    settings: Settings | None = None,
) -> Inputs:
    fw = await load_framework(session, company_id)
    lines: dict[UUID, tuple[list[int], list[str]]] = {}
    for interview, result in await repo.analysed(session, interview_ids):
        analysis = InterviewAnalysis.model_validate(result)
        pairs = matching.answer_lines(analysis)
        lines[interview.id] = ([i for i, _ in pairs], [t for _, t in pairs])
    stored: dict[tuple[UUID, int], np.ndarray] = {}
    if fw.axes and lines:
        # Line vectors the search index already wrote are reused; the rest are embedded here.
        for row in await embeddings.load(session, kind="line", interview_ids=list(lines)):
            if row.interview_id is not None and row.ref.isdigit():
                stored[(row.interview_id, int(row.ref))] = row.vector
    inputs = Inputs(fw, axis_refs(fw), lines, stored)
    company = await company_repo.company(session, company_id) if settings else None
    if settings is not None and company is not None and fw.axes:
        name, merged = company_service.engine_settings(company, settings)
        inputs.writer = generated.writer_for(name, merged)
        inputs.mask_personal_data = settings.mask_personal_data
    return inputs


def compute(inputs: Inputs) -> Computed:
    """CPU only (the e5 model): run it in a thread, with no transaction open."""
    if not inputs.axes:
        return Computed({}, {})
    type_vectors = {t.id: embed_query(t.text) for a in inputs.axes for t in a.types}
    missing = [
        (iid, lid, text)
        for iid, (ids, texts) in inputs.lines.items()
        for lid, text in zip(ids, texts, strict=True)
        if (iid, lid) not in inputs.stored
    ]
    vectors = dict(inputs.stored)
    if missing:
        embedded = embed_passages([t for _, _, t in missing])
        for (iid, lid, _), vector in zip(missing, embedded, strict=True):
            vectors[(iid, lid)] = vector
    out = Computed({}, {})
    for iid, (ids, _) in inputs.lines.items():
        matrix = np.stack([vectors[(iid, lid)] for lid in ids]) if ids else np.zeros((0, 1))
        out.placements[iid] = matching.place(ids, matrix, inputs.axes, type_vectors)
        if inputs.writer is not None:
            out.shown[iid] = judged.candidates(
                ids, matrix, [type_vectors[t.id] for a in inputs.axes for t in a.types]
            )
    return out


async def judge(inputs: Inputs, computed: Computed, usage: dict[str, Any]) -> None:
    """With an engine, its judgement replaces the embeddings' placement of each interview; where
    it could not answer, the embeddings' placement stands (logged by `judged`)."""
    if inputs.writer is None:
        return
    specs = axis_specs(inputs.framework)
    for iid, placements in computed.placements.items():
        ids, texts = inputs.lines[iid]
        verdict = await judged.judge(
            inputs.writer,
            iid,
            dict(zip(ids, texts, strict=True)),
            computed.shown.get(iid, []),
            specs,
            usage,
            mask_personal_data=inputs.mask_personal_data,
        )
        if verdict is not None:
            computed.placements[iid] = [verdict.get(p.axis_id, p) for p in placements]


async def store(
    session: AsyncSession, company_id: UUID, placements: dict[UUID, list[Placement]]
) -> set[tuple[UUID, str]]:
    """Write the placements (manual rows stay) and each interview's persona; the (project,
    persona code) pairs whose interviews changed, for their profiles to be synthesised again."""
    fw = await load_framework(session, company_id)
    if not fw.axes:
        return set()  # no framework: the analysis's own persona match stands
    axis_ids = {a.id for a in fw.axes}
    # The interviews are locked before their placements and choices are read: a researcher's
    # choice committed while this job computed is then seen (read earlier, the job inserted a
    # second row for the axis the researcher had just set, and failed on the primary key).
    analysed = await repo.analysed(session, list(placements), lock=True)
    choices = await repo.choices_of(session, list(placements))
    current: dict[UUID, dict[UUID, InterviewPlacement]] = {}
    for row in await repo.placements_of(session, list(placements)):
        current.setdefault(row.interview_id, {})[row.axis_id] = row
    touched: set[tuple[UUID, str]] = set()
    for interview, _ in analysed:
        rows = current.setdefault(interview.id, {})
        for placement in placements[interview.id]:
            if placement.axis_id not in axis_ids:
                continue  # the framework changed since the read: the next re-match places it
            found = rows.get(placement.axis_id)
            if found is not None and found.source == "manual":
                continue
            if found is None:
                found = InterviewPlacement(
                    interview_id=interview.id,
                    axis_id=placement.axis_id,
                    company_id=interview.company_id,
                    project_id=interview.project_id,
                )
                rows[placement.axis_id] = found
                session.add(found)
            row = found
            row.type_id = placement.type_id
            row.confidence = placement.confidence
            row.line_ids = placement.line_ids
            row.source = "analysis"
        code = code_from(fw, list(rows.values()), choices.get(interview.id))
        # Its persona's profile may rest on these placements' lines: re-synthesise either way.
        if interview.persona_code is not None:
            touched.add((interview.project_id, interview.persona_code))
        if code != interview.persona_code:
            interview.persona_code = code
            await emit_interview_updated(session, interview, None, ["persona_code"])
            if code is not None:
                touched.add((interview.project_id, code))
    await session.flush()
    return touched
