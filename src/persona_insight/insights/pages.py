"""The insights page of a project: themes, charts (server-rendered SVG with data tables) and
filters; static/js/insights.js keeps it live from the project stream. And the company dashboard:
per year, key takeaways and top themes across the projects the reader works in."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Response
from markupsafe import Markup
from pydantic import ValidationError

from persona_insight.errors import AppError, InvalidInput
from persona_insight.insights import charts, dashboard, service
from persona_insight.insights import filters as insight_filters
from persona_insight.insights import routes as insight_routes
from persona_insight.insights.schemas import ThemeEdit
from persona_insight.personas.service import load as load_framework
from persona_insight.projects import service as projects
from persona_insight.web.page import PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

NO_PERSONA_CHOICE = "-"


@router.get("/projects/{project_id}/insights")
async def insights_page(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    q = page.request.query_params
    chosen = {
        "date_from": q.get("date_from"),
        "date_to": q.get("date_to"),
        # The form's empty choice means any persona; "-" the interviews without one ("").
        "persona": "" if q.get("persona") == NO_PERSONA_CHOICE else (q.get("persona") or None),
        "language": q.get("language"),
        "kind": q.get("kind"),
        "section": q.get("section"),
    }
    filter_error = None
    try:
        filters = insight_filters.make(**chosen)
    except InvalidInput as exc:
        # The page stays, with the other filters applied and the form as the reader left it;
        # it used to be replaced by an error page that blamed the date format.
        filter_error = page.reason(exc.code)
        dropped = {"date_from", "date_to"} if exc.code == "invalid_date_range" else set()
        dropped.add(str((exc.details or {}).get("field", "")))
        filters = insight_filters.make(
            **{k: (None if k in dropped else v) for k, v in chosen.items()}
        )
    data = await service.project_insights(page.session, project_id, filters=filters)
    titles = {
        "top_pains": page._("Top pain points"),
        "top_needs": page._("Top needs"),
        "sentiment": page._("Sentiment of findings"),
        "personas": page._("Interviews by persona"),
        "keywords": page._("Keywords"),
        "trend": page._("Interviews by month"),
    }
    shown = {key: charts.for_display(key, getattr(data.charts, key), page._) for key in titles}
    nothing = page._("Nothing to show")
    # charts.bars escapes every text it draws.
    drawn = {
        key: Markup(  # noqa: S704
            charts.bars(title, shown[key], percent=key.startswith("top"), empty=nothing)
        )
        for key, title in titles.items()
    }
    framework = await load_framework(page.session, access.project.company_id)
    return page.render(
        "insights/page.html",
        status=422 if filter_error else 200,
        persona_choices=[(p.code, p.title) for p in framework.personas if p.enabled],
        no_persona_choice=NO_PERSONA_CHOICE,
        project=projects.to_out(access.project, access.role),
        insights=data,
        drawn=drawn,
        shown=shown,
        titles=titles,
        filtered=not filters.empty,
        filter_error=filter_error,
        api_query=urlencode(
            {k: str(v) for k, v in filters.model_dump(mode="json", exclude_none=True).items()}
        ),
        typed={k: (q.get(k) or "")[:10] for k in ("date_from", "date_to")},
        # The report and exports menu makes them with the same filter.
        report_query=urlencode(
            {
                k: str(v)
                for k, v in filters.model_dump(exclude_none=True).items()
                if not (k == "persona" and v == "")
            }
        ),
    )


@router.post("/projects/{project_id}/insights/themes/{theme_id}")
async def edit_theme(project_id: UUID, theme_id: UUID, page: PageDep) -> Response:
    """The theme's name, pin and visibility from the page (an empty name: the computed one)."""
    back = f"/projects/{project_id}/insights"
    await projects.require_access(page.session, page.signed_in, project_id)
    label = page.value("label").strip()
    try:
        body = ThemeEdit(
            label=label or None,
            reset_label=not label,
            pinned=page.value("pinned") == "on",
            hidden=page.value("hidden") == "on",
        )
        await insight_routes.edit_theme(theme_id, body, page.ctx)
    except (ValidationError, AppError) as exc:
        await page.undo()
        code = exc.code if isinstance(exc, AppError) else "invalid_label"
        if isinstance(exc, AppError) and exc.status == 404:
            raise
        return redirect(back, problem=code)
    return redirect(back, notice="theme_saved")


@router.post("/projects/{project_id}/insights/summary")
async def regenerate_summary(project_id: UUID, page: PageDep) -> Response:
    await service.request_summary(page.session, page.signed_in, project_id, page.locale)
    return redirect(f"/projects/{project_id}/insights")


@router.get("/dashboard")
async def dashboard_page(page: PageDep) -> Response:
    return page.render(
        "insights/dashboard.html",
        dashboard=await dashboard.company_dashboard(page.session, page.signed_in),
    )
