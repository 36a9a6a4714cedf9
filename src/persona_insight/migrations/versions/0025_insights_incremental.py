"""insights: the state keeps what an incremental update needs (theme centroids, the language
means taken out before clustering, the inputs' marks), so one more interview is placed without
a full recomputation (issue 12)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("insight_state", sa.Column("model", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("insight_state", "model")
