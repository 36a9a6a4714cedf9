"""The debounced recomputation job: one queued per project at a time (`queueing_lock`), run a
few seconds after the first change so a burst of uploads costs one recomputation."""

from __future__ import annotations

from uuid import UUID

import procrastinate

from persona_insight.db import Actor, Database
from persona_insight.insights import service
from persona_insight.jobs.queue import queue
from persona_insight.projects import repository as projects


async def run_recompute(
    db: Database, project_id: UUID, company_id: UUID, *, full: bool = False
) -> bool:
    async with db.unit_of_work(Actor(company_id=company_id, role="system")) as session:
        if await projects.any_state(session, project_id) is None:
            return False  # erased while the job waited: nothing left to recompute
        return await service.recompute(session, project_id, company_id, force=full)


@queue.task(name=service.RECOMPUTE_TASK, queue=service.INSIGHTS_QUEUE, pass_context=True)
async def recompute_insights(
    context: procrastinate.JobContext, project_id: str, company_id: str
) -> None:
    db: Database = context.additional_context["db"]
    await run_recompute(db, UUID(project_id), UUID(company_id))


@queue.task(name=service.FULL_TASK, queue=service.INSIGHTS_QUEUE, pass_context=True)
async def recompute_insights_full(
    context: procrastinate.JobContext, project_id: str, company_id: str
) -> None:
    """The settling full recomputation queued after incremental updates."""
    db: Database = context.additional_context["db"]
    await run_recompute(db, UUID(project_id), UUID(company_id), full=True)


@queue.task(name=service.SUMMARY_TASK, queue=service.INSIGHTS_QUEUE, pass_context=True)
async def summarise_insights(
    context: procrastinate.JobContext, project_id: str, company_id: str, language: str | None = None
) -> None:
    db: Database = context.additional_context["db"]
    company = UUID(company_id)
    async with db.unit_of_work(Actor(company_id=company, role="system")) as session:
        if await projects.any_state(session, UUID(project_id)) is not None:
            await service.summarise(session, UUID(project_id), company, language)
