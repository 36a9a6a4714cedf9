"""events take their seq when their transaction commits

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Before: the statement that appended an event bumped the project's counter row, so the row stayed
locked from that statement until the transaction ended, across every round trip the server made
in between. Measured in bench/pipeline.py (20 uploads at once into one project): ~9 of the 20
sessions were waiting for that lock at any moment, and the wait was most of an upload's latency.

Now an event is inserted with a provisional negative seq (unique, never visible to anyone else:
the row is uncommitted), and a deferred constraint trigger numbers it at COMMIT: it bumps the
counter, gives the row its seq and sends the NOTIFY. The counter is locked only from there to the
end of the commit, with no client round trip inside. Commit order is still seq order: the lock is
held until the commit is visible, so the next transaction of the project numbers after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

UP = """
CREATE SEQUENCE IF NOT EXISTS event_provisional_seq;
GRANT USAGE, SELECT ON SEQUENCE event_provisional_seq TO persona_app;

CREATE OR REPLACE FUNCTION pi_number_event() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  next_seq bigint;
BEGIN
  UPDATE project_event_counters SET last_seq = last_seq + 1
    WHERE project_id = NEW.project_id RETURNING last_seq INTO next_seq;
  IF next_seq IS NULL THEN
    RAISE EXCEPTION 'project % has no event counter', NEW.project_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  UPDATE events SET seq = next_seq WHERE project_id = NEW.project_id AND seq = NEW.seq;
  PERFORM pg_notify('pi_events', NEW.project_id::text || ':' || next_seq);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION pi_number_event() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER number_at_commit AFTER INSERT ON events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pi_number_event();
"""

DOWN = """
DROP TRIGGER IF EXISTS number_at_commit ON events;
DROP FUNCTION IF EXISTS pi_number_event();
DROP SEQUENCE IF EXISTS event_provisional_seq;
"""


def upgrade() -> None:
    op.execute(UP)


def downgrade() -> None:
    op.execute(DOWN)
