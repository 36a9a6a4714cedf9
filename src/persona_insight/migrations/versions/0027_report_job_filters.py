"""report jobs remember their filter

A filtered report or export used to be refused as a job (422 `filtered_background`): the job
had nowhere to keep the filter, so it would have made, and shared with the next asker, the
unfiltered file. `filters` holds the insights filter the job was asked with (`{}`: none), and
the "one active job per project, kind and format" rule now includes it, so two people asking
for the same filtered report share one job while different filters each get their own.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE report_jobs ADD COLUMN filters jsonb NOT NULL DEFAULT '{}'::jsonb;
        DROP INDEX ux_report_jobs_active;
        CREATE UNIQUE INDEX ux_report_jobs_active ON report_jobs (project_id, kind, format, filters)
            WHERE status IN ('queued', 'running');
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DELETE FROM report_jobs WHERE filters <> '{}'::jsonb;
        DROP INDEX ux_report_jobs_active;
        CREATE UNIQUE INDEX ux_report_jobs_active ON report_jobs (project_id, kind, format)
            WHERE status IN ('queued', 'running');
        ALTER TABLE report_jobs DROP COLUMN filters;
        """
    )
