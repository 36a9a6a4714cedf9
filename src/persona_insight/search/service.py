"""Search rules: what the caller may search, the two rankings and their fusion, and results
grouped by interview with each hit's neighbours and highlights. Nothing here commits.

Scope is checked before anything is ranked: a project or interview the caller cannot read is a
404, never an empty result that would tell counts apart. Row-level security holds the same line
underneath (`search_lines` and `embeddings` are project-level).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.db import SessionOpener
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import Vectors, embed_query, query_vector
from persona_insight.errors import InvalidInput, NotFound
from persona_insight.projects import service as projects
from persona_insight.search import fusion, glossary, highlight, items
from persona_insight.search import query as keyword
from persona_insight.search import repository as repo
from persona_insight.search.repository import Filters
from persona_insight.search.schemas import (
    MAX_QUERY,
    GroupOut,
    HitOut,
    InterviewRef,
    ItemOut,
    LineOut,
    Mode,
    SearchOut,
    SearchParams,
)

log = logging.getLogger(__name__)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Candidates each ranking contributes to the fusion (it was 100 each). A line past the 50th of
# a list scores at most 1/61 of it, too little for a first page unless the other list ranks it
# too; the evaluation's figures are the same with 50 as with 100 (docs/benchmarks.md). Each
# costs: the HNSW walk's work grows with its limit (3.9 → 1.7 ms median for 100 → 50 on the
# benchmark's 237,444 vectors), and the keyword side reads its pool's lines by key (6.6 → 5.1
# ms median, 26 → 18 ms p95, on its 141,742 lines).
CANDIDATES = 50
# The 4-bit e5-small puts unrelated Korean sentences up to ~0.84 cosine (measured on the
# interview lines: "전혀없는낱말" scored 0.837 against a complaint about an app); below this
# a "nearest" line is noise.
MIN_SIMILARITY = 0.84
# Across languages the same model scores true matches lower (0.78–0.83 on the evaluation set).
MIN_CROSS_SIMILARITY = 0.78
# The other language's few nearest lines, weighted as if two lists agreed on them: a line
# found only across languages must still reach the first page against lines that the keyword
# and meaning lists both rank (measured on the evaluation set: recall of cross-language
# queries 0 with one weight, see docs/benchmarks.md).
CROSS_CANDIDATES = 5
CROSS_WEIGHT = 1.5
# Fusion: k = 10 (not the paper's 60) and the keyword list at 0.7 put a line that one list
# ranks first above lines that every list ranks middling — measured on the 59 evaluation
# queries with long real turns windowed: MRR 0.687 → 0.708 at the same recall (k = 20 or a
# keyword weight of 0.8 fall back to 0.68; docs/benchmarks.md).
FUSION_K = 10
KEYWORD_WEIGHT = 0.7
# …and only lines nearly as near as the nearest line of all: for a query the own language
# answers well, the other language's best are ~0.08 behind and stay out.
CROSS_MARGIN = 0.06
# …and only when something is near at all: nonsense ("xyzzy") is ~0.80 from everything.
CROSS_NEEDS_BEST = 0.83
NEIGHBOURS = 1
MAX_LIMIT = 50
_SPEAKERS = {"interviewee": ["answer"], "interviewer": ["question"], "any": None}

A = TypeVar("A")
B = TypeVar("B")
Key = tuple[UUID, int]
Ranked = tuple[Key, float, int | None, int | None]
"""A line found: (key, fused score, keyword rank, meaning rank)."""


def clean_query(q: str) -> str:
    q = q.strip()
    if not q:
        raise InvalidInput("the query is empty", code="empty_query")
    if len(q) > MAX_QUERY:
        raise InvalidInput(
            f"a query has at most {MAX_QUERY} characters",
            code="query_too_long",
            details={"max": MAX_QUERY},
        )
    return q


async def scope(session: AsyncSession, user: Authenticated, params: SearchParams) -> Filters:
    """The filters the caller may search with; 404 for a project or interview out of reach."""
    if params.project_ids:
        for project_id in params.project_ids:
            await projects.require_access(session, user, project_id)
        project_ids = list(dict.fromkeys(params.project_ids))
    else:
        project_ids = await repo.readable_projects(
            session,
            company_id=user.company_id,
            user_id=user.user_id,
            all_of_company=user.role in ("company_admin", "super_admin"),
        )
    interview_ids = None
    if params.interview_id is not None:
        if not await repo.interview_in(session, params.interview_id, project_ids):
            raise NotFound("no such interview", code="interview_not_found")
        interview_ids = [params.interview_id]
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise InvalidInput("date_from is after date_to", code="invalid_date_range")
    return Filters(
        project_ids=project_ids,
        interview_ids=interview_ids,
        speakers=_SPEAKERS[params.role],
        persona=params.persona,
        language=params.language,
        date_from=params.date_from,
        date_to=params.date_to,
    )


async def keyword_ranking(
    session: AsyncSession, parsed: keyword.KeywordQuery, filters: Filters, limit: int
) -> list[Key]:
    if parsed.empty:
        return []
    tsq, tsq_params = keyword.tsquery(parsed)
    hits = await repo.keyword_hits(
        session,
        tsquery=tsq,
        tsquery_params=tsq_params,
        must_contain=parsed.phrases,
        filters=filters,
        limit=limit,
    )
    return [(interview_id, line_id) for interview_id, line_id, _ in hits]


def _meaning_lists(
    near: Sequence[tuple[UUID, int, float, bool]],
    other: Sequence[tuple[UUID, int, float]],
) -> list[list[Key]]:
    """The lines nearest the query by meaning — all lines (`near`: `repo.nearest_lines`), and
    separately the lines written in the other script (`other`: `repo.nearest_in_other_script`)
    — cut at the similarity floors."""
    keys: dict[Key, None] = {}  # in order, each once: a long line's best window ranks it
    for interview_id, line_id, similarity, kept in near:
        if similarity >= MIN_SIMILARITY and kept:
            keys.setdefault((interview_id, line_id), None)
    best = near[0][2] if near else 0.0  # the nearest line of all, filters aside
    floor = max(MIN_CROSS_SIMILARITY, best - CROSS_MARGIN)
    cross = [(i, line) for i, line, sim in other if sim >= floor and best >= CROSS_NEEDS_BEST]
    return [list(keys), cross]


def keyword_query(q: str, also: Sequence[str] = ()) -> keyword.KeywordQuery:
    """The query's keyword side, with the glossary's synonyms as further words (any matches)."""
    extra = " ".join(re.sub(r'["*]', " ", word) for word in also)
    return keyword.parse(f"{q} {extra}" if extra.strip() else q)


def embed_soon(q: str) -> asyncio.Future[Vectors]:
    """The query's vector, computed in a thread from now on: e5 runs outside the GIL, so the
    ~11 ms of embedding a new query overlap the keyword ranking's wait on the database instead
    of adding to it."""
    return asyncio.ensure_future(asyncio.to_thread(embed_query, q))


async def _both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Both results, run at once; when one fails the other is cancelled and waited for, so
    neither is still using its session when the error reaches the caller."""
    one, two = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        return await one, await two
    except BaseException:
        for task in (one, two):
            task.cancel()
        await asyncio.gather(one, two, return_exceptions=True)
        raise


