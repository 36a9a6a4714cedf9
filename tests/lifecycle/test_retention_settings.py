"""A company admin sets how long the company's trash is kept; the purge job follows it."""

from __future__ import annotations

from typing import Any

import pytest

from persona_insight.interviews import retention
from tests.lifecycle.test_retention import backdate, count, setup_admin, trash, upload
from tests.support import client, make_user

pytestmark = pytest.mark.anyio


async def test_admins_set_the_retention_and_the_purge_follows_it(app: Any, settings: Any) -> None:
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    member = await make_user(rt.db, email="member@acme.test", company="Acme")
    async with client(app, admin) as c:
        r = await c.get("/api/company/retention")
        assert r.status_code == 200, r.text
        assert r.json() == {"trash_retention_days": None, "default_days": 30, "effective_days": 30}
        for bad in (0, -1, 3651, "7", 1.5, True):
            r = await c.put("/api/company/retention", json={"trash_retention_days": bad})
            assert r.status_code == 422, (bad, r.text)
            assert r.json()["error"]["code"] == "validation_error"
        r = await c.put("/api/company/retention", json={"trash_retention_days": 7})
        assert r.status_code == 200, r.text
        assert r.json()["effective_days"] == 7
        iid = await upload(c, project, b"Interviewer: hi\nCustomer: hello\n" * 5, "a.txt")
        await trash(c, iid)
        r = await c.get(f"/api/interviews/{iid}")
        assert r.status_code == 200, r.text
    async with client(app, member) as m:
        r = await m.put("/api/company/retention", json={"trash_retention_days": 1})
        assert r.status_code == 403, r.text
        assert (await m.get("/api/company/retention")).status_code == 403
    await backdate(app, iid, 8)
    assert await retention.purge_expired(rt.db, rt.files, settings) == 1
    assert (
        await count(
            app,
            "SELECT count(*) FROM audit_log WHERE action = 'company_updated'"
            " AND details->>'trash_retention_days' = '7'",
        )
        == 1
    )
    async with client(app, admin) as c:
        r = await c.put("/api/company/retention", json={"trash_retention_days": None})
        assert r.json()["effective_days"] == 30
