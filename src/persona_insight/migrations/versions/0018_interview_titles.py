"""interview titles: where the title and the date came from

`title_source` (user | file | text | derived) lets the analysis replace a placeholder title
(a file stem, a pasted text's first line) with a readable "participant · topic" while never
touching one the user typed; `interview_date_source` (user | transcript | document | file |
upload) says where the date came from. Existing rows: a title equal to its file's stem is a
placeholder, any other is kept as the user's; a missing date becomes the upload date.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "interviews",
        sa.Column("title_source", sa.String(8), nullable=False, server_default="user"),
    )
    op.add_column("interviews", sa.Column("interview_date_source", sa.String(10)))
    # Raw SQL, so the names are these (op.create_check_constraint would prefix the naming
    # convention's "ck_interviews_" once more).
    op.execute(
        "ALTER TABLE interviews ADD CONSTRAINT ck_interviews_title_source"
        " CHECK (title_source IN ('user', 'file', 'text', 'derived'))"
    )
    op.execute(
        "ALTER TABLE interviews ADD CONSTRAINT ck_interviews_interview_date_source CHECK"
        " (interview_date_source IN ('user', 'transcript', 'document', 'file', 'upload'))"
    )
    op.execute(
        "UPDATE interviews SET title_source = 'file' WHERE file_name IS NOT NULL"
        r" AND title = regexp_replace(file_name, '\.[^.]*$', '')"
    )
    op.execute(
        "UPDATE interviews SET interview_date_source = 'user' WHERE interview_date IS NOT NULL"
    )
    op.execute(
        "UPDATE interviews SET interview_date = (created_at AT TIME ZONE 'UTC')::date,"
        " interview_date_source = 'upload' WHERE interview_date IS NULL"
    )


def downgrade() -> None:
    op.execute("UPDATE interviews SET interview_date = NULL WHERE interview_date_source = 'upload'")
    # Databases upgraded by the first version of this revision have the prefixed names.
    for name in (
        "ck_interviews_interview_date_source",
        "ck_interviews_title_source",
        "ck_interviews_ck_interviews_interview_date_source",
        "ck_interviews_ck_interviews_title_source",
    ):
        op.execute(f"ALTER TABLE interviews DROP CONSTRAINT IF EXISTS {name}")
    op.drop_column("interviews", "interview_date_source")
    op.drop_column("interviews", "title_source")
