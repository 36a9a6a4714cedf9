"""transcripts stored out of line without compression

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Measured on the target machine (2 cores): inserting a 20 KB transcript costs 0.98 ms of
PostgreSQL CPU with the default pglz compression and 0.28 ms stored uncompressed, for 1.8x the
disk. The upload path is CPU-bound on two cores shared by the server, PostgreSQL and the job
worker, and this embedded PostgreSQL has no lz4; disk is the cheaper resource.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE interviews ALTER COLUMN text SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.execute("ALTER TABLE interviews ALTER COLUMN text SET STORAGE EXTENDED")
