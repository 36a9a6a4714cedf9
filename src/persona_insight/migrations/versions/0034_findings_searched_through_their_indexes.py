"""Findings and knowledge chunks are searched through their indexes under row-level security.

A search ranks findings, notes, themes and knowledge chunks beside the lines. The benchmark's
index had no findings, so this went unmeasured until 8,105 finding vectors (the offline engine's
findings of the real transcripts, about 8 an interview) were added to it; then each search took
~0.8 s, and 10 searches a second queued for seconds (docs/benchmarks.md).

- Words: `@@` is not leakproof, so under the `embeddings` policy PostgreSQL may not use a full
  text index before the policy has passed a row: it read every finding of the caller's
  projects and built two `to_tsvector`s for each (790 ms at 8,105). The text indexes of 0023
  could not have helped anyway: their partial predicate beside the kind filter made the planner
  expect a few hundred rows and read them all by the kind's btree, even as the owner. Now the
  words are stored (`embeddings.words`, one GIN index, written by the embeddings repository's
  insert) and, as for the lines (0029's `pi_lines_ranked`), a definer function matches and
  ranks them and applies the same rule itself — the policy's own expression, and a finding's
  interview not trashed — and the caller reads only the few it returns.
- Meaning: the nearest findings came from the HNSW index of every vector, where they are 3 % of
  the rows (33 ms). A partial HNSW index holds the findings alone; the statement names the kind
  as written, not bound, so the planner can prove the index applies (and leaves out the window
  clause only lines need, whose guessed selectivity made it sort every finding instead).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_RANKED = "pi_items_ranked(tsquery, tsquery, uuid[], text[], int)"


def _has_vector_column() -> bool:
    found = op.get_bind().execute(
        text(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'embeddings'"
            " AND column_name = 'embedding' AND udt_name = 'vector'"
        )
    )
    return found.first() is not None


# The words of a finding or a chunk, stored: ranking read them with `to_tsvector` twice a match
# (and the index's recheck twice more), ~100 µs a finding of label and evidence; a query with
# common words matches thousands ("see the app exactly as a teammate would": 369 ms).
# `simple` keeps each word as written (Korean, prefixes), `english` adds the stems: one vector
# answers both halves of a query (`ko || en`).
WORDS = "to_tsvector('simple', {t}) || to_tsvector('english', {t})"

# The matches are found in a subquery of their own (OFFSET 0 keeps the planner from merging it):
# with the kinds wanted or the policy's expression beside the index's condition, the planner
# multiplied their selectivities, expected a few hundred rows and read every finding by the
# kind's btree instead (450–870 ms at 8,105 findings).
_RANKED_DEF = """
    pi_items_ranked(ko tsquery, en tsquery, projects uuid[], kinds text[], pool int)
      RETURNS TABLE (kind text, owner_id uuid, ref text, rank real)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
      SELECT m.kind, m.owner_id, m.ref, m.rank FROM (
        SELECT e.kind::text AS kind, e.owner_id, e.ref::text AS ref, e.company_id, e.project_id,
               e.interview_id, ts_rank(e.words, ko || en) AS rank
        FROM embeddings e
        WHERE e.words @@ (ko || en)
        OFFSET 0) m
      WHERE m.kind = ANY(kinds)
        AND CASE WHEN m.project_id IS NULL THEN m.kind = 'chunk' AND pi_sees_company(m.company_id)
                 ELSE m.project_id = ANY(projects)
                      AND pi_sees_project(m.company_id, m.project_id) END
        AND (m.interview_id IS NULL OR (SELECT i.deleted_at IS NULL FROM interviews i
                                        WHERE i.id = m.interview_id))
      ORDER BY 4 DESC, 2, 3 LIMIT pool $$
"""


def upgrade() -> None:
    op.execute("ALTER TABLE embeddings ADD COLUMN words tsvector")
    op.execute(
        f"UPDATE embeddings SET words = {WORDS.format(t='text')} WHERE kind IN ('finding', 'chunk')"
    )
    op.execute("CREATE INDEX ix_embeddings_words ON embeddings USING gin (words)")
    # Replaced by the stored words (read nowhere else).
    op.execute("DROP INDEX IF EXISTS ix_embeddings_text_simple")
    op.execute("DROP INDEX IF EXISTS ix_embeddings_text_english")
    op.execute(f"CREATE FUNCTION {_RANKED_DEF}")
    if _has_vector_column():
        op.execute(
            "CREATE INDEX ix_embeddings_findings ON embeddings"
            " USING hnsw (embedding vector_cosine_ops) WHERE kind = 'finding'"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_embeddings_findings")
    op.execute(f"DROP FUNCTION {_RANKED}")
    for config in ("simple", "english"):
        op.execute(
            f"CREATE INDEX ix_embeddings_text_{config} ON embeddings"
            f" USING gin (to_tsvector('{config}', text)) WHERE kind IN ('finding', 'chunk')"
        )
    op.execute("ALTER TABLE embeddings DROP COLUMN words")
