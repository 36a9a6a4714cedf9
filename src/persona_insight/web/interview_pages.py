"""The interview detail page, its forms (edit, trash, retry, delete for good, notes) and the
exports."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError
from starlette.background import BackgroundTask

from persona_insight.audit import service as audit
from persona_insight.errors import AppError, Conflict, InvalidInput
from persona_insight.files import service as stored_files
from persona_insight.interviews import service as interviews
from persona_insight.interviews.routes import content_disposition
from persona_insight.interviews.schemas import (
    InterviewDetail,
    InterviewOut,
    InterviewPatch,
    SpeakerRolesPatch,
)
from persona_insight.notes import service as notes
from persona_insight.notes.schemas import NoteCreate
from persona_insight.personas import view as persona_view
from persona_insight.projects import service as projects
from persona_insight.web import exports
from persona_insight.web.page import Page, PageDep, PageRoute, redirect, safe_next
from persona_insight.web.script import matches, shape

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Filter = Literal["painpoint", "needs"]
# Below this the page says the speakers' roles are uncertain and asks a researcher to check.
ROLE_CONFIDENCE_SURE = 0.8
# Below this silhouette the voices of a recording may be mixed up (`SpeechInfo`); a grouping
# is kept at all from `speakers.MIN_SILHOUETTE` (0.12).
VOICES_SURE = 0.25
# Previous/next look this far down the project's list (the workspace shows as many).
NEIGHBOUR_LIMIT = 200


async def _neighbours(
    page: Page, project_id: UUID, interview_id: UUID
) -> tuple[InterviewOut | None, InterviewOut | None]:
    """The interviews above and below this one in the project's list (newest first)."""
    listed = await interviews.list_page(
        page.session,
        page.signed_in,
        project_id,
        deleted=False,
        status=None,
        cursor=None,
        limit=NEIGHBOUR_LIMIT,
    )
    ids = [iv.id for iv in listed.items]
    if interview_id not in ids:
        return None, None
    at = ids.index(interview_id)
    above = listed.items[at - 1] if at > 0 else None
    below = listed.items[at + 1] if at + 1 < len(ids) else None
    return above, below


@router.get("/interviews/{interview_id}")
async def interview_page(
    interview_id: UUID, page: PageDep, filter: Filter | None = None
) -> Response:
    detail = await interviews.detail(page.session, page.signed_in, interview_id)
    access = await projects.require_access(page.session, page.signed_in, detail.project_id)
    analysis = detail.analysis.result if detail.analysis else None
    note_list = await notes.list_notes(page.session, page.signed_in, interview_id)
    roots = [n for n in note_list.items if n.parent_id is None]
    replies = {r.id: [n for n in note_list.items if n.parent_id == r.id] for r in roots}
    notes_per_line: dict[int, int] = {}
    for note in roots:
        for line_id in note.line_ids:
            notes_per_line[line_id] = notes_per_line.get(line_id, 0) + 1
    newer, older = await _neighbours(page, detail.project_id, interview_id)
    persona = (
        await persona_view.interview_persona(
            page.session, access.project.company_id, interview_id, detail.persona_code
        )
        if analysis is not None
        else None
    )
    return page.render(
        "interview.html",
        newer=newer,
        older=older,
        interview=detail,
        project=projects.to_out(access.project, access.role),
        can_admin=access.can_admin,
        analysis=analysis,
        script=shape(analysis) if analysis else None,
        filter=filter,
        matches=matches,
        roots=roots,
        replies=replies,
        notes_per_line=notes_per_line,
        role_confidence_sure=ROLE_CONFIDENCE_SURE,
        voices_sure=VOICES_SURE,
        persona=persona,
    )


def _back(page: Page, interview_id: UUID) -> str:
    return safe_next(page.value("next"), default=f"/interviews/{interview_id}")


