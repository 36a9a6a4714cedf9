"""account security: verified e-mail, approval of new members, throttles, per-company audit

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

- `users.email_verified_at` / `approved_at`: a signed-up account is created unverified (and
  unapproved when its company requires approval) and cannot sign in until both are set. The
  verification secret is kept as its hash on the user row (one per user: a new link replaces the
  old one) and consumed by `pi_verify_email` in one statement, so a link works once. Existing
  users are verified and approved as of their creation.
- `companies.require_approval`: new members wait for a company admin.
- `login_known`: (account, address) pairs that signed in successfully, hashed; such a pair is not
  held back by failures other people cause on the same address or account.
- `project_invitations.used_by`: who joined with a link, so a removed member cannot use it again.
- `audit_log.company_seq`: entries are numbered per company at commit (a deferred trigger, as the
  events are in 0007), so no company sees the global sequence of every company's entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

UP = """
ALTER TABLE users
  ADD COLUMN email_verified_at timestamptz,
  ADD COLUMN approved_at timestamptz,
  ADD COLUMN verify_token_hash varchar(64),
  ADD COLUMN verify_expires_at timestamptz;
UPDATE users SET email_verified_at = created_at, approved_at = created_at;
-- Verified unless said otherwise: only sign-up creates an unverified account (it says so);
-- operator tools and anything else that inserts a user make a usable one.
ALTER TABLE users ALTER COLUMN email_verified_at SET DEFAULT now(),
  ALTER COLUMN approved_at SET DEFAULT now();
CREATE UNIQUE INDEX uq_users_verify_token_hash ON users (verify_token_hash)
  WHERE verify_token_hash IS NOT NULL;

ALTER TABLE companies ADD COLUMN require_approval boolean NOT NULL DEFAULT false;

CREATE TABLE login_known (
  key varchar(80) PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_known TO persona_app;

ALTER TABLE project_invitations ADD COLUMN used_by uuid[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE FUNCTION pi_verify_email(h text) RETURNS TABLE (
  id uuid, company_id uuid, email text, approved boolean)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE users u SET email_verified_at = now(), verify_token_hash = NULL,
                     verify_expires_at = NULL
  WHERE u.verify_token_hash = h AND u.verify_expires_at > now()
  RETURNING u.id, u.company_id, u.email, u.approved_at IS NOT NULL $$;

ALTER TABLE audit_log ADD COLUMN company_seq bigint;
UPDATE audit_log a SET company_seq = n.rn FROM (
  SELECT id, row_number() OVER (PARTITION BY company_id ORDER BY id) AS rn FROM audit_log) n
WHERE n.id = a.id;
CREATE INDEX ix_audit_log_company_seq ON audit_log (company_id, company_seq);
CREATE TABLE audit_counters (
  company_key uuid PRIMARY KEY,
  last_seq bigint NOT NULL
);
INSERT INTO audit_counters (company_key, last_seq)
  SELECT coalesce(company_id, '00000000-0000-0000-0000-000000000000'::uuid), max(company_seq)
  FROM audit_log GROUP BY 1;
REVOKE ALL ON audit_counters FROM persona_app;

CREATE OR REPLACE FUNCTION pi_number_audit() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  k uuid := coalesce(NEW.company_id, '00000000-0000-0000-0000-000000000000'::uuid);
  n bigint;
BEGIN
  INSERT INTO audit_counters AS c (company_key, last_seq) VALUES (k, 1)
    ON CONFLICT (company_key) DO UPDATE SET last_seq = c.last_seq + 1
    RETURNING c.last_seq INTO n;
  UPDATE audit_log SET company_seq = n WHERE id = NEW.id;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION pi_number_audit() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER number_audit_at_commit AFTER INSERT ON audit_log
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pi_number_audit();
"""

DOWN = """
DROP TRIGGER IF EXISTS number_audit_at_commit ON audit_log;
DROP FUNCTION IF EXISTS pi_number_audit();
DROP TABLE IF EXISTS audit_counters;
DROP INDEX IF EXISTS ix_audit_log_company_seq;
ALTER TABLE audit_log DROP COLUMN IF EXISTS company_seq;
DROP FUNCTION IF EXISTS pi_verify_email(text);
ALTER TABLE project_invitations DROP COLUMN IF EXISTS used_by;
DROP TABLE IF EXISTS login_known;
ALTER TABLE companies DROP COLUMN IF EXISTS require_approval;
DROP INDEX IF EXISTS uq_users_verify_token_hash;
ALTER TABLE users
  DROP COLUMN IF EXISTS verify_expires_at,
  DROP COLUMN IF EXISTS verify_token_hash,
  DROP COLUMN IF EXISTS approved_at,
  DROP COLUMN IF EXISTS email_verified_at;
"""


def upgrade() -> None:
    op.execute(UP)


def downgrade() -> None:
    op.execute(DOWN)
