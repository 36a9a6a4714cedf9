"""The transcription job: `transcribing → processing` (then the analysis job) or `failed`.

Decoding and transcribing run in a sandbox child with CPU-time and memory bounds scaled to the
recording's length; no transaction is open meanwhile. The child's progress is relayed as
stream-only `interview:transcription_progress` messages, at most one a second. A worker killed
mid-job leaves the job `doing`: the reconciler retries it (stale heartbeat) or re-queues the
interview (`pi_stuck_interviews` covers `transcribing`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import procrastinate
from sqlalchemy import text

from persona_insight.analysis.engine import EngineError
from persona_insight.companies import speech
from persona_insight.config import Settings
from persona_insight.db import Actor, Database
from persona_insight.errors import AppError
from persona_insight.files.store import FileStore
from persona_insight.ingest.sandbox import Limits, Sandbox
from persona_insight.interviews import service as interviews
from persona_insight.interviews.tasks import AnalysisRetry, TransientAnalysisError
from persona_insight.jobs.queue import queue
from persona_insight.media import decode, pipeline, progress, service
from persona_insight.media.engines.api import ApiOptions
from persona_insight.media.engines.base import Transcription
from persona_insight.models import Company

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 1.0
# Loading the model and the voice-activity filter, before the first second of audio.
_CPU_BASE_S = 60

_sandboxes: dict[int, Sandbox] = {}
_lock = threading.Lock()


def media_sandbox(workers: int) -> Sandbox:
    """A sandbox of its own: an hour-long transcription must not hold the slots that uploads
    of text files are read in."""
    with _lock:
        if workers not in _sandboxes:
            _sandboxes[workers] = Sandbox(workers)
        return _sandboxes[workers]


def limits_for(settings: Settings, duration_ms: int) -> Limits:
    cpu = int(_CPU_BASE_S + settings.speech_cpu_s_per_audio_s * duration_ms / 1000)
    return Limits(
        cpu_s=cpu, memory_bytes=settings.speech_memory_mb * 1024 * 1024, wall_s=2.0 * cpu + 60
    )


def options_for(settings: Settings, language: str | None) -> pipeline.Options:
    language = language or settings.speech_language
    if settings.speech_engine == "api":
        if not settings.speech_api_base_url:
            raise AppError(
                "the api speech engine has no URL configured", code="speech_api_not_configured"
            )
        key = settings.speech_api_key.get_secret_value() if settings.speech_api_key else None
        return pipeline.Options(
            engine="api",
            language=language,
            max_duration_s=settings.media_max_duration_s,
            max_speakers=settings.speech_max_speakers,
            api=ApiOptions(settings.speech_api_base_url, settings.speech_api_model, key),
        )
    return pipeline.Options(
        engine="local",
        language=language,
        max_duration_s=settings.media_max_duration_s,
        model_dir=str(service.model_dir(settings)),
        cpu_threads=settings.speech_cpu_threads,
        max_speakers=settings.speech_max_speakers,
    )


async def _relay(
    db: Database, actor: Actor, project_id: UUID, interview_id: UUID, source: Path
) -> None:
    """Send the child's percent when it moved, at most once per PROGRESS_EVERY_S."""
    reader = progress.ProgressFile(source)
    sent = -1
    while True:
        await asyncio.sleep(PROGRESS_EVERY_S)
        percent = reader.read()
        if percent is None or percent <= sent:
            continue
        sent = percent
        await notify(db, actor, project_id, interview_id, percent)


async def notify(
    db: Database, actor: Actor, project_id: UUID, interview_id: UUID, percent: int
) -> None:
    with contextlib.suppress(Exception):  # progress is a courtesy: never fail the job for it
        async with db.unit_of_work(actor) as session:
            await session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {
                    "channel": progress.PROGRESS_CHANNEL,
                    "payload": progress.payload(project_id, interview_id, percent),
                },
            )


def _failure(exc: AppError, engine: str) -> dict[str, Any]:
    details = exc.details if isinstance(exc.details, dict) else {}
    return {
        "code": exc.code,
        "message": exc.message[:1000],
        "retryable": bool(details.get("retryable", False)),
        "engine": engine,
    }


async def run_transcription(
    db: Database, settings: Settings, interview_id: UUID, company_id: UUID, attempt: int = 0
) -> None:
    """Transcribe the recording; a transient failure (the speech API's 429, 5xx or a dropped
    connection) is tried again with back-off like an analysis (`analysis_max_attempts`)
    before the interview fails."""
    actor = Actor(company_id=company_id, role="system")
    async with db.unit_of_work(actor) as session:
        interview = await service.begin(session, interview_id)
        if interview is None:
            return
        company = await session.get(Company, company_id)
        assert company is not None
        merged = speech.merged(company, settings)
        sha, project_id, language = interview.file_sha256, interview.project_id, interview.language
    engine = merged.speech_engine
    started = time.perf_counter()
    try:
        if not sha:
            raise decode.UndecodableMedia("the interview has no recording")
        path = FileStore(settings.files_dir).path_of(sha)
        options = await asyncio.to_thread(options_for, merged, language)
        box = media_sandbox(settings.worker_concurrency)
        info = await box.run(decode.probe, path, limits=service.PROBE_LIMITS)
        tmp = settings.data_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryDirectory(dir=tmp, prefix="progress-") as folder:
            report = Path(folder) / "percent"
            await notify(db, actor, project_id, interview_id, 0)
            relay = asyncio.create_task(_relay(db, actor, project_id, interview_id, report))
            try:
                result: Transcription = await box.run(
                    pipeline.run,
                    path,
                    options,
                    str(report),
                    limits=limits_for(settings, info.duration_ms),
                )
            finally:
                relay.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await relay
    except AppError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        if details.get("retryable") and attempt + 1 < settings.analysis_max_attempts:
            log.warning("transcription of %s: %s; retrying", interview_id, exc.code)
            raise TransientAnalysisError(
                EngineError(exc.code, exc.message, retryable=True)
            ) from exc
        log.info(
            "transcription of %s failed: %s (%s) %s",
            interview_id,
            exc.code,
            exc.message,
            exc.details,
        )
        async with db.unit_of_work(actor) as session:
            await interviews.fail(session, interview_id, _failure(exc, engine))
        return
    await notify(db, actor, project_id, interview_id, 100)
    async with db.unit_of_work(actor) as session:
        await service.transcribed(session, interview_id, result)
    log.info(
        "transcribed %s (%s, %.0f s of audio) in %.1f s: %d turns, %d speakers",
        interview_id,
        engine,
        result.duration_ms / 1000,
        time.perf_counter() - started,
        len(result.segments),
        result.speakers,
    )


@queue.task(
    name=interviews.TRANSCRIBE_TASK,
    queue=interviews.ANALYSE_QUEUE,
    pass_context=True,
    retry=AnalysisRetry(),
)
async def transcribe_interview(
    context: procrastinate.JobContext, interview_id: str, company_id: str
) -> None:
    extra = context.additional_context
    assert context.job is not None
    await run_transcription(
        extra["db"],
        extra["settings"],
        UUID(interview_id),
        UUID(company_id),
        attempt=context.job.attempts,
    )
