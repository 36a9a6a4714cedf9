"""Search reads through its indexes as the application role, under row-level security.

Measured on the benchmark's index (1,000 interviews, 141,742 lines; docs/benchmarks.md): a
keyword search scanned every line (560 ms) because `@@` is not leakproof and so cannot be an
index condition under a policy; the neighbours of each hit were found by reading every line of
its interview (`position - 1` is not leakproof either); the other-script search by meaning
sorted every vector of the project (76 s), then walked the index of every vector (52 ms). These
tests read the statements' own plans and the transaction's scan counters, so they fail on those
shapes whatever the table sizes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import numpy as np
import psycopg
import pytest
from sqlalchemy import event, text

from persona_insight.db import Actor
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings.vectors import DIM, embed_query
from persona_insight.search import repository as repo
from persona_insight.search import service
from persona_insight.search.repository import Filters
from tests.search.conftest import indexed_interview
from tests.support import make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@contextlib.contextmanager
def _statements(db: Any) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their driver parameters) the database is sent inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def _index_scans(session: Any, index: str) -> int:
    value = await session.scalar(
        text("SELECT pg_stat_get_xact_numscans(CAST(:i AS regclass))"), {"i": index}
    )
    return int(value or 0)


async def _lines_read(session: Any) -> int:
    value = await session.scalar(
        text(
            "SELECT pg_stat_get_xact_tuples_returned(CAST('search_lines' AS regclass))"
            " + pg_stat_get_xact_tuples_fetched(CAST('search_lines' AS regclass))"
        )
    )
    return int(value or 0)


async def _filler_vectors(conn: Any, interview: UUID, n: int) -> None:
    """`n` random line vectors in the interview's project, as an index at scale has."""
    await conn.execute(
        "INSERT INTO embeddings (owner_id, kind, ref, company_id, project_id, interview_id,"
        " text, model, embedding)"
        " SELECT e.owner_id, 'line', (1000 + n)::text, e.company_id, e.project_id,"
        " e.interview_id, 'filler ' || n, e.model, (SELECT array_agg(random() - 0.5)"
        " FROM generate_series(1, %s) WHERE n > 0)::real[]::vector"
        " FROM (SELECT * FROM embeddings WHERE interview_id = %s AND kind = 'line' LIMIT 1) e,"
        " generate_series(1, %s) AS n",
        (DIM, interview, n),
    )


async def _indexed_for_an_admin(app: Any) -> tuple[UUID, Filters, Actor]:
    """One indexed interview in a new project; the filters of a search of it (the interviewee's
    lines) and a company admin to search as."""
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview = UUID(await indexed_interview(app, owner, project["id"]))
    filters = Filters(project_ids=[UUID(project["id"])], speakers=["answer"])
    actor = Actor(company_id=owner.company_id, user_id=owner.user_id, role="company_admin")
    return interview, filters, actor


