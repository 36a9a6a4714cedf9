"""The workflow API (the seed's paths) and the interview routes."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import PureWindowsPath
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from persona_insight import ingest
from persona_insight.accounts.deps import Ctx, CtxDep
from persona_insight.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    storable_text,
)
from persona_insight.files import service as stored_files
from persona_insight.files.names import clean_filename
from persona_insight.interviews import service
from persona_insight.interviews.schemas import (
    MAX_TITLE,
    InterviewDetail,
    InterviewOut,
    InterviewPage,
    InterviewPatch,
    ProcessRequest,
    SpeakerRolesPatch,
    TextUpload,
    UploadAccepted,
)
from persona_insight.interviews.states import Status
from persona_insight.limits import disconnected
from persona_insight.media import service as media_service
from persona_insight.media.formats import media_type
from persona_insight.projects.service import Access, require_access

router = APIRouter(tags=["interviews"])

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "project_id"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "project_id": {"type": "string", "format": "uuid"},
                        "title": {"type": "string", "maxLength": 300},
                        "interview_date": {"type": "string", "format": "date"},
                        "language": {
                            "type": "string",
                            "description": "A recording's language (ISO 639-1, e.g. ko), forced "
                            "on the speech engine; default: the instance setting, else detected.",
                        },
                        "last_modified": {
                            "type": "integer",
                            "description": "The file's last-modified time (ms since epoch), "
                            "the default interview date.",
                        },
                    },
                }
            },
            "application/json": {"schema": TextUpload.model_json_schema()},
        },
    }
}


def _form_str(form: Any, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _form_title(form: Any) -> str | None:
    """The form's title, held to what the JSON body allows (at most 300 characters) and to what
    can be stored, before anything is read or written."""
    title = _form_str(form, "title")
    if title is None:
        return None
    if len(title) > MAX_TITLE:
        raise InvalidInput(
            f"a title has at most {MAX_TITLE} characters",
            code="title_too_long",
            details={"max": MAX_TITLE},
        )
    return storable_text(title, "title")


def _parse_date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", code="invalid_date") from None


def _date_from_ms(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise InvalidInput(
            "last_modified must be milliseconds since 1970", code="invalid_date"
        ) from None


def _title_from_text(text: str) -> str:
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return first[:60] + ("…" if len(first) > 60 else "")


async def _accept_file(request: Request, ctx: Ctx) -> UploadAccepted:
    settings = ctx.rt.settings
    form = await request.form(max_files=1, max_fields=20)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("send the transcript as the `file` field", code="file_required")
        try:
            project_id = UUID(_form_str(form, "project_id") or "")
        except ValueError:
            raise InvalidInput("project_id must be a UUID", code="invalid_project_id") from None
        access = await require_access(ctx.session, ctx.user, project_id)
        if media_type(upload.filename or "") is not None:
            return await _accept_media(request, ctx, form, upload, access)
        interview = await service.create_from_file(
            ctx.session,
            ctx.user,
            access,
            # PureWindowsPath splits on both separators: browsers may send C:\fakepath\x.txt
            name=PureWindowsPath(upload.filename or "upload").name,
            data=await upload.read(),
            files=ctx.rt.files,
            settings=settings,
            title=_form_title(form),
            interview_date=_parse_date(_form_str(form, "interview_date"), "interview_date"),
            fallback_date=_date_from_ms(_form_str(form, "last_modified")),
            # A client that leaves stops the reading of its file (the sandbox kills it).
            cancel=lambda: disconnected(request.receive),
        )
    finally:
        await form.close()
    return UploadAccepted(interview_id=interview.id, interview=service.to_out(interview))


async def _accept_media(
    request: Request, ctx: Ctx, form: Any, upload: UploadFile, access: Access
) -> UploadAccepted:
    """A recording: streamed to disk by the form parser, checked and stored without being read
    into memory; the interview starts `transcribing`."""
    interview = await media_service.create_from_upload(
        ctx.session,
        ctx.user,
        access,
        name=PureWindowsPath(upload.filename or "recording").name,
        source=upload.file,
        files=ctx.rt.files,
        settings=ctx.rt.settings,
        title=_form_title(form),
        interview_date=_parse_date(_form_str(form, "interview_date"), "interview_date"),
        fallback_date=_date_from_ms(_form_str(form, "last_modified")),
        language=_form_str(form, "language"),
        cancel=lambda: disconnected(request.receive),
    )
    return UploadAccepted(interview_id=interview.id, interview=service.to_out(interview))


async def _accept_text(request: Request, ctx: Ctx) -> UploadAccepted:
    if int(request.headers.get("content-length") or 0) > ctx.rt.settings.max_upload_bytes:
        # The body limit is the media one; pasted text keeps the document limit.
        raise PayloadTooLarge(
            f"the upload is larger than the limit of {ctx.rt.settings.max_upload_bytes} bytes",
            code="file_too_large",
        )
    try:
        body = TextUpload.model_validate_json(await request.body())
    except ValidationError as exc:
        raise InvalidInput(
            "the JSON body is not a valid upload",
            code="validation_error",
            details=exc.errors(include_url=False, include_input=False),
        ) from None
    access = await require_access(ctx.session, ctx.user, body.project_id)
    extracted = ingest.extract_pasted(body.text, max_chars=ctx.rt.settings.max_text_chars)
    interview = await service.create(
        ctx.session,
        ctx.user,
        access,
        title=body.title or _title_from_text(extracted.text),
        title_source="user" if body.title else "text",
        text=extracted.text,
        interview_date=body.interview_date,
        file=None,
    )
    return UploadAccepted(interview_id=interview.id, interview=service.to_out(interview))


@router.post(
    "/api/workflow/async",
    status_code=202,
    response_model=UploadAccepted,
    summary="Upload a transcript; analysis runs in the background",
    openapi_extra=_UPLOAD_BODY,
    responses={413: {"description": "Too large"}, 415: {"description": "Unsupported type"}},
)
async def workflow_async(request: Request, ctx: CtxDep) -> UploadAccepted:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return await _accept_file(request, ctx)
    if content_type == "application/json":
        return await _accept_text(request, ctx)
    raise UnsupportedMediaType(
        "send multipart/form-data with a file, or JSON with text", code="unsupported_body"
    )


@router.post(
    "/api/workflow/process",
    status_code=202,
    response_model=InterviewOut,
    summary="Re-queue a failed interview",
)
async def workflow_process(body: ProcessRequest, ctx: CtxDep) -> InterviewOut:
    return service.to_out(await service.retry(ctx.session, ctx.user, body.interview_id))


@router.post(
    "/api/interviews/{interview_id}/retry",
    status_code=202,
    response_model=InterviewOut,
    summary="Re-queue a failed interview",
)
async def retry_interview(interview_id: UUID, ctx: CtxDep) -> InterviewOut:
    return service.to_out(await service.retry(ctx.session, ctx.user, interview_id))


@router.get(
    "/api/projects/{project_id}/interviews",
    response_model=InterviewPage,
    summary="Interviews of a project, newest first",
)
async def list_interviews(
    project_id: UUID,
    ctx: CtxDep,
    status: Status | None = None,
    # Strings, parsed here: a bad date answers `invalid_date` like the upload's date does.
    date_from: Annotated[str | None, Query(max_length=40)] = None,
    date_to: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InterviewPage:
    dates = service.DateRange(_parse_date(date_from, "date_from"), _parse_date(date_to, "date_to"))
    return await service.list_page(
        ctx.session,
        ctx.user,
        project_id,
        deleted=False,
        status=status,
        cursor=cursor,
        limit=limit,
        dates=dates,
    )


@router.get(
    "/api/projects/{project_id}/trash",
    response_model=InterviewPage,
    summary="Deleted interviews of a project",
)
async def list_trash(
    project_id: UUID,
    ctx: CtxDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InterviewPage:
    return await service.list_page(
        ctx.session, ctx.user, project_id, deleted=True, status=None, cursor=cursor, limit=limit
    )


@router.get(
    "/api/interviews/{interview_id}",
    response_model=InterviewDetail,
    summary="One interview with its transcript and analysis",
)
async def get_interview(interview_id: UUID, ctx: CtxDep) -> InterviewDetail:
    return await service.detail(ctx.session, ctx.user, interview_id)


@router.patch(
    "/api/interviews/{interview_id}",
    response_model=InterviewOut,
    summary="Edit title or date, or set the persona by hand",
)
async def patch_interview(interview_id: UUID, body: InterviewPatch, ctx: CtxDep) -> InterviewOut:
    from persona_insight.personas import service as personas
    from persona_insight.personas.schemas import PersonaAssignment

    given = body.model_fields_set
    if given & body.PERSONA_FIELDS:
        # The personas feature owns manual assignment (audited, stored apart from what the
        # analysis computes); this route is the seed's way in to it.
        assignment = PersonaAssignment.model_validate(
            body.model_dump(include=set(body.PERSONA_FIELDS), exclude_unset=True)
        )
        await personas.assign(ctx.session, ctx.user, interview_id, assignment)
    interview = await service.update(ctx.session, ctx.user, interview_id, body)
    return service.to_out(interview)


@router.patch(
    "/api/interviews/{interview_id}/speakers",
    response_model=InterviewOut,
    summary="Fix who is the interviewer, and analyse again",
)
async def fix_speakers(interview_id: UUID, body: SpeakerRolesPatch, ctx: CtxDep) -> InterviewOut:
    return service.to_out(await service.fix_speakers(ctx.session, ctx.user, interview_id, body))


@router.delete(
    "/api/interviews/{interview_id}", response_model=InterviewOut, summary="Move to the trash"
)
async def delete_interview(interview_id: UUID, ctx: CtxDep) -> InterviewOut:
    return service.to_out(await service.delete(ctx.session, ctx.user, interview_id))


@router.post(
    "/api/interviews/{interview_id}/restore",
    response_model=InterviewOut,
    summary="Restore from the trash",
)
async def restore_interview(interview_id: UUID, ctx: CtxDep) -> InterviewOut:
    return service.to_out(await service.restore(ctx.session, ctx.user, interview_id))


@router.delete(
    "/api/interviews/{interview_id}/permanent",
    status_code=204,
    summary="Delete a trashed interview for good (company admins)",
)
async def purge_interview(interview_id: UUID, ctx: CtxDep) -> Response:
    unused_file = await service.purge(ctx.session, ctx.user, interview_id)
    # After the response, so after the commit: a purge that rolls back keeps the file; and only
    # if no one uses it then (uploads of the same bytes may be in flight).
    background = (
        BackgroundTask(stored_files.delete_if_unused, ctx.rt.db, ctx.rt.files, unused_file)
        if unused_file
        else None
    )
    return Response(status_code=204, background=background)


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    # Names stored before uploads were cleaned may hold control characters, which no header
    # may carry ("Invalid HTTP header value" on every download).
    filename = clean_filename(filename, default="interview")
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@router.get(
    "/api/interviews/{interview_id}/file",
    summary="Download the original file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_file(interview_id: UUID, ctx: CtxDep) -> Response:
    interview, _ = await service.get_accessible(ctx.session, ctx.user, interview_id)
    if not interview.file_sha256 or not ctx.rt.files.exists(interview.file_sha256):
        raise NotFound("this interview has no stored file", code="file_not_found")
    data = await asyncio.to_thread(ctx.rt.files.get, interview.file_sha256)
    return Response(
        content=data,
        media_type=interview.file_media_type or "application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(interview.file_name or "interview"),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
