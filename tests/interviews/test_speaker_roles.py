"""A researcher fixes who interviews: `PATCH /api/interviews/{id}/speakers` stores the roles,
announces the change and analyses the interview again with them; bad requests change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_project, make_user, wait_for_status

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

# Both speakers ask as much as they answer: the evidence cannot tell who interviews.
AMBIGUOUS = (
    "Dana: I run the night shift at a hospital pharmacy.\n"
    "Eli: I see. The night shift.\n"
    "Dana: The ordering system logs me out every ten minutes, which is really frustrating.\n"
    "Eli: That sounds frustrating.\n"
    "Dana: I need a way to stay signed in while I count the stock.\n"
    "Eli: Right, staying signed in.\n"
)


async def _analysed(app: Any, member: Any, project: dict[str, Any]) -> str:
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project["id"], "text": AMBIGUOUS, "title": "Night shift"},
        )
    assert r.status_code == 202, r.text
    interview_id: str = r.json()["interview_id"]
    detail = await wait_for_status(app, member, interview_id, {"completed", "failed"})
    assert detail["status"] == "completed", detail["error"]
    return interview_id


async def _events(app: Any, project_id: str) -> list[tuple[str, Any]]:
    db = app.api.state.runtime.db
    async with as_owner(db.owner_url) as session:
        rows = await session.execute(
            text("SELECT type, payload FROM events WHERE project_id = :p ORDER BY seq"),
            {"p": project_id},
        )
        return [(r.type, r.payload) for r in rows]


async def test_fixing_roles_reanalyses_with_them(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="roles@acme.test")
    project = await make_project(app, member)
    interview_id = await _analysed(app, member, project)
    async with client(app, member) as c:
        before = (await c.get(f"/api/interviews/{interview_id}")).json()["analysis"]["result"]
        assert set(before["roles"]) == {"Dana", "Eli"}
        assert before["role_source"] == "evidence"
        r = await c.patch(
            f"/api/interviews/{interview_id}/speakers",
            json={"roles": {"Dana": "interviewer", "Eli": "interviewee"}},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "processing"
    detail = await wait_for_status(app, member, interview_id, {"completed", "failed"})
    assert detail["status"] == "completed", detail["error"]
    after = detail["analysis"]["result"]
    assert after["roles"] == {"Dana": "question", "Eli": "answer"}
    assert (after["role_source"], after["role_confidence"]) == ("fixed", 1.0)
    speakers = {line["speaker_name"]: line["speaker"] for line in after["cleaned_script"]}
    assert speakers == {"Dana": "question", "Eli": "answer"}
    cited = {
        i for f in after["primary_pain_points"] + after["primary_needs"] for i in f["evidence"]
    }
    dana_lines = {
        line["id"][0] for line in after["cleaned_script"] if line["speaker_name"] == "Dana"
    }
    assert not cited & dana_lines
    # Jobs the analysis defers (persona placement, insights) append their own events around
    # these, so the fix's own events are read in order rather than as the stream's last four.
    events = await _events(app, project["id"])
    fixed = next(
        i
        for i, (t, p) in enumerate(events)
        if t == "interview:updated" and p.get("changes") == ["speaker_roles"]
    )
    lifecycle = ("interview:status_changed", "interview:completed")
    assert [t for t, _ in events[fixed + 1 :] if t in lifecycle] == [
        "interview:status_changed",
        "interview:status_changed",
        "interview:completed",
    ]


async def test_bad_fixes_are_refused_and_change_nothing(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="roles2@acme.test")
    stranger = await make_user(db, email="roles3@other.test", company="Other")
    project = await make_project(app, member)
    interview_id = await _analysed(app, member, project)
    url = f"/api/interviews/{interview_id}/speakers"
    count = len(await _events(app, project["id"]))
    async with client(app, member) as c:
        cases: list[tuple[Any, int, str | None]] = [
            ({"roles": {"Nobody": "interviewer"}}, 422, "unknown_speaker"),
            ({"roles": {"Dana": "interviewer", "Eli": "interviewer"}}, 422, "no_interviewee"),
            ({"roles": {"Dana": "boss"}}, 422, None),
            ({"roles": {}}, 422, None),
            ({"roles": {"Dana": "interviewer"}, "extra": 1}, 422, None),
            ([1, 2], 422, None),
        ]
        for body, status, code in cases:
            r = await c.patch(url, json=body)
            assert r.status_code == status, (body, r.text)
            if code:
                assert r.json()["error"]["code"] == code, r.text
        r = await c.patch(
            "/api/interviews/00000000-0000-7000-8000-000000000000/speakers",
            json={"roles": {"Dana": "interviewer"}},
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "interview_not_found")
    async with client(app, stranger) as c:
        r = await c.patch(url, json={"roles": {"Eli": "interviewer"}})
        assert (r.status_code, r.json()["error"]["code"]) == (404, "interview_not_found")
    assert len(await _events(app, project["id"])) == count
    async with client(app, member) as c:
        detail = (await c.get(f"/api/interviews/{interview_id}")).json()
    assert detail["status"] == "completed"
    assert detail["analysis"]["result"]["role_source"] == "evidence"


async def test_no_fix_while_the_analysis_runs(app: Any) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="roles4@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": AMBIGUOUS}
        )
        interview_id = r.json()["interview_id"]
        r = await c.patch(
            f"/api/interviews/{interview_id}/speakers", json={"roles": {"Eli": "interviewer"}}
        )
        assert (r.status_code, r.json()["error"]["code"]) == (409, "analysis_in_progress")
