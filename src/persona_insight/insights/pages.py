"""The insights page of a project: themes, charts (server-rendered SVG with data tables) and
filters; static/js/insights.js keeps it live from the project stream. And the company dashboard:
per year, key takeaways and top themes across the projects the reader works in."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from fastapi import APIRouter, Response
from markupsafe import Markup

from persona_insight.errors import InvalidInput
from persona_insight.insights import charts, dashboard, service
from persona_insight.insights.schemas import InsightFilters
from persona_insight.projects import service as projects
from persona_insight.web.page import PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            "not a date (YYYY-MM-DD)", code="invalid_filter", details={"field": name}
        ) from exc


@router.get("/projects/{project_id}/insights")
async def insights_page(project_id: UUID, page: PageDep) -> Response:
    access = await projects.require_access(page.session, page.signed_in, project_id)
    q = page.request.query_params
    try:
        filters = InsightFilters(
            date_from=_date(q.get("date_from", ""), "date_from"),
            date_to=_date(q.get("date_to", ""), "date_to"),
            persona=q.get("persona") or None,
            language=q.get("language") or None,
        )
    except ValueError as exc:
        raise InvalidInput("the filter is not valid", code="invalid_filter") from exc
    data = await service.project_insights(page.session, project_id, filters=filters)
    titles = {
        "top_pains": page._("Top pain points"),
        "top_needs": page._("Top needs"),
        "sentiment": page._("Sentiment of findings"),
        "personas": page._("Interviews by persona"),
        "keywords": page._("Keywords"),
        "trend": page._("Interviews by month"),
    }
    # charts.bars escapes every text it draws.
    drawn = {
        key: Markup(charts.bars(title, getattr(data.charts, key), percent=key.startswith("top")))  # noqa: S704
        for key, title in titles.items()
    }
    return page.render(
        "insights/page.html",
        project=projects.to_out(access.project, access.role),
        insights=data,
        drawn=drawn,
        titles=titles,
        filtered=not filters.empty,
    )


@router.post("/projects/{project_id}/insights/summary")
async def regenerate_summary(project_id: UUID, page: PageDep) -> Response:
    await service.request_summary(page.session, page.signed_in, project_id)
    return redirect(f"/projects/{project_id}/insights")


@router.get("/dashboard")
async def dashboard_page(page: PageDep) -> Response:
    return page.render(
        "insights/dashboard.html",
        dashboard=await dashboard.company_dashboard(page.session, page.signed_in),
    )