Work = Callable[[AsyncSession], Awaitable[None]]
"""A piece of a search's reading, run in whichever transaction it is given."""


async def _lanes(
    session: AsyncSession, aside: AsyncSession | None, first: Sequence[Work], shared: list[Work]
) -> None:
    """`first` in `session`, one after the other; then `shared`, in order, each piece taken by
    whichever transaction is free first (`session` alone when there is no `aside`). The work
    that waits for the query's vector is shared: when the vector is cached, `aside` usually
    does it all while `session` ranks by keyword; when the query is new, its ~10–20 ms of
    embedding leave both transactions waiting, and then both read by meaning. When a piece
    fails, the other transaction's piece is cancelled and waited for (`_both`)."""

    async def lane(s: AsyncSession, own: Sequence[Work]) -> None:
        for work in own:
            await work(s)
        while shared:
            await shared.pop(0)(s)

    if aside is None:
        await lane(session, first)
    else:
        await _both(lane(session, first), lane(aside, ()))


async def rank(
    session: AsyncSession,
    q: str,
    filters: Filters,
    mode: Mode,
    limit: int,
    also: Sequence[str] = (),
    parsed: keyword.KeywordQuery | None = None,
    embedding: asyncio.Future[Vectors] | None = None,
    aside: AsyncSession | None = None,
    shared: Sequence[Work] = (),
) -> tuple[Mode, list[Ranked]]:
    """(mode used, [(key, fused score, keyword rank, meaning rank)]) best first; `also`: words
    the keyword side looks for besides the query's (glossary synonyms); `parsed`: the query
    with them as `keyword_query` reads it, when the caller has it already (Kiwi per parse);
    `embedding`: the query's vector when the caller is computing it already (`embed_soon`);
    `aside`: a second transaction for the same caller, which reads by meaning while `session`
    ranks by keyword (`_lanes`); `shared`: the caller's work for either, after the lines'
    meaning ranking."""
    if parsed is None:
        parsed = keyword_query(q, also)
    by_meaning = _by_meaning(mode, filters)
    if by_meaning and not await embeddings.has_vector(session):
        if mode == "meaning":
            raise InvalidInput(
                "this server cannot search by meaning (no pgvector)",
                code="meaning_search_unavailable",
            )
        mode, by_meaning = "keyword", False
    own = None
    if embedding is None and by_meaning:
        embedding = own = embed_soon(q)
    by_words: list[Key] = []
    near: list[tuple[UUID, int, float, bool]] = []
    other: list[tuple[UUID, int, float]] = []

    async def words(s: AsyncSession) -> None:
        if mode in ("hybrid", "keyword"):
            by_words.extend(await keyword_ranking(s, parsed, filters, CANDIDATES))

    async def nearest(s: AsyncSession) -> None:
        vector = await query_vector(q, embedding)
        near.extend(await repo.nearest_lines(s, vector=vector, filters=filters, limit=CANDIDATES))

    async def other_script(s: AsyncSession) -> None:
        vector = await query_vector(q, embedding)
        other.extend(
            await repo.nearest_in_other_script(
                s,
                vector=vector,
                korean_lines=not _HANGUL.search(q),
                filters=filters,
                limit=CROSS_CANDIDATES,
            )
        )

    meaning: list[Work] = [nearest, other_script] if by_meaning else []
    try:
        await _lanes(session, aside, [words], [*meaning, *shared])
    except BaseException:
        if own is not None:
            own.cancel()
        raise
    by_near, by_other_script = _meaning_lists(near, other) if by_meaning else ([], [])
    word_rank = {k: n for n, k in enumerate(by_words, start=1)}
    meaning_rank = {k: n for n, k in enumerate(by_near, start=1)}
    for n, k in enumerate(by_other_script, start=1):
        meaning_rank.setdefault(k, n)
    fused = fusion.fuse(
        [by_words, by_near, by_other_script],
        k=FUSION_K,
        weights=[KEYWORD_WEIGHT, 1.0, CROSS_WEIGHT],
    )[:limit]
    return mode, [(k, s, word_rank.get(k), meaning_rank.get(k)) for k, s in fused]