@router.post("/interviews/{interview_id}/edit")
async def edit_interview(interview_id: UUID, page: PageDep) -> Response:
    changes: dict[str, object] = {"title": page.value("title") or None}
    changes["interview_date"] = page.value("interview_date") or None
    try:
        patch = InterviewPatch.model_validate(changes)
    except ValidationError as exc:
        bad_date = any("interview_date" in e.get("loc", ()) for e in exc.errors())
        return redirect(
            _back(page, interview_id), problem="invalid_date" if bad_date else "invalid_title"
        )
    try:
        await interviews.update(page.session, page.signed_in, interview_id, patch)
    except (InvalidInput, Conflict) as exc:
        await page.undo()
        return redirect(_back(page, interview_id), problem=exc.code)
    return redirect(_back(page, interview_id), notice="saved")


async def _act(page: Page, interview_id: UUID, action: str) -> Response:
    """Trash, restore or retry; a refusal (done already, wrong state) is shown, not an error."""
    run = {"delete": interviews.delete, "restore": interviews.restore, "retry": interviews.retry}
    notice = {"delete": "deleted", "restore": "restored", "retry": "retried"}[action]
    try:
        await run[action](page.session, page.signed_in, interview_id)
    except Conflict as exc:
        await page.undo()
        return redirect(_back(page, interview_id), problem=exc.code)
    return redirect(_back(page, interview_id), notice=notice)


@router.post("/interviews/{interview_id}/delete")
async def delete_interview(interview_id: UUID, page: PageDep) -> Response:
    return await _act(page, interview_id, "delete")


@router.post("/interviews/{interview_id}/restore")
async def restore_interview(interview_id: UUID, page: PageDep) -> Response:
    return await _act(page, interview_id, "restore")


@router.post("/interviews/{interview_id}/retry")
async def retry_interview(interview_id: UUID, page: PageDep) -> Response:
    return await _act(page, interview_id, "retry")


@router.post("/interviews/{interview_id}/speakers")
async def fix_speakers(interview_id: UUID, page: PageDep) -> Response:
    """One click per speaker: "this is the interviewer"; everyone else is interviewed."""
    try:
        patch = SpeakerRolesPatch.model_validate(
            {"roles": {page.value("interviewer"): "interviewer"}}
        )
        await interviews.fix_speakers(
            page.session, page.signed_in, interview_id, patch, others="interviewee"
        )
    except ValidationError:
        return redirect(_back(page, interview_id), problem="unknown_speaker")
    except (InvalidInput, Conflict) as exc:
        await page.undo()
        return redirect(_back(page, interview_id), problem=exc.code)
    return redirect(_back(page, interview_id), notice="roles_fixed")


@router.post("/interviews/{interview_id}/speakers/rename")
async def rename_speaker(interview_id: UUID, page: PageDep) -> Response:
    """A recording's detected speaker named ("Speaker 1" → "김민지"); analysed again."""
    back = _back(page, interview_id)
    try:
        patch = SpeakerRolesPatch.model_validate(
            {"names": {page.value("speaker"): page.value("name")}}
        )
        await interviews.fix_speakers(page.session, page.signed_in, interview_id, patch)
    except ValidationError:
        return redirect(back + "#speakers", problem="invalid_speaker_name")
    except (InvalidInput, Conflict) as exc:
        await page.undo()
        return redirect(back + "#speakers", problem=exc.code)
    return redirect(back + "#speakers", notice="speaker_renamed")


@router.post("/interviews/{interview_id}/purge")
async def purge_interview(interview_id: UUID, page: PageDep) -> Response:
    """Delete a trashed interview for good (company admins; the service decides)."""
    back = safe_next(page.value("next"), default="/projects")
    try:
        unused_file = await interviews.purge(page.session, page.signed_in, interview_id)
    except Conflict as exc:
        await page.undo()
        return redirect(back, problem=exc.code)
    response = redirect(back, notice="purged")
    if unused_file:
        # As the API does: the file goes after the answer, so after the commit (a purge that
        # rolls back keeps it), and only if no one uses it then.
        response.background = BackgroundTask(
            stored_files.delete_if_unused, page.rt.db, page.rt.files, unused_file
        )
    return response


# --- exports -------------------------------------------------------------------------------------


