"""persona discovery: no schema change

Reserved for persona discovery (issue 14), which turned out to need no table: suggestions are
computed per request from the stored embeddings (docs/benchmarks.md, personas). Kept so the
revision chain stays as deployed databases know it.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