def _by_meaning(mode: Mode, filters: Filters) -> bool:
    return mode in ("hybrid", "meaning") and bool(filters.project_ids)


async def search(
    session: AsyncSession,
    user: Authenticated,
    params: SearchParams,
    side: SessionOpener | None = None,
) -> SearchOut:
    """`side`: when given, a second transaction for the same caller: the lines and the items
    (findings, notes, themes, documents) are ranked by their words here and by meaning there
    or here, whichever is free (`_lanes`), and then the lines' neighbours are read here while
    the items' rows are read there — two database backends on two cores instead of one
    statement after the other (docs/benchmarks.md). Both read what the caller may read; what
    changes between the two snapshots is what a search a moment later would show either
    way."""
    q = clean_query(params.q)
    limit = max(1, min(params.limit, MAX_LIMIT))
    mode: Mode = params.mode
    ranked: list[Ranked] = []
    kinds = [str(k) for k in params.kinds]
    lines = "line" in params.kinds
    embedding = None
    if (
        (lines and mode in ("hybrid", "meaning")) or items.needs_vector(kinds)
    ) and await embeddings.has_vector(session):
        # Once, for the lines and the items, and from now on: beside the scope's checks.
        embedding = embed_soon(q)
    async with contextlib.AsyncExitStack() as stack:
        opening = asyncio.ensure_future(stack.enter_async_context(side())) if side else None
        try:
            filters = await scope(session, user, params)
            also = await glossary.expand(session, user.company_id, q)
            parsed = keyword_query(q, also)
            item_words: list[repo.ItemKey] = []
            item_meaning: list[repo.ItemKey] = []
            # Interview filters choose the findings and notes of those interviews; themes and
            # documents, which belong to no one interview, are left out (they were listed
            # whatever the filters said).
            chosen = (
                await repo.interviews_matching(session, filters)
                if repo.narrows_interviews(filters)
                else None
            )

            async def items_by_words(s: AsyncSession) -> None:
                item_words.extend(
                    await items.by_words(s, parsed, filters.project_ids, kinds, chosen)
                )

            async def items_by_meaning(s: AsyncSession) -> None:
                item_meaning.extend(
                    await items.by_meaning(s, q, kinds, filters.project_ids, embedding, chosen)
                )

            other = await opening if opening is not None else None
            if lines:
                # The items are read in whichever transaction is free first once the lines'
                # nearest vectors are (`_lanes`): the keyword ranking here may take long (a
                # common word matches thousands of lines).
                mode, ranked = await rank(
                    session,
                    q,
                    filters,
                    params.mode,
                    limit,
                    also,
                    parsed,
                    embedding,
                    other,
                    shared=[items_by_meaning, items_by_words],
                )
            else:
                await _lanes(session, other, [], [items_by_words, items_by_meaning])
            found = items.fused(item_words, item_meaning, limit)
            if other is None:
                groups = await _grouped(session, parsed, ranked)
                rows = await items.rows_of(session, found)
            else:
                groups, rows = await _both(
                    _grouped(session, parsed, ranked), items.rows_of(other, found)
                )
        except BaseException:
            for pending in (opening, embedding):
                if pending is not None:
                    pending.cancel()
            if opening is not None:
                # Entered or not, the second transaction is closed before the error goes on.
                await asyncio.gather(opening, return_exceptions=True)
            raise
    return SearchOut(
        q=q,
        mode=mode,
        total_hits=len(ranked),
        groups=groups,
        items=[_item_out(row, score) for row, score in rows],
        expanded=also,
    )


