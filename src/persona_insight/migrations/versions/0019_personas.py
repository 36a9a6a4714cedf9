"""personas: a company framework of axes and types, persona combinations, placements, profiles

A company's persona framework is any number of axes (`persona_axes`), each with types
(`persona_types`); the personas are the combinations of one type per axis (`personas.type_ids`,
sorted, unique per company) and keep their code when the axes are edited, as long as their
combination still exists. A combination can be switched off (`enabled`) and carry a picture.

Per interview: where it sits on each axis (`interview_placements`: the type, or null for
"unclear", its confidence and lines; `source` analysis | manual, a manual row is never replaced
by re-analysis) and a researcher's choice of persona (`interview_persona_choices`, which wins
over the placements). Per project, the personas in focus (`persona_focus`). Synthesised profiles
are kept as numbered versions (`persona_profiles`) with the fingerprint of their inputs.

Today's flat personas become a one-axis framework: one axis "Persona" whose types are the
personas, each persona the combination of its own type, so codes and matches stay.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_PROJECT_POLICY = (
    " USING (pi_sees_project(company_id, project_id))"
    " WITH CHECK (pi_sees_project(company_id, project_id))"
)
_COMPANY_POLICY = " USING (pi_sees_company(company_id)) WITH CHECK (pi_sees_company(company_id))"


def _secure(table: str, policy: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant ON {table} TO persona_app{policy}")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE persona_axes (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            name varchar(100) NOT NULL,
            description text NOT NULL DEFAULT '',
            position integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_persona_axes_company_name ON persona_axes (company_id, lower(name))"
    )
    op.execute(
        """
        CREATE TABLE persona_types (
            id uuid PRIMARY KEY,
            company_id uuid NOT NULL REFERENCES companies(id),
            axis_id uuid NOT NULL REFERENCES persona_axes(id) ON DELETE CASCADE,
            name varchar(100) NOT NULL,
            description text NOT NULL DEFAULT '',
            position integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_persona_types_axis_name ON persona_types (axis_id, lower(name))"
    )
    op.execute("ALTER TABLE personas ADD COLUMN type_ids uuid[] NOT NULL DEFAULT '{}'")
    op.execute("ALTER TABLE personas ADD COLUMN enabled boolean NOT NULL DEFAULT true")
    op.execute("ALTER TABLE personas ADD COLUMN picture bytea")
    op.execute("ALTER TABLE personas ADD COLUMN picture_type varchar(40)")
    op.execute("ALTER TABLE personas ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()")
    op.execute(
        """
        CREATE TABLE persona_focus (
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            persona_id uuid NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            PRIMARY KEY (project_id, persona_id)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE interview_placements (
            interview_id uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            axis_id uuid NOT NULL REFERENCES persona_axes(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            type_id uuid REFERENCES persona_types(id) ON DELETE SET NULL,
            confidence real NOT NULL DEFAULT 0,
            line_ids integer[] NOT NULL DEFAULT '{}',
            source varchar(8) NOT NULL DEFAULT 'analysis'
                CONSTRAINT ck_interview_placements_source CHECK (source IN ('analysis', 'manual')),
            reason text,
            set_by uuid REFERENCES users(id) ON DELETE SET NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (interview_id, axis_id)
        )
        """
    )
    op.execute("CREATE INDEX ix_interview_placements_type ON interview_placements (type_id)")
    op.execute(
        """
        CREATE TABLE interview_persona_choices (
            interview_id uuid PRIMARY KEY REFERENCES interviews(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            persona_code varchar(40),
            reason text,
            set_by uuid REFERENCES users(id) ON DELETE SET NULL,
            set_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE persona_profiles (
            id uuid PRIMARY KEY,
            persona_id uuid NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
            company_id uuid NOT NULL REFERENCES companies(id),
            project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            version integer NOT NULL,
            profile jsonb NOT NULL,
            interview_ids uuid[] NOT NULL DEFAULT '{}',
            fingerprint varchar(64) NOT NULL,
            engine varchar(20) NOT NULL,
            usage jsonb NOT NULL DEFAULT '{}',
            created_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT uq_persona_profiles_version UNIQUE (persona_id, project_id, version)
        )
        """
    )
    for table in ("persona_axes", "persona_types"):
        _secure(table, _COMPANY_POLICY)
    for table in ("persona_focus", "interview_placements", "interview_persona_choices"):
        _secure(table, _PROJECT_POLICY)
    _secure("persona_profiles", _PROJECT_POLICY)
    _migrate_flat_personas()


def _migrate_flat_personas() -> None:
    # One axis per company that has personas; each persona becomes a type of it and the
    # combination of that one type. md5-derived uuids keep the statement set-based.
    op.execute(
        """
        INSERT INTO persona_axes (id, company_id, name, description, position)
        SELECT DISTINCT ON (company_id)
               md5('axis:' || company_id::text)::uuid, company_id, 'Persona', '', 0
        FROM personas
        """
    )
    op.execute(
        """
        INSERT INTO persona_types (id, company_id, axis_id, name, description, position)
        SELECT md5('type:' || p.id::text)::uuid, p.company_id,
               md5('axis:' || p.company_id::text)::uuid,
               CASE WHEN count(*) OVER (PARTITION BY p.company_id, lower(p.title)) > 1
                    THEN left(p.code || ' ' || p.title, 100) ELSE left(p.title, 100) END,
               p.description,
               (row_number() OVER (PARTITION BY p.company_id ORDER BY p.code))::int - 1
        FROM personas p
        """
    )
    op.execute("UPDATE personas SET type_ids = ARRAY[md5('type:' || id::text)::uuid]")
    op.execute(
        "CREATE UNIQUE INDEX uq_personas_company_types ON personas (company_id, type_ids)"
        " WHERE cardinality(type_ids) > 0"
    )


def downgrade() -> None:
    for table in (
        "persona_profiles",
        "interview_persona_choices",
        "interview_placements",
        "persona_focus",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP INDEX IF EXISTS uq_personas_company_types")
    for column in ("updated_at", "picture_type", "picture", "enabled", "type_ids"):
        op.execute(f"ALTER TABLE personas DROP COLUMN IF EXISTS {column}")
    op.execute("DROP TABLE IF EXISTS persona_types")
    op.execute("DROP TABLE IF EXISTS persona_axes")
