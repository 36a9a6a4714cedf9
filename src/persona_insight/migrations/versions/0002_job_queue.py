"""job queue: procrastinate's schema in our database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Procrastinate ships its schema as SQL; applying it from a migration keeps one upgrade path for
every table the application relies on. Its own later migration files go into revisions of ours
when the pinned procrastinate version changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Straight to the driver: the schema contains `%` and `:name` text that SQLAlchemy's and
    # psycopg's parameter parsing would both misread.
    raw = op.get_bind().connection.driver_connection
    assert raw is not None
    raw.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
            procrastinate_jobs, procrastinate_workers CASCADE;
        DROP TYPE IF EXISTS procrastinate_job_event_type, procrastinate_job_status,
            procrastinate_job_to_defer_v1 CASCADE;
        """
    )
