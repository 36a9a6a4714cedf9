"""Indexing one interview: its script lines' lexemes and vectors, computed outside any
transaction (Kiwi and e5 take CPU seconds on a long interview) and written in two: the keyword
rows first, then the vectors. Kiwi reads a 1,000-line interview of real turns in ~3 s, e5 takes
~80 s on this machine's two cores; written together, the interview could not be found by any
word for that long. Each write reads the analysis again under its row lock, so a trash or a
re-analysis that committed meanwhile wins.

A line is keyed by its first source line id, the id citations and anchors use. Vectors go into
the shared embeddings table (kind `line`, owner = the interview); keyword rows into
`search_lines`. Both are replaced whole, so re-indexing after a re-analysis leaves nothing of
the old script.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from uuid import UUID

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.repository import Row
from persona_insight.embeddings.vectors import embed_passages
from persona_insight.embeddings.windows import window_ref, windows
from persona_insight.search import lexemes
from persona_insight.search import repository as repo
from persona_insight.search.repository import LineRow

LINE_KIND = "line"

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
"""Opens one unit of work (committed when the block ends) acting for the interview's company."""


KeywordRow = tuple[LineRow, str, str, str | None]
"""A line with its Korean lexemes, its Latin words and its marks (`lexemes.marks_of`)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """Rows to write; `None`: that kind is left as it is."""

    keyword_rows: list[KeywordRow] | None = None
    vector_rows: list[Row] | None = None


def lines_of(interview_id: UUID, analysis: InterviewAnalysis) -> list[LineRow]:
    return [
        LineRow(
            interview_id=interview_id,
            line_id=line.id[0],
            position=position,
            line_ids=list(line.id),
            speaker=line.speaker,
            speaker_name=line.speaker_name,
            text=line.cleaned_sentence,
            start_ms=line.start_ms,
        )
        for position, line in enumerate(analysis.cleaned_script)
        if line.cleaned_sentence.strip()
    ]


def prepare_keywords(interview_id: UUID, analysis: InterviewAnalysis) -> list[KeywordRow]:
    """CPU work only (call it in a thread): the lexemes of every line."""
    lines = lines_of(interview_id, analysis)
    analysed = lexemes.analyse([line.text for line in lines])
    return [
        (line, " ".join(a.korean), " ".join(a.latin), lexemes.marks_of(line.text, a))
        for line, a in zip(lines, analysed, strict=True)
    ]


def prepare_vectors(interview_id: UUID, analysis: InterviewAnalysis) -> list[Row]:
    """CPU work only (call it in a thread): the vector of every line, and of each long line's
    windows (search by meaning scores a long line by its best window). A long line's own
    vector, for readers that want one per line, is its windows' length-weighted mean — what e5
    computes for a text beyond its window anyway — so no text is embedded twice."""
    texts: list[str] = []
    rows: list[tuple[str, str, slice]] = []  # (ref, text, rows of `texts` it is made of)
    for line in lines_of(interview_id, analysis):
        parts = windows(line.text)
        start = len(texts)
        texts.extend(parts or [line.text])
        rows.append((str(line.line_id), line.text, slice(start, len(texts))))
        rows.extend(
            (window_ref(str(line.line_id), n), part, slice(start + n, start + n + 1))
            for n, part in enumerate(parts)
        )
    vectors = embed_passages(texts)
    weights = np.array([len(t) for t in texts], dtype=np.float32)
    vector_rows: list[Row] = []
    for ref, text, part in rows:
        vector = (vectors[part] * weights[part, None]).sum(axis=0)
        vector_rows.append((ref, text, vector / max(float(np.linalg.norm(vector)), 1e-12)))
    return vector_rows


def prepare(interview_id: UUID, analysis: InterviewAnalysis) -> Prepared:
    """Both kinds of rows at once (bulk loads write them in one transaction)."""
    return Prepared(
        keyword_rows=prepare_keywords(interview_id, analysis),
        vector_rows=prepare_vectors(interview_id, analysis),
    )


async def write(
    session: AsyncSession,
    *,
    interview_id: UUID,
    company_id: UUID,
    project_id: UUID,
    prepared: Prepared,
) -> None:
    """Replace the interview's keyword rows and its vectors, whichever `prepared` holds."""
    if prepared.keyword_rows is not None:
        await repo.replace_lines(
            session,
            interview_id=interview_id,
            company_id=company_id,
            project_id=project_id,
            rows=prepared.keyword_rows,
        )
    if prepared.vector_rows is not None:
        await embeddings.replace(
            session,
            company_id=company_id,
            project_id=project_id,
            owner_id=interview_id,
            interview_id=interview_id,
            kind=LINE_KIND,
            rows=prepared.vector_rows,
        )


async def _write_current(
    session: AsyncSession, interview_id: UUID, analysis: InterviewAnalysis, prepared: Prepared
) -> InterviewAnalysis | None:
    """Write `prepared`, made from `analysis`, if the interview is still live and completed
    (read again under its row lock); the analysis written from (None: nothing is left to
    index). Re-analysed meanwhile: what `prepared` holds is made again from the analysis as it
    is now, and the keyword rows always, so that they never trail the vectors."""
    current = await repo.load_for_index(session, interview_id)
    if current is None:
        return None
    company_id, project_id, now = current
    if now != analysis:
        prepared = Prepared(
            keyword_rows=await asyncio.to_thread(prepare_keywords, interview_id, now),
            vector_rows=None
            if prepared.vector_rows is None
            else await asyncio.to_thread(prepare_vectors, interview_id, now),
        )
    await write(
        session,
        interview_id=interview_id,
        company_id=company_id,
        project_id=project_id,
        prepared=prepared,
    )
    return now


async def index_interview(
    session_factory: SessionFactory,
    interview_id: UUID,
    timings: dict[str, float] | None = None,
) -> int:
    """Index one interview, searchable by its words as soon as their rows are written and by
    meaning once its vectors are; the number of lines indexed (0: nothing to index any more).
    `timings`, when given, receives the seconds of each phase (what a long interview's wait is
    made of: the benchmark reports them)."""
    async with session_factory() as session:
        loaded = await repo.load_for_index(session, interview_id)
    if loaded is None:
        return 0
    analysis: InterviewAnalysis | None = loaded[2]
    phases: tuple[tuple[str, Callable[[InterviewAnalysis], Prepared]], ...] = (
        ("keywords", lambda a: Prepared(keyword_rows=prepare_keywords(interview_id, a))),
        ("vectors", lambda a: Prepared(vector_rows=prepare_vectors(interview_id, a))),
    )
    for name, prepare in phases:
        assert analysis is not None
        with _phase(timings, name):
            prepared = await asyncio.to_thread(prepare, analysis)
        with _phase(timings, f"{name}_written"):
            async with session_factory() as session:
                analysis = await _write_current(session, interview_id, analysis, prepared)
        if analysis is None:
            return 0
    assert analysis is not None
    return len(lines_of(interview_id, analysis))


@contextlib.contextmanager
def _phase(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Adds the block's wall time to `timings[name]` (nothing when `timings` is None)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
