"""Uploads from the workspace's forms when the module is not running (no JavaScript).

With the module, files go to `POST /api/workflow/async` one by one (with upload progress); these
forms do the same work through the same ingest and interview services, then redirect back.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Final

from starlette.datastructures import UploadFile

from persona_insight import ingest
from persona_insight.errors import AppError
from persona_insight.interviews import service as interviews
from persona_insight.media import service as media_service
from persona_insight.media.formats import MEDIA_TYPES, media_type
from persona_insight.projects.service import Access
from persona_insight.web.page import Page

ACCEPT: Final = ",".join(sorted(set(ingest.SUPPORTED_EXTENSIONS) | set(MEDIA_TYPES)))


def title_from_text(text: str) -> str:
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return first[:60] + ("…" if len(first) > 60 else "")


async def accept_files(
    page: Page, access: Access, files: list[UploadFile], language: str | None = None
) -> str | None:
    """Create an interview per readable file; the code of the first file that was refused.
    `language`: the one spoken in the recordings among them (detected when None)."""
    refused: str | None = None
    for upload in files:
        if media_type(upload.filename or "") is not None:
            try:
                # Streamed from the form's spooled file: a recording is never read whole.
                await media_service.create_from_upload(
                    page.session,
                    page.signed_in,
                    access,
                    name=PurePath(upload.filename or "recording").name,
                    source=upload.file,
                    files=page.rt.files,
                    settings=page.rt.settings,
                    language=language,
                )
            except AppError as exc:
                refused = refused or exc.code
            continue
        data = await upload.read()
        try:
            # The text is extracted before anything is written, so a refused file leaves
            # nothing behind, and the files before and after it still go in.
            await interviews.create_from_file(
                page.session,
                page.signed_in,
                access,
                name=PurePath(upload.filename or "upload").name,
                data=data,
                files=page.rt.files,
                settings=page.rt.settings,
            )
        except AppError as exc:
            refused = refused or exc.code
    return refused


async def accept_text(page: Page, access: Access, text: str, title: str) -> str | None:
    try:
        extracted = ingest.extract_pasted(text, max_chars=page.rt.settings.max_text_chars)
    except AppError as exc:
        return exc.code
    await interviews.create(
        page.session,
        page.signed_in,
        access,
        title=title[:300] or title_from_text(extracted.text),
        title_source="user" if title.strip() else "text",
        text=extracted.text,
        interview_date=None,
        file=None,
    )
    return None
