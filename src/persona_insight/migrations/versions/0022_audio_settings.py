"""audio: a company's own speech-to-text settings

`companies.speech_engine` (`local` or `api`; null: the instance's `PERSONA_INSIGHT_SPEECH_ENGINE`)
and `companies.speech_config` (the `api` engine's URL and model, and the default language of
recordings). The API key is sealed with the analysis engines' keys in `engine_secrets`, so no
column holds it in the clear. No new table: `companies` keeps its row-level security.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("companies", sa.Column("speech_engine", sa.String(length=20), nullable=True))
    op.add_column(
        "companies",
        sa.Column(
            "speech_config",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
    )
    op.create_check_constraint(
        "ck_companies_speech_engine", "companies", "speech_engine IN ('local', 'api')"
    )


def downgrade() -> None:
    op.drop_constraint("ck_companies_speech_engine", "companies", type_="check")
    op.drop_column("companies", "speech_config")
    op.drop_column("companies", "speech_engine")
