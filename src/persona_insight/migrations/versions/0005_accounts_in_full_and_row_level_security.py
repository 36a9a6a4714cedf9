"""accounts in full and row-level security

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 08:11:28.151022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"], unique=False)
    op.create_table(
        "glossary_terms",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_glossary_terms_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_terms")),
    )
    op.create_index(
        "uq_glossary_terms_company_term",
        "glossary_terms",
        ["company_id", sa.literal_column("lower(term)")],
        unique=True,
    )
    op.create_table(
        "personas",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_personas_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
    )
    op.create_index("uq_personas_company_code", "personas", ["company_id", "code"], unique=True)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=True),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.String(length=80), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_audit_log_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_company_at", "audit_log", ["company_id", "at"], unique=False)
    op.create_table(
        "project_invitations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), server_default="member", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_project_invitations_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_project_invitations_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_invitations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_project_invitations_token_hash")),
    )
    op.create_index(
        op.f("ix_project_invitations_project_id"),
        "project_invitations",
        ["project_id"],
        unique=False,
    )
    op.add_column(
        "companies",
        sa.Column(
            "engine_config",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
    )
    op.add_column("companies", sa.Column("engine_secrets", sa.Text(), nullable=True))
    op.execute(RLS_UP)


def downgrade() -> None:
    op.execute(RLS_DOWN)
    op.drop_column("companies", "engine_secrets")
    op.drop_column("companies", "engine_config")
    for table in (
        "project_invitations",
        "audit_log",
        "personas",
        "glossary_terms",
        "login_failures",
    ):
        op.drop_table(table)


# --- row-level security -------------------------------------------------------------------------
# The application works as `persona_app` (it connects, then SET ROLE): not a superuser, not the
# tables' owner, no BYPASSRLS, so every policy below applies to it. Who acts is told per
# transaction with set_config('app.company_id' | 'app.user_id' | 'app.role', …, true).
# The few lookups that must cross tenants (authentication, the hub's reads, the reconciler,
# presence, sign-up) are SECURITY DEFINER functions owned by the migrating role: a fixed,
# reviewable surface instead of a bypass.

COMPANY_TABLES = (
    "users",
    "projects",
    "project_members",
    "project_event_counters",
    "project_invitations",
    "glossary_terms",
    "personas",
    "interview_analyses",
    "interview_terms",
)
PROJECT_TABLES = ("interviews", "events", "notes")
AUTH_TABLES = ("auth_sessions", "api_tokens")

_HELPERS = """
CREATE OR REPLACE FUNCTION pi_company() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.company_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION pi_user() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION pi_role() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('app.role', true), '') $$;
CREATE OR REPLACE FUNCTION pi_is_super() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT pi_role() = 'super_admin' $$;
CREATE OR REPLACE FUNCTION pi_sees_company(c uuid) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT pi_is_super() OR c = pi_company() $$;
CREATE OR REPLACE FUNCTION pi_sees_project(c uuid, p uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT pi_is_super() OR (c = pi_company() AND (
    pi_role() IN ('system', 'company_admin')
    OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p AND m.user_id = pi_user())
  )) $$;
