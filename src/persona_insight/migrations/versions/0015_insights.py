"""insights: themes across a project's interviews, their members, researcher edits, state

`insight_themes` holds what the recompute job derived (label, counts, quotes … in `data`);
`insight_theme_members` which findings (interview + `pain:<i>`/`need:<i>`) it grouped there, so
the next recomputation can give a new cluster the id of the old theme holding most of its
members. Researcher edits live apart — `insight_theme_edits` (rename, pin, hide, merge into
another theme) and `insight_finding_moves` (a finding put into another theme) — and are applied
on top of every recomputation, so it never loses them. `insight_state` keeps, per project, the
fingerprint of the inputs the themes were computed from (interview ids + analysis times + edit
version), the facts of those interviews that filters and charts need (date, persona, language,
keywords), and the stored project summary with the interview ids it covers.

Themes that no cluster continues are kept with `retired_at` set, so links and edits to them still
resolve; they are not shown.

Project-level row-level security, like interviews.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

TABLES = (
    "insight_state",
    "insight_finding_moves",
    "insight_theme_edits",
    "insight_theme_members",
    "insight_themes",
)


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE insight_themes (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            kind varchar(8) NOT NULL CONSTRAINT ck_insight_themes_kind
                CHECK (kind IN ('pain', 'need')),
            label text NOT NULL,
            data jsonb NOT NULL DEFAULT '{}'::jsonb,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            retired_at timestamptz
        );
        CREATE INDEX ix_insight_themes_project ON insight_themes (project_id)
            WHERE retired_at IS NULL;

        CREATE TABLE insight_theme_members (
            theme_id uuid NOT NULL REFERENCES insight_themes(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            interview_id uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            ref varchar(20) NOT NULL,
            PRIMARY KEY (project_id, interview_id, ref)
        );
        CREATE INDEX ix_insight_theme_members_theme ON insight_theme_members (theme_id);

        CREATE TABLE insight_theme_edits (
            theme_id uuid PRIMARY KEY REFERENCES insight_themes(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            label text,
            pinned boolean NOT NULL DEFAULT false,
            hidden boolean NOT NULL DEFAULT false,
            merged_into uuid REFERENCES insight_themes(id) ON DELETE SET NULL,
            updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE insight_finding_moves (
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            interview_id uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            ref varchar(20) NOT NULL,
            theme_id uuid NOT NULL REFERENCES insight_themes(id) ON DELETE CASCADE,
            moved_by uuid REFERENCES users(id) ON DELETE SET NULL,
            moved_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (project_id, interview_id, ref)
        );

        CREATE TABLE insight_state (
            project_id uuid PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            fingerprint varchar(64) NOT NULL DEFAULT '',
            interview_ids uuid[] NOT NULL DEFAULT '{}',
            edit_version bigint NOT NULL DEFAULT 0,
            version bigint NOT NULL DEFAULT 0,
            computed_at timestamptz,
            facts jsonb NOT NULL DEFAULT '{}'::jsonb,
            summary jsonb,
            summary_interview_ids uuid[],
            summary_at timestamptz
        );
        """
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant ON {table} TO persona_app"
            " USING (pi_sees_project(company_id, project_id))"
            " WITH CHECK (pi_sees_project(company_id, project_id))"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
