"""`persona-insight user create` picks a company by id or domain, never by a name a tenant can
change (issue 10, item 13: a tenant renamed to "Acme" received the admin meant for Acme)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from persona_insight.cli import app
from persona_insight.config import get_settings
from persona_insight.db import to_libpq


@pytest.fixture
def cli(settings: Any) -> Iterator[tuple[CliRunner, dict[str, str]]]:
    get_settings.cache_clear()
    env = {
        "DATABASE_URL": settings.database_url,
        "PERSONA_INSIGHT_DATA_DIR": str(settings.data_dir),
    }
    yield CliRunner(), env
    get_settings.cache_clear()


def _create(cli: tuple[CliRunner, dict[str, str]], email: str, *company: str) -> Any:
    runner, env = cli
    get_settings.cache_clear()
    return runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            email,
            "--password",
            "correct horse",
            "--name",
            "x",
            *company,
            "--role",
            "company_admin",
        ],
        env=env,
    )


def _company_of(settings: Any, email: str) -> str:
    with psycopg.connect(to_libpq(settings.database_url)) as conn:
        row = conn.execute(
            "SELECT c.name FROM users u JOIN companies c ON c.id = u.company_id WHERE u.email = %s",
            (email,),
        ).fetchone()
    assert row is not None
    return str(row[0])


def _domain_of(settings: Any, email: str) -> str:
    with psycopg.connect(to_libpq(settings.database_url)) as conn:
        row = conn.execute(
            "SELECT c.domains[1] FROM users u JOIN companies c ON c.id = u.company_id"
            " WHERE u.email = %s",
            (email,),
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_an_existing_company_is_chosen_by_id_or_domain_never_by_name(
    cli: tuple[CliRunner, dict[str, str]], settings: Any
) -> None:
    r = _create(cli, "boss@acme.test", "--company", "Acme")
    assert r.exit_code == 0, r.output
    r = _create(cli, "mallory@evil.test", "--company", "Evil")
    assert r.exit_code == 0, r.output
    with psycopg.connect(to_libpq(settings.database_url)) as conn:
        # The hostile tenant renames itself after its target.
        conn.execute("UPDATE companies SET name = 'Acme' WHERE name = 'Evil'")
        acme_id = conn.execute(
            "SELECT id FROM companies WHERE 'acme.test' = ANY (domains)"
        ).fetchone()[0]
    # A name selects nothing that exists: refused, nobody is created.
    r = _create(cli, "new-admin@acme.test", "--company", "Acme")
    assert r.exit_code == 1
    assert "exists" in r.output
    r = _create(cli, "new-admin@acme.test", "--company-domain", "ACME.test")
    assert r.exit_code == 0, r.output
    assert _company_of(settings, "new-admin@acme.test") == "Acme"
    assert _domain_of(settings, "new-admin@acme.test") == "acme.test"
    r = _create(cli, "second@acme.test", "--company-id", str(acme_id))
    assert r.exit_code == 0, r.output
    assert _company_of(settings, "second@acme.test") == "Acme"


def test_ambiguity_and_missing_choices_are_refused(
    cli: tuple[CliRunner, dict[str, str]], settings: Any
) -> None:
    assert _create(cli, "a@shared.test", "--company", "One").exit_code == 0
    assert _create(cli, "b@shared.test", "--company", "Two").exit_code == 0  # claims it too
    r = _create(cli, "c@shared.test", "--company-domain", "shared.test")
    assert r.exit_code == 1
    assert "use --company-id" in r.output
    r = _create(cli, "c@shared.test")
    assert r.exit_code == 1
    r = _create(cli, "c@shared.test", "--company-domain", "shared.test", "--company", "Three")
    assert r.exit_code == 1
    r = _create(cli, "c@shared.test", "--company-id", "not-a-uuid")
    assert r.exit_code == 1
    r = _create(cli, "c@nowhere.test", "--company-domain", "nowhere.test")
    assert r.exit_code == 1
    with psycopg.connect(to_libpq(settings.database_url)) as conn:
        count = conn.execute("SELECT count(*) FROM users WHERE email LIKE 'c@%'").fetchone()
    assert count == (0,)
