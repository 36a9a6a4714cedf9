"""Interview rules: upload, retry, edit, trash, and the analysis job's state changes.

Every state change appends its event in the same transaction (see realtime.events). Nothing here
commits: the request's or the job's unit of work does.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from uuid import UUID

import procrastinate.exceptions
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.analysis.contract import InterviewAnalysis as InterviewAnalysisResult
from persona_insight.analysis.engine import EngineResult
from persona_insight.audit import service as audit
from persona_insight.config import Settings
from persona_insight.db import raw_connection
from persona_insight.embeddings import service as embeddings
from persona_insight.embeddings.repository import Row as EmbeddingRow
from persona_insight.errors import Conflict, Forbidden, InvalidInput, NotFound, storable_text
from persona_insight.files import service as stored_files
from persona_insight.files.names import clean_filename
from persona_insight.files.store import FileStore
from persona_insight.ids import uuid7
from persona_insight.ingest import untrusted
from persona_insight.insights import service as insights
from persona_insight.interviews import repository as repo
from persona_insight.interviews import states, titles
from persona_insight.interviews.schemas import (
    MAX_TITLE,
    AnalysisOut,
    InterviewDetail,
    InterviewOut,
    InterviewPage,
    InterviewPatch,
    SpeakerRole,
    SpeakerRolesPatch,
)
from persona_insight.jobs.queue import queue
from persona_insight.limits import upload_slots
from persona_insight.models import Interview
from persona_insight.personas import repository as persona_repo
from persona_insight.projects.service import Access, require_access
from persona_insight.realtime import events, scrub

ANALYSE_TASK = "analyse_interview"
ANALYSE_QUEUE = "analysis"
# Recordings are transcribed (media.tasks) on the same queue, under the same job lock.
TRANSCRIBE_TASK = "transcribe_interview"


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    name: str
    media_type: str
    size: int
    encoding: str | None


def to_out(interview: Interview) -> InterviewOut:
    file = None
    if interview.file_sha256:
        file = {
            "name": interview.file_name,
            "media_type": interview.file_media_type,
            "size": interview.file_size,
            "sha256": interview.file_sha256,
            "encoding": interview.file_encoding,
        }
    return InterviewOut.model_validate(
        {
            **{k: getattr(interview, k) for k in InterviewOut.model_fields if k != "file"},
            "file": file,
        }
    )


# What changes a project's insights (a completed interview leaving `completed` too: re-analysis).
_CHANGES_INSIGHTS = frozenset(
    {
        events.INTERVIEW_COMPLETED,
        events.INTERVIEW_DELETED,
        events.INTERVIEW_RESTORED,
        events.INTERVIEW_UPDATED,
    }
)


async def _emit(
    session: AsyncSession,
    interview: Interview,
    type: str,
    actor_id: UUID | None,
    **extra: Any,
) -> None:
    await session.flush()
    data = {
        "interview_id": str(interview.id),
        "interview": to_out(interview).model_dump(mode="json"),
        **extra,
    }
    await events.append(
        session,
        project_id=interview.project_id,
        company_id=interview.company_id,
        type=type,
        data=data,
        actor_id=actor_id,
    )
    if type in _CHANGES_INSIGHTS or extra.get("previous_status") == "completed":
        await insights.defer_recompute(session, interview.project_id, interview.company_id)


async def defer_analysis(
    session: AsyncSession, interview: Interview, task: str = ANALYSE_TASK
) -> None:
    """Queue the analysis job of an existing interview inside the caller's transaction.

    (A new interview's job is written with the interview itself: see `create`.)
    """
    raw = await raw_connection(session)
    lock = f"interview:{interview.id}"
    try:
        # A savepoint, so that a job already waiting for this interview does not abort the
        # whole transaction; that job will analyse the interview as it is at commit.
        async with raw.transaction():
            await queue.configure_task(
                task, connection=raw, lock=lock, queueing_lock=lock
            ).defer_async(interview_id=str(interview.id), company_id=str(interview.company_id))
    except procrastinate.exceptions.AlreadyEnqueued:
        pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _transition(interview: Interview, new: str) -> str:
    old = interview.status
    states.check(old, new)
    interview.status = new
    interview.status_changed_at = _now()
    return old


# --- requests -----------------------------------------------------------------------------------


async def create(
    session: AsyncSession,
    user: Authenticated,
    access: Access,
    *,
    title: str,
    text: str,
    interview_date: dt.date | None,
    file: StoredFile | None,
    status: states.Status = "processing",
    source: str | None = None,
    task: str = ANALYSE_TASK,
    language: str | None = None,
    title_source: titles.TitleSource = "user",
    document_date: dt.date | None = None,
    file_date: dt.date | None = None,
) -> Interview:
    """`interview_date` is the one the user gave; without it the date is found
    (titles.choose_date) from the text, then `document_date`, then `file_date`."""
    now = _now()
    date, date_source = titles.choose_date(
        given=interview_date,
        text=text,
        document=document_date,
        file_modified=file_date,
        today=now.date(),
    )
    title = title.strip()[:MAX_TITLE]
    interview = Interview(
        id=uuid7(),
        company_id=access.project.company_id,
        project_id=access.project.id,
        title=title or "Untitled interview",
        title_source=title_source if title else "text",
        interview_date=date,
        interview_date_source=date_source,
        status=status,
        source=source or ("file" if file else "text"),
        language=language,
        text=text,
        file_sha256=file.sha256 if file else None,
        file_name=file.name[:300] if file else None,
        file_media_type=file.media_type if file else None,
        file_size=file.size if file else None,
        file_encoding=file.encoding if file else None,
        attempts=1,
        created_by=user.user_id,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    # Every value is set here, so the event can carry the interview exactly as it is stored, and
    # row, event and job go in one statement.
    lock = f"interview:{interview.id}"
    await repo.create(
        session,
        interview,
        event=events.append_params(
            project_id=interview.project_id,
            company_id=interview.company_id,
            type=events.INTERVIEW_ADDED,
            actor_id=user.user_id,
            data={
                "interview_id": str(interview.id),
                "interview": to_out(interview).model_dump(mode="json"),
            },
        ),
        job={
            "job_queue": ANALYSE_QUEUE,
            "job_task": task,
            "job_lock": lock,
            "job_args": events.dumps(
                {"interview_id": str(interview.id), "company_id": str(interview.company_id)}
            ).decode(),
        },
    )
    return interview


async def create_from_file(
    session: AsyncSession,
    user: Authenticated,
    access: Access,
    *,
    name: str,
    data: bytes,
    files: FileStore,
    settings: Settings,
    title: str | None = None,
    interview_date: dt.date | None = None,
    fallback_date: dt.date | None = None,
    cancel: Callable[[], Awaitable[object]] | None = None,
) -> Interview:
    """Extract an uploaded file's text, store the original, create the interview.

    The interview date is the one given, else one written in the transcript's header, else the
    document's own date, else `fallback_date` (the browser's last-modified time of the file),
    else the upload date. The file is read in the sandbox, killed
    when `cancel()` completes first (the client left).
    """
    name = clean_filename(name)
    if title is not None:
        # Refused before the file is stored: a row that cannot be written leaves no file behind.
        storable_text(title, "title")
    slots = upload_slots(settings.uploads_per_user, settings.uploads_per_process)
    with slots.hold(user.user_id):
        extracted = await untrusted.extract_upload(name, data, settings, cancel=cancel)
    sha = await stored_files.store(session, files, data)
    return await create(
        session,
        user,
        access,
        title=title or PurePath(name).stem,
        title_source="user" if title else "file",
        text=extracted.text,
        interview_date=interview_date,
        document_date=extracted.modified,
        file_date=fallback_date,
        file=StoredFile(
            sha256=sha,
            name=name,
            media_type=extracted.media_type,
            size=len(data),
            encoding=extracted.encoding,
        ),
    )


async def get_accessible(
    session: AsyncSession, user: Authenticated, interview_id: UUID, *, lock: bool = False
) -> tuple[Interview, Access]:
    interview = await repo.get(session, interview_id, lock=lock)
    if interview is None:
        raise NotFound("no such interview", code="interview_not_found")
    try:
        access = await require_access(session, user, interview.project_id)
    except NotFound:
        raise NotFound("no such interview", code="interview_not_found") from None
    return interview, access


async def detail(session: AsyncSession, user: Authenticated, interview_id: UUID) -> InterviewDetail:
    interview, _ = await get_accessible(session, user, interview_id)
    row = await repo.analysis_of(session, interview.id)
    analysis = None
    if row is not None:
        analysis = AnalysisOut.model_validate(
            {
                "engine": row.engine,
                "model": row.model,
                "result": row.result,
                "repairs": row.repairs,
                "usage": row.usage,
                "duration_ms": row.duration_ms,
                "created_at": row.created_at,
            }
        )
    return InterviewDetail.model_validate(
        {**to_out(interview).model_dump(), "text": interview.text, "analysis": analysis}
    )


def _encode_cursor(interview: Interview) -> str:
    raw = f"{interview.created_at.isoformat()}|{interview.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, ident = raw.split("|")
        return dt.datetime.fromisoformat(created), UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not one this server issued", code="invalid_cursor") from None


@dataclass(frozen=True, slots=True)
class DateRange:
    """Interview dates from and to (both included); an undated interview counts by its upload
    day, as the list shows it."""

    start: dt.date | None = None
    end: dt.date | None = None


async def list_page(
    session: AsyncSession,
    user: Authenticated,
    project_id: UUID,
    *,
    deleted: bool,
    status: str | None,
    cursor: str | None,
    limit: int,
    dates: DateRange | None = None,
) -> InterviewPage:
    if dates and dates.start and dates.end and dates.start > dates.end:
        raise InvalidInput(
            "date_from must not be after date_to",
            code="invalid_date",
            details={"date_from": dates.start.isoformat(), "date_to": dates.end.isoformat()},
        )
    await require_access(session, user, project_id)
    last_seq = await events.last_seq(session, project_id)
    after = _decode_cursor(cursor) if cursor else None
    rows = await repo.page(
        session,
        project_id,
        deleted=deleted,
        status=status,
        after=after,
        limit=limit + 1,
        date_from=dates.start if dates else None,
        date_to=dates.end if dates else None,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return InterviewPage(
        items=[to_out(r) for r in rows],
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
        last_seq=last_seq,
    )


async def retry(session: AsyncSession, user: Authenticated, interview_id: UUID) -> Interview:
    interview, _ = await get_accessible(session, user, interview_id, lock=True)
    if interview.deleted_at is not None or interview.status != "failed":
        raise Conflict(
            f"only a failed interview can be retried; this one is {interview.status}"
            + (" and in the trash" if interview.deleted_at else ""),
            code="invalid_transition",
            details={"status": interview.status},
        )
    # A recording with no transcript yet is transcribed again; otherwise only analysed.
    again = "transcribing" if interview.source == "media" and not interview.text else "processing"
    previous = _transition(interview, again)
    interview.attempts += 1
    interview.error = None
    await defer_analysis(
        session, interview, TRANSCRIBE_TASK if again == "transcribing" else ANALYSE_TASK
    )
    await _emit(
        session,
        interview,
        events.INTERVIEW_STATUS_CHANGED,
        user.user_id,
        status=again,
        previous_status=previous,
    )
    return interview


async def update(
    session: AsyncSession, user: Authenticated, interview_id: UUID, patch: InterviewPatch
) -> Interview:
    interview, _ = await get_accessible(session, user, interview_id, lock=True)
    if interview.deleted_at is not None:
        raise Conflict("restore the interview before editing it", code="interview_deleted")
    changes = patch.model_dump(exclude_unset=True, exclude=set(patch.PERSONA_FIELDS))
    if "title" in changes and changes["title"] is None:
        raise InvalidInput("title cannot be empty", code="invalid_title")
    changed = [k for k, v in changes.items() if getattr(interview, k) != v]
    for key in changed:
        setattr(interview, key, changes[key])
    # What the user typed stays: the analysis derives titles only over placeholders.
    if "title" in changed:
        interview.title_source = "user"
    if "interview_date" in changed:
        interview.interview_date_source = "user" if interview.interview_date else None
    if changed:
        await _emit(session, interview, events.INTERVIEW_UPDATED, user.user_id, changes=changed)
    return interview


async def fix_speakers(
    session: AsyncSession,
    user: Authenticated,
    interview_id: UUID,
    patch: SpeakerRolesPatch,
    *,
    others: SpeakerRole | None = None,
) -> Interview:
    """Store a researcher's speaker roles and names and analyse the interview again with them.
    Speakers the patch leaves out keep their role, or take `others` when given (the page's one
    click, "this is the interviewer", makes everyone else an interviewee). A rename rewrites the
    recording's transcript labels, so the new analysis, the script and search all say the name."""
    interview, _ = await get_accessible(session, user, interview_id, lock=True)
    if interview.deleted_at is not None:
        raise Conflict("restore the interview before editing it", code="interview_deleted")
    if interview.status not in ("completed", "failed"):
        raise Conflict(
            "wait for the analysis to finish before fixing the speakers",
            code="analysis_in_progress",
            details={"status": interview.status},
        )
    renames = {old: new for old, new in patch.names.items() if old != new}
    if patch.names:
        interview.text = _renamed(interview, patch.names, renames)
    roles: dict[str, str] | None = interview.speaker_roles
    if patch.roles:
        row = await repo.analysis_of(session, interview.id)
        known = _speaker_roles(row.result if row is not None else None, interview.speaker_roles)
        if not known:
            raise Conflict(
                "the transcript names no speakers whose roles could be fixed", code="no_speakers"
            )
        unknown = sorted(set(patch.roles) - set(known))
        if unknown:
            raise InvalidInput(
                "no such speaker in this interview",
                code="unknown_speaker",
                details={"unknown": unknown[:10], "speakers": list(known)},
            )
        roles = {name: patch.roles.get(name, others or role) for name, role in known.items()}
        if "interviewee" not in roles.values():
            raise InvalidInput(
                "at least one speaker must be the interviewee", code="no_interviewee"
            )
    if roles is not None:
        # Roles fixed by hand follow their speaker to the new name.
        roles = {renames.get(name, name): role for name, role in roles.items()}
    interview.speaker_roles = roles
    previous = _transition(interview, "processing")
    interview.error = None
    await defer_analysis(session, interview)
    changed = (["speaker_names"] if renames else []) + (["speaker_roles"] if patch.roles else [])
    await _emit(
        session, interview, events.INTERVIEW_UPDATED, user.user_id, changes=changed or ["speakers"]
    )
    await _emit(
        session,
        interview,
        events.INTERVIEW_STATUS_CHANGED,
        user.user_id,
        status="processing",
        previous_status=previous,
    )
    return interview


