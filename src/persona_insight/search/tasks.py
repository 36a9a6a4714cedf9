"""The index job: deferred in the transaction that stores an analysis, run right after it.

It shares the analysis queue (the worker already listens there) and a queueing lock per
interview, so a burst of re-analyses leaves one index job waiting, which reads the analysis as
it is when it runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from uuid import UUID

import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.db import Actor, Database, raw_connection
from persona_insight.interviews.service import ANALYSE_QUEUE
from persona_insight.jobs.queue import queue
from persona_insight.search import indexing
from persona_insight.search import repository as repo

log = logging.getLogger(__name__)

INDEX_TASK = "index_interview"


async def defer_index(session: AsyncSession, interview_id: UUID, company_id: UUID) -> None:
    """Queue the interview's indexing inside the caller's transaction."""
    raw = await raw_connection(session)
    lock = f"index:{interview_id}"
    try:
        # A savepoint: an index job already waiting for this interview must not abort the
        # caller's transaction; that job indexes the analysis as it is when it runs.
        async with raw.transaction():
            await queue.configure_task(INDEX_TASK, connection=raw, queueing_lock=lock).defer_async(
                interview_id=str(interview_id), company_id=str(company_id)
            )
    except procrastinate.exceptions.AlreadyEnqueued:
        pass


async def run_index(db: Database, interview_id: UUID, company_id: UUID) -> int:
    actor = Actor(company_id=company_id, role="system")
    started = time.perf_counter()
    count = await indexing.index_interview(lambda: db.unit_of_work(actor), interview_id)
    log.info("indexed %s: %d lines in %.2f s", interview_id, count, time.perf_counter() - started)
    return count


@queue.task(name=INDEX_TASK, queue=ANALYSE_QUEUE, pass_context=True)
async def index_interview(
    context: procrastinate.JobContext, interview_id: str, company_id: str
) -> None:
    db: Database = context.additional_context["db"]
    await run_index(db, UUID(interview_id), UUID(company_id))


async def reindex(
    db: Database, project_ids: list[UUID] | None, step: Callable[[int, int], None]
) -> dict[str, int]:
    """Rebuild the index of every live analysed interview (of the given projects), one
    transaction per interview; `step(done, total)` after each."""
    async with db.unit_of_work(Actor.system()) as session:
        todo = await repo.indexed_interviews(session, project_ids)
    lines = 0
    for done, (interview_id, company_id) in enumerate(todo, start=1):
        lines += await run_index(db, interview_id, company_id)
        step(done, len(todo))
    return {"interviews": len(todo), "lines": lines}
