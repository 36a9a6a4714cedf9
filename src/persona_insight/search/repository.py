"""All SQL of search: the keyword index, readable projects, hits with their neighbours, answers
and saved searches. Every read skips trashed interviews (and deleted projects), so what is
trashed leaves the results in the transaction that trashes it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Integer, String

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.db import sql
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.repository import BY_WINDOWS, LIVE


@dataclass(frozen=True, slots=True)
class LineRow:
    interview_id: UUID
    line_id: int
    position: int
    line_ids: list[int]
    speaker: str
    speaker_name: str | None
    text: str
    start_ms: int | None
    marks: str | None = None
    """Read back from the index: the spans to mark a match in (`lexemes.marks_of`)."""


@dataclass(frozen=True, slots=True)
class Filters:
    project_ids: list[UUID]
    interview_ids: list[UUID] | None = None
    speakers: list[str] | None = None  # "answer" (interviewee), "question" (interviewer)
    persona: str | None = None
    language: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class InterviewInfo:
    id: UUID
    project_id: UUID
    project_name: str
    title: str
    interview_date: dt.date | None
    persona_code: str | None
    language: str | None


async def readable_projects(
    session: AsyncSession, *, company_id: UUID, user_id: UUID, all_of_company: bool
) -> list[UUID]:
    """The live projects of the company the caller works in (company admins: all of them)."""
    rows = await session.execute(
        sql(
            "SELECT p.id FROM projects p LEFT JOIN project_members m"
            " ON m.project_id = p.id AND m.user_id = :u"
            " WHERE p.company_id = :c AND p.deleted_at IS NULL"
            " AND (m.user_id IS NOT NULL OR :all)"
        ),
        {"u": user_id, "c": company_id, "all": all_of_company},
    )
    return [r[0] for r in rows]


async def load_for_index(
    session: AsyncSession, interview_id: UUID
) -> tuple[UUID, UUID, InterviewAnalysis] | None:
    """(company, project, analysis) of a live completed interview, locked against a concurrent
    trash or re-analysis until the index is written; None when there is nothing to index."""
    row = (
        await session.execute(
            sql(
                "SELECT i.company_id, i.project_id, a.result FROM interviews i"
                " JOIN interview_analyses a ON a.interview_id = i.id"
                " WHERE i.id = :i AND i.status = 'completed' AND i.deleted_at IS NULL"
                " FOR UPDATE OF i"
            ),
            {"i": interview_id},
        )
    ).first()
    if row is None:
        return None
    return row[0], row[1], InterviewAnalysis.model_validate(row[2])


async def replace_lines(
    session: AsyncSession,
    *,
    interview_id: UUID,
    company_id: UUID,
    project_id: UUID,
    rows: Sequence[tuple[LineRow, str, str, str | None]],
) -> None:
    """The interview's keyword rows become `rows`: (line, Korean lexemes, Latin words, marks)."""
    await session.execute(
        sql("DELETE FROM search_lines WHERE interview_id = :i"), {"i": interview_id}
    )
    if not rows:
        return
    stmt = sql(
        "INSERT INTO search_lines (interview_id, line_id, company_id, project_id, position,"
        " line_ids, speaker, speaker_name, text, start_ms, lexemes, marks)"
        " SELECT :i, u.line_id, :c, :p, u.position, ARRAY(SELECT jsonb_array_elements_text("
        "u.line_ids)::int), u.speaker, u.speaker_name, u.text, u.start_ms,"
        " to_tsvector('simple', u.korean) || to_tsvector('english', u.latin), u.marks"
        " FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(line_id int, position int,"
        " line_ids jsonb, speaker text, speaker_name text, text text, start_ms int,"
        " korean text, latin text, marks text)"
    )
    payload = [
        {
            "line_id": line.line_id,
            "position": line.position,
            "line_ids": line.line_ids,
            "speaker": line.speaker,
            "speaker_name": line.speaker_name,
            "text": line.text,
            "start_ms": line.start_ms,
            "korean": korean,
            "latin": latin,
            "marks": marks,
        }
        for line, korean, latin, marks in rows
    ]
    await session.execute(
        stmt,
        {"i": interview_id, "c": company_id, "p": project_id, "rows": json.dumps(payload)},
    )


