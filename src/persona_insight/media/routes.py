"""Playback: a recording streamed with HTTP range requests, authorised like the file download."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import FileResponse

from persona_insight.accounts.deps import CtxDep
from persona_insight.errors import Conflict, NotFound
from persona_insight.interviews import service as interviews
from persona_insight.media.formats import media_type

router = APIRouter(tags=["interviews"])


@router.get(
    "/api/interviews/{interview_id}/media",
    summary="Play the recording (supports Range requests)",
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/*": {}, "video/*": {}}},
        206: {"description": "The requested byte range"},
        409: {"description": "The interview is not a recording"},
        416: {"description": "Range not satisfiable"},
    },
)
async def play_media(interview_id: UUID, ctx: CtxDep) -> FileResponse:
    interview, _ = await interviews.get_accessible(ctx.session, ctx.user, interview_id)
    kind = media_type(interview.file_name or "")
    if interview.source != "media" or not interview.file_sha256 or kind is None:
        # The interview is there (and the caller may see it); it is simply not a recording.
        raise Conflict("this interview is not a recording", code="no_recording")
    path = ctx.rt.files.path_of(interview.file_sha256)
    if not path.exists():
        raise NotFound("this interview has no recording", code="media_not_found")
    # The stored type is ours (from the extension we accepted), never the client's.
    return FileResponse(
        path,
        media_type=kind,
        content_disposition_type="inline",
        filename=None,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