async def test_search_queries_use_their_indexes_as_the_app_role(app: Any) -> None:
    db = app.api.state.runtime.db
    assert db.app_role, "the fixture's database works as persona_app, under the policies"
    interview, filters, actor = await _indexed_for_an_admin(app)
    # Enough lines that reading them all is the planner's worst choice, as at scale.
    async with await psycopg.AsyncConnection.connect(db.owner_url, autocommit=True) as conn:
        await conn.execute(
            "INSERT INTO search_lines (interview_id, line_id, company_id, project_id, position,"
            " line_ids, speaker, text, lexemes)"
            " SELECT l.interview_id, 1000 + n, l.company_id, l.project_id, 1000 + n,"
            " ARRAY[1000 + n], 'answer', 'filler ' || n, to_tsvector('english', 'filler ' || n)"
            " FROM search_lines l, generate_series(1, 3000) AS n"
            " WHERE l.interview_id = %s AND l.line_id = 1",
            (interview,),
        )
        await _filler_vectors(conn, interview, 3000)
        await conn.execute("ANALYZE search_lines")
        await conn.execute("ANALYZE embeddings")

    async with db.unit_of_work(actor) as session:
        # Whatever can avoid a sequential scan must: a few thousand rows are still few enough
        # for the planner to prefer one for its own reasons.
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        lexemes = await _index_scans(session, "ix_search_lines_lexemes")
        keys = await service.keyword_ranking(
            session, service.keyword_query("불편"), filters, service.CANDIDATES
        )
        assert keys == [(interview, 2)]
        assert await _index_scans(session, "ix_search_lines_lexemes") > lexemes, (
            "the keyword search did not use the full-text index"
        )

        # At a few thousand lines the planner may still hash them all; what matters is that a
        # lookup by position is possible at all (before, it was not).
        await session.execute(text("SET LOCAL enable_hashjoin = off"))
        await session.execute(text("SET LOCAL enable_mergejoin = off"))
        with _statements(db) as seen:
            around, _ = await repo.lines_around(session, [(interview, 4)], 1)
        assert [row.line_id for _, _, row in around] == [3, 4, 5]
        statement, params = seen[-1]
        plan = "\n".join(
            row[0]
            for row in await (await session.connection()).exec_driver_sql(
                "EXPLAIN " + statement, params
            )
        )
        # Each neighbour is read by (interview, position), not found among every line of the
        # hit's interview.
        assert any("Index Cond" in line and "position" in line for line in plan.splitlines()), plan

    async with db.unit_of_work(actor) as session:
        # Ask's count of interviews in scope looks up one line per interview; it used to read
        # every line (1.35 s of each ask at 140,000 lines).
        read = await _lines_read(session)
        assert await repo.indexed_count(session, filters.project_ids) == 1
        assert await _lines_read(session) - read < 10

    async with db.unit_of_work(actor) as session:
        # The other-script search walks the HNSW index of that script's lines alone (its
        # estimate no longer hides it; migration 0029): through the index of every vector it
        # visited and dropped thousands of the query's own language first.
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        # As the driver's cached statements are planned after a few runs: a partial index is
        # only usable when its predicate is in the statement, not in a bound value.
        await session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        for korean_lines, index in (
            (False, "ix_embeddings_lines_latin"),
            (True, "ix_embeddings_lines_hangul"),
        ):
            scans = await _index_scans(session, index)
            found = await repo.nearest_in_other_script(
                session,
                vector=embed_query("the app crashes when paying"),
                korean_lines=korean_lines,
                filters=filters,
                limit=service.CROSS_CANDIDATES,
            )
            assert found, korean_lines
            if not korean_lines:
                assert (found[0][0], found[0][1]) == (interview, 6)
            assert await _index_scans(session, index) > scans, (
                f"the other-script search did not walk {index}"
            )


