"""Migration 0019 turns a company's flat personas into a one-axis framework (codes, titles and
descriptions kept; each persona the combination of its own type) and goes down again."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from alembic import command

from persona_insight.migrate import alembic_config, upgrade


def test_flat_personas_become_one_axis(settings: Any) -> None:
    from persona_insight.db import Database

    url = Database(settings.database_url, pool_size=1).owner_url
    command.downgrade(alembic_config(url), "0018")
    company = uuid.uuid4()
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO companies (id, name) VALUES (%s, 'Acme')", (company,))
        for code, title in (("HOME", "Home charger"), ("FAST", "Fast"), ("FAST2", "fast")):
            conn.execute(
                "INSERT INTO personas (id, company_id, code, title, description)"
                " VALUES (%s, %s, %s, %s, 'desc')",
                (uuid.uuid4(), company, code, title),
            )
    upgrade(url)
    with psycopg.connect(url) as conn:
        axes = conn.execute("SELECT id, name FROM persona_axes").fetchall()
        assert [a[1] for a in axes] == ["Persona"]
        rows = conn.execute(
            "SELECT p.code, t.name, t.description, t.axis_id FROM personas p"
            " JOIN persona_types t ON t.id = p.type_ids[1] ORDER BY p.code"
        ).fetchall()
        # titles that clash (case-insensitively) are told apart by their code
        assert [(r[0], r[1]) for r in rows] == [
            ("FAST", "FAST Fast"),
            ("FAST2", "FAST2 fast"),
            ("HOME", "Home charger"),
        ]
        assert {r[3] for r in rows} == {axes[0][0]}
        assert all(r[2] == "desc" for r in rows)
    command.downgrade(alembic_config(url), "0018")
    with psycopg.connect(url) as conn:
        left = conn.execute("SELECT count(*) FROM personas").fetchone()
        gone = conn.execute("SELECT to_regclass('persona_axes')").fetchone()
    assert left == (3,)
    assert gone == (None,)
    upgrade(url)
