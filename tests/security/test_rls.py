"""Row-level security is a second wall: acting as the application's database role for company B,
nothing of company A can be read or written in any table — a forgotten WHERE cannot leak."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

A, B = uuid.uuid4(), uuid.uuid4()


def _seed_company(conn: psycopg.Connection[Any], company: uuid.UUID, tag: str) -> dict[str, Any]:
    """One row of company `company` in every tenant table (as the owner: no RLS)."""
    user, project, interview = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conn.execute(
        "INSERT INTO companies (id, name, domains) VALUES (%s, %s, %s)",
        (company, f"Company {tag}", [f"{tag}.test"]),
    )
    conn.execute(
        "INSERT INTO users (id, company_id, email, name, password_hash)"
        " VALUES (%s, %s, %s, %s, 'x')",
        (user, company, f"u@{tag}.test", tag),
    )
    conn.execute(
        "INSERT INTO auth_sessions (id, token_hash, user_id, company_id, csrf_token,"
        " expires_at) VALUES (%s, %s, %s, %s, 'c', now() + interval '1 day')",
        (uuid.uuid4(), uuid.uuid4().hex, user, company),
    )
    conn.execute(
        "INSERT INTO api_tokens (id, user_id, company_id, name, token_hash, prefix)"
        " VALUES (%s, %s, %s, 't', %s, 'p')",
        (uuid.uuid4(), user, company, uuid.uuid4().hex),
    )
    conn.execute(
        "INSERT INTO projects (id, company_id, name, owner_id) VALUES (%s, %s, %s, %s)",
        (project, company, f"Secret {tag}", user),
    )
    conn.execute(
        "INSERT INTO project_members (project_id, user_id, company_id, role)"
        " VALUES (%s, %s, %s, 'owner')",
        (project, user, company),
    )
    conn.execute(
        "INSERT INTO project_event_counters (project_id, company_id, last_seq) VALUES (%s, %s, 1)",
        (project, company),
    )
    conn.execute(
        "INSERT INTO project_invitations (id, company_id, project_id, token_hash,"
        " expires_at) VALUES (%s, %s, %s, %s, now() + interval '1 day')",
        (uuid.uuid4(), company, project, uuid.uuid4().hex),
    )
    conn.execute(
        "INSERT INTO glossary_terms (id, company_id, term, definition)"
        " VALUES (%s, %s, 'EV', 'electric vehicle')",
        (uuid.uuid4(), company),
    )
    persona = uuid.uuid4()
    conn.execute(
        "INSERT INTO personas (id, company_id, code, title) VALUES (%s, %s, 'P1', 't')",
        (persona, company),
    )
    conn.execute(
        "INSERT INTO interviews (id, company_id, project_id, title, status, source, text)"
        " VALUES (%s, %s, %s, %s, 'completed', 'text', 'Q: a?')",
        (interview, company, project, f"Interview {tag}"),
    )
    conn.execute(
        "INSERT INTO interview_analyses (interview_id, company_id, engine, result,"
        " duration_ms) VALUES (%s, %s, 'offline', '{}', 1)",
        (interview, company),
    )
    conn.execute(
        "INSERT INTO interview_terms (interview_id, company_id, term) VALUES (%s, %s, 'charger')",
        (interview, company),
    )
    conn.execute(
        "INSERT INTO events (project_id, seq, company_id, type, payload)"
        " VALUES (%s, 1, %s, 'interview:added', '{}')",
        (project, company),
    )
    conn.execute(
        "INSERT INTO notes (id, company_id, project_id, interview_id, author_id,"
        " line_ids, text) VALUES (%s, %s, %s, %s, %s, '{1}', 'n')",
        (uuid.uuid4(), company, project, interview, user),
    )
    conn.execute(
        "INSERT INTO audit_log (company_id, actor_id, action) VALUES (%s, %s, 'login')",
        (company, user),
    )
    conn.execute(
        "INSERT INTO embeddings (owner_id, kind, ref, company_id, project_id, interview_id,"
        " text, model, embedding) VALUES (%s, 'finding', 'pain:0', %s, %s, %s, 't', 'e5',"
        " array_fill(0.1::real, ARRAY[384]))",
        (interview, company, project, interview),
    )
    conn.execute(
        "INSERT INTO report_jobs (id, company_id, project_id, requested_by, kind, format,"
        " locale) VALUES (%s, %s, %s, %s, 'report', 'pdf', 'ko')",
        (uuid.uuid4(), company, project, user),
    )
    axis, kind, theme = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for sql, args in (
        (
            "INSERT INTO search_lines (interview_id, line_id, company_id, project_id, position,"
            " line_ids, speaker, text, lexemes) VALUES (%s, 1, %s, %s, 0, '{1}', 'answer', 'a',"
            " to_tsvector('simple', 'a'))",
            (interview, company, project),
        ),
        (
            "INSERT INTO answers (id, company_id, project_id, user_id, question, answer, engine)"
            " VALUES (%s, %s, %s, %s, 'q', 'a', 'offline')",
            (uuid.uuid4(), company, project, user),
        ),
        (
            "INSERT INTO saved_searches (id, company_id, user_id, name, query)"
            " VALUES (%s, %s, %s, 's', '{}')",
            (uuid.uuid4(), company, user),
        ),
        (
            "INSERT INTO knowledge_documents (id, company_id, project_id, title, filename, kind,"
            " chars, chunks, created_by) VALUES (%s, %s, %s, 'd', 'd.txt', 'txt', 1, 1, %s)",
            (uuid.uuid4(), company, project, user),
        ),
        (
            "INSERT INTO insight_themes (id, company_id, project_id, kind, label)"
            " VALUES (%s, %s, %s, 'pain', 't')",
            (theme, company, project),
        ),
        (
            "INSERT INTO insight_theme_members (theme_id, company_id, project_id, interview_id,"
            " ref) VALUES (%s, %s, %s, %s, 'pain:0')",
            (theme, company, project, interview),
        ),
        (
            "INSERT INTO insight_theme_edits (theme_id, company_id, project_id, label)"
            " VALUES (%s, %s, %s, 'renamed')",
            (theme, company, project),
        ),
        (
            "INSERT INTO insight_finding_moves (company_id, project_id, interview_id, ref,"
            " theme_id) VALUES (%s, %s, %s, 'need:0', %s)",
            (company, project, interview, theme),
        ),
        (
            "INSERT INTO insight_state (project_id, company_id) VALUES (%s, %s)",
            (project, company),
        ),
        (
            "INSERT INTO persona_axes (id, company_id, name) VALUES (%s, %s, 'axis')",
            (axis, company),
        ),
        (
            "INSERT INTO persona_types (id, company_id, axis_id, name) VALUES (%s, %s, %s, 'type')",
            (kind, company, axis),
        ),
        (
            "INSERT INTO persona_focus (project_id, persona_id, company_id) VALUES (%s, %s, %s)",
            (project, persona, company),
        ),
        (
            "INSERT INTO interview_placements (interview_id, axis_id, company_id, project_id)"
            " VALUES (%s, %s, %s, %s)",
            (interview, axis, company, project),
        ),
        (
            "INSERT INTO interview_persona_choices (interview_id, company_id, project_id,"
            " persona_code) VALUES (%s, %s, %s, 'P1')",
            (interview, company, project),
        ),
        (
            "INSERT INTO persona_profiles (id, persona_id, company_id, project_id, version,"
            " profile, fingerprint, engine) VALUES (%s, %s, %s, %s, 1, '{}', 'f', 'offline')",
            (uuid.uuid4(), persona, company, project),
        ),
    ):
        conn.execute(sql, args)
    conversation = uuid.uuid4()
    conn.execute(
        "INSERT INTO conversations (id, company_id, project_id, author_id, title, persona_codes,"
        " shared) VALUES (%s, %s, %s, %s, 'c', '{P1}', true)",
        (conversation, company, project, user),
    )
    conn.execute(
        "INSERT INTO chat_messages (id, conversation_id, company_id, project_id, role, content)"
        " VALUES (%s, %s, %s, %s, 'user', 'hi')",
        (uuid.uuid4(), conversation, company, project),
    )
    conn.execute(
        "INSERT INTO chat_summaries (conversation_id, company_id, project_id, result,"
        " message_count) VALUES (%s, %s, %s, '{}', 1)",
        (conversation, company, project),
    )
    conn.execute(
        "INSERT INTO chat_usage (company_id, month, tokens)"
        " VALUES (%s, date_trunc('month', now()), 5)",
        (company,),
    )
    return {"user": user, "project": project, "interview": interview}


@pytest.fixture
def tenants(database_url: str) -> Iterator[dict[str, Any]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield {"A": _seed_company(conn, A, "a"), "B": _seed_company(conn, B, "b")}


def _tenant_tables(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND column_name = 'company_id' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _act(conn: psycopg.Connection[Any], company: uuid.UUID, user: uuid.UUID, role: str) -> None:
    conn.execute("SET ROLE persona_app")
    conn.execute(
        "SELECT set_config('app.company_id', %s, false),"
        " set_config('app.user_id', %s, false), set_config('app.role', %s, false)",
        (str(company), str(user), role),
    )


def test_every_tenant_table_has_rls_and_rows_for_the_test(database_url: str, tenants: Any) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [*_tenant_tables(conn), "companies"]
        for table in tables:
            enabled = conn.execute(
                "SELECT relrowsecurity FROM pg_class WHERE relname = %s", (table,)
            ).fetchone()
            assert enabled is not None
            assert enabled[0], f"{table} has no row-level security"
            column = "id" if table == "companies" else "company_id"
            count = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = %s",  # noqa: S608
                (A,),
            ).fetchone()
            assert count is not None
            assert count[0] >= 1, f"seed a row of company A in {table}"
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'persona_app'"
        ).fetchone()
        assert role == (False, False)


@pytest.mark.parametrize("role", ["company_user", "company_admin", "system"])
def test_company_b_cannot_see_or_touch_company_a(
    database_url: str, tenants: Any, role: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = _tenant_tables(conn)
        _act(conn, B, tenants["B"]["user"], role)
        for table in tables:
            count = conn.execute(
                f"SELECT count(*) FROM {table} WHERE company_id = %s",  # noqa: S608
                (A,),
            ).fetchone()
            assert count == (0,), f"{table}: company A rows visible to company B ({role})"
            if table != "audit_log":  # the application may not update or delete the audit log
                updated = conn.execute(
                    f"UPDATE {table} SET company_id = company_id"  # noqa: S608
                    " WHERE company_id = %s",
                    (A,),
                )
                assert updated.rowcount == 0, f"{table}: company A rows writable"
                deleted = conn.execute(f"DELETE FROM {table} WHERE company_id = %s", (A,))  # noqa: S608
                assert deleted.rowcount == 0, f"{table}: company A rows deletable"
            # Moving one's own row into company A is refused too.
            if table not in ("audit_log",):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(
                        f"UPDATE {table} SET company_id = %s"  # noqa: S608
                        " WHERE company_id = %s",
                        (A, B),
                    )
        assert conn.execute("SELECT count(*) FROM companies WHERE id = %s", (A,)).fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO audit_log (company_id, action) VALUES (%s, 'forged')", (A,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit_log SET action = 'x'")
        # The system lookups are scoped by what they are given, never by a tenant switch.
        assert conn.execute("SELECT count(*) FROM sse_presence").fetchone() == (0,)
    with psycopg.connect(database_url, autocommit=True) as conn:
        counts = {
            t: conn.execute(
                f"SELECT count(*) FROM {t} WHERE company_id = %s",  # noqa: S608
                (A,),
            ).fetchone()
            for t in _tenant_tables(conn)
        }
        assert all(c and c[0] >= 1 for c in counts.values()), counts


def test_members_only_see_their_projects_inside_a_company(database_url: str, tenants: Any) -> None:
    """Inside company A, a user who is not a member sees no interview, event or note."""
    stranger = uuid.uuid4()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, company_id, email, name, password_hash)"
            " VALUES (%s, %s, 'x@a.test', 'x', 'x')",
            (stranger, A),
        )
        _act(conn, A, stranger, "company_user")
        for table in ("interviews", "events", "notes"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table  # noqa: S608
        assert conn.execute("SELECT count(*) FROM projects").fetchone() == (1,)
        _act(conn, A, tenants["A"]["user"], "company_user")
        for table in ("interviews", "events", "notes"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,), table  # noqa: S608


def test_the_project_policy_calls_no_function_for_an_admin(database_url: str, tenants: Any) -> None:
    """The project policy is inlined into each read: a definer function per row (`search_path`
    saved and restored each time) cost ~7 µs a row, 36 ms for 5,000 lines (migration 0033).
    Only a plain member's membership is still looked up, by the one definer function left."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        _act(conn, A, tenants["A"]["user"], "company_admin")
        plan = "\n".join(
            r[0] for r in conn.execute("EXPLAIN (VERBOSE) SELECT * FROM search_lines").fetchall()
        )
        assert "pi_sees_project" not in plan, plan
        assert "current_setting('app.role'" in plan, plan
        definer = conn.execute(
            "SELECT proname FROM pg_proc WHERE prosecdef AND proname LIKE 'pi\\_%'"
            " AND proname IN ('pi_sees_project', 'pi_is_member')"
        ).fetchall()
        assert definer == [("pi_is_member",)]


def test_super_admin_sees_every_company(database_url: str, tenants: Any) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        _act(conn, B, tenants["B"]["user"], "super_admin")
        assert conn.execute("SELECT count(*) FROM companies").fetchone() == (2,)


@pytest.mark.anyio
async def test_application_connections_never_fall_back_to_the_owner(database_url: str) -> None:
    """Regression: a `SET ROLE` run at connect time was undone by the first rollback, and the
    pooled connection then worked as the owner, bypassing every policy."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from persona_insight.db import Actor, Database

    db = Database(database_url, pool_size=1)
    try:
        with pytest.raises(DBAPIError):
            async with db.unit_of_work(Actor.system()) as s:
                await s.execute(text("SELECT 1 / 0"))
        for statement in ("SELECT current_user", "RESET ROLE; SELECT current_user"):
            async with db.unit_of_work(Actor.system()) as s:
                for part in statement.split(";")[:-1]:
                    await s.execute(text(part))
                assert (await s.execute(text(statement.split(";")[-1]))).scalar() == "persona_app"
    finally:
        await db.dispose()
