"""interviews keep how a recording was heard: engine, length, voices and how sure the grouping is

The transcription's speaker count and confidence (the silhouette of the voice grouping) went
only into the `transcribing → processing` event, so the interview page could only show one
fixed caveat for every recording. Kept on the interview, the page warns where it matters: one
voice found in a conversation, or voices too alike to tell apart.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE interviews ADD COLUMN speech jsonb")


def downgrade() -> None:
    op.execute("ALTER TABLE interviews DROP COLUMN speech")