async def test_filters_after_the_ranking_lose_no_match(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ranking function returns the best few matches; the filters it does not apply
    # (interview, persona, language, dates, phrases, trash) come after it. When they leave
    # fewer than wanted, every match is ranked again, so a line the pool left out is found.
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    loud = UUID(
        await indexed_interview(
            app, owner, project["id"], [(1, "answer", "It crashes, crashes and crashes again.")]
        )
    )
    quiet = UUID(
        await indexed_interview(
            app,
            owner,
            project["id"],
            [(1, "answer", "Once the app crashes, I wait, call support and tell a long story.")],
        )
    )
    actor = Actor(company_id=owner.company_id, user_id=owner.user_id, role="company_admin")
    monkeypatch.setattr(repo, "KEYWORD_POOL", 1)
    parsed = service.keyword_query("crashes")
    async with db.unit_of_work(actor) as session:
        everywhere = Filters(project_ids=[UUID(project["id"])], speakers=["answer"])
        assert await service.keyword_ranking(session, parsed, everywhere, 2) == [
            (loud, 1),
            (quiet, 1),
        ]
        only_quiet = Filters(
            project_ids=[UUID(project["id"])], interview_ids=[quiet], speakers=["answer"]
        )
        assert await service.keyword_ranking(session, parsed, only_quiet, 1) == [(quiet, 1)]
        # A pool that held every match is not ranked again (before: every query with fewer
        # matches than wanted ran twice).
        with _statements(db) as seen:
            found = await service.keyword_ranking(session, parsed, everywhere, 5)
        assert found == [(loud, 1), (quiet, 1)]
        assert sum("pi_lines_ranked" in statement for statement, _ in seen) == 1
        # Nor is a query no line matches, whose answer can only come by meaning (before: an
        # empty pool looked like one the filters had emptied, and ran again).
        with _statements(db) as seen:
            found = await service.keyword_ranking(
                session, service.keyword_query("zeppelin"), everywhere, 5
            )
        assert found == []
        assert sum("pi_lines_ranked" in statement for statement, _ in seen) == 1


async def _plan(session: Any, seen: list[tuple[str, Any]]) -> str:
    """The plan of the last statement sent, as the session would run it."""
    statement, params = seen[-1]
    conn = await session.connection()
    return "\n".join(row[0] for row in await conn.exec_driver_sql("EXPLAIN " + statement, params))


async def test_a_search_reads_the_interviews_of_its_hits_not_every_interview(app: Any) -> None:
    """Each part of a search checks only the interviews of the rows it found, as the app role.
    On the benchmark's index (1,000 interviews) the keyword query hashed every interview the
    caller can see, each through the policy (~10 ms a search), because its ranking function was
    estimated at 1,000 rows; and the liveness check of a search by meaning (EXISTS under OR)
    became a hashed subplan over them all (4.5 ms of a 6 ms search). Plans at this size differ
    from those at scale, so this reads what decides them: the function's estimate, and whether
    the liveness check is a per-row lookup."""
    db = app.api.state.runtime.db
    interview, filters, actor = await _indexed_for_an_admin(app)
    async with await psycopg.AsyncConnection.connect(db.owner_url, autocommit=True) as conn:
        # Many interviews the caller can see (without lines: only their number matters here).
        await conn.execute(
            "INSERT INTO interviews SELECT (jsonb_populate_record(i, jsonb_build_object("
            "'id', gen_random_uuid(), 'title', 'other ' || n))).*"
            " FROM interviews i, generate_series(1, 600) AS n WHERE i.id = %s",
            (interview,),
        )
        # And many line vectors, as at scale: the planner hashes once it expects many rows.
        await _filler_vectors(conn, interview, 4000)
        await conn.execute("ANALYZE interviews")
        await conn.execute("ANALYZE embeddings")
    async with db.unit_of_work(actor) as session:
        with _statements(db) as seen:
            keys = await service.keyword_ranking(
                session, service.keyword_query("불편"), filters, service.CANDIDATES
            )
        assert keys == [(interview, 2)]
        plan = await _plan(session, seen)
        estimate = re.search(r"Function Scan on pi_lines_ranked m\w* .*rows=(\d+)", plan)
        assert estimate is not None, plan
        assert int(estimate.group(1)) <= 2 * service.CANDIDATES, plan

        with _statements(db) as seen:
            near = await embeddings.nearest(
                session,
                kind="line",
                vector=embed_query("the app crashes when paying"),
                limit=service.CANDIDATES,
                project_ids=filters.project_ids,
                windows=True,
            )
        assert near
        plan = await _plan(session, seen)
        assert "hashed SubPlan" not in plan, plan
        assert "Seq Scan on interviews" not in plan, plan


async def test_findings_are_searched_through_their_own_indexes(app: Any) -> None:
    """A search ranks findings beside the lines. With 8,105 findings on the benchmark's index it
    read every one under the policy and analysed each text twice to rank it (~0.8 s a search),
    and found the nearest by walking the index of every vector, where findings are 3 % (33 ms).
    The words are stored and searched through their own index by a definer function, the
    vectors through a findings-only HNSW index (migration 0034)."""
    db = app.api.state.runtime.db
    interview, filters, actor = await _indexed_for_an_admin(app)
    rng = np.random.default_rng(3)
    texts = ["The export to Excel keeps failing at night."] + [
        f"Filler finding number {n} about something else." for n in range(300)
    ]
    vectors = rng.normal(size=(len(texts), DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    async with db.unit_of_work(actor) as session:
        await embeddings.replace(
            session,
            company_id=actor.company_id,
            project_id=filters.project_ids[0],
            owner_id=interview,
            interview_id=interview,
            kind="finding",
            rows=[(f"pain:{n}", t, v) for n, (t, v) in enumerate(zip(texts, vectors, strict=True))],
        )
    async with await psycopg.AsyncConnection.connect(db.owner_url, autocommit=True) as conn:
        await conn.execute("ANALYZE embeddings")

    async with db.unit_of_work(actor) as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        words = await _index_scans(session, "ix_embeddings_words")
        found = await repo.item_keyword_hits(
            session,
            korean="",
            latin="'export'",
            kinds=["finding"],
            project_ids=filters.project_ids,
            limit=5,
        )
        assert found == [("finding", interview, "pain:0")]
        assert await _index_scans(session, "ix_embeddings_words") > words, (
            "the findings' words were not searched through their index"
        )

        # As the driver's cached statements are planned after a few runs: a partial index is
        # only usable when its predicate is in the statement, not in a bound value.
        await session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        await session.execute(text("SET LOCAL enable_sort = off"))
        walks = await _index_scans(session, "ix_embeddings_findings")
        near = await embeddings.nearest_refs(
            session, kind="finding", vector=vectors[0], limit=3, project_ids=filters.project_ids
        )
        assert near[0][:2] == (interview, "pain:0")
        assert await _index_scans(session, "ix_embeddings_findings") > walks, (
            "the nearest findings were not found through the findings' own HNSW index"
        )
