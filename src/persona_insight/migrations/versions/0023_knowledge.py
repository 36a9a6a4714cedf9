"""knowledge documents, and a keyword index over findings and knowledge chunks

`knowledge_documents` are the files company admins add to a company's knowledge base (no
project) or a project's: market reports, earlier research, product specs. Their text is cut
into chunks stored in the shared `embeddings` table (kind `chunk`, owner = the document, ref =
the chunk number, migration 0014) — one row holds the chunk's text and its vector, and a
citation to a chunk (`citations.DocumentCitation`) resolves against it. Deleting a document
deletes its chunks in the same transaction.

Search reads findings (`embeddings` kind `finding`) and chunks by keyword too: GIN indexes on
the `simple` tsvector of their text (prefix queries of the query's Korean morphemes from Kiwi,
so 불편 meets 불편했음) and the `english` one (stemmed English words). Notes and theme labels are searched the same way
from their own tables (few rows per project, no index needed).

Row-level security: a project's document by project access, a company-wide one by company.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_SEES = (
    "CASE WHEN project_id IS NULL THEN pi_sees_company(company_id)"
    " ELSE pi_sees_project(company_id, project_id) END"
)


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE knowledge_documents (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
            title varchar(200) NOT NULL,
            filename varchar(255) NOT NULL,
            kind varchar(20) NOT NULL,
            chars integer NOT NULL,
            chunks integer NOT NULL,
            created_by uuid REFERENCES users(id) ON DELETE SET NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_knowledge_documents_company ON knowledge_documents"
        " (company_id, project_id, created_at)"
    )
    op.execute("ALTER TABLE knowledge_documents ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON knowledge_documents TO persona_app USING ({_SEES})"
        f" WITH CHECK ({_SEES})"
    )
    for config in ("simple", "english"):
        op.execute(
            f"CREATE INDEX ix_embeddings_text_{config} ON embeddings"
            f" USING gin (to_tsvector('{config}', text)) WHERE kind IN ('finding', 'chunk')"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_embeddings_text_simple")
    op.execute("DROP INDEX IF EXISTS ix_embeddings_text_english")
    op.execute("DELETE FROM embeddings WHERE kind = 'chunk'")
    op.execute("DROP TABLE IF EXISTS knowledge_documents")
