"""project streams follow access: what a member may replay; scrubbed payloads of deleted content

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Issue 10, item 11: a member who had just joined replayed the project's whole history from
`last_event_id=0`, including a deleted note's text, a purged interview's title and file, and
former members' e-mails.

- `project_members.joined_seq`: the project's last seq when the member row was inserted (set by
  a trigger, so every path that adds a member gets it). The stream refuses to replay below it
  (`sync:reset` with reason `before_join`). `pi_sse_authorise` returns it.
- `pi_scrub_content(payload, gone)` and `pi_scrub_email(payload)`: the stored payload of an event
  about content that no longer exists, with the content removed but the ids and the shape kept
  (so a client that replays it still applies it: a scrubbed interview carries `deleted_at` and is
  removed from the list; a scrubbed note has an empty text and a later `note:deleted`). Used by
  `realtime.scrub` in the deleting transaction, and here once for the history already stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_AUTHORISE_BODY = """
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.name, u.role, u.company_id, p.company_id, pm.role, c.last_seq{joined}
  FROM users u
  JOIN companies co ON co.id = u.company_id AND co.is_active
  JOIN projects p ON p.id = project AND p.deleted_at IS NULL
  JOIN project_event_counters c ON c.project_id = p.id
  LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = u.id
  WHERE u.is_active AND u.id = CASE kind
    WHEN 'token' THEN (SELECT t.user_id FROM api_tokens t
                       WHERE t.token_hash = h AND t.revoked_at IS NULL)
    ELSE (SELECT s.user_id FROM auth_sessions s WHERE s.token_hash = h AND s.expires_at > now())
  END $$;
"""

UP = f"""
ALTER TABLE project_members ADD COLUMN joined_seq bigint NOT NULL DEFAULT 0;

-- Members that exist already: the seq before the event that announced their joining, if the
-- outbox still has it; otherwise 0 (they have been members for longer than it remembers).
UPDATE project_members m SET joined_seq = j.seq - 1
FROM (SELECT e.project_id, (e.payload->'member'->>'user_id') AS user_id, max(e.seq) AS seq
      FROM events e WHERE e.type = 'member:added' AND e.seq > 0 GROUP BY 1, 2) j
WHERE j.project_id = m.project_id AND j.user_id = m.user_id::text;

CREATE OR REPLACE FUNCTION pi_member_joined_seq() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  NEW.joined_seq := coalesce(
    (SELECT last_seq FROM project_event_counters WHERE project_id = NEW.project_id), 0);
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION pi_member_joined_seq() FROM PUBLIC;
CREATE TRIGGER member_joined_seq BEFORE INSERT ON project_members
  FOR EACH ROW EXECUTE FUNCTION pi_member_joined_seq();

DROP FUNCTION pi_sse_authorise(text, text, uuid);
CREATE FUNCTION pi_sse_authorise(kind text, h text, project uuid) RETURNS TABLE (
  user_id uuid, name text, role text, company_id uuid, project_company uuid, member_role text,
  last_seq bigint, joined_seq bigint)
{_AUTHORISE_BODY.format(joined=", pm.joined_seq")}

-- Streams a user holds on the other server processes (their presence rows, written debounced),
-- so that the per-user stream cap holds across processes (issue 10, item 12).
CREATE INDEX IF NOT EXISTS ix_sse_presence_user_id ON sse_presence (user_id);
CREATE OR REPLACE FUNCTION pi_user_streams_elsewhere(who uuid, process text, stale double precision)
  RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(sum(p.connections), 0)::bigint FROM sse_presence p
  WHERE p.user_id = who AND p.process_id <> process
    AND p.seen_at > now() - make_interval(secs => stale) $$;

CREATE OR REPLACE FUNCTION pi_scrub_content(p jsonb, gone timestamptz) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$
  SELECT p || '{{"scrubbed": true}}'::jsonb
    || CASE WHEN jsonb_typeof(p->'note') = 'object'
         THEN jsonb_build_object('note', (p->'note') || '{{"text": ""}}'::jsonb)
         ELSE '{{}}'::jsonb END
    || CASE WHEN jsonb_typeof(p->'interview') = 'object'
         THEN jsonb_build_object('interview', (p->'interview') || jsonb_build_object(
           'title', '', 'file', NULL, 'error', NULL,
           'deleted_at', coalesce(nullif(p->'interview'->'deleted_at', 'null'::jsonb),
                                  to_jsonb(gone))))
         ELSE '{{}}'::jsonb END
    || CASE WHEN p ? 'error' THEN '{{"error": null}}'::jsonb ELSE '{{}}'::jsonb END $$;

CREATE OR REPLACE FUNCTION pi_scrub_email(p jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(p->'member') = 'object'
    THEN jsonb_set(p, '{{member,email}}', '""'::jsonb) ELSE p END $$;

-- The history stored so far: events about notes and interviews that are gone, and the e-mails
-- of people who are no longer members.
UPDATE events e SET payload = pi_scrub_content(e.payload, now())
WHERE e.payload ? 'note_id' AND NOT (e.payload ? 'scrubbed')
  AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.id::text = e.payload->>'note_id');
UPDATE events e SET payload = pi_scrub_content(e.payload, now())
WHERE e.payload ? 'interview_id' AND NOT (e.payload ? 'scrubbed')
  AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.id::text = e.payload->>'interview_id');
UPDATE events e SET payload = pi_scrub_email(e.payload)
WHERE jsonb_typeof(e.payload->'member') = 'object'
  AND NOT EXISTS (SELECT 1 FROM project_members m
                  WHERE m.project_id = e.project_id
                    AND m.user_id::text = e.payload->'member'->>'user_id');
"""

DOWN = f"""
DROP FUNCTION IF EXISTS pi_user_streams_elsewhere(uuid, text, double precision);
DROP INDEX IF EXISTS ix_sse_presence_user_id;
DROP FUNCTION IF EXISTS pi_scrub_email(jsonb);
DROP FUNCTION IF EXISTS pi_scrub_content(jsonb, timestamptz);
DROP FUNCTION pi_sse_authorise(text, text, uuid);
CREATE FUNCTION pi_sse_authorise(kind text, h text, project uuid) RETURNS TABLE (
  user_id uuid, name text, role text, company_id uuid, project_company uuid, member_role text,
  last_seq bigint)
{_AUTHORISE_BODY.format(joined="")}
DROP TRIGGER IF EXISTS member_joined_seq ON project_members;
DROP FUNCTION IF EXISTS pi_member_joined_seq();
ALTER TABLE project_members DROP COLUMN IF EXISTS joined_seq;
"""


def upgrade() -> None:
    op.execute(UP)


def downgrade() -> None:
    op.execute(DOWN)
