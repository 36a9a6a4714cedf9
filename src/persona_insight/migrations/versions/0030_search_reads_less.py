"""search reads less per search: lines keep their marks, the keyword function its row estimate

Measured on the search benchmark's index (1,000 interviews, 141,742 lines; docs/benchmarks.md):

Marks. Marking a hit line's matching words needs the line's morphemes with their character
offsets. They were computed again for every hit of every search: Kiwi over the Korean hit lines
took about 17 ms of a 78 ms search, the largest single part. The index job computes exactly
these morphemes already (they are what `lexemes` holds), so it now stores them with the line;
a line indexed before this migration has none and is analysed at search time as before, until
it is indexed again (`persona-insight reindex`).

Row estimate. `pi_lines_ranked` (0029) returns at most its pool (twice the results wanted), but
a set-returning function is estimated at 1,000 rows, so the planner joined its matches to the
interviews by hashing every interview the caller can see, each through the row-level policy
(about 10 ms at 1,000 interviews). Told it returns about 100, the planner looks up the few
interviews of the matches instead: the keyword query went from 19.1 to 11.8 ms (median).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_RANKED = "pi_lines_ranked(tsquery, uuid[], text[], int)"


def upgrade() -> None:
    # JSON as text: read back only for the few hit lines a search shows, never queried inside
    # the database, so jsonb's parsing on write and on read would buy nothing.
    op.execute("ALTER TABLE search_lines ADD COLUMN marks text")
    op.execute(f"ALTER FUNCTION {_RANKED} ROWS 100")


def downgrade() -> None:
    op.execute(f"ALTER FUNCTION {_RANKED} ROWS 1000")
    op.execute("ALTER TABLE search_lines DROP COLUMN marks")
