"""chat: conversations with personas, their messages, mind-map summaries, a monthly token budget

`conversations` belong to a project and their author; `shared` ones are readable by the
project's members, private ones only by their author — enforced by row-level security, not
only by the routes. `chat_messages` keeps the member's messages and each persona's finished
answer (text, validated citations, the stream's events so a re-attach replays the same bytes,
engine, model, token usage, latency), written once when the answer ends. `chat_summaries` keeps
the latest mind map of a conversation with the message count it covers.
`companies.chat_monthly_tokens` is the company's monthly token budget for chat (null: none);
`chat_usage` counts the tokens spent per company and month (a counter rather than a sum over
messages, which row-level security would limit to the conversations the reader may see).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# Readable: the project's member, and the author or anyone in the project when shared.
_SEES_CONVERSATION = (
    "pi_sees_project(company_id, project_id)"
    " AND (shared OR author_id = pi_user() OR pi_role() = 'system')"
)
_OWNED = (
    "pi_sees_project(company_id, project_id)"
    " AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = conversation_id)"
)


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE conversations (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            author_id uuid REFERENCES users(id) ON DELETE SET NULL,
            title varchar(200) NOT NULL,
            persona_codes varchar(40)[] NOT NULL,
            shared boolean NOT NULL DEFAULT false,
            external_ids jsonb NOT NULL DEFAULT '{}',
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_conversations_project_updated ON conversations"
        " (project_id, updated_at DESC)"
    )
    op.execute(
        """
        CREATE TABLE chat_messages (
            id uuid PRIMARY KEY,
            conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            role varchar(10) NOT NULL CONSTRAINT ck_chat_messages_role
                CHECK (role IN ('user', 'persona')),
            persona_code varchar(40),
            author_id uuid REFERENCES users(id) ON DELETE SET NULL,
            content text NOT NULL,
            citations jsonb NOT NULL DEFAULT '[]',
            events jsonb NOT NULL DEFAULT '[]',
            engine varchar(20),
            model varchar(200),
            usage jsonb NOT NULL DEFAULT '{}',
            latency_ms integer,
            status varchar(12) NOT NULL DEFAULT 'complete',
            created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_chat_messages_conversation ON chat_messages (conversation_id, created_at)"
    )
    op.execute(
        "CREATE INDEX ix_chat_messages_company_month ON chat_messages (company_id, created_at)"
        " WHERE role = 'persona'"
    )
    op.execute(
        """
        CREATE TABLE chat_summaries (
            conversation_id uuid PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            result jsonb NOT NULL,
            message_count integer NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE chat_usage (
            company_id uuid NOT NULL REFERENCES companies(id),
            month date NOT NULL,
            tokens bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (company_id, month)
        )
        """
    )
    op.execute("ALTER TABLE chat_usage ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant ON chat_usage TO persona_app"
        " USING (pi_sees_company(company_id)) WITH CHECK (pi_sees_company(company_id))"
    )
    op.execute(
        "ALTER TABLE companies ADD COLUMN chat_monthly_tokens integer"
        " CONSTRAINT ck_companies_chat_monthly_tokens CHECK (chat_monthly_tokens >= 0)"
    )
    op.execute("ALTER TABLE conversations ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON conversations TO persona_app USING ({_SEES_CONVERSATION})"
        " WITH CHECK (pi_sees_project(company_id, project_id))"
    )
    for table in ("chat_messages", "chat_summaries"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant ON {table} TO persona_app USING ({_OWNED}) WITH CHECK ({_OWNED})"
        )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS chat_usage")
    op.execute("DROP TABLE IF EXISTS chat_summaries")
    op.execute("DROP TABLE IF EXISTS chat_messages")
    op.execute("DROP TABLE IF EXISTS conversations")
    op.execute("ALTER TABLE companies DROP COLUMN IF EXISTS chat_monthly_tokens")