def _item_out(row: repo.ItemRow, score: float) -> ItemOut:
    kind = "document" if row.kind == "chunk" else row.kind
    if kind == "document":
        url = f"/knowledge/{row.owner_id}#chunk-{row.ref}"
    elif kind == "theme":
        url = f"/projects/{row.project_id}/insights"
    elif kind == "note" and row.line_ids:
        url = f"/interviews/{row.interview_id}#line-{row.line_ids[0]}"
    else:
        url = f"/interviews/{row.interview_id}"
    return ItemOut.model_validate(
        {
            "kind": kind,
            "id": row.owner_id,
            "ref": row.ref,
            "text": row.text[:1000],
            "title": row.title,
            "project_id": row.project_id,
            "interview_id": row.interview_id,
            "line_ids": row.line_ids,
            "url": url,
            "score": round(score, 6),
        }
    )


async def _grouped(
    session: AsyncSession,
    parsed: keyword.KeywordQuery,
    ranked: Sequence[Ranked],
) -> list[GroupOut]:
    keys = [k for k, *_ in ranked]
    around, info = await repo.lines_around(session, keys, NEIGHBOURS)
    context: dict[Key, list[repo.LineRow]] = {}
    for interview_id, line_id, row in around:
        context.setdefault((interview_id, line_id), []).append(row)
    hit_rows = {k: row for k in keys for row in context.get(k, []) if row.line_id == k[1]}
    rows_hit = list(hit_rows.values())
    spans = highlight.spans([r.text for r in rows_hit], parsed, [r.marks for r in rows_hit])
    marks = dict(zip(hit_rows, spans, strict=True))
    groups: dict[UUID, GroupOut] = {}
    for key, score, word_rank, meaning_rank in ranked:
        about = info.get(key[0])
        rows = context.get(key)
        if about is None or not rows:
            continue  # trashed or re-indexed between the ranking and now
        lines = []
        for row in rows:
            is_hit = row.line_id == key[1]
            lines.append(
                LineOut(
                    line_id=row.line_id,
                    line_ids=row.line_ids,
                    speaker=row.speaker,
                    speaker_name=row.speaker_name,
                    text=row.text,
                    start_ms=row.start_ms,
                    hit=is_hit,
                    highlights=marks.get(key, []) if is_hit else [],
                )
            )
        group = groups.get(key[0])
        if group is None:
            group = groups[key[0]] = GroupOut(
                interview=InterviewRef(
                    id=about.id,
                    title=about.title,
                    project_id=about.project_id,
                    project_name=about.project_name,
                    interview_date=about.interview_date,
                    persona_code=about.persona_code,
                    language=about.language,
                ),
                hits=[],
            )
        group.hits.append(
            HitOut(
                line_id=key[1],
                score=round(score, 6),
                keyword_rank=word_rank,
                meaning_rank=meaning_rank,
                lines=lines,
            )
        )
    return list(groups.values())
