"""Recordings: accepted at upload (checked, stored), transcribed by the job, then analysed.

    upload ─→ transcribing ─→ processing → analyzing → completed
                    └──────→ failed (no_speech, undecodable_media, media_too_long, …)

A file that is not media whatever its extension, an empty one, one over the size or duration
limit is refused at upload (PyAV reads its header in the sandbox); what only decoding reveals
fails the interview with a specific code. Nothing here commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePath
from typing import BinaryIO
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.config import Settings
from persona_insight.errors import InvalidInput, PayloadTooLarge
from persona_insight.files.names import clean_filename
from persona_insight.files.store import FileStore
from persona_insight.ingest.sandbox import Limits, sandbox
from persona_insight.interviews import repository as interview_repo
from persona_insight.interviews import service as interviews
from persona_insight.media import decode, storage
from persona_insight.media.engines.base import Transcription
from persona_insight.media.formats import media_type
from persona_insight.media.pipeline import to_text
from persona_insight.models import Interview
from persona_insight.projects.service import Access
from persona_insight.realtime import events

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# Reading a header is cheap; a file that needs more to say what it is, is not one we take.
PROBE_LIMITS = Limits(cpu_s=10, memory_bytes=512 * 1024 * 1024, wall_s=30.0)


def check_language(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if not _LANGUAGE.match(value):
        raise InvalidInput(
            "language must be an ISO 639-1 code such as ko or en", code="invalid_language"
        )
    return value


async def create_from_upload(
    session: AsyncSession,
    user: Authenticated,
    access: Access,
    *,
    name: str,
    source: BinaryIO,
    files: FileStore,
    settings: Settings,
    title: str | None = None,
    interview_date: dt.date | None = None,
    fallback_date: dt.date | None = None,
    language: str | None = None,
    cancel: Callable[[], Awaitable[object]] | None = None,
) -> Interview:
    """Check a recording, store it, and create its interview in `transcribing` with its job."""
    name = clean_filename(name)
    kind = media_type(name)
    assert kind is not None
    language = check_language(language)
    path, sha, size = await asyncio.to_thread(storage.spill, source, settings.data_dir / "tmp")
    try:
        if size == 0:
            raise InvalidInput("The recording is empty.", code="empty_content")
        if size > settings.max_media_bytes:
            raise PayloadTooLarge(
                f"The recording is {size:,} bytes; the limit is {settings.max_media_bytes:,}.",
                code="file_too_large",
            )
        info = await sandbox(settings.ingest_workers).run(
            decode.probe, path, limits=PROBE_LIMITS, cancel=cancel
        )
        if info.duration_ms > settings.media_max_duration_s * 1000:
            raise decode.MediaTooLong(
                f"The recording lasts {info.duration_ms / 3_600_000:.1f} h; the limit is "
                f"{settings.media_max_duration_s / 3600:g} h.",
                details={"duration_ms": info.duration_ms},
            )
        await storage.store_path(session, files, path, sha)
    finally:
        path.unlink(missing_ok=True)
    return await interviews.create(
        session,
        user,
        access,
        title=title or PurePath(name).stem,
        # A file stem is a placeholder the analysis replaces; the browser's date is the file's.
        title_source="user" if title else "file",
        text="",
        interview_date=interview_date,
        file_date=fallback_date,
        file=interviews.StoredFile(
            sha256=sha, name=name, media_type=kind, size=size, encoding=None
        ),
        status="transcribing",
        source="media",
        task=interviews.TRANSCRIBE_TASK,
        language=language,
    )


# --- the job's steps ----------------------------------------------------------------------------


async def begin(session: AsyncSession, interview_id: UUID) -> Interview | None:
    """The interview to transcribe, or None when it no longer waits for it (trashed, done)."""
    interview = await interview_repo.get(session, interview_id, lock=True)
    if interview is None or interview.status != "transcribing" or interview.deleted_at:
        return None
    return interview


async def transcribed(
    session: AsyncSession, interview_id: UUID, transcription: Transcription
) -> bool:
    """Store the transcript and hand the interview to the analysis: `transcribing → processing`,
    its event and its analysis job in this transaction."""
    interview = await interview_repo.get(session, interview_id, lock=True)
    if interview is None or interview.status != "transcribing":
        return False
    interview.text = to_text(transcription)
    interview.language = (transcription.language or "")[:8] or interview.language
    interview.speech = {
        "engine": transcription.engine,
        "duration_ms": transcription.duration_ms,
        "speakers": transcription.speakers,
        "speaker_confidence": transcription.speaker_confidence,
    }
    previous = interviews._transition(interview, "processing")
    await interviews.defer_analysis(session, interview)
    await interviews._emit(
        session,
        interview,
        events.INTERVIEW_STATUS_CHANGED,
        None,
        status="processing",
        previous_status=previous,
        transcription=interview.speech,
    )
    return True


def model_dir(settings: Settings, progress: Callable[[int, int], None] | None = None) -> Path:
    """The local engine's model: the operator's, else the bundled one (joined on first use)."""
    from persona_insight.media.models import ensure_model

    if settings.speech_model_dir is not None:
        return checked_model_dir(settings.speech_model_dir)
    return ensure_model(settings.data_dir / "models", progress=progress)


def checked_model_dir(path: Path) -> Path:
    """An operator's model directory, refused unless it holds what faster-whisper reads: without
    `tokenizer.json` it fetches one from the network (there is none here: the job would fail as
    a crash), without `model.bin` it cannot load at all."""
    from persona_insight.media.models import ModelUnavailable

    missing = [name for name in ("model.bin", "tokenizer.json") if not (path / name).is_file()]
    if missing:
        raise ModelUnavailable(
            f"the speech model directory {path} has no {' or '.join(missing)}",
            details={"missing": missing},
        )
    return path