def _renamed(interview: Interview, names: dict[str, str], renames: dict[str, str]) -> str:
    """The recording's transcript with its speakers renamed; refuses what would lose a speaker
    (two with one name) or a name the transcript parser would not read back as a speaker."""
    from persona_insight.analysis.transcript import parse
    from persona_insight.media import labels

    if interview.source != "media":
        raise Conflict(
            "only the speakers detected in a recording can be renamed", code="not_a_recording"
        )
    current = labels.labels(interview.text)
    unknown = sorted(set(names) - set(current))
    if unknown:
        raise InvalidInput(
            "no such speaker in this interview",
            code="unknown_speaker",
            details={"unknown": unknown[:10], "speakers": current},
        )
    final = [renames.get(name, name) for name in current]
    if len(set(final)) != len(final):
        raise InvalidInput(
            "two speakers would have the same name",
            code="speaker_name_taken",
            details={"speakers": final},
        )
    text = labels.rename(interview.text, renames)
    heard = {turn.speaker for turn in parse(text).turns}
    if not set(final) <= heard:
        raise InvalidInput(
            "the transcript could not be read with this name as a speaker; use letters, digits, "
            "spaces and hyphens",
            code="invalid_speaker_name",
            details={"names": sorted(set(final) - heard)},
        )
    return text


