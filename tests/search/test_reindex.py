"""`persona-insight reindex [--project]` rebuilds the index from the stored analyses."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from persona_insight.cli import app as cli_app
from persona_insight.config import get_settings
from persona_insight.db import Actor
from tests.search.conftest import indexed_interview
from tests.support import make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def _counts(app: Any, company_id: UUID) -> dict[str, int]:
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=company_id, role="system")) as session:
        lines = (await session.execute(text("SELECT count(*) FROM search_lines"))).scalar_one()
        vectors = (
            await session.execute(text("SELECT count(*) FROM embeddings WHERE kind = 'line'"))
        ).scalar_one()
        return {"lines": lines, "vectors": vectors}


async def test_reindex_rebuilds_what_was_lost(app: Any, settings: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    first = await make_project(app, owner, name="One")
    second = await make_project(app, owner, name="Two")
    await indexed_interview(app, owner, first["id"])
    await indexed_interview(app, owner, second["id"], [(1, "answer", "배터리가 금방 닳아요")])
    assert await _counts(app, owner.company_id) == {"lines": 8, "vectors": 8}
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        await session.execute(text("DELETE FROM search_lines"))
        await session.execute(text("DELETE FROM embeddings WHERE kind = 'line'"))

    env = {
        "DATABASE_URL": settings.database_url,
        "PERSONA_INSIGHT_DATA_DIR": str(settings.data_dir),
    }

    def run(*args: str) -> Any:
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(cli_app, ["reindex", *args], env=env)
        finally:
            get_settings.cache_clear()

    result = await asyncio.to_thread(run, "--project", second["id"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"interviews": 1, "lines": 1}
    assert await _counts(app, owner.company_id) == {"lines": 1, "vectors": 1}
    result = await asyncio.to_thread(run)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"interviews": 2, "lines": 8}
    assert await _counts(app, owner.company_id) == {"lines": 8, "vectors": 8}
