"""The company vocabulary given to every analysis (keyword document frequencies, section names,
takeaways) counts only live interviews: a trashed one stops shaping new analyses."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text
from tests.support import as_owner, client, make_project, make_user

from persona_insight.db import Actor
from persona_insight.interviews import repository as repo
from persona_insight.interviews.tasks import load_context

pytestmark = pytest.mark.anyio


async def _upload(c: Any, project_id: str, body: str) -> str:
    r = await c.post("/api/workflow/async", json={"project_id": project_id, "text": body})
    assert r.status_code == 202, r.text
    return str(r.json()["interview_id"])


async def _analysed(app: Any, interview_id: str, terms: list[str], takeaway: str) -> None:
    """Stores what a finished analysis leaves behind (its terms and result), as the job would."""
    result = {"script_sections": [{"sector_name": takeaway}], "key_takeaways": [takeaway]}
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        company = (
            await s.execute(
                text("SELECT company_id FROM interviews WHERE id = :i"), {"i": interview_id}
            )
        ).scalar_one()
        await s.execute(
            text(
                "INSERT INTO interview_terms (interview_id, company_id, term)"
                " SELECT :i, :c, unnest(CAST(:t AS text[]))"
            ),
            {"i": interview_id, "c": company, "t": terms},
        )
        await s.execute(
            text(
                "INSERT INTO interview_analyses (interview_id, company_id, engine, result,"
                " duration_ms) VALUES (:i, :c, 'offline', CAST(:r AS jsonb), 1)"
            ),
            {"i": interview_id, "c": company, "r": json.dumps(result)},
        )
        await s.commit()


async def test_trashed_interviews_leave_the_company_vocabulary(app: Any) -> None:
    rt = app.api.state.runtime
    admin = await make_user(rt.db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin, "Vocabulary")
    async with client(app, admin) as c:
        kept = await _upload(c, project["id"], "Q: How do you charge?\nA: With my wallbox.")
        trashed = await _upload(c, project["id"], "Q: Groceries?\nA: A scooter courier.")
        new = await _upload(c, project["id"], "Q: Hello?\nA: I charge at the office.")
        await _analysed(app, kept, ["wallbox", "charge"], "Wallbox at home")
        await _analysed(app, trashed, ["scooter", "charge"], "Scooter courier late")

        actor = Actor(company_id=admin.company_id, role="system")

        async def vocabulary() -> tuple[dict[str, int], int, list[str], list[str]]:
            prepared = await load_context(rt.db, rt.settings, actor, UUID(new))
            context = prepared.context
            return (
                dict(context.term_document_frequency),
                context.document_count,
                list(context.section_names),
                list(context.key_takeaways),
            )

        df, count, sections, takeaways = await vocabulary()
        assert count == 2
        assert df == {"wallbox": 1, "scooter": 1, "charge": 2}
        assert set(takeaways) == {"Wallbox at home", "Scooter courier late"}
        assert set(sections) == set(takeaways)

        assert (await c.delete(f"/api/interviews/{trashed}")).status_code == 200
        df, count, sections, takeaways = await vocabulary()
        assert count == 1
        assert df == {"wallbox": 1, "charge": 1}
        assert takeaways == ["Wallbox at home"]
        assert sections == ["Wallbox at home"]

        # Restored, it counts again.
        assert (await c.post(f"/api/interviews/{trashed}/restore")).status_code == 200
        assert (await vocabulary())[1] == 2

        # A trashed project takes its interviews' vocabulary with it.
        async with rt.db.unit_of_work(actor) as session:
            _, takeaways = await repo.company_vocabulary(session, actor.company_id)
        assert len(takeaways) == 2
        assert (await c.delete(f"/api/projects/{project['id']}")).status_code in {200, 204}
        async with rt.db.unit_of_work(actor) as session:
            df, count = await repo.term_frequencies(session, actor.company_id, exclude=UUID(new))
        assert (df, count) == ({}, 0)
