"""Persona jobs on the analysis queue: place one interview after its analysis, and re-match a
whole project after the framework changes (batches, each its own transaction, with progress
events). A queueing lock per interview / project leaves at most one waiting job of each."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.config import Settings
from persona_insight.db import Actor, Database, raw_connection
from persona_insight.interviews.service import ANALYSE_QUEUE
from persona_insight.jobs.queue import queue
from persona_insight.personas import placing, profiles
from persona_insight.personas import repository as repo
from persona_insight.realtime import events

log = logging.getLogger(__name__)

PLACE_TASK = "place_interview"
REMATCH_TASK = "rematch_project"
SYNTH_TASK = "synthesise_persona"
SYNTH_DEBOUNCE_S = 10
BATCH = 100


async def _defer(session: AsyncSession, task: str, lock: str, **kwargs: str) -> bool:
    raw = await raw_connection(session)
    try:
        # A savepoint: a job already waiting must not abort the caller's transaction; the
        # waiting one reads the data as it is when it runs.
        async with raw.transaction():
            await queue.configure_task(task, connection=raw, queueing_lock=lock).defer_async(
                **kwargs
            )
    except procrastinate.exceptions.AlreadyEnqueued:
        return False
    return True


async def defer_place(session: AsyncSession, interview_id: UUID, company_id: UUID) -> None:
    await _defer(
        session,
        PLACE_TASK,
        f"place:{interview_id}",
        interview_id=str(interview_id),
        company_id=str(company_id),
    )


async def defer_rematch(session: AsyncSession, project_id: UUID, company_id: UUID) -> bool:
    return await _defer(
        session,
        REMATCH_TASK,
        f"rematch:{project_id}",
        project_id=str(project_id),
        company_id=str(company_id),
    )


async def defer_synthesis(
    session: AsyncSession, project_id: UUID, company_id: UUID, persona_id: UUID
) -> bool:
    """Debounced: a burst of changes to the persona's interviews leaves one job, run once the
    burst has settled, which reads them as they are then."""
    raw = await raw_connection(session)
    lock = f"synth:{project_id}:{persona_id}"
    try:
        async with raw.transaction():
            await queue.configure_task(
                SYNTH_TASK,
                connection=raw,
                queueing_lock=lock,
                lock=lock,
                schedule_in={"seconds": SYNTH_DEBOUNCE_S},
            ).defer_async(
                project_id=str(project_id), company_id=str(company_id), persona_id=str(persona_id)
            )
    except procrastinate.exceptions.AlreadyEnqueued:
        return False
    return True


async def defer_synthesis_of(
    session: AsyncSession, company_id: UUID, touched: set[tuple[UUID, str]]
) -> None:
    if not touched:
        return
    ids = {p.code: p.id for p in await repo.personas(session, company_id)}
    for project_id, code in sorted(touched, key=str):
        if code in ids:
            await defer_synthesis(session, project_id, company_id, ids[code])


async def place(
    db: Database,
    company_id: UUID,
    interview_ids: Sequence[UUID],
    settings: Settings | None = None,
) -> int:
    """Place these interviews; how many personas' profiles were queued for synthesis. With
    `settings`, a company whose engine is `llm`/`miso` has it judge the placements."""
    actor = Actor(company_id=company_id, role="system")
    async with db.unit_of_work(actor) as session:
        inputs = await placing.read(session, company_id, interview_ids, settings)
    computed = await asyncio.to_thread(placing.compute, inputs)
    usage: dict[str, Any] = {}
    await placing.judge(inputs, computed, usage)
    if usage:
        log.info(
            "placement of %d interviews judged by %s: %s",
            len(interview_ids),
            inputs.writer.name if inputs.writer else "-",
            usage,
        )
    async with db.unit_of_work(actor) as session:
        touched = await placing.store(session, company_id, computed.placements)
        await defer_synthesis_of(session, company_id, touched)
    return len(touched)


async def rematch(
    db: Database, project_id: UUID, company_id: UUID, settings: Settings | None = None
) -> int:
    """Every analysed interview of the project, in batches; `persona:rematch_progress` after
    each so the page shows how far it is."""
    actor = Actor(company_id=company_id, role="system")
    started = time.perf_counter()
    async with db.unit_of_work(actor) as session:
        ids = await repo.analysed_ids(session, project_id)
    changed = 0
    for start in range(0, max(len(ids), 1), BATCH):
        batch = ids[start : start + BATCH]
        changed += await place(db, company_id, batch, settings) if batch else 0
        async with db.unit_of_work(actor) as session:
            await events.append(
                session,
                project_id=project_id,
                company_id=company_id,
                type=events.PERSONA_REMATCH_PROGRESS,
                data={"done": start + len(batch), "total": len(ids)},
                actor_id=None,
            )
    log.info(
        "re-matched %d interviews of %s in %.1f s (%d profiles to synthesise)",
        len(ids),
        project_id,
        time.perf_counter() - started,
        changed,
    )
    return changed


@queue.task(name=PLACE_TASK, queue=ANALYSE_QUEUE, pass_context=True)
async def place_interview(
    context: procrastinate.JobContext, interview_id: str, company_id: str
) -> None:
    db: Database = context.additional_context["db"]
    settings = context.additional_context.get("settings")
    await place(db, UUID(company_id), [UUID(interview_id)], settings)


@queue.task(name=REMATCH_TASK, queue=ANALYSE_QUEUE, pass_context=True)
async def rematch_project(
    context: procrastinate.JobContext, project_id: str, company_id: str
) -> None:
    db: Database = context.additional_context["db"]
    settings = context.additional_context.get("settings")
    await rematch(db, UUID(project_id), UUID(company_id), settings)


@queue.task(name=SYNTH_TASK, queue=ANALYSE_QUEUE, pass_context=True)
async def synthesise_persona(
    context: procrastinate.JobContext, project_id: str, company_id: str, persona_id: str
) -> None:
    db: Database = context.additional_context["db"]
    settings = context.additional_context.get("settings")
    version = await profiles.synthesise(
        db, UUID(company_id), UUID(project_id), UUID(persona_id), settings
    )
    log.info("persona %s of %s: profile version %d", persona_id, project_id, version)
