"""What gets embedded when, in one place.

Finding vectors are computed when an interview's analysis is stored, so insights recompute
without embedding anything. The vectors are computed before the storing transaction opens
(`finding_rows`, CPU work in a thread) and written inside it (`store_findings`), so the rows
become visible in the same commit as the analysis they describe.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.analysis.contract import Finding, InterviewAnalysis
from persona_insight.embeddings import repository
from persona_insight.embeddings.repository import Row
from persona_insight.embeddings.vectors import embed_passages

FINDING_KINDS = (("pain", "primary_pain_points"), ("need", "primary_needs"))
_EVIDENCE_CHARS = 600


def finding_ref(kind: str, index: int) -> str:
    """`pain:<i>` / `need:<i>`: the finding's place in the analysis it belongs to."""
    return f"{kind}:{index}"


def finding_text(finding: Finding, lines: dict[int, str]) -> str:
    """A finding as embedded: its label and the interviewee's words it rests on (the label
    alone is too short to place a finding near others about the same thing)."""
    evidence = " ".join(lines[i] for i in finding.evidence if i in lines)
    return f"{finding.description}. {evidence[:_EVIDENCE_CHARS]}".strip()


def finding_rows(analysis: InterviewAnalysis) -> list[Row]:
    lines = {i: line.cleaned_sentence for line in analysis.cleaned_script for i in line.id}
    refs: list[str] = []
    texts: list[str] = []
    for kind, field in FINDING_KINDS:
        for index, finding in enumerate(getattr(analysis, field)):
            refs.append(finding_ref(kind, index))
            texts.append(finding_text(finding, lines))
    vectors = embed_passages(texts)
    return [(ref, body, vector) for ref, body, vector in zip(refs, texts, vectors, strict=True)]


async def store_findings(
    session: AsyncSession,
    *,
    company_id: UUID,
    project_id: UUID,
    interview_id: UUID,
    rows: list[Row],
) -> None:
    await repository.replace(
        session,
        company_id=company_id,
        project_id=project_id,
        owner_id=interview_id,
        interview_id=interview_id,
        kind="finding",
        rows=rows,
    )
