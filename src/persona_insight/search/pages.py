"""The search page: `/search?q=…` over everything the caller can read (or one project), results
grouped by interview, matches marked, each hit a link to its line in the interview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from fastapi import APIRouter, Response

from persona_insight.errors import AppError
from persona_insight.personas.service import load as load_framework
from persona_insight.projects.service import require_access
from persona_insight.search import service
from persona_insight.search.schemas import MAX_QUERY, LineOut, Role, SearchOut, SearchParams
from persona_insight.web.page import PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mark: bool


def segments(line: LineOut) -> list[Segment]:
    """The line's text cut at its highlights (the template escapes every piece)."""
    out: list[Segment] = []
    at = 0
    for start, end in line.highlights:
        if start > at:
            out.append(Segment(line.text[at:start], False))
        out.append(Segment(line.text[start:end], True))
        at = end
    if at < len(line.text):
        out.append(Segment(line.text[at:], False))
    return out


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/search")
async def search_page(
    page: PageDep,
    q: str = "",
    project: UUID | None = None,
    role: Role = "interviewee",
    persona: str = "",
    language: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    """The API's filters as a form (the page had only the query and who said it), and the
    findings, notes, themes and documents that match beside the lines."""
    user = page.signed_in
    q = q[: MAX_QUERY * 4]
    result: SearchOut | None = None
    error = ""
    chosen = {
        "persona": persona[:40] or None,
        "language": language if language in LANGUAGES else None,
        "date_from": _date(date_from[:10]),
        "date_to": _date(date_to[:10]),
    }
    if q.strip():
        params = SearchParams(q=q, project_ids=[project] if project else [], role=role, **chosen)
        try:
            result = await service.search(page.session, user, params, page.ctx.side_session)
        except AppError as exc:
            if exc.status == 404:
                raise
            error = exc.code
    framework = await load_framework(page.session, user.company_id)
    scope = (await require_access(page.session, user, project)).project if project else None
    return page.render(
        "search/results.html",
        q=q.strip(),
        project=project,
        project_name=scope.name if scope is not None else None,
        role=role,
        chosen=chosen,
        personas=[(p.code, p.title) for p in framework.personas if p.enabled],
        result=result,
        error=error,
        segments=segments,
    )


LANGUAGES = ("ko", "en")