def _speaker_roles(result: dict[str, Any] | None, fixed: dict[str, str] | None) -> dict[str, str]:
    """The interview's speakers and their current roles, in the analysis' order."""
    roles = (result or {}).get("roles") or {}
    current = {
        str(name): "interviewer" if role == "question" else "interviewee"
        for name, role in roles.items()
    }
    return current or dict(fixed or {})


async def delete(session: AsyncSession, user: Authenticated, interview_id: UUID) -> Interview:
    interview, _ = await get_accessible(session, user, interview_id, lock=True)
    if interview.deleted_at is not None:
        raise Conflict("the interview is already in the trash", code="already_deleted")
    interview.deleted_at = _now()
    interview.deleted_by = user.user_id
    await _emit(session, interview, events.INTERVIEW_DELETED, user.user_id)
    return interview


async def restore(session: AsyncSession, user: Authenticated, interview_id: UUID) -> Interview:
    interview, access = await get_accessible(session, user, interview_id, lock=True)
    if interview.deleted_at is None:
        raise Conflict("the interview is not in the trash", code="not_deleted")
    if interview.deleted_by != user.user_id and not access.can_admin:
        raise NotFound("no such interview in the trash", code="interview_not_found")
    interview.deleted_at = None
    interview.deleted_by = None
    await _emit(session, interview, events.INTERVIEW_RESTORED, user.user_id)
    return interview


