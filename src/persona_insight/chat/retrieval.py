"""What a persona can draw on for a question (persona chat, and the quotes of "which persona
fits?"): the interviewee lines of its own interviews nearest the question by meaning, above a
floor below which the interviews "say nothing about it".

e5's cosine band is narrow and shifts with the script of the line: measured on the test samples,
lines that answer the question scored 0.82–0.90 whatever the question's language, while
unrelated questions (the weather, politics, food; in English or Korean) reached 0.80 on English
lines and 0.82 on Korean ones, which sit higher for any question. So the floor is 0.81 for a
Latin-script line and 0.84 for a Korean one. Without pgvector, the search's keyword ranking
stands in.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.citations import Citation, resolve
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import embed_query
from persona_insight.search.ask import Evidence, retrieve
from persona_insight.search.repository import Filters

LATIN_FLOOR = 0.81
KOREAN_FLOOR = 0.84
CANDIDATES = 24
KEEP = 8
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def floor(line: str) -> float:
    return KOREAN_FLOOR if _HANGUL.search(line) else LATIN_FLOOR


async def persona_evidence(
    session: AsyncSession, question: str, project_id: UUID, interview_ids: Sequence[UUID]
) -> Evidence:
    if not interview_ids:
        return Evidence([], await resolve(session, []), 0)
    try:
        vector = await asyncio.to_thread(embed_query, question)
        near = await embeddings.nearest(
            session,
            kind="line",
            vector=vector,
            limit=CANDIDATES,
            project_ids=[project_id],
            interview_ids=list(interview_ids),
        )
    except embeddings.VectorSearchUnavailable:
        filters = Filters(
            project_ids=[project_id], interview_ids=list(interview_ids), speakers=["answer"]
        )
        return await retrieve(session, question, filters)
    similarity = {
        (s.interview_id, int(s.ref)): score
        for s, score in near
        if s.interview_id is not None and score >= floor(s.text)
    }
    keys = list(similarity)
    check = await resolve(session, [Citation(interview_id=i, line_ids=(n,)) for i, n in keys])
    answers = [
        key
        for key in keys
        if (lines := check.lines_of(Citation(interview_id=key[0], line_ids=(key[1],))))
        and lines[0].speaker == "answer"
    ]
    return Evidence(answers[:KEEP], check, len(interview_ids), similarity=similarity)