async def _exported(page: Page, interview_id: UUID, extension: str) -> InterviewDetail:
    """The analysed interview, with the export in the audit log (docs/security.md)."""
    detail = await interviews.detail(page.session, page.signed_in, interview_id)
    if detail.analysis is None:
        raise Conflict("the interview is not analysed yet", code="interview_not_analysed")
    access = await projects.require_access(page.session, page.signed_in, detail.project_id)
    await audit.record(
        page.session,
        "export",
        company_id=access.project.company_id,  # the data's company: its admins read the log
        actor_id=page.signed_in.user_id,
        target_type="interview",
        target_id=detail.id,
        ip=page.ip,
        format=extension,
        project_id=str(detail.project_id),
    )
    return detail


def _download(body: str, filename: str, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "Cache-Control": "private, no-store",
        },
    )


def _filename(detail: InterviewDetail, extension: str, label: str) -> str:
    """`<title> – analysis.md`: never the uploaded original's name, which a download next to it
    would overwrite."""
    stem = "".join(c if c.isalnum() or c in " -_" else "_" for c in detail.title).strip()
    return f"{stem or 'interview'} – {label}.{extension}"


@router.get("/interviews/{interview_id}/export.md")
async def export_markdown(interview_id: UUID, page: PageDep) -> Response:
    detail = await _exported(page, interview_id, "md")
    assert detail.analysis is not None
    result = detail.analysis.result
    body = exports.as_markdown(
        detail.title,
        detail.interview_date,
        result.summary,
        list(result.key_takeaways),
        list(result.hmw_questions),
        shape(result),
        page._,
    )
    name = _filename(detail, "md", page._("analysis"))
    return _download(body, name, "text/markdown; charset=utf-8")


@router.get("/interviews/{interview_id}/export.txt")
async def export_text(interview_id: UUID, page: PageDep) -> Response:
    detail = await _exported(page, interview_id, "txt")
    assert detail.analysis is not None
    result = detail.analysis.result
    body = exports.as_text(
        detail.title, detail.interview_date, result.summary, shape(result), page._
    )
    name = _filename(detail, "txt", page._("analysis"))
    return _download(body, name, "text/plain; charset=utf-8")


# --- notes ---------------------------------------------------------------------------------------


def _line_ids(page: Page) -> list[int]:
    ids = []
    for value in page.values("line_ids"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@router.post("/interviews/{interview_id}/notes")
async def add_note(interview_id: UUID, page: PageDep) -> Response:
    back = f"/interviews/{interview_id}"
    parent = page.value("parent_id")
    try:
        body = NoteCreate(
            text=page.value("text")[: 4 * 2000],
            line_ids=_line_ids(page) or None,
            parent_id=UUID(parent) if parent else None,
        )
        note = await notes.add(page.session, page.signed_in, interview_id, body)
    except ValueError:
        return redirect(back + "#notes", problem="invalid_parent")
    except AppError as exc:
        if exc.status == 404:
            raise
        await page.undo()
        return redirect(back + "#notes", problem=exc.code)
    return redirect(f"{back}#note-{note.id}", notice="note_added")


async def _note_action(page: Page, note_id: UUID, action: str) -> Response:
    try:
        if action == "edit":
            note = await notes.edit(page.session, page.signed_in, note_id, page.value("text"))
        else:
            note = await notes.remove(page.session, page.signed_in, note_id)
    except AppError as exc:
        if exc.status == 404:
            raise
        await page.undo()
        return redirect(safe_next(page.value("next"), default="/projects"), problem=exc.code)
    back = f"/interviews/{note.interview_id}"
    if action == "edit":
        return redirect(f"{back}#note-{note.id}", notice="note_saved")
    return redirect(f"{back}#notes", notice="note_deleted")


@router.post("/notes/{note_id}/edit")
async def edit_note(note_id: UUID, page: PageDep) -> Response:
    return await _note_action(page, note_id, "edit")


@router.post("/notes/{note_id}/delete")
async def delete_note(note_id: UUID, page: PageDep) -> Response:
    return await _note_action(page, note_id, "delete")