async def delete_lines(session: AsyncSession, interview_id: UUID) -> None:
    await session.execute(
        sql("DELETE FROM search_lines WHERE interview_id = :i"), {"i": interview_id}
    )


def _filter_sql(filters: Filters) -> tuple[str, dict[str, Any]]:
    sql = " AND l.project_id = ANY(:projects) AND i.deleted_at IS NULL"
    params: dict[str, Any] = {"projects": filters.project_ids}
    if filters.interview_ids is not None:
        sql += " AND l.interview_id = ANY(:interviews)"
        params["interviews"] = filters.interview_ids
    if filters.speakers is not None:
        sql += " AND l.speaker = ANY(:speakers)"
        params["speakers"] = filters.speakers
    if filters.persona is not None:
        sql += " AND i.persona_code = :persona"
        params["persona"] = filters.persona
    if filters.language is not None:
        sql += " AND i.language = :language"
        params["language"] = filters.language
    # An interview without a date counts by the day it was uploaded.
    if filters.date_from is not None:
        sql += " AND coalesce(i.interview_date, i.created_at::date) >= :date_from"
        params["date_from"] = filters.date_from
    if filters.date_to is not None:
        sql += " AND coalesce(i.interview_date, i.created_at::date) <= :date_to"
        params["date_to"] = filters.date_to
    return sql, params


def narrows_interviews(filters: Filters) -> bool:
    """Whether the filters choose interviews, not only projects (the speaker filter chooses
    lines)."""
    return (
        filters.interview_ids is not None
        or filters.persona is not None
        or filters.language is not None
        or filters.date_from is not None
        or filters.date_to is not None
    )


async def interviews_matching(session: AsyncSession, filters: Filters) -> list[UUID]:
    """The live interviews of the filters' projects that the interview filters let through
    (the same conditions as the lines' `_filter_sql`)."""
    where, params = _filter_sql(replace(filters, speakers=None))
    # `l` gives the interview's own columns the names the lines' conditions use (rewriting the
    # conditions' text would break silently when they change).
    stmt = sql(
        "SELECT i.id FROM interviews i CROSS JOIN LATERAL"  # noqa: S608
        f" (SELECT i.project_id AS project_id, i.id AS interview_id) l WHERE true {where}"
    )
    rows = await session.execute(_typed(stmt, params), params)
    return [r[0] for r in rows]


def _typed(stmt: Any, params: dict[str, Any]) -> Any:
    # Fragments of the statements above are fixed; only values come from the caller, bound.
    binds: list[Any] = [bindparam("projects", type_=ARRAY(PG_UUID(as_uuid=True)))]
    if "interviews" in params:
        binds.append(bindparam("interviews", type_=ARRAY(PG_UUID(as_uuid=True))))
    if "speakers" in params:
        binds.append(bindparam("speakers", type_=ARRAY(String)))
    return stmt.bindparams(*binds)


# The keyword matches ranked best, before the filters the ranking function does not apply
# (persona, language, dates, interview, a trashed interview, exact phrases): as many again as
# wanted, and all of them when the filters leave fewer than wanted of those.
KEYWORD_POOL = 2


