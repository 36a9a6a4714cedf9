"""The analysis job: processing → analyzing → completed | failed, durable across crashes.

Each step is its own short transaction, so the engine (up to minutes) runs with no transaction
open. A worker that dies mid-analysis leaves its job `doing`; the reconciler (jobs.worker) retries
it once the worker's heartbeat is stale, and `begin_analysis` accepts the re-run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import procrastinate
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from pydantic import SecretStr

from persona_insight.analysis.engine import (
    AnalysisContext,
    AnalysisEngine,
    EngineError,
    GlossaryTerm,
    PersonaRef,
)
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import Role, fixed_roles, parse
from persona_insight.companies import repository as company_repo
from persona_insight.companies import service as company_service
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.embeddings import service as embeddings
from persona_insight.interviews import repository as repo
from persona_insight.interviews import service
from persona_insight.jobs.queue import queue
from persona_insight.models import Company, Project
from persona_insight.personas import tasks as persona_tasks
from persona_insight.search import tasks as search_tasks

log = logging.getLogger(__name__)


class TransientAnalysisError(Exception):
    """Raised out of the task to ask the queue for another attempt later."""

    def __init__(self, error: EngineError) -> None:
        super().__init__(error.message)
        self.error = error


class AnalysisRetry(BaseRetryStrategy):
    """Exponential back-off, honouring the engine's `Retry-After` when it gave one."""

    def __init__(self, base_s: float = 2.0, max_s: float = 300.0) -> None:
        self.base_s = base_s
        self.max_s = max_s

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if not isinstance(exception, TransientAnalysisError):
            return None
        wait = min(self.max_s, self.base_s * (2**job.attempts))
        if exception.error.retry_after is not None:
            wait = min(self.max_s, max(wait, exception.error.retry_after))
        return RetryDecision(retry_in={"seconds": wait})


_engines: dict[tuple[str, int], AnalysisEngine] = {}


def engine_for(name: str, settings: Settings) -> AnalysisEngine:
    """One engine per distinct configuration, kept for the process (clients and models)."""
    values = {
        k: v.get_secret_value() if isinstance(v, SecretStr) else v
        for k, v in settings.model_dump(mode="python").items()
    }
    key = (name, hash(repr(sorted(values.items()))))
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = build_engine(name, settings)
    return engine


@dataclass(frozen=True, slots=True)
class Prepared:
    context: AnalysisContext
    text: str
    engine: str
    settings: Settings
    # Speaker → role as a researcher fixed them (None: decided from the transcript).
    speaker_roles: dict[str, Role] | None = None


async def load_context(
    db: Database, settings: Settings, actor: Actor, interview_id: UUID
) -> Prepared:
    """What the engine is given for this interview, and which engine (with which settings)."""
    async with db.unit_of_work(actor) as session:
        interview = await repo.get(session, interview_id)
        assert interview is not None
        project = await session.get(Project, interview.project_id)
        company = await session.get(Company, interview.company_id)
        assert project is not None
        assert company is not None
        sections, takeaways = await repo.company_vocabulary(session, company.id)
        df, docs = await repo.term_frequencies(session, company.id, exclude=interview.id)
        glossary = await company_repo.glossary(session, company.id)
        personas = await company_repo.personas(session, company.id)
        context = AnalysisContext(
            company_name=company.name,
            company_description=company.description,
            project_name=project.name,
            project_purpose=project.purpose,
            target_audience=project.target_audience,
            title=interview.title,
            interview_date=interview.interview_date,
            glossary=tuple(GlossaryTerm(t.term, t.definition) for t in glossary),
            section_names=tuple(sections),
            key_takeaways=tuple(takeaways),
            personas=tuple(PersonaRef(p.code, p.title, p.description) for p in personas),
            term_document_frequency=df,
            document_count=docs,
        )
        engine, engine_settings = company_service.engine_settings(company, settings)
        return Prepared(
            context, interview.text, engine, engine_settings, fixed_roles(interview.speaker_roles)
        )


def _failure(error: EngineError, engine: str) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message[:1000],
        "retryable": error.retryable,
        "engine": engine,
    }


async def run_analysis(
    db: Database, settings: Settings, interview_id: UUID, company_id: UUID, *, attempt: int
) -> None:
    actor = Actor(company_id=company_id, role="system")
    async with db.unit_of_work(actor) as session:
        interview = await service.begin_analysis(session, interview_id)
    if interview is None:
        return
    prepared = await load_context(db, settings, actor, interview_id)
    engine_name = prepared.engine
    log.info(
        "analysing %s (%s engine, attempt %d): %r",
        interview_id,
        engine_name,
        attempt + 1,
        prepared.context.title,
    )
    started = time.perf_counter()
    try:
        engine = engine_for(engine_name, prepared.settings)
        async with asyncio.timeout(settings.analysis_time_limit_s):
            transcript = parse(prepared.text, prepared.speaker_roles)
            transcript.require_speech()
            result = await engine.analyse(transcript, prepared.context)
        result.analysis = transcript.annotate(result.analysis)
    except TimeoutError:
        error = EngineError(
            "analysis_timeout",
            f"the analysis took longer than {settings.analysis_time_limit_s:g} s",
            retryable=True,
        )
    except EngineError as exc:
        error = exc
    except Exception as exc:
        log.exception("analysis of %s crashed", interview_id)
        error = EngineError(
            "analysis_crashed", f"the engine failed: {type(exc).__name__}", retryable=False
        )
    else:
        duration_ms = int((time.perf_counter() - started) * 1000)
        # Embedded before the storing transaction opens, so no row lock waits on the model.
        vectors = await asyncio.to_thread(embeddings.finding_rows, result.analysis)
        async with db.unit_of_work(actor) as session:
            await service.complete(session, interview_id, result, duration_ms, vectors)
            # Lines are indexed by a job of their own (Kiwi and e5 over every line take longer
            # than the analysis budget); deferred here, it exists if and only if the result does.
            await search_tasks.defer_index(session, interview_id, company_id)
            # Placed on the persona framework by its own job (it embeds the answers).
            await persona_tasks.defer_place(session, interview_id, company_id)
        log.info(
            "analysed %s in %.1f s: %d pain points, %d needs",
            interview_id,
            duration_ms / 1000,
            len(result.analysis.primary_pain_points),
            len(result.analysis.primary_needs),
        )
        return
    if error.retryable and attempt + 1 < settings.analysis_max_attempts:
        log.warning("analysis of %s: %s; retrying", interview_id, error.code)
        raise TransientAnalysisError(error)
    log.info("analysis of %s failed: %s (%s)", interview_id, error.code, error.message[:200])
    async with db.unit_of_work(actor) as session:
        await service.fail(session, interview_id, _failure(error, engine_name))


@queue.task(
    name=service.ANALYSE_TASK, queue=service.ANALYSE_QUEUE, pass_context=True, retry=AnalysisRetry()
)
async def analyse_interview(
    context: procrastinate.JobContext, interview_id: str, company_id: str
) -> None:
    extra = context.additional_context
    db: Database = extra["db"]
    settings: Settings = extra["settings"]
    assert context.job is not None
    await run_analysis(
        db, settings, UUID(interview_id), UUID(company_id), attempt=context.job.attempts
    )
