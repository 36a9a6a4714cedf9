"""analysis context: no persona is forced on an interview

A persona match below the confidence threshold (`analysis.contract.PERSONA_MIN_CONFIDENCE`, 0.45)
now means "no persona fits": the stored analysis keeps its explanation and confidence but has a
null code, and the interview's `persona_code` is null. Analyses stored before that forced the
nearest persona (the offline engine even stored the first persona at confidence 0); this clears
those codes so lists and filters stop showing them. The columns were already nullable, so the
schema does not change. Findings' new optional `confidence` lives in the stored JSON.

Downgrade leaves the data as it is: the forced codes were never a finding of any engine.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# Kept here (not imported) so the migration means the same thing whatever the code says later.
THRESHOLD = 0.45
_WEAK = (
    "(CASE WHEN jsonb_typeof(a.result->'persona_match'->'confidence') = 'number'"
    f" THEN (a.result->'persona_match'->>'confidence')::float8 ELSE 0 END) < {THRESHOLD}"
)


def upgrade() -> None:
    op.execute(
        f"""
        UPDATE interviews i SET persona_code = NULL
        FROM interview_analyses a
        WHERE a.interview_id = i.id AND i.persona_code IS NOT NULL AND {_WEAK}
        """
    )
    op.execute(
        f"""
        UPDATE interview_analyses a
        SET result = jsonb_set(a.result, '{{persona_match,code}}', 'null'::jsonb)
        WHERE jsonb_typeof(a.result->'persona_match') = 'object'
          AND a.result->'persona_match'->>'code' IS NOT NULL AND {_WEAK}
        """
    )


def downgrade() -> None:
    pass
