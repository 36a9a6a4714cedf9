"""The analysed interviews a report or export is made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.insights.report import repository
from persona_insight.insights.schemas import InsightFilters


@dataclass(frozen=True, slots=True)
class Analysed:
    id: UUID
    title: str
    date: dt.date | None
    persona: str | None
    language: str | None
    analysis: InterviewAnalysis

    def lines(self) -> dict[int, str]:
        """Every source line id → the cleaned line it belongs to."""
        return {i: line.cleaned_sentence for line in self.analysis.cleaned_script for i in line.id}


async def completed(
    session: AsyncSession, project_id: UUID, filters: InsightFilters | None = None
) -> list[Analysed]:
    """The project's analysed interviews inside the filter's dates, persona and language (its
    kind and section narrow findings, not interviews: see `exports.rows`)."""
    filters = filters or InsightFilters()
    rows = await repository.completed(
        session,
        project_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        persona=filters.persona,
    )
    found = []
    for row in rows:
        if filters.language and row.language and row.language != filters.language:
            continue  # before parsing its analysis
        analysis = InterviewAnalysis.model_validate_json(row.result_json)
        if filters.language and (row.language or analysis.language) != filters.language:
            continue
        found.append(
            Analysed(
                id=row.id,
                title=row.title,
                date=row.interview_date,
                persona=row.persona_code,
                language=row.language or analysis.language,
                analysis=analysis,
            )
        )
    return found


def quote_of(interview: Analysed, evidence: list[int], lines: dict[int, str]) -> str:
    """The finding's evidence lines in script order, each once (a merged line has several ids)."""
    seen: list[str] = []
    for line_id in sorted(evidence):
        text = lines.get(line_id)
        if text is not None and text not in seen:
            seen.append(text)
    return " / ".join(seen)
