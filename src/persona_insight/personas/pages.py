"""The persona pages: the company's personas, a project's personas (cards and "which persona
fits?"), one persona's page (its cited profile, interviews, themes and trend) and two personas
side by side. static/js/personas.js keeps the project pages live from the project stream.

Each project page is its own snapshot: it carries the last event seq it was read at, and the
module re-reads the page's live part when an event concerns it."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response
from markupsafe import Markup
from pydantic import ValidationError

from persona_insight.companies import repository as company_repo
from persona_insight.companies import service as company_service
from persona_insight.errors import Conflict, InvalidInput, NotFound
from persona_insight.ids import parse_uuid
from persona_insight.insights import charts
from persona_insight.models import Project
from persona_insight.personas import fit, service, tasks, view
from persona_insight.personas import routes as persona_routes
from persona_insight.personas.schemas import FitIn, FitList, PersonaAssignment
from persona_insight.projects import repository as projects_repo
from persona_insight.projects import service as projects
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _my_projects(page: Page) -> list[Project]:
    """The projects the caller works in: every project of the company for its admins."""
    user = page.signed_in
    if page.is_company_admin:
        return await projects_repo.of_company(page.session, user.company_id)
    rows = await projects_repo.visible_to(
        page.session, company_id=user.company_id, user_id=user.user_id, search=None, mine_only=True
    )
    return [p for p, _ in rows]


@router.get("/personas")
async def company_personas(page: PageDep) -> Response:
    projects_in = await _my_projects(page)
    cards, total = await view.company_view(page.session, page.signed_in.company_id, projects_in)
    return page.render("personas/company.html", cards=cards, total=total)


@router.get("/projects/{project_id}/personas")
async def project_personas(project_id: UUID, page: PageDep, q: str = "") -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    data = await view.project_view(page.session, access.project)
    ranked: FitList | None = None
    fit_error = False
    question = q.strip()
    if question:
        try:
            body = FitIn(question=question)
        except ValidationError:
            fit_error = True
        else:
            ranked = await fit.rank(page.session, page.signed_in, project_id, body.question)
    # A generating engine can explain the ranking (`…/personas/fit/explain`); offline it would
    # only repeat the quotes listed here.
    company = await company_repo.company(page.session, access.project.company_id)
    engine = company_service.engine_settings(company, page.rt.settings)[0] if company else "offline"
    return page.render(
        "personas/project.html",
        status=422 if fit_error else 200,
        project=access.project,
        data=data,
        question=q[:2000],
        ranked=ranked,
        fit_error=fit_error,
        explain_engine=engine if engine in ("llm", "miso") else None,
        cards_by_id={c.persona.id: c for c in data.cards},
        page_data={"project_id": str(project_id), "last_seq": data.last_seq},
    )


@router.get("/projects/{project_id}/personas/compare")
async def compare(project_id: UUID, page: PageDep, a: str = "", b: str = "") -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    company = access.project.company_id
    # The form sends "" for a side left on "—": the page asks for two again (it answered 404
    # and lost the other choice); the same persona twice is one.
    picked = list(dict.fromkeys(p for p in (parse_uuid(a), parse_uuid(b)) if p is not None))
    chosen = [
        await view.detail(
            page.session, access.project, await service.get_persona(page.session, company, pid)
        )
        for pid in picked
    ]
    data = await view.project_view(page.session, access.project)
    last_seq = min([d.last_seq for d in chosen], default=data.last_seq)
    return page.render(
        "personas/compare.html",
        project=access.project,
        cards=data.cards,
        chosen=chosen,
        a=parse_uuid(a),
        b=parse_uuid(b),
        shared=_shared_themes(chosen),
        page_data={"project_id": str(project_id), "last_seq": last_seq},
    )


def _shared_themes(chosen: list[view.Detail]) -> set[UUID]:
    """Themes both personas voice (marked on the comparison)."""
    if len(chosen) != 2:
        return set()
    first, second = ({t.theme_id for t in d.card.pains + d.card.needs} for d in chosen)
    return first & second


@router.get("/projects/{project_id}/personas/{persona_id}")
async def persona_page(
    project_id: UUID, persona_id: UUID, page: PageDep, version: int | None = None
) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    persona = await service.get_persona(page.session, access.project.company_id, persona_id)
    data = await view.detail(page.session, access.project, persona, version)
    if version is not None and data.profile is None:
        raise NotFound("no such profile version", code="profile_version_not_found")
    title = page._("Interviews by month")
    # charts.bars escapes every text it draws.
    trend = Markup(charts.bars(title, data.trend))  # noqa: S704
    return page.render(
        "personas/persona.html",
        project=access.project,
        data=data,
        card=data.card,
        trend_svg=trend,
        trend_title=title,
        page_data={"project_id": str(project_id), "last_seq": data.last_seq},
    )


@router.post("/projects/{project_id}/personas/{persona_id}/synthesise")
async def synthesise(project_id: UUID, persona_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    persona = await service.get_persona(page.session, access.project.company_id, persona_id)
    queued = await tasks.defer_synthesis(
        page.session, access.project.id, access.project.company_id, persona.id
    )
    notice = "synthesis_queued" if queued else "synthesis_waiting"
    return redirect(f"/projects/{project_id}/personas/{persona_id}", notice=notice)


@router.post("/interviews/{interview_id}/persona")
async def set_interview_persona(interview_id: UUID, page: PageDep) -> Response:
    """A researcher's persona for the interview, from its page ("" is "no persona fits")."""
    back = f"/interviews/{interview_id}"
    try:
        body = PersonaAssignment.model_validate(
            {
                "persona_code": page.value("persona_code") or None,
                "reason": page.value("reason") or None,
            }
        )
    except ValidationError:
        return redirect(back + "#persona", problem="invalid_assignment")
    try:
        # The API's own route: the personas whose interviews changed are synthesised again.
        await persona_routes.assign_persona(interview_id, body, page.ctx)
    except (InvalidInput, Conflict) as exc:
        await page.undo()
        return redirect(back + "#persona", problem=exc.code)
    return redirect(back + "#persona", notice="persona_set")