async def keyword_hits(
    session: AsyncSession,
    *,
    tsquery: str,
    tsquery_params: dict[str, str],
    must_contain: Sequence[str],
    filters: Filters,
    limit: int,
) -> list[tuple[UUID, int, float]]:
    """(interview, line, rank) of the lines matching the query, best first."""
    where, params = _filter_sql(filters)
    for n, phrase in enumerate(must_contain):
        where += f" AND strpos(lower(l.text), :phrase{n}) > 0"
        params[f"phrase{n}"] = phrase.lower()
    # The matches are found through the full-text index and ranked by `pi_lines_ranked`
    # (migrations 0028, 0029: under row-level security `@@` itself could only scan every line,
    # and ranking every match after reading it under the policy cost 16 µs a match); the best
    # few are then read by primary key under the table's policy. The order is total (rank,
    # interview, position), so the best of the pool that pass the filters are the best of all.
    # The pool's size comes back with the rows, and alone (hit columns null) when no match
    # passes the filters: a pool that held every match needs no second pass when the filters
    # leave fewer than wanted. Before, every query with fewer matches than wanted ran twice,
    # and so did every query no line matches (a search by meaning only).
    stmt = sql(
        f"WITH m AS MATERIALIZED (SELECT m.* FROM (SELECT {tsquery} AS q) q"  # noqa: S608
        f" CROSS JOIN LATERAL pi_lines_ranked(q.q, :projects, :speakers, :pool) m)"
        f" SELECT h.interview_id, h.line_id, h.rank, n.pool"
        f" FROM (SELECT count(*) AS pool FROM m) n LEFT JOIN LATERAL ("
        f"SELECT l.interview_id, l.line_id, m.rank, l.position"
        f" FROM m JOIN search_lines l ON l.interview_id = m.interview_id"
        f" AND l.line_id = m.line_id"
        f" JOIN interviews i ON i.id = l.interview_id"
        f" WHERE true{where}"
        f" ORDER BY m.rank DESC, l.interview_id, l.position LIMIT :limit) h ON true"
        f" ORDER BY h.rank DESC, h.interview_id, h.position"
    ).bindparams(bindparam("speakers", type_=ARRAY(String)), bindparam("pool", type_=Integer()))
    values = {**params, **tsquery_params, "limit": limit, "speakers": filters.speakers}
    pool = limit * KEYWORD_POOL
    rows = (await session.execute(_typed(stmt, params), {**values, "pool": pool})).all()
    hits = [r for r in rows if r[0] is not None]
    if len(hits) < limit and rows[0][3] >= pool:
        rows = (await session.execute(_typed(stmt, params), {**values, "pool": None})).all()
        hits = [r for r in rows if r[0] is not None]
    return [(r[0], r[1], float(r[2])) for r in hits]


async def nearest_lines(
    session: AsyncSession, *, vector: Any, filters: Filters, limit: int
) -> list[tuple[UUID, int, float, bool]]:
    """The `limit` line vectors nearest `vector` in the filters' projects (and interviews), a
    long line by its windows: [(interview, line, cosine, passes the other filters)] nearest
    first. Needs pgvector (the caller checks).

    One statement: the HNSW walk inside (as `embeddings.nearest` walks it, with its liveness
    check per row), then each line checked against the speaker, persona, date and language
    filters by key. Before, the vectors came back with their text and their 384 numbers and
    the filters were a second statement (~4 ms of a search on the benchmark's index)."""
    literal = embeddings.query_literal(vector)
    where, params = _filter_sql(filters)
    inside = ""
    if filters.interview_ids is not None:
        inside = " AND e.interview_id = ANY(:interviews)"
    stmt = sql(
        "WITH near AS MATERIALIZED (SELECT e.interview_id,"  # noqa: S608
        " split_part(e.ref, '.', 1)::int AS line_id,"
        " e.embedding <=> CAST(:q AS vector) AS distance FROM embeddings e"
        f" WHERE e.kind = 'line' AND {BY_WINDOWS} AND e.project_id = ANY(:projects){inside}"
        f" AND {LIVE} ORDER BY e.embedding <=> CAST(:q AS vector) LIMIT :limit)"
        " SELECT n.interview_id, n.line_id, 1 - n.distance, EXISTS (SELECT 1"
        " FROM search_lines l JOIN interviews i ON i.id = l.interview_id"
        f" WHERE l.interview_id = n.interview_id AND l.line_id = n.line_id{where})"
        # A relaxed-order walk may return neighbours slightly out of order.
        " FROM near n ORDER BY n.distance, n.interview_id, n.line_id"
    )
    rows = (
        await session.execute(_typed(stmt, params), {**params, "q": literal, "limit": limit})
    ).all()
    return [(r[0], r[1], float(r[2]), bool(r[3])) for r in rows]


