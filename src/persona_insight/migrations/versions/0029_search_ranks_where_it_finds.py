"""search ranks its keyword matches where it finds them; line vectors indexed per script

Keyword matches. `pi_lines_matching` (0028) returned every line matching any word of the query,
each checked against the policy (`pi_sees_project` per row), and the caller then read every one
by primary key, under the policy again, to rank them: about 16 µs a match, 323 ms for a query of
common words matching 20,086 lines of the search benchmark. `pi_lines_ranked` checks the
projects once, ranks the matches in the same pass and returns only the best `pool`; the caller
reads those few under the policy. It also takes the speaker filter, which every search has (the
interviewee's lines by default). The same query: 59 ms.

Line vectors per script. The search for lines in the other script than the query's
(cross-language hits) walked the one HNSW index of every vector: an English query's nearest vectors are nearly all English lines
(the small e5 model ranks its own language first), so finding five Korean lines meant visiting
and discarding about 7,400 vectors, each through the row-level security policy — 52 ms median,
110–170 ms for such queries, on the search benchmark's 240,316 vectors. One partial HNSW index
per script lets that search walk only the lines it wants: 4–5 ms. The cost is index space — the
two cover the line vectors a second time (155 MB + 312 MB beside the general 467 MB there) — and
about 40 s to build them on that index.

Only where the column is a pgvector `vector` (see 0014); without the extension there is no
search by meaning to speed up.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _has_vector_column() -> bool:
    found = op.get_bind().execute(
        text(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'embeddings'"
            " AND column_name = 'embedding' AND udt_name = 'vector'"
        )
    )
    return found.first() is not None


def upgrade() -> None:
    # The projects are checked once, not each line: a line's company is its project's.
    op.execute(
        """
        CREATE FUNCTION pi_lines_ranked(q tsquery, projects uuid[], speakers text[], pool int)
          RETURNS TABLE (interview_id uuid, line_id int, rank real)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT l.interview_id, l.line_id, ts_rank_cd(l.lexemes, q, 1) FROM search_lines l
          WHERE l.lexemes @@ q
            AND l.project_id = ANY(ARRAY(SELECT p.id FROM projects p
              WHERE p.id = ANY(projects) AND pi_sees_project(p.company_id, p.id)))
            AND (speakers IS NULL OR l.speaker = ANY(speakers))
          ORDER BY 3 DESC, l.interview_id, l.position LIMIT pool $$;
        DROP FUNCTION pi_lines_matching(tsquery, uuid[]);
        """
    )
    if not _has_vector_column():
        return
    op.execute(
        "CREATE INDEX ix_embeddings_lines_hangul ON embeddings"
        " USING hnsw (embedding vector_cosine_ops) WHERE kind = 'line' AND hangul"
    )
    op.execute(
        "CREATE INDEX ix_embeddings_lines_latin ON embeddings"
        " USING hnsw (embedding vector_cosine_ops) WHERE kind = 'line' AND NOT hangul"
    )


def downgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION pi_lines_matching(q tsquery, projects uuid[])
          RETURNS TABLE (interview_id uuid, line_id int)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT l.interview_id, l.line_id FROM search_lines l
          WHERE l.lexemes @@ q AND l.project_id = ANY(projects)
            AND pi_sees_project(l.company_id, l.project_id) $$;
        DROP FUNCTION pi_lines_ranked(tsquery, uuid[], text[], int);
        """
    )
    op.execute("DROP INDEX IF EXISTS ix_embeddings_lines_hangul")
    op.execute("DROP INDEX IF EXISTS ix_embeddings_lines_latin")
