"""search uses its indexes under row-level security

Measured on the search benchmark's index (1,000 interviews, 141,742 lines): one keyword query
took 560 ms, a sequential scan of every line. Under row-level security PostgreSQL evaluates the
policy before any operator that is not leakproof, and the full-text match `@@` is not, so the
GIN index on `search_lines.lexemes` can never serve the application role. `pi_lines_matching`
finds the matching lines of the given projects through the index, as the tables' owner, and
applies the very policy the table has (`pi_sees_project`) itself, so it returns nothing the
caller could not read; the caller's query then reads those lines by primary key, under the
policy as before.

The search for lines in the other script (Hangul or not) took 76 s there: the planner, unable to
estimate `text ~ '[가-힣]'`, expected 7 of 240,316 rows to pass and sorted every vector instead of
walking the HNSW index. `hangul`, a stored column with statistics, lets it see that about half
pass (65 ms). Adding it rewrites the table: about 2.5 min for the benchmark's 1 GB.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION pi_lines_matching(q tsquery, projects uuid[])
          RETURNS TABLE (interview_id uuid, line_id int)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT l.interview_id, l.line_id FROM search_lines l
          WHERE l.lexemes @@ q AND l.project_id = ANY(projects)
            AND pi_sees_project(l.company_id, l.project_id) $$;
        ALTER TABLE embeddings
          ADD COLUMN hangul boolean GENERATED ALWAYS AS (text ~ '[가-힣]') STORED;
        ANALYZE embeddings;
        """
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE embeddings DROP COLUMN hangul;"
        " DROP FUNCTION pi_lines_matching(tsquery, uuid[]);"
    )
