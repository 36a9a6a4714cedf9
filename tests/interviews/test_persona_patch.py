"""The seed's `PATCH /api/interviews/{id}` also sets the persona by hand, through the personas
feature (stored apart from the analysis, audited, announced)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.interviews.samples import KOREAN
from tests.support import as_owner, client, make_project, make_user, wait_for_status

pytestmark = pytest.mark.anyio


async def test_patch_sets_the_persona_and_the_title_together(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin)
    async with client(app, admin) as c:
        for code in ("P1", "P2"):
            r = await c.post("/api/company/personas", json={"code": code, "title": code})
            assert r.status_code == 201, r.text
        r = await c.post("/api/workflow/async", json={"project_id": project["id"], "text": KOREAN})
        interview = r.json()["interview_id"]
    await wait_for_status(app, admin, interview, {"completed"})
    async with client(app, admin) as c:
        r = await c.patch(
            f"/api/interviews/{interview}",
            json={"persona_code": "P2", "reason": "heard it", "title": "Kim · charging"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["persona_code"] == "P2"
        assert r.json()["title"] == "Kim · charging"
        r = await c.patch(f"/api/interviews/{interview}", json={"persona_code": "P9"})
        assert r.status_code == 422
        r = await c.patch(f"/api/interviews/{interview}", json={"persona_code": None})
        assert r.status_code == 200
        assert r.json()["persona_code"] is None
    async with as_owner(db.owner_url) as session:
        actions = (
            await session.scalars(
                text("SELECT action FROM audit_log WHERE action = 'persona_assigned'")
            )
        ).all()
    assert len(actions) == 2