async def purge(session: AsyncSession, user: Authenticated, interview_id: UUID) -> str | None:
    """Delete a trashed interview for good (company admins). Returns its stored file, for
    `files.service.delete_if_unused` to delete after the commit if no one else uses it."""
    if user.role not in ("company_admin", "super_admin"):
        raise Forbidden("only company admins delete interviews permanently", code="forbidden")
    interview, _ = await get_accessible(session, user, interview_id, lock=True)
    if interview.deleted_at is None:
        raise Conflict("move the interview to the trash first", code="not_deleted")
    return await remove_for_good(session, interview, user.user_id)


async def remove_for_good(
    session: AsyncSession, interview: Interview, actor_id: UUID | None, **audit_extra: Any
) -> str | None:
    """The one way an interview leaves the database (an admin's purge, the retention job, a
    project's erasure): its events scrubbed, `interview:purged` and an audit entry written, the
    row deleted with its analysis, terms and notes. Returns its stored file for
    `files.service.delete_if_unused` after the commit."""
    sha = interview.file_sha256
    await scrub.interview_purged(session, interview.project_id, interview.id)
    await events.append(
        session,
        project_id=interview.project_id,
        company_id=interview.company_id,
        type=events.INTERVIEW_PURGED,
        data={"interview_id": str(interview.id)},
        actor_id=actor_id,
    )
    await insights.defer_recompute(session, interview.project_id, interview.company_id)
    await audit.record(
        session,
        "interview_purged",
        company_id=interview.company_id,
        actor_id=actor_id,
        target_type="interview",
        target_id=interview.id,
        title=interview.title[:100],
        **audit_extra,
    )
    await repo.remove(session, interview)
    return sha


