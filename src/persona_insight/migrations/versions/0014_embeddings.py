"""embeddings: one table of vectors for lines, findings, themes, personas and knowledge chunks

Insights cluster finding vectors, search ranks line vectors by meaning, personas and ask read
them too: one table (DESIGN §8), keyed by what a vector belongs to — `owner_id` (the interview
for lines and findings, else the theme, persona or document), `kind` and `ref` (the line's first
id, `pain:<i>`/`need:<i>`, a chunk number). Rows of an interview go with it (cascade) when it is
purged; a trashed interview's rows stay but readers skip them.

pgvector is used when the server has it (the embedded server ships it): a `vector(384)` column
with an HNSW index for nearest-neighbour search. A server without the extension (Debian 12
packages none) gets a `real[]` column instead: everything that reads vectors in bulk still
works, and meaning search reports itself unavailable rather than the migration failing.

Project-level row-level security, like interviews.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _vector_available() -> bool:
    bind = op.get_bind()
    if bind.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).first():
        return True
    if not bind.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).first():
        return False
    # Creating an extension may need more privilege than the migrating role has; the
    # savepoint keeps the migration's transaction usable when it is refused.
    nested = bind.begin_nested()
    try:
        bind.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    except Exception:
        nested.rollback()
        return False
    nested.commit()
    return True


def upgrade() -> None:
    column = "vector(384)" if _vector_available() else "real[]"
    op.execute(
        f"""
        CREATE TABLE embeddings (
            owner_id uuid NOT NULL,
            kind varchar(12) NOT NULL
                CONSTRAINT ck_embeddings_kind
                CHECK (kind IN ('line', 'finding', 'theme', 'persona', 'chunk')),
            ref varchar(200) NOT NULL,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
            interview_id uuid REFERENCES interviews(id) ON DELETE CASCADE,
            text text NOT NULL,
            model varchar(60) NOT NULL,
            embedding {column} NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (owner_id, kind, ref)
        )
        """
    )
    op.execute("CREATE INDEX ix_embeddings_project_kind ON embeddings (project_id, kind)")
    op.execute(
        "CREATE INDEX ix_embeddings_interview ON embeddings (interview_id)"
        " WHERE interview_id IS NOT NULL"
    )
    if column.startswith("vector"):
        op.execute(
            "CREATE INDEX ix_embeddings_hnsw ON embeddings USING hnsw (embedding vector_cosine_ops)"
        )
    op.execute("ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY")
    # Company-wide rows (knowledge chunks of the company, no project) are seen by the company.
    op.execute(
        "CREATE POLICY tenant ON embeddings TO persona_app"
        " USING (CASE WHEN project_id IS NULL THEN pi_sees_company(company_id)"
        " ELSE pi_sees_project(company_id, project_id) END)"
        " WITH CHECK (CASE WHEN project_id IS NULL THEN pi_sees_company(company_id)"
        " ELSE pi_sees_project(company_id, project_id) END)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS embeddings")
