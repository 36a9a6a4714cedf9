"""The search page: `/search?q=…` over everything the caller can read (or one project), results
grouped by interview, matches marked, each hit a link to its line in the interview."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fastapi import APIRouter, Response

from persona_insight.errors import AppError
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


@router.get("/search")
async def search_page(
    page: PageDep, q: str = "", project: UUID | None = None, role: Role = "interviewee"
) -> Response:
    user = page.signed_in
    q = q[: MAX_QUERY * 4]
    result: SearchOut | None = None
    error = ""
    if q.strip():
        params = SearchParams(q=q, project_ids=[project] if project else [], role=role)
        try:
            result = await service.search(page.session, user, params, page.ctx.side_session)
        except AppError as exc:
            if exc.status == 404:
                raise
            error = exc.code
    return page.render(
        "search/results.html",
        q=q.strip(),
        project=project,
        role=role,
        result=result,
        error=error,
        segments=segments,
    )
