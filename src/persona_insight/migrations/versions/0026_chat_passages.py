"""chat passages: an answer of "ask" may be about a passage of one interview, and be kept as a note

"Ask about this passage" (issue 15) is the project ask scoped to one interview and the lines a
researcher selected. The answer keeps that scope (`interview_id`, `line_ids`), so a re-opened
answer still says what it was about and "save as note" anchors the note on those lines, and the
note it was saved as (`note_id`), so it is saved once; deleting the note frees it again. The
interview's purge takes its passage answers with it. Row-level security is the table's own
(migration 0016): nothing new to a tenant.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE answers
            ADD COLUMN interview_id uuid REFERENCES interviews(id) ON DELETE CASCADE,
            ADD COLUMN line_ids integer[] NOT NULL DEFAULT '{}',
            ADD COLUMN note_id uuid REFERENCES notes(id) ON DELETE SET NULL
        """
    )
    op.execute(
        "CREATE INDEX ix_answers_interview ON answers (interview_id, created_at)"
        " WHERE interview_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_answers_interview")
    op.execute(
        "ALTER TABLE answers DROP COLUMN note_id, DROP COLUMN line_ids, DROP COLUMN interview_id"
    )