"""

_SYSTEM_FUNCTIONS = """
CREATE OR REPLACE FUNCTION pi_auth_session(h text) RETURNS TABLE (
  id uuid, company_id uuid, role text, email text, name text, locale text, session_id uuid,
  csrf_token text, last_seen_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.company_id, u.role, u.email, u.name, u.locale, s.id, s.csrf_token,
         s.last_seen_at
  FROM auth_sessions s JOIN users u ON u.id = s.user_id JOIN companies c ON c.id = u.company_id
  WHERE s.token_hash = h AND s.expires_at > now() AND u.is_active AND c.is_active $$;

CREATE OR REPLACE FUNCTION pi_auth_token(h text) RETURNS TABLE (
  id uuid, company_id uuid, role text, email text, name text, locale text, token_id uuid,
  last_used_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.company_id, u.role, u.email, u.name, u.locale, t.id, t.last_used_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN companies c ON c.id = u.company_id
  WHERE t.token_hash = h AND t.revoked_at IS NULL AND u.is_active AND c.is_active $$;

CREATE OR REPLACE FUNCTION pi_login_lookup(e text) RETURNS TABLE (
  id uuid, company_id uuid, role text, password_hash text, active boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.company_id, u.role, u.password_hash, u.is_active AND c.is_active
  FROM users u JOIN companies c ON c.id = u.company_id WHERE lower(u.email) = lower(e) $$;

CREATE OR REPLACE FUNCTION pi_email_taken(e text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(e)) $$;

CREATE OR REPLACE FUNCTION pi_user_count() RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT count(*) FROM users $$;

CREATE OR REPLACE FUNCTION pi_company_for_domain(d text) RETURNS TABLE (id uuid, active boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT c.id, c.is_active FROM companies c WHERE lower(d) = ANY (
    SELECT lower(x) FROM unnest(c.domains) x) ORDER BY c.created_at LIMIT 1 $$;

CREATE OR REPLACE FUNCTION pi_invitation(h text) RETURNS TABLE (
  id uuid, company_id uuid, project_id uuid, role text, expires_at timestamptz,
  revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.id, i.company_id, i.project_id, i.role, i.expires_at, i.revoked_at
  FROM project_invitations i JOIN projects p ON p.id = i.project_id
  WHERE i.token_hash = h AND p.deleted_at IS NULL $$;

CREATE OR REPLACE FUNCTION pi_sse_authorise(kind text, h text, project uuid) RETURNS TABLE (
  user_id uuid, name text, role text, company_id uuid, project_company uuid, member_role text,
  last_seq bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.name, u.role, u.company_id, p.company_id, pm.role, c.last_seq
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

CREATE OR REPLACE FUNCTION pi_events_after(project uuid, after bigint, lim integer)
  RETURNS TABLE (seq bigint, type text, payload text, created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT e.seq, e.type, e.payload::text, e.created_at FROM events e
  WHERE e.project_id = project AND e.seq > after ORDER BY e.seq LIMIT lim $$;

CREATE OR REPLACE FUNCTION pi_event_counters(projects uuid[])
  RETURNS TABLE (project_id uuid, last_seq bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT c.project_id, c.last_seq FROM project_event_counters c
  WHERE c.project_id = ANY (projects) $$;

CREATE OR REPLACE FUNCTION pi_prune_events(days integer, batch integer) RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (
    DELETE FROM events WHERE ctid IN (
      SELECT ctid FROM events WHERE created_at < now() - make_interval(days => days) LIMIT batch)
    RETURNING 1)
  SELECT count(*) FROM gone $$;

CREATE OR REPLACE FUNCTION pi_stuck_interviews(age double precision, lim integer)
  RETURNS TABLE (id uuid, company_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.id, i.company_id FROM interviews i
  WHERE i.status IN ('processing', 'analyzing')
    AND i.status_changed_at < now() - make_interval(secs => age)
    AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs j
      WHERE j.lock = 'interview:' || i.id::text AND j.status IN ('todo', 'doing'))
  ORDER BY i.status_changed_at LIMIT lim $$;

CREATE OR REPLACE FUNCTION pi_presence_write(process text, project uuid, who uuid[],
                                             counts bigint[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM sse_presence WHERE process_id = process AND project_id = project;
  INSERT INTO sse_presence (process_id, project_id, user_id, connections, seen_at)
    SELECT process, project, u, n, now() FROM unnest(who, counts) AS t(u, n);
  PERFORM pg_notify('pi_presence', project::text);
END $$;

CREATE OR REPLACE FUNCTION pi_presence_users(project uuid, stale double precision)
  RETURNS TABLE (id uuid, name text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.name FROM users u WHERE u.id IN (
    SELECT p.user_id FROM sse_presence p
    WHERE p.project_id = project AND p.seen_at > now() - make_interval(secs => stale))
  ORDER BY u.name, u.id $$;

CREATE OR REPLACE FUNCTION pi_presence_clear(process text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE p uuid;
BEGIN
  FOR p IN DELETE FROM sse_presence WHERE process_id = process RETURNING project_id LOOP
    PERFORM pg_notify('pi_presence', p::text);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION pi_presence_refresh(process text, stale double precision)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE p uuid;
BEGIN
  UPDATE sse_presence SET seen_at = now() WHERE process_id = process;
  FOR p IN DELETE FROM sse_presence WHERE seen_at < now() - make_interval(secs => stale)
           RETURNING project_id LOOP
    PERFORM pg_notify('pi_presence', p::text);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION pi_blob_referenced(sha text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM interviews WHERE file_sha256 = sha)
      OR EXISTS (SELECT 1 FROM users WHERE avatar_sha256 = sha) $$;

CREATE OR REPLACE FUNCTION pi_presence_overview() RETURNS TABLE (
  process_id text, project_id uuid, users bigint, connections bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.process_id, p.project_id, count(*), sum(p.connections)::bigint FROM sse_presence p
  WHERE pi_is_super() GROUP BY 1, 2 ORDER BY 1, 2 $$;
"""

SYSTEM_FUNCTION_NAMES = (
    "pi_auth_session(text)",
    "pi_auth_token(text)",
    "pi_login_lookup(text)",
    "pi_email_taken(text)",
    "pi_user_count()",
    "pi_company_for_domain(text)",
    "pi_invitation(text)",
    "pi_sse_authorise(text, text, uuid)",
    "pi_events_after(uuid, bigint, integer)",
    "pi_event_counters(uuid[])",
    "pi_prune_events(integer, integer)",
    "pi_stuck_interviews(double precision, integer)",
    "pi_presence_write(text, uuid, uuid[], bigint[])",
    "pi_presence_users(uuid, double precision)",
    "pi_presence_clear(text)",
    "pi_presence_refresh(text, double precision)",
    "pi_presence_overview()",
    "pi_blob_referenced(text)",
)


def _policies() -> str:
    sql = []
    for table in COMPANY_TABLES:
        sql.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;")
        sql.append(
            f"CREATE POLICY tenant ON {table} TO persona_app"
            " USING (pi_sees_company(company_id)) WITH CHECK (pi_sees_company(company_id));"
        )
    for table in PROJECT_TABLES:
        sql.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;")
        sql.append(
            f"CREATE POLICY tenant ON {table} TO persona_app"
            " USING (pi_sees_project(company_id, project_id))"
            " WITH CHECK (pi_sees_project(company_id, project_id));"
        )
    for table in AUTH_TABLES:
        sql.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;")
        sql.append(
            f"CREATE POLICY tenant ON {table} TO persona_app USING (pi_sees_company(company_id)"
            " AND (user_id = pi_user() OR pi_role() IN ('company_admin', 'super_admin', 'system')))"
            " WITH CHECK (pi_sees_company(company_id) AND (user_id = pi_user()"
            " OR pi_role() IN ('company_admin', 'super_admin', 'system')));"
        )
    sql += [
        "ALTER TABLE companies ENABLE ROW LEVEL SECURITY;",
        "CREATE POLICY tenant_read ON companies FOR SELECT TO persona_app"
        " USING (pi_sees_company(id));",
        "CREATE POLICY tenant_update ON companies FOR UPDATE TO persona_app"
        " USING (pi_is_super() OR (id = pi_company() AND pi_role() = 'company_admin'))"
        " WITH CHECK (pi_is_super() OR (id = pi_company() AND pi_role() = 'company_admin'));",
        "CREATE POLICY tenant_create ON companies FOR INSERT TO persona_app"
        " WITH CHECK (pi_is_super() OR (pi_role() = 'system' AND id = pi_company()));",
        "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;",
        "CREATE POLICY admins_read ON audit_log FOR SELECT TO persona_app"
        " USING (pi_is_super() OR (company_id = pi_company() AND pi_role() = 'company_admin'));",
        "CREATE POLICY anyone_appends ON audit_log FOR INSERT TO persona_app"
        " WITH CHECK (company_id IS NULL OR pi_sees_company(company_id));",
        # Presence rows are reached only through the pi_presence_* functions.
        "ALTER TABLE sse_presence ENABLE ROW LEVEL SECURITY;",
    ]
    return "\n".join(sql)


RLS_UP = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'persona_app') THEN
    CREATE ROLE persona_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT persona_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO persona_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO persona_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO persona_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO persona_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO persona_app;
REVOKE UPDATE, DELETE ON audit_log FROM persona_app;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM persona_app;
{_HELPERS}
{_SYSTEM_FUNCTIONS}
{_policies()}
"""

RLS_DOWN = "\n".join(
    [
        f"DROP POLICY IF EXISTS tenant ON {t}; ALTER TABLE {t} DISABLE ROW LEVEL SECURITY;"
        for t in (*COMPANY_TABLES, *PROJECT_TABLES, *AUTH_TABLES)
    ]
    + [
        "DROP POLICY IF EXISTS tenant_read ON companies;",
        "DROP POLICY IF EXISTS tenant_update ON companies;",
        "DROP POLICY IF EXISTS tenant_create ON companies;",
        "ALTER TABLE companies DISABLE ROW LEVEL SECURITY;",
        "DROP POLICY IF EXISTS admins_read ON audit_log;",
        "DROP POLICY IF EXISTS anyone_appends ON audit_log;",
        "ALTER TABLE sse_presence DISABLE ROW LEVEL SECURITY;",
    ]
    + [f"DROP FUNCTION IF EXISTS {f};" for f in SYSTEM_FUNCTION_NAMES]
    + [
        "DROP FUNCTION IF EXISTS pi_sees_project(uuid, uuid), pi_sees_company(uuid),"
        " pi_is_super(), pi_role(), pi_user(), pi_company();"
    ]
)
