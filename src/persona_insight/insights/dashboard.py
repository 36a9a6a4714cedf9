"""The company dashboard: per year, the key takeaways and top themes across the projects the caller
works in, and each project's own top themes. Read from the stored themes, like the insights API,
and the interviews' recorded takeaways."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.errors import NotFound
from persona_insight.insights import repository as repo
from persona_insight.insights import view
from persona_insight.insights.schemas import (
    Dashboard,
    DashboardProject,
    DashboardTakeaway,
    DashboardTheme,
    DashboardYear,
    InsightFilters,
    ProjectRef,
    ThemeOut,
)
from persona_insight.projects import service as projects

TOP_PER_PROJECT = 3
TOP_PER_YEAR = 5
TAKEAWAYS_PER_YEAR = 8


def _brief(t: ThemeOut, project_id: object, project_name: str) -> DashboardTheme:
    return DashboardTheme(
        id=t.id,
        project_id=project_id,
        project_name=project_name,
        kind=t.kind,
        label=t.label,
        interviews=t.interviews,
        share=t.share,
        quote=t.quotes[0] if t.quotes else None,
    )


async def company_dashboard(session: AsyncSession, user: Authenticated) -> Dashboard:
    years: dict[int, DashboardYear] = {}
    reachable: dict[UUID, str] = {}
    for p in await projects.list_visible(session, user, search=None, mine_only=False):
        try:
            await projects.require_access(session, user, p.id)
        except NotFound:
            continue  # a public project the caller has not joined
        reachable[p.id] = p.name
        st = await repo.state(session, p.id)
        if st is None or not st.facts:
            continue
        stored = await repo.themes(session, p.id)
        edits = await repo.edits(session, p.id)
        for year in sorted({int(f["date"][:4]) for f in st.facts.values()}):
            keep = view.selected(
                st.facts,
                InsightFilters(date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31)),
            )
            shown = [t for t in view.themes(stored, edits, st.facts, keep) if not t.hidden]
            entry = years.setdefault(
                year, DashboardYear(year=year, interviews=0, projects=[], top_themes=[])
            )
            entry.interviews += len(keep)
            entry.projects.append(
                DashboardProject(
                    project_id=p.id,
                    name=p.name,
                    interviews=len(keep),
                    top_pains=[_brief(t, p.id, p.name) for t in shown if t.kind == "pain"][
                        :TOP_PER_PROJECT
                    ],
                    top_needs=[_brief(t, p.id, p.name) for t in shown if t.kind == "need"][
                        :TOP_PER_PROJECT
                    ],
                )
            )
            entry.top_themes.extend(_brief(t, p.id, p.name) for t in shown)
    for said in await repo.takeaways_by_year(session, list(reachable), per_year=TAKEAWAYS_PER_YEAR):
        entry = years.setdefault(
            said.year, DashboardYear(year=said.year, interviews=0, projects=[], top_themes=[])
        )
        entry.takeaways.append(
            DashboardTakeaway(
                text=said.text,
                interviews=said.interviews,
                projects=[ProjectRef(id=i, name=reachable[i]) for i in said.project_ids],
                example_interview_id=said.example_id,
                example_interview_title=said.example_title,
            )
        )
    for entry in years.values():
        entry.top_themes = sorted(
            entry.top_themes, key=lambda t: (-t.interviews, -t.share, str(t.id))
        )[:TOP_PER_YEAR]
    return Dashboard(years=[years[y] for y in sorted(years, reverse=True)])
