"""Running the job queue: procrastinate's worker plus a reconciler that leaves nothing stuck.

The reconciler retries jobs whose worker stopped sending heartbeats (killed, lost its machine) and
re-queues interviews that wait for analysis with no job queued or running for them (a job aborted
at shutdown, a queue row lost in a restore). Every worker process runs it; the work is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

import procrastinate

from persona_insight.accounts import throttle
from persona_insight.analysis import isolation
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.files.store import FileStore
from persona_insight.interviews import repository as interview_repo
from persona_insight.interviews import retention, tasks
from persona_insight.interviews import service as interview_service
from persona_insight.realtime import events

log = logging.getLogger(__name__)
QUEUES = [interview_service.ANALYSE_QUEUE]
PRUNE_EVERY_S = 3600.0


async def reconcile_once(jobs: procrastinate.App, db: Database, settings: Settings) -> int:
    """Retry stalled jobs and re-queue stuck interviews; return how many were touched."""
    touched = 0
    stalled = await jobs.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.worker_stalled_after_s
    )
    for job in stalled:
        try:
            await jobs.job_manager.retry_job(job)
            touched += 1
            log.warning("retried stalled job %s (%s)", job.id, job.task_name)
        except Exception:  # another worker's reconciler got there first
            log.debug("stalled job %s was already handled", job.id, exc_info=True)
    async with db.unit_of_work(Actor.system()) as session:
        stuck = await interview_repo.stuck(session, older_than_s=settings.worker_stalled_after_s)
    for interview_id, company_id in stuck:
        if await _requeue(db, interview_id, company_id):
            touched += 1
    return touched


async def _requeue(db: Database, interview_id: UUID, company_id: UUID) -> bool:
    async with db.unit_of_work(Actor(company_id=company_id, role="system")) as session:
        interview = await interview_repo.get(session, interview_id, lock=True)
        if interview is None or interview.status not in ("transcribing", "processing", "analyzing"):
            return False
        task = (
            interview_service.TRANSCRIBE_TASK
            if interview.status == "transcribing"
            else interview_service.ANALYSE_TASK
        )
        await interview_service.defer_analysis(session, interview, task)
        log.warning("re-queued stuck interview %s (%s)", interview_id, interview.status)
        return True


async def prune_events(db: Database, settings: Settings) -> int:
    """Drop events past the retention window; clients older than that get `sync:reset`."""
    async with db.unit_of_work(Actor.system()) as session:
        return await events.prune(session, older_than_days=settings.event_retention_days)


async def prune_sign_in_records(db: Database) -> None:
    """Drop failed sign-ins past their throttling window and sign-in pairs no longer known:
    nothing reads them after that, and the tables would grow with every guessed password."""
    async with db.unit_of_work(Actor.system()) as session:
        await throttle.prune(session)


async def _reconcile_forever(jobs: procrastinate.App, db: Database, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    next_prune = next_purge = loop.time()
    files = FileStore(settings.files_dir)
    while True:
        try:
            await reconcile_once(jobs, db, settings)
            if loop.time() >= next_prune:
                await prune_events(db, settings)
                await prune_sign_in_records(db)
                next_prune = loop.time() + PRUNE_EVERY_S
            if loop.time() >= next_purge:
                # Every worker process runs it; the purge of one interview is idempotent.
                await retention.purge_expired(db, files, settings)
                next_purge = loop.time() + settings.trash_purge_every_s
        except Exception:
            log.exception("reconciler pass failed")
        await asyncio.sleep(settings.reconcile_interval_s)


async def run_worker(
    jobs: procrastinate.App, db: Database, settings: Settings, *, concurrency: int
) -> None:
    """Run until cancelled; on cancellation running jobs get a grace period, then stop."""
    tasks.analyse_interview.retry_strategy = tasks.AnalysisRetry(settings.analysis_retry_base_s)
    isolation.runner(settings.worker_concurrency)  # one analysis process per concurrent job
    reconciler = asyncio.create_task(_reconcile_forever(jobs, db, settings), name="reconciler")
    try:
        await jobs.run_worker_async(
            queues=QUEUES,
            concurrency=concurrency,
            install_signal_handlers=False,
            additional_context={"db": db, "settings": settings},
            update_heartbeat_interval=settings.worker_heartbeat_s,
            stalled_worker_timeout=settings.worker_stalled_after_s,
            shutdown_graceful_timeout=10.0,
            delete_jobs="successful",
        )
    finally:
        reconciler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reconciler
