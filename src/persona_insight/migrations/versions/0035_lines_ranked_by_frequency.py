"""the keyword ranking of lines counts the query's words (`ts_rank`), not their cover density

`pi_lines_ranked` (0029) ranks every line that matches any word of the query and keeps the
best of them. It ranked by `ts_rank_cd`, the cover density, which reads every position of
every query word in the line; `ts_rank` weighs how often the words occur, normalised by the
line's length the same way (normalisation 1). Measured (docs/benchmarks.md, 5 December,
eighth session):

- cost: for "the data import took forever" (7,192 matching lines on the search benchmark's
  index) 26.8 ms with `ts_rank_cd`, 10.6 ms with `ts_rank`, as the table owner, best of three;
  the common-word queries are the tail of a search and most of its median beyond the cached
  ones;
- quality, on the search evaluation (tests/search/test_evaluation.py): recall@10 unchanged in
  every list; MRR of the hybrid ranking 0.712 -> 0.722 on the 47 demo queries and 0.705 ->
  0.719 on all 59, keyword only 0.624 -> 0.659 on all 59 and 0.368 -> 0.611 on the 12 queries
  of the real transcripts, whose long turns the cover density put first for any one word.

`CREATE OR REPLACE` keeps the owner and the grants but not the other properties, so the row
estimate of 0030 is given again.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION pi_lines_ranked(q tsquery, projects uuid[], speakers text[], pool int)
  RETURNS TABLE (interview_id uuid, line_id int, rank real)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
  SELECT l.interview_id, l.line_id, {rank}(l.lexemes, q, 1) FROM search_lines l
  WHERE l.lexemes @@ q
    AND l.project_id = ANY(ARRAY(SELECT p.id FROM projects p
      WHERE p.id = ANY(projects) AND pi_sees_project(p.company_id, p.id)))
    AND (speakers IS NULL OR l.speaker = ANY(speakers))
  ORDER BY 3 DESC, l.interview_id, l.position LIMIT pool $$
"""


def upgrade() -> None:
    op.execute(_FUNCTION.format(rank="ts_rank"))


def downgrade() -> None:
    op.execute(_FUNCTION.format(rank="ts_rank_cd"))
