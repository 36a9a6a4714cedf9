"""Migration 0018 down and up: existing interviews get where their title and date came from (a
title equal to its file's stem is a placeholder; a missing date becomes the upload day), and the
way down leaves the table as 0017 had it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest
from alembic import command

from persona_insight.migrate import alembic_config, current_revision, upgrade
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


def _rows(url: str) -> dict[str, tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT title, title_source, interview_date, interview_date_source FROM interviews"
        ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


async def test_down_and_up(app: Any, settings: Any) -> None:
    from persona_insight.db import Database

    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        for body in (
            {"text": "Q: hi\nA: hello", "title": "Typed", "interview_date": "2025-01-02"},
            {"text": "Q: hi\nA: pasted"},
        ):
            r = await c.post("/api/workflow/async", json={"project_id": project["id"], **body})
            assert r.status_code == 202, r.text
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("notes_0412.txt", b"Q: hi\nA: file", "text/plain")},
        )
        assert r.status_code == 202, r.text
    url = Database(settings.database_url, pool_size=1).owner_url
    today = dt.datetime.now(dt.UTC).date()
    command.downgrade(alembic_config(url), "0017")
    assert current_revision(url) == "0017"
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'interviews'"
        ).fetchall()
        dates = dict(conn.execute("SELECT title, interview_date FROM interviews").fetchall())
    assert not {"title_source", "interview_date_source"} & {c[0] for c in columns}
    # Only the dates the upload day stood in for are taken back.
    assert dates == {"Typed": dt.date(2025, 1, 2), "Q: hi": None, "notes_0412": None}
    upgrade(url)
    assert _rows(url) == {
        "Typed": ("user", dt.date(2025, 1, 2), "user"),
        "Q: hi": ("user", today, "upload"),
        "notes_0412": ("file", today, "upload"),
    }
