"""data lifecycle: trash retention per company and the purge of what it keeps

`companies.trash_retention_days` is how many days a trashed interview stays restorable before
the purge job deletes it for good; null means the instance default (`PI_TRASH_RETENTION_DAYS`).
`pi_expired_trash` lists the trashed interviews past their company's retention across every
company (the purge job acts for no company until it picks one, and row-level security would hide
them all); it is SECURITY DEFINER like `pi_stuck_interviews` and returns ids only.

Downgrade drops both; interviews the purge already deleted stay deleted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE companies ADD COLUMN trash_retention_days integer"
        " CONSTRAINT ck_companies_trash_retention_days"
        " CHECK (trash_retention_days BETWEEN 1 AND 3650)"
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION pi_expired_trash(default_days integer, lim integer)
          RETURNS TABLE (id uuid, company_id uuid)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT i.id, i.company_id FROM interviews i JOIN companies c ON c.id = i.company_id
          WHERE i.deleted_at IS NOT NULL
            AND i.deleted_at < now()
                - make_interval(days => coalesce(c.trash_retention_days, default_days))
          ORDER BY i.deleted_at LIMIT lim $$;
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS pi_expired_trash(integer, integer)")
    op.execute("ALTER TABLE companies DROP COLUMN IF EXISTS trash_retention_days")
