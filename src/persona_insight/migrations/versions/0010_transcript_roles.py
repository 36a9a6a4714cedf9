"""transcript speaker roles a researcher can fix; persona match may be none

`interviews.speaker_roles` holds a researcher's fix of who interviews (speaker → "interviewer" |
"interviewee"); the analysis job reads it. The persona match needs no change: `persona_code`
is already nullable, and null now means "no persona fits".

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE interviews ADD COLUMN speaker_roles jsonb")


def downgrade() -> None:
    op.execute("ALTER TABLE interviews DROP COLUMN speaker_roles")
