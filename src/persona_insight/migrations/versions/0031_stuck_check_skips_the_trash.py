"""the stuck-interview check skips the trash

A recording moved to the trash while it waited to be transcribed stays `transcribing`: its job
sees the trash and does nothing (nothing is transcribed for an interview nobody can see). The
reconciler's list of stuck interviews (0017) did not look at the trash, so it re-queued that
recording on every pass — every 15 s by default, for as long as the trash keeps it. Trashed
interviews are now left alone; restoring one makes it stuck again in the ordinary way, and the
next pass re-queues it.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_STUCK = """
CREATE OR REPLACE FUNCTION pi_stuck_interviews(age double precision, lim integer)
  RETURNS TABLE (id uuid, company_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.id, i.company_id FROM interviews i
  WHERE i.status IN ('transcribing', 'processing', 'analyzing'){live}
    AND i.status_changed_at < now() - make_interval(secs => age)
    AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs j
      WHERE j.lock = 'interview:' || i.id::text AND j.status IN ('todo', 'doing'))
  ORDER BY i.status_changed_at LIMIT lim $$;
"""


def upgrade() -> None:
    op.execute(_STUCK.format(live="\n    AND i.deleted_at IS NULL"))


def downgrade() -> None:
    op.execute(_STUCK.format(live=""))
