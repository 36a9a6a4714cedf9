"""audio: recordings wait in `transcribing` and are re-queued like the others when stuck

An interview's status is a plain string (no check constraint), so the new state `transcribing`
and the source `media` need no column change; the recording itself is the interview's stored
file. What changes is the reconciler's list of stuck interviews: an interview left
`transcribing` with no job queued or running (a job aborted at shutdown) is re-queued too —
with the transcription task, chosen by `jobs.worker` from the status.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_STUCK = """
CREATE OR REPLACE FUNCTION pi_stuck_interviews(age double precision, lim integer)
  RETURNS TABLE (id uuid, company_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.id, i.company_id FROM interviews i
  WHERE i.status IN ({statuses})
    AND i.status_changed_at < now() - make_interval(secs => age)
    AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs j
      WHERE j.lock = 'interview:' || i.id::text AND j.status IN ('todo', 'doing'))
  ORDER BY i.status_changed_at LIMIT lim $$;
"""


def upgrade() -> None:
    op.execute(_STUCK.format(statuses="'transcribing', 'processing', 'analyzing'"))


def downgrade() -> None:
    # Recordings still waiting to be transcribed cannot be analysed by the older code: they fail
    # with a code that says so, and their retry after an upgrade transcribes them.
    op.execute(
        """
        UPDATE interviews SET status = 'failed', status_changed_at = now(),
          error = '{"code": "transcription_interrupted", "message": "the server was downgraded before the recording was transcribed", "retryable": true, "engine": null}'::jsonb
        WHERE status = 'transcribing'
        """
    )
    op.execute(_STUCK.format(statuses="'processing', 'analyzing'"))