# Nearest vectors of the other script drawn per line wanted: the line filters (speaker, persona,
# date, language) come after the index and drop some.
OTHER_SCRIPT_POOL = 10


async def nearest_in_other_script(
    session: AsyncSession,
    *,
    vector: Any,
    korean_lines: bool,
    filters: Filters,
    limit: int,
) -> list[tuple[UUID, int, float]]:
    """(interview, line, cosine) of the line vectors nearest `vector` among lines written in
    Hangul (`korean_lines`) or not. The small e5 model ranks any line of the query's own
    language above the right line of the other, so cross-language hits need a list of their
    own. Needs pgvector (the caller checks)."""
    literal = embeddings.query_literal(vector)
    where, params = _filter_sql(filters)
    # The nearest vectors of the other script come from that script's own HNSW index alone
    # (the inner query; its predicate is written out, not bound, so the planner can prove the
    # partial index applies — migration 0029); the line filters then apply to those. In one
    # query with the joins, the planner sorted every vector of the project instead (76 s at
    # 240,000 vectors; migration 0028).
    script = "e.hangul" if korean_lines else "NOT e.hangul"
    stmt = sql(
        "SELECT e.interview_id, l.line_id, 1 - e.distance AS sim"  # noqa: S608
        " FROM (SELECT e.interview_id, split_part(e.ref, '.', 1)::int AS line_id,"
        " e.embedding <=> CAST(:q AS vector) AS distance"
        " FROM embeddings e"
        f" WHERE e.kind = 'line' AND {BY_WINDOWS} AND e.project_id = ANY(:projects)"
        f" AND {script}"
        " ORDER BY e.embedding <=> CAST(:q AS vector) LIMIT :pool) e"
        # The line's key computed inside: written in the join condition, the planner read
        # every line of each interview found and filtered them (24 ms; by key: see 0030).
        " JOIN search_lines l ON l.interview_id = e.interview_id AND l.line_id = e.line_id"
        " JOIN interviews i ON i.id = l.interview_id"
        f" WHERE true{where}"
        " ORDER BY e.distance LIMIT :limit"
    )
    rows = await session.execute(
        _typed(stmt, params),
        {
            **params,
            "q": literal,
            "limit": limit,
            "pool": limit * OTHER_SCRIPT_POOL,
        },
    )
    best: dict[tuple[UUID, int], float] = {}
    for r in rows:
        key = (r[0], r[1])
        best[key] = max(best.get(key, -1.0), float(r[2]))
    return sorted(((i, n, sim) for (i, n), sim in best.items()), key=lambda row: -row[2])


async def lines_around(
    session: AsyncSession, keys: Sequence[tuple[UUID, int]], neighbours: int
) -> tuple[list[tuple[UUID, int, LineRow]], dict[UUID, InterviewInfo]]:
    """Each hit's line and its `neighbours` lines either side — (hit interview, hit line, row)
    — and what each hit's interview is; a trashed interview's lines are left out."""
    if not keys:
        return [], {}
    # The wanted positions are listed first (materialised) and then read by (interview,
    # position): under row-level security `n.position BETWEEN h.position - 1 AND …` is not an
    # index condition (integer minus is not leakproof), which read every line of each hit's
    # interview (60 ms for 40 hits at 140,000 lines; 4 ms this way). The interviews come with
    # their lines, not in a statement of their own: one round trip and one statement's
    # execution less on the path every search ends with.
    stmt = sql(
        "WITH want AS MATERIALIZED (SELECT k.i, k.l, h.interview_id AS iv, p.pos,"
        " i.project_id, pr.name, i.title, i.interview_date, i.persona_code, i.language"
        " FROM unnest(:k_i, :k_l) AS k(i, l)"
        " JOIN search_lines h ON h.interview_id = k.i AND h.line_id = k.l"
        " JOIN interviews i ON i.id = h.interview_id AND i.deleted_at IS NULL"
        " JOIN projects pr ON pr.id = i.project_id"
        " CROSS JOIN LATERAL generate_series(h.position - :n, h.position + :n) AS p(pos))"
        " SELECT w.i, w.l, n.interview_id, n.line_id, n.position, n.line_ids, n.speaker,"
        " n.speaker_name, n.text, n.start_ms, CASE WHEN n.line_id = w.l THEN n.marks END,"
        " w.project_id, w.name, w.title, w.interview_date, w.persona_code, w.language"
        " FROM want w JOIN search_lines n ON n.interview_id = w.iv AND n.position = w.pos"
        " ORDER BY w.i, w.l, n.position"
    ).bindparams(
        bindparam("k_i", type_=ARRAY(PG_UUID(as_uuid=True))),
        bindparam("k_l", type_=ARRAY(Integer())),
    )
    rows = await session.execute(
        stmt, {"k_i": [k[0] for k in keys], "k_l": [k[1] for k in keys], "n": neighbours}
    )
    around: list[tuple[UUID, int, LineRow]] = []
    info: dict[UUID, InterviewInfo] = {}
    for r in rows:
        around.append(
            (r[0], r[1], LineRow(r[2], r[3], r[4], list(r[5]), r[6], r[7], r[8], r[9], r[10]))
        )
        if r[2] not in info:
            info[r[2]] = InterviewInfo(r[2], *r[11:])
    return around, info


