"""What the persona pages show, read for one caller: cards (share of interviews, top pains and
needs from the project's insight themes), a persona's profile with its citations resolved to
interview lines, its interviews, themes and trend, and the company-wide view.

Reads only; the pages (`pages.py`) check access before calling."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.insights import service as insights
from persona_insight.insights.schemas import Bar, ProjectInsights, ThemeOut
from persona_insight.models import Interview, Persona, PersonaProfile, Project
from persona_insight.personas import profiles
from persona_insight.personas import repository as repo
from persona_insight.personas.service import Framework, load
from persona_insight.personas.synthesis import SECTIONS
from persona_insight.realtime import events

TOP_ON_CARD = 3
TOP_ON_PAGE = 8


@dataclass(slots=True)
class ThemeLine:
    theme_id: UUID
    kind: str
    label: str
    interviews: int  # of this persona's interviews that mention it
    share: float  # of this persona's interviews


@dataclass(slots=True)
class Card:
    persona: Persona
    traits: list[str]
    interviews: int
    share: float  # of the project's (or company's) analysed interviews
    pains: list[ThemeLine] = field(default_factory=list)
    needs: list[ThemeLine] = field(default_factory=list)
    focus: bool = False

    @property
    def picture_url(self) -> str:
        # The version makes a new picture a new address (pictures are cached for a minute).
        stamp = int(self.persona.updated_at.timestamp()) if self.persona.updated_at else 0
        return f"/api/personas/{self.persona.id}/picture?v={stamp}"


@dataclass(slots=True)
class Cite:
    """One interview a statement rests on, with the lines it cites there (each one a link)."""

    interview_id: UUID
    title: str
    line_ids: list[int]


@dataclass(slots=True)
class StatementView:
    text: str
    cites: list[Cite]


@dataclass(slots=True)
class ProjectView:
    cards: list[Card]
    total: int  # analysed interviews in the project
    without: int  # of them with no persona
    last_seq: int


@dataclass(slots=True)
class Detail:
    card: Card
    profile: PersonaProfile | None
    versions: list[int]
    stale: bool
    sections: list[tuple[str, list[StatementView]]]
    interviews: list[Interview]
    trend: list[Bar]
    last_seq: int


def _theme_lines(
    themes: list[ThemeOut], code: str, kind: str, members: int, limit: int
) -> list[ThemeLine]:
    mine = [t for t in themes if t.kind == kind and not t.hidden and t.personas.get(code, 0) > 0]
    mine.sort(key=lambda t: (-t.personas[code], -t.mentions, t.label))
    return [
        ThemeLine(t.id, t.kind, t.label, t.personas[code], t.personas[code] / max(members, 1))
        for t in mine[:limit]
    ]


def _card(
    fw: Framework,
    persona: Persona,
    counts: Counter[str | None],
    total: int,
    data: ProjectInsights | None,
    limit: int,
) -> Card:
    n = counts.get(persona.code, 0)
    themes = data.themes if data is not None else []
    return Card(
        persona=persona,
        traits=fw.traits(persona),
        interviews=n,
        share=n / total if total else 0.0,
        pains=_theme_lines(themes, persona.code, "pain", n, limit),
        needs=_theme_lines(themes, persona.code, "need", n, limit),
    )


async def _counts(session: AsyncSession, project_ids: list[UUID]) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for _, code, n in await repo.code_counts(session, project_ids):
        counts[code] += n
    return counts


async def project_view(session: AsyncSession, project: Project) -> ProjectView:
    """The project's personas as cards: switched-on ones, those in focus first, then by share."""
    last_seq = await events.last_seq(session, project.id)
    fw = await load(session, project.company_id)
    counts = await _counts(session, [project.id])
    total = sum(counts.values())
    data = await insights.project_insights(session, project.id)
    focus = set(await repo.focus(session, project.id))
    cards = []
    for persona in fw.personas:
        if not persona.enabled:
            continue
        card = _card(fw, persona, counts, total, data, TOP_ON_CARD)
        card.focus = persona.id in focus
        cards.append(card)
    cards.sort(key=lambda c: (not c.focus, -c.interviews, c.persona.code))
    return ProjectView(cards, total, counts.get(None, 0), last_seq)


async def _sections(
    session: AsyncSession, profile: PersonaProfile | None
) -> list[tuple[str, list[StatementView]]]:
    if profile is None:
        return []
    stored: dict[str, list[dict[str, Any]]] = profile.profile.get("sections", {})
    ids = {
        UUID(c["interview_id"])
        for statements in stored.values()
        for s in statements
        for c in s.get("citations", [])
        if "interview_id" in c
    }
    titles = await repo.live_titles(session, list(ids))
    shown = []
    for name in SECTIONS:
        statements = []
        for s in stored.get(name, []):
            cites: dict[UUID, Cite] = {}
            for c in s.get("citations", []):
                if "interview_id" not in c or not c.get("line_ids"):
                    continue  # a document citation: persona profiles cite interviews only
                iid = UUID(c["interview_id"])
                if iid not in titles:
                    continue
                cite = cites.setdefault(iid, Cite(iid, titles[iid], []))
                # The first id of a cited line is its anchor on the interview page.
                if int(c["line_ids"][0]) not in cite.line_ids:
                    cite.line_ids.append(int(c["line_ids"][0]))
            statements.append(StatementView(str(s["text"]), list(cites.values())))
        if statements:
            shown.append((name, statements))
    return shown


