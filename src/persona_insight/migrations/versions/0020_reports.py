"""reports: report and export jobs, with the file they produced

A project report or findings export too large to make within a request (or asked for in the
background) is made by a job: `report_jobs` holds what was asked (kind, format, the reader's
language), its progress and, once done, the file (bytea: a 1,000-interview PDF is ~250 KB, the
findings XLSX ~3 MB). At most one job per project, kind and format is queued or running at a
time (a partial unique index), so a second request gets the running job. Finished jobs older than
a day are deleted when the next one for the project is asked for.

Project-level row-level security, like interviews.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE report_jobs (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
            kind varchar(10) NOT NULL CONSTRAINT ck_report_jobs_kind
                CHECK (kind IN ('report', 'findings')),
            format varchar(8) NOT NULL,
            locale varchar(8) NOT NULL,
            status varchar(10) NOT NULL DEFAULT 'queued' CONSTRAINT ck_report_jobs_status
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress smallint NOT NULL DEFAULT 0,
            file_name text,
            media_type varchar(120),
            body bytea,
            error text,
            created_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz
        );
        CREATE UNIQUE INDEX ux_report_jobs_active ON report_jobs (project_id, kind, format)
            WHERE status IN ('queued', 'running');
        CREATE INDEX ix_report_jobs_project ON report_jobs (project_id, created_at);
        ALTER TABLE report_jobs ALTER COLUMN body SET STORAGE EXTERNAL;
        ALTER TABLE report_jobs ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant ON report_jobs TO persona_app
            USING (pi_sees_project(company_id, project_id))
            WITH CHECK (pi_sees_project(company_id, project_id));
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS report_jobs")