async def interview_in(
    session: AsyncSession, interview_id: UUID, project_ids: Sequence[UUID]
) -> bool:
    stmt = sql(
        "SELECT 1 FROM interviews WHERE id = :i AND project_id = ANY(:p) AND deleted_at IS NULL"
    ).bindparams(bindparam("p", type_=ARRAY(PG_UUID(as_uuid=True))))
    return (
        await session.execute(stmt, {"i": interview_id, "p": list(project_ids)})
    ).first() is not None


async def indexed_interviews(
    session: AsyncSession, project_ids: Sequence[UUID] | None
) -> list[tuple[UUID, UUID]]:
    """(interview, company) of every live completed interview, in the given projects or all."""
    base = (
        "SELECT i.id, i.company_id FROM interviews i JOIN projects p ON p.id = i.project_id"
        " WHERE i.status = 'completed' AND i.deleted_at IS NULL AND p.deleted_at IS NULL"
    )
    stmt = sql(base)
    params: dict[str, Any] = {}
    if project_ids is not None:
        stmt = sql(base + " AND i.project_id = ANY(:p)").bindparams(
            bindparam("p", type_=ARRAY(PG_UUID(as_uuid=True)))
        )
        params["p"] = list(project_ids)
    return [(r[0], r[1]) for r in await session.execute(stmt, params)]


_ANSWER = (
    "SELECT id, company_id, project_id, user_id, question, answer, tokens, citations, engine,"
    " usage, created_at, interview_id, line_ids, note_id FROM answers"
)


async def indexed_count(session: AsyncSession, project_ids: Sequence[UUID]) -> int:
    """Live interviews of these projects that have indexed lines."""
    # One look-up per interview (a LATERAL with LIMIT, which the planner cannot turn into a
    # join that reads every line): counting the distinct interviews of every line read all
    # 140,742 lines of the search benchmark under the policy, 1.35 s of each ask's wait.
    stmt = sql(
        "SELECT count(*) FROM interviews i"
        " CROSS JOIN LATERAL (SELECT 1 FROM search_lines l"
        " WHERE l.interview_id = i.id LIMIT 1) indexed"
        " WHERE i.project_id = ANY(:p) AND i.deleted_at IS NULL"
    ).bindparams(bindparam("p", type_=ARRAY(PG_UUID(as_uuid=True))))
    return int((await session.execute(stmt, {"p": list(project_ids)})).scalar_one())


# --- answers --------------------------------------------------------------------------------