def _trend(rows: list[Interview]) -> list[Bar]:
    """Interviews by month of the interview (its date, else when it was added)."""
    months: Counter[str] = Counter(
        (i.interview_date or i.created_at.date()).strftime("%Y-%m") for i in rows
    )
    return [Bar(key=m, label=m, value=float(n)) for m, n in sorted(months.items())]


async def detail(
    session: AsyncSession, project: Project, persona: Persona, version: int | None = None
) -> Detail:
    last_seq = await events.last_seq(session, project.id)
    fw = await load(session, project.company_id)
    counts = await _counts(session, [project.id])
    data = await insights.project_insights(session, project.id)
    card = _card(fw, persona, counts, sum(counts.values()), data, TOP_ON_PAGE)
    card.focus = persona.id in set(await repo.focus(session, project.id))
    versions, stale = await profiles.current(session, project.company_id, project.id, persona.id)
    chosen = next((v for v in versions if version is None or v.version == version), None)
    rows = [r[0] for r in await repo.persona_interviews(session, project.id, persona.code)]
    return Detail(
        card=card,
        profile=chosen,
        versions=[v.version for v in versions],
        stale=stale,
        sections=await _sections(session, chosen),
        interviews=sorted(rows, key=lambda i: (i.interview_date or i.created_at.date(), i.title)),
        trend=_trend(rows),
        last_seq=last_seq,
    )


@dataclass(slots=True)
class CompanyCard:
    card: Card
    projects: list[tuple[Project, int]]  # where its interviews are
    pains: list[str]
    needs: list[str]


async def company_view(
    session: AsyncSession, company_id: UUID, projects: list[Project]
) -> tuple[list[CompanyCard], int]:
    """Every switched-on persona over the projects the caller works in: its share of their
    interviews, the projects they are in, and the first pains and needs of its newest profiles."""
    fw = await load(session, company_id)
    by_project: dict[tuple[UUID, str | None], int] = {}
    counts: Counter[str | None] = Counter()
    for pid, code, n in await repo.code_counts(session, [p.id for p in projects]):
        by_project[(pid, code)] = n
        counts[code] += n
    total = sum(counts.values())
    newest = await repo.newest_profiles(session, [p.id for p in projects])
    cards = []
    for persona in fw.personas:
        if not persona.enabled:
            continue
        card = _card(fw, persona, counts, total, None, 0)
        mine = [p for p in newest if p.persona_id == persona.id]
        mine.sort(key=lambda p: p.created_at, reverse=True)
        pains: list[str] = []
        needs: list[str] = []
        for profile in mine:
            sections = profile.profile.get("sections", {})
            pains += [s["text"] for s in sections.get("pain_points", [])]
            needs += [s["text"] for s in sections.get("needs", [])]
        cards.append(
            CompanyCard(
                card=card,
                projects=[
                    (p, by_project[(p.id, persona.code)])
                    for p in projects
                    if by_project.get((p.id, persona.code))
                ],
                pains=list(dict.fromkeys(pains))[:TOP_ON_CARD],
                needs=list(dict.fromkeys(needs))[:TOP_ON_CARD],
            )
        )
    cards.sort(key=lambda c: (-c.card.interviews, c.card.persona.code))
    return cards, total


@dataclass(slots=True)
class AxisPlace:
    axis: str
    type: str | None  # None: unclear on this axis
    confidence: float
    line_ids: list[int]
    manual: bool


@dataclass(slots=True)
class InterviewPersona:
    """The interview's persona as it stands (the placements' or a researcher's), for its page."""

    code: str | None
    persona: Persona | None  # the code's persona in the framework, when it is there
    manual: bool
    reason: str | None
    axes: list[AxisPlace]
    options: list[Persona]  # what a researcher may choose


async def interview_persona(
    session: AsyncSession, company_id: UUID, interview_id: UUID, code: str | None
) -> InterviewPersona:
    """Read for a caller who may read the interview (the page checked it)."""
    fw = await load(session, company_id)
    placed = {p.axis_id: p for p in await repo.placements(session, interview_id)}
    choice = await repo.choice(session, interview_id)
    axes = []
    for axis in fw.axes:
        row = placed.get(axis.id)
        kind = fw.type_by_id.get(row.type_id) if row is not None and row.type_id else None
        axes.append(
            AxisPlace(
                axis=axis.name,
                type=kind.name if kind is not None else None,
                confidence=row.confidence if row is not None else 0.0,
                line_ids=list(row.line_ids) if row is not None else [],
                manual=row is not None and row.source == "manual",
            )
        )
    persona = fw.by_code.get(code) if code else None
    return InterviewPersona(
        code=code,
        persona=persona,
        manual=choice is not None,
        reason=choice.reason if choice is not None else None,
        axes=axes,
        options=[p for p in fw.personas if p.enabled],
    )