# --- the analysis job ---------------------------------------------------------------------------


async def begin_analysis(session: AsyncSession, interview_id: UUID) -> Interview | None:
    """Move to `analyzing`. None when there is nothing to do (gone, finished, or failed)."""
    interview = await repo.get(session, interview_id, lock=True)
    if interview is None:
        return None
    if interview.status == "analyzing":
        return interview  # a re-run after a worker died mid-analysis
    if interview.status != "processing":
        return None
    previous = _transition(interview, "analyzing")
    await _emit(
        session,
        interview,
        events.INTERVIEW_STATUS_CHANGED,
        None,
        status="analyzing",
        previous_status=previous,
    )
    return interview


async def complete(
    session: AsyncSession,
    interview_id: UUID,
    result: EngineResult,
    duration_ms: int,
    finding_vectors: list[EmbeddingRow] | None = None,
) -> bool:
    """Store the analysis and `completed`; `finding_vectors` (from `embeddings.finding_rows`)
    become visible in the same commit."""
    interview = await repo.get(session, interview_id, lock=True)
    if interview is None or interview.status != "analyzing":
        return False
    analysis = result.analysis
    if finding_vectors is not None:
        await embeddings.store_findings(
            session,
            company_id=interview.company_id,
            project_id=interview.project_id,
            interview_id=interview.id,
            rows=finding_vectors,
        )
    await repo.save_analysis(
        session,
        {
            "interview_id": interview.id,
            "company_id": interview.company_id,
            "engine": result.engine,
            "model": result.model,
            "result": analysis.model_dump(mode="json"),
            "repairs": result.repairs,
            "usage": result.usage,
            "duration_ms": duration_ms,
        },
    )
    await repo.replace_terms(session, interview, result.terms)
    _transition(interview, "completed")
    interview.completed_at = _now()
    interview.error = None
    interview.engine = result.engine
    interview.language = analysis.language
    interview.pain_point_count = len(analysis.primary_pain_points)
    interview.need_count = len(analysis.primary_needs)
    choice = await persona_repo.choice(session, interview.id)
    # A researcher's persona wins over every re-analysis (the placement job refines the rest).
    interview.persona_code = (
        choice.persona_code
        if choice is not None
        else analysis.persona_match.code
        if analysis.persona_match
        else None
    )
    _derive_title(interview, analysis)
    await _emit(
        session,
        interview,
        events.INTERVIEW_COMPLETED,
        None,
        result={
            "engine": result.engine,
            "pain_points": interview.pain_point_count,
            "needs": interview.need_count,
            "duration_ms": duration_ms,
        },
    )
    return True


def _derive_title(interview: Interview, analysis: InterviewAnalysisResult) -> None:
    """Replace a placeholder title with "participant · topic"; never the user's."""
    if interview.title_source == "user":
        return
    placeholders = [interview.title, interview.file_name or ""]
    derived = titles.derive_title(analysis, placeholders)
    if derived:
        interview.title = derived
        interview.title_source = "derived"


async def fail(session: AsyncSession, interview_id: UUID, error: dict[str, Any]) -> bool:
    interview = await repo.get(session, interview_id, lock=True)
    if interview is None or not states.can(interview.status, "failed"):
        return False
    _transition(interview, "failed")
    interview.error = error
    interview.engine = error.get("engine")
    await _emit(session, interview, events.INTERVIEW_FAILED, None, error=error)
    return True
