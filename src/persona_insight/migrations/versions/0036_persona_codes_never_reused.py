"""a company's highest persona number, so a removed persona's code is never handed on

`companies.persona_number` is the highest `P<n>` the company's framework has ever given. Codes
were chosen after the highest in use or retired by the same save, so a code removed by one save
went to a new combination in the next (found by the API QA pass, 5 December): chat
conversations, filters, exports and the audit log naming the old P2 then named another persona.
Backfilled from the personas that exist.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE companies ADD COLUMN persona_number integer NOT NULL DEFAULT 0"
        " CONSTRAINT ck_companies_persona_number CHECK (persona_number >= 0)"
    )
    op.execute(
        """
        UPDATE companies c SET persona_number = p.high
        FROM (
            SELECT company_id, max(substring(code FROM '^P([0-9]+)$')::int) AS high
            FROM personas WHERE code ~ '^P[0-9]{1,9}$' GROUP BY company_id
        ) p
        WHERE p.company_id = c.id AND p.high IS NOT NULL
        """
    )


def downgrade() -> None:
    op.execute("ALTER TABLE companies DROP COLUMN IF EXISTS persona_number")
