"""The analysed interviews a report or export is made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.insights.report import repository


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


async def completed(session: AsyncSession, project_id: UUID) -> list[Analysed]:
    rows = await repository.completed(session, project_id)
    found = []
    for row in rows:
        analysis = InterviewAnalysis.model_validate_json(row.result_json)
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
