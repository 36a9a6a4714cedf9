"""Migration 0013 goes down to 0012 and up again, keeping the companies' retention column and the
purge's listing function in step."""

from __future__ import annotations

from typing import Any

import psycopg
from alembic import command

from persona_insight.migrate import alembic_config, current_revision, upgrade


def _has(url: str) -> tuple[bool, bool]:
    with psycopg.connect(url) as conn:
        column = conn.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'companies' AND column_name = 'trash_retention_days'"
        ).fetchone()
        function = conn.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'pi_expired_trash'"
        ).fetchone()
    assert column is not None
    assert function is not None
    return bool(column[0]), bool(function[0])


def test_down_and_up(settings: Any) -> None:
    from persona_insight.db import Database

    url = Database(settings.database_url, pool_size=1).owner_url
    assert _has(url) == (True, True)
    command.downgrade(alembic_config(url), "0012")
    assert current_revision(url) == "0012"
    assert _has(url) == (False, False)
    upgrade(url)
    assert _has(url) == (True, True)
