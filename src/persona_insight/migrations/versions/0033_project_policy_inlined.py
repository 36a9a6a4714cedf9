"""the project policy is inlined: only a member's check calls a definer function

Every row read under a project-level policy called `pi_sees_project`, a SECURITY DEFINER
function with its own `search_path`. PostgreSQL cannot inline such a function, so each row paid
a function call, a change of user and a save and restore of `search_path`: about 7 µs a row
(5,000 `search_lines` rows read under the policy took 36 ms, without it 1 ms). A search reads a
few hundred rows under policies (vectors visited by the HNSW walk, each hit's line and its
neighbours), and every page that lists interviews, findings or events pays the same.

The rule is unchanged. What needs no table — the super admin, the company, an admin's or the
system's role, all read from the transaction's settings — is now a plain SQL function that the
planner inlines into each policy; only the membership of a plain member still reads
`project_members`, through a definer function of its own (that table is under a policy too).
The same 5,000 rows as a company admin: 8 ms. The names in the inlined body are qualified:
an invoker's function is resolved on the caller's `search_path`.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION pi_is_member(p uuid) RETURNS boolean
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT EXISTS (SELECT 1 FROM project_members m
                         WHERE m.project_id = p AND m.user_id = pi_user()) $$;
        CREATE OR REPLACE FUNCTION pi_sees_project(c uuid, p uuid) RETURNS boolean
          LANGUAGE sql STABLE SECURITY INVOKER AS $$
          SELECT public.pi_is_super() OR (c = public.pi_company() AND (
            public.pi_role() IN ('system', 'company_admin') OR public.pi_is_member(p))) $$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION pi_sees_project(c uuid, p uuid) RETURNS boolean
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT pi_is_super() OR (c = pi_company() AND (
            pi_role() IN ('system', 'company_admin')
            OR EXISTS (SELECT 1 FROM project_members m
                       WHERE m.project_id = p AND m.user_id = pi_user())
          )) $$;
        DROP FUNCTION pi_is_member(uuid);
        """
    )
