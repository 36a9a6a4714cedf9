"""The interview list filtered by interview date (issue 17): from/to both included, an undated
interview by its upload day, and a bad date answers 422 `invalid_date`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_from_and_to(app: Any) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member)
    ids: dict[str, str] = {}
    async with client(app, member) as c:
        for day in ("2025-01-10", "2025-02-20", "2025-03-30", None):
            body: dict[str, Any] = {"project_id": project["id"], "text": f"Q: hi\nA: {day}"}
            if day:
                body["interview_date"] = day
            r = await c.post("/api/workflow/async", json=body)
            assert r.status_code == 202, r.text
            ids[day or "today"] = r.json()["interview_id"]
        # The undated one was dated by its upload day; clear it to count by upload day.
        cleared = await c.patch(f"/api/interviews/{ids['today']}", json={"interview_date": None})
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["interview_date"] is None

        async def listed(**params: str) -> set[str]:
            r = await c.get(f"/api/projects/{project['id']}/interviews", params=params)
            assert r.status_code == 200, r.text
            return {i["id"] for i in r.json()["items"]}

        assert await listed(date_from="2025-02-20") == {
            ids["2025-02-20"],
            ids["2025-03-30"],
            ids["today"],
        }
        assert await listed(date_to="2025-02-20") == {ids["2025-01-10"], ids["2025-02-20"]}
        assert await listed(date_from="2025-02-01", date_to="2025-02-28") == {ids["2025-02-20"]}
        today = dt.datetime.now(dt.UTC).date().isoformat()
        assert await listed(date_from=today, date_to=today) == {ids["today"]}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-13-01"},
        {"date_to": "yesterday"},
        {"date_from": "2025-02-30"},
        {"date_from": "２０２５-01-01"},
        {"date_from": "2025-03-01", "date_to": "2025-02-01"},
    ],
)
async def test_bad_dates_are_refused(app: Any, params: dict[str, str]) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="lee@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.get(f"/api/projects/{project['id']}/interviews", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_date"