async def save_answer(session: AsyncSession, row: dict[str, Any]) -> None:
    stmt = sql(
        "INSERT INTO answers (id, company_id, project_id, user_id, question, answer, tokens,"
        " citations, engine, usage, interview_id, line_ids) VALUES (:id, :company_id,"
        " :project_id, :user_id, :question, :answer, :tokens, :citations, :engine, :usage,"
        " :interview_id, :line_ids)"
    ).bindparams(
        bindparam("tokens", type_=JSONB),
        bindparam("citations", type_=JSONB),
        bindparam("usage", type_=JSONB),
        bindparam("line_ids", type_=ARRAY(Integer)),
    )
    await session.execute(stmt, {"interview_id": None, "line_ids": [], **row})


async def get_answer(
    session: AsyncSession, answer_id: UUID, *, lock: bool = False
) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                sql(_ANSWER + " WHERE id = :id" + (" FOR UPDATE" if lock else "")),
                {"id": answer_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


async def list_answers(session: AsyncSession, project_id: UUID, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        sql(_ANSWER + " WHERE project_id = :p ORDER BY created_at DESC LIMIT :n"),
        {"p": project_id, "n": limit},
    )
    return [dict(r) for r in rows.mappings()]


async def set_answer_note(session: AsyncSession, answer_id: UUID, note_id: UUID) -> None:
    await session.execute(
        sql("UPDATE answers SET note_id = :n WHERE id = :id"), {"n": note_id, "id": answer_id}
    )


# --- saved searches -------------------------------------------------------------------------


async def add_saved(session: AsyncSession, row: dict[str, Any]) -> None:
    stmt = sql(
        "INSERT INTO saved_searches (id, company_id, user_id, name, query)"
        " VALUES (:id, :company_id, :user_id, :name, :query)"
    ).bindparams(bindparam("query", type_=JSONB))
    await session.execute(stmt, row)


async def list_saved(session: AsyncSession, user_id: UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        sql(
            "SELECT id, name, query, created_at FROM saved_searches WHERE user_id = :u"
            " ORDER BY created_at DESC"
        ),
        {"u": user_id},
    )
    return [dict(r) for r in rows.mappings()]


async def count_saved(session: AsyncSession, user_id: UUID, *, lock: bool = False) -> int:
    """`lock`: the user's saved searches are counted again only after this transaction ends
    (ten adds at once each counted 97 and each added one: 107 of at most 100)."""
    if lock:
        await session.execute(
            sql("SELECT pg_advisory_xact_lock(hashtext('saved:' || CAST(:u AS text)))"),
            {"u": user_id},
        )
    row = (
        await session.execute(
            sql("SELECT count(*) FROM saved_searches WHERE user_id = :u"), {"u": user_id}
        )
    ).first()
    return int(row[0]) if row else 0


async def delete_saved(session: AsyncSession, saved_id: UUID, user_id: UUID) -> bool:
    result = await session.execute(
        sql("DELETE FROM saved_searches WHERE id = :id AND user_id = :u RETURNING id"),
        {"id": saved_id, "u": user_id},
    )
    return result.first() is not None


# --- findings, notes, themes and knowledge chunks ----------------------------------------------

# Ranked findings read to find those of chosen interviews (`item_keyword_hits`).
INTERVIEW_POOL = 2000
ItemKey = tuple[str, UUID, str]
"""(kind, owner, ref): a finding (owner = interview, ref `pain:<i>`), a note (its id, ref ''),
a theme (its id, ref ''), a knowledge chunk (the document, ref = chunk number)."""

_MATCH = (
    "(to_tsvector('simple', {t}) @@ to_tsquery('simple', :ko)"
    " OR to_tsvector('english', {t}) @@ to_tsquery('english', :en))"
)
_RANK = (
    "ts_rank(to_tsvector('simple', {t}), to_tsquery('simple', :ko))"
    " + ts_rank(to_tsvector('english', {t}), to_tsquery('english', :en))"
)


def _item_sql(kinds: Sequence[str]) -> str:
    # Composed of the fixed fragments here only; the query's terms are bound (:ko, :en).
    parts: list[str] = []
    if "finding" in kinds or "document" in kinds:
        # Found and ranked by their stored words' index in `pi_items_ranked` (migration 0034:
        # under the policy every finding of the caller's projects was read and analysed again);
        # each is then checked here as the caller sees it, its interview or its document. Their
        # rank (one vector of both configurations) and the notes' and themes' (a sum over the
        # two) are on the same scale: ts_rank's, about 0.06 a matching word.
        parts.append(
            "SELECT f.kind, f.owner_id, f.ref, f.rank FROM pi_items_ranked("
            "to_tsquery('simple', :ko), to_tsquery('english', :en), :projects, :vkinds, :pool) f"
            " WHERE CASE WHEN f.kind = 'finding' THEN EXISTS (SELECT 1 FROM interviews i"
            " WHERE i.id = f.owner_id AND i.deleted_at IS NULL)"
            " ELSE EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.id = f.owner_id) END"
        )
    if "note" in kinds:
        t = "n.text"
        parts.append(
            f"SELECT 'note', n.id, '', {_RANK.format(t=t)}"  # noqa: S608
            " FROM notes n JOIN interviews i ON i.id = n.interview_id AND i.deleted_at IS NULL"
            f" WHERE n.project_id = ANY(:projects) AND {_MATCH.format(t=t)}"
        )
    if "theme" in kinds:
        t = "coalesce(ed.label, t.label)"
        parts.append(
            f"SELECT 'theme', t.id, '', {_RANK.format(t=t)}"  # noqa: S608
            " FROM insight_themes t LEFT JOIN insight_theme_edits ed ON ed.theme_id = t.id"
            " WHERE t.project_id = ANY(:projects) AND t.retired_at IS NULL"
            " AND NOT coalesce(ed.hidden, false) AND ed.merged_into IS NULL"
            f" AND {_MATCH.format(t=t)}"
        )
    return " UNION ALL ".join(parts)


async def item_keyword_hits(
    session: AsyncSession,
    *,
    korean: str,
    latin: str,
    kinds: Sequence[str],
    project_ids: Sequence[UUID],
    limit: int,
    interview_ids: Sequence[UUID] | None = None,
) -> list[ItemKey]:
    """Findings, notes, themes and chunks whose text matches the tsqueries (`korean`: prefix
    terms under `simple`, `latin`: words under `english`; each '' for none), best first.
    `interview_ids`: only the findings and notes of these interviews."""
    if not kinds or not (korean or latin):
        return []
    restrict = ""
    if interview_ids is not None:
        kinds = [k for k in kinds if k in ("finding", "note")]
        restrict = (
            " WHERE CASE WHEN kind = 'finding' THEN owner_id = ANY(:interviews) ELSE EXISTS"
            " (SELECT 1 FROM notes n WHERE n.id = owner_id AND n.interview_id = ANY(:interviews))"
            " END"
        )
        if not kinds or not interview_ids:
            return []
    stmt = sql(
        f"SELECT kind, owner_id, ref FROM ({_item_sql(kinds)}) x(kind, owner_id, ref, rank)"  # noqa: S608
        f"{restrict} ORDER BY rank DESC, owner_id, ref LIMIT :limit"
    )
    binds: list[Any] = [bindparam("projects", type_=ARRAY(PG_UUID(as_uuid=True)))]
    if interview_ids is not None:
        binds.append(bindparam("interviews", type_=ARRAY(PG_UUID(as_uuid=True))))
    if "finding" in kinds or "document" in kinds:
        binds += [bindparam("vkinds", type_=ARRAY(String)), bindparam("pool", type_=Integer())]
    stmt = stmt.bindparams(*binds)
    vector_kinds = [
        k for k, wanted in (("finding", "finding"), ("chunk", "document")) if wanted in kinds
    ]
    rows = await session.execute(
        stmt,
        {
            "ko": korean,
            "en": latin,
            "projects": list(project_ids),
            "limit": limit,
            "vkinds": vector_kinds,
            # A few the caller's own check may drop (a document deleted a moment ago); with
            # interviews chosen, the ranking's best are mostly of other interviews.
            "pool": limit * 2 if interview_ids is None else INTERVIEW_POOL,
            **({"interviews": list(interview_ids)} if interview_ids is not None else {}),
        },
    )
    return [(str(r[0]), r[1], str(r[2])) for r in rows]


async def nearest_chunks(
    session: AsyncSession, *, vector: Any, project_ids: Sequence[UUID], limit: int
) -> list[tuple[ItemKey, float]]:
    """Knowledge chunks of the company and of these projects nearest `vector` (pgvector)."""
    literal = embeddings.query_literal(vector)
    stmt = sql(
        "SELECT e.owner_id, e.ref, 1 - (e.embedding <=> CAST(:q AS vector)) FROM embeddings e"
        " WHERE e.kind = 'chunk' AND (e.project_id IS NULL OR e.project_id = ANY(:projects))"
        " ORDER BY e.embedding <=> CAST(:q AS vector) LIMIT :limit"
    ).bindparams(bindparam("projects", type_=ARRAY(PG_UUID(as_uuid=True))))
    rows = await session.execute(
        stmt, {"q": literal, "projects": list(project_ids), "limit": limit}
    )
    found = [(("chunk", r[0], str(r[1])), float(r[2])) for r in rows]
    found.sort(key=lambda row: -row[1])
    return found


@dataclass(frozen=True, slots=True)
class ItemRow:
    kind: str
    owner_id: UUID
    ref: str
    text: str
    title: str
    project_id: UUID | None
    interview_id: UUID | None
    line_ids: list[int]


async def items_of(session: AsyncSession, keys: Sequence[ItemKey]) -> dict[ItemKey, ItemRow]:
    """What each key is, as the reader may see it now (a trashed, purged, hidden or deleted
    one is absent)."""
    if not keys:
        return {}
    stmt = sql(
        "WITH k AS (SELECT * FROM unnest(CAST(:kinds AS text[]), :owners, CAST(:refs AS text[]))"
        " AS k(kind, owner_id, ref))"
        " SELECT 'finding', e.owner_id, e.ref, e.text, i.title, e.project_id, e.interview_id,"
        " ARRAY[]::int[] FROM k JOIN embeddings e ON k.kind = 'finding' AND e.kind = 'finding'"
        " AND e.owner_id = k.owner_id AND e.ref = k.ref"
        " JOIN interviews i ON i.id = e.interview_id AND i.deleted_at IS NULL"
        " UNION ALL SELECT 'chunk', e.owner_id, e.ref, e.text, d.title, e.project_id, NULL,"
        " ARRAY[]::int[] FROM k JOIN embeddings e ON k.kind = 'chunk' AND e.kind = 'chunk'"
        " AND e.owner_id = k.owner_id AND e.ref = k.ref"
        " JOIN knowledge_documents d ON d.id = e.owner_id"
        " UNION ALL SELECT 'note', n.id, '', n.text, i.title, n.project_id, n.interview_id,"
        " n.line_ids FROM k JOIN notes n ON k.kind = 'note' AND n.id = k.owner_id"
        " JOIN interviews i ON i.id = n.interview_id AND i.deleted_at IS NULL"
        " UNION ALL SELECT 'theme', t.id, '', coalesce(ed.label, t.label), t.kind, t.project_id,"
        " NULL, ARRAY[]::int[] FROM k JOIN insight_themes t ON k.kind = 'theme'"
        " AND t.id = k.owner_id LEFT JOIN insight_theme_edits ed ON ed.theme_id = t.id"
        " WHERE t.retired_at IS NULL AND NOT coalesce(ed.hidden, false)"
        " AND ed.merged_into IS NULL"
    ).bindparams(bindparam("owners", type_=ARRAY(PG_UUID(as_uuid=True))))
    rows = await session.execute(
        stmt,
        {
            "kinds": [k[0] for k in keys],
            "owners": [k[1] for k in keys],
            "refs": [k[2] for k in keys],
        },
    )
    out: dict[ItemKey, ItemRow] = {}
    for r in rows:
        row = ItemRow(
            str(r[0]), r[1], str(r[2]), str(r[3]), str(r[4] or ""), r[5], r[6], list(r[7] or [])
        )
        out[(row.kind, row.owner_id, row.ref)] = row
    return out
