"""search: the keyword index of script lines, stored answers of "ask", saved searches

`search_lines` holds one row per cleaned script line of an analysed interview: its text, speaker
and place in the script, and `lexemes`, a tsvector the application builds — Kiwi morphemes for
Korean (a verb or adjective also as its dictionary form, so 불편했어요 meets 불편하다 and 불편)
under the `simple` configuration, Latin-script words under `english` (stemmed). PostgreSQL has
no Korean parser, so the morphology is done in Python and only the lexemes are stored. Meaning
search reads the shared `embeddings` table (kind `line`, migration 0014); nothing here stores
vectors. Rows go with their interview (cascade on purge); readers skip trashed interviews.

`answers` keeps each finished answer of "ask" (question, answer, validated citations, engine,
usage), written once when the stream ends, so a failure leaves nothing. `saved_searches` are a
user's named queries.

Project-level row-level security like interviews; company-wide answers (no project) by company.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_SEES = (
    "CASE WHEN project_id IS NULL THEN pi_sees_company(company_id)"
    " ELSE pi_sees_project(company_id, project_id) END"
)


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE search_lines (
            interview_id uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            line_id integer NOT NULL,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            position integer NOT NULL,
            line_ids integer[] NOT NULL,
            speaker varchar(12) NOT NULL,
            speaker_name varchar(100),
            text text NOT NULL,
            start_ms integer,
            lexemes tsvector NOT NULL,
            PRIMARY KEY (interview_id, line_id)
        )
        """
    )
    op.execute("CREATE INDEX ix_search_lines_lexemes ON search_lines USING gin (lexemes)")
    op.execute("CREATE INDEX ix_search_lines_project ON search_lines (project_id)")
    op.execute("CREATE INDEX ix_search_lines_position ON search_lines (interview_id, position)")
    op.execute(
        """
        CREATE TABLE answers (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
            user_id uuid REFERENCES users(id) ON DELETE SET NULL,
            question text NOT NULL,
            answer text NOT NULL,
            tokens jsonb NOT NULL DEFAULT '[]',
            citations jsonb NOT NULL DEFAULT '[]',
            engine varchar(20) NOT NULL,
            usage jsonb NOT NULL DEFAULT '{}',
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_answers_project_created ON answers (project_id, created_at)")
    op.execute(
        """
        CREATE TABLE saved_searches (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name varchar(200) NOT NULL,
            query jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_saved_searches_user ON saved_searches (user_id, created_at)")
    op.execute("ALTER TABLE search_lines ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant ON search_lines TO persona_app"
        " USING (pi_sees_project(company_id, project_id))"
        " WITH CHECK (pi_sees_project(company_id, project_id))"
    )
    op.execute("ALTER TABLE answers ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON answers TO persona_app USING ({_SEES}) WITH CHECK ({_SEES})"
    )
    # A saved search is its user's own, whoever else is in the company.
    op.execute("ALTER TABLE saved_searches ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant ON saved_searches TO persona_app"
        " USING (pi_sees_company(company_id) AND user_id = pi_user())"
        " WITH CHECK (pi_sees_company(company_id) AND user_id = pi_user())"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS saved_searches")
    op.execute("DROP TABLE IF EXISTS answers")
    op.execute("DROP TABLE IF EXISTS search_lines")
