""" "Which persona fits?": the project's personas ranked for a question or a description of a
customer, offline by embeddings — the description against each persona's title, description
and types — with the lines of the persona's own interviews closest to it as quotes; and, as a
streamed answer (the ask machinery), the company's engine explaining the ranking from those
quotes."""

from __future__ import annotations

import asyncio
from uuid import UUID

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.chat.retrieval import persona_evidence
from persona_insight.citations import Citation, resolve
from persona_insight.embeddings.vectors import embed_passages, embed_query
from persona_insight.personas import repository as repo
from persona_insight.personas.schemas import FitItem, FitList, FitQuote
from persona_insight.personas.service import load
from persona_insight.projects.service import require_access
from persona_insight.search.ask import Evidence, Run

QUOTES = 2


async def rank(
    session: AsyncSession, actor: Authenticated, project_id: UUID, question: str
) -> FitList:
    access = await require_access(session, actor, project_id)
    fw = await load(session, access.project.company_id)
    personas = [p for p in fw.personas if p.enabled]
    if not personas:
        return FitList(items=[])
    texts = [
        ". ".join(
            [p.title, p.description]
            + [
                f"{fw.type_by_id[t].name}: {fw.type_by_id[t].description}"
                for t in p.type_ids
                if t in fw.type_by_id
            ]
        ).strip(" .")
        for p in personas
    ]
    query = await asyncio.to_thread(embed_query, question)
    matrix = await asyncio.to_thread(embed_passages, texts)
    scores = matrix @ query
    items = []
    for index in np.argsort(-scores):
        persona = personas[int(index)]
        members = [
            i.id for i, _, _ in await repo.persona_interviews(session, project_id, persona.code)
        ]
        # The interviewees' own words only, as persona chat draws on them (it used to quote
        # the interviewer's questions and greetings too), and none when nothing is near.
        evidence = await persona_evidence(session, question, project_id, members)
        quotes: list[FitQuote] = []
        for interview_id, line_id in evidence.keys[:QUOTES]:
            lines = evidence.check.lines_of(
                Citation(interview_id=interview_id, line_ids=(line_id,))
            )
            quotes.append(
                FitQuote(
                    interview_id=interview_id,
                    line_id=line_id,
                    text=lines[0].text[:400],
                    similarity=round(evidence.similarity.get((interview_id, line_id), 0.0), 3),
                )
            )
        items.append(
            FitItem(
                persona_id=persona.id,
                code=persona.code,
                title=persona.title,
                traits=fw.traits(persona),
                score=round(float(scores[index]), 3),
                interviews=len(members),
                quotes=quotes,
            )
        )
    return FitList(items=items)


# Personas whose quotes an engine is shown to explain the ranking.
EXPLAINED = 3


async def explain_evidence(session: AsyncSession, run: Run) -> Evidence:
    """The evidence of an explained "which persona fits?": the best-ranked personas' quotes, each
    labelled with its persona, for the company's engine to say which fits and why (offline:
    the quotes under each persona's name)."""
    assert run.project_id is not None  # asked of a project
    ranked = await rank(session, run.user, run.project_id, run.question)
    keys: list[tuple[UUID, int]] = []
    labels: dict[tuple[UUID, int], str] = {}
    for item in ranked.items[:EXPLAINED]:
        label = f"{item.code} “{item.title}”" + (
            f" ({', '.join(item.traits)})" if item.traits else ""
        )
        for quote in item.quotes:
            key = (quote.interview_id, quote.line_id)
            keys.append(key)
            labels[key] = label
    check = await resolve(session, [Citation(interview_id=i, line_ids=(n,)) for i, n in keys])
    interviews = sum(item.interviews for item in ranked.items)
    return Evidence(keys, check, interviews, fit=True, labels=labels)
