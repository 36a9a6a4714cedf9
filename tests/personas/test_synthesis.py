"""A persona's profile is synthesised from its interviews by a debounced job: every statement
cites lines of those interviews that exist; one that cites nothing real is dropped; a change to
its interviews makes it stale and brings a new version."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from persona_insight.citations.schemas import Citation, Statement
from persona_insight.db import Actor
from persona_insight.personas import profiles
from persona_insight.personas.synthesis import Profile
from tests.support import client, make_project, make_user, wait_for_status

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

FRAMEWORK = {
    "axes": [
        {
            "name": "Charging",
            "types": [
                {"name": "Home", "description": "Charges at home overnight."},
                {"name": "Public", "description": "Depends on public fast chargers."},
            ],
        }
    ]
}
TRANSCRIPTS = (
    "Interviewer: How do you charge?\nParticipant: Mostly at public fast chargers near the mall."
    "\nInterviewer: Problems?\nParticipant: The chargers are often broken, which is really"
    " frustrating when I am in a hurry.\nInterviewer: What would help?\nParticipant: I need an app"
    " that shows which chargers actually work right now.",
    "Interviewer: Tell me about charging.\nParticipant: I use the highway fast chargers every"
    " week.\nInterviewer: What annoys you?\nParticipant: Broken chargers. Half the time the"
    " charger is out of order and I lose twenty minutes.\nInterviewer: What do you want?"
    "\nParticipant: I want to see live charger status before I drive there.",
)


async def _profile(
    c: Any, url: str, until: Callable[[dict[str, Any]], bool], timeout: float = 240.0
) -> dict[str, Any]:
    """The persona's profile once `until(profile)` holds. Synthesis is debounced after each
    persona change: on a loaded machine a version may be made between two changes."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        body: dict[str, Any] = (await c.get(url)).json()
        if body["profile"] and until(body["profile"]):
            return body
        await asyncio.sleep(0.5)
    raise AssertionError("no such profile")


async def test_profile_statements_all_cite_real_lines(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin, "Charging")
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=FRAMEWORK)).json()
        public = next(p for p in fw["personas"] if p["traits"] == ["Public"])
        home = next(p for p in fw["personas"] if p["traits"] == ["Home"])
        ids = []
        for transcript in TRANSCRIPTS:
            r = await c.post(
                "/api/workflow/async", json={"project_id": project["id"], "text": transcript}
            )
            ids.append(r.json()["interview_id"])
        scripts = {}
        for iid in ids:
            done = await wait_for_status(app, admin, iid, {"completed", "failed"}, timeout=300)
            assert done["status"] == "completed", done["error"]
            detail = (await c.get(f"/api/interviews/{iid}")).json()
            scripts[iid] = {
                i for ln in detail["analysis"]["result"]["cleaned_script"] for i in ln["id"]
            }
            r = await c.patch(
                f"/api/interviews/{iid}/persona", json={"persona_code": public["code"]}
            )
            assert r.status_code == 200, r.text
        url = f"/api/projects/{project['id']}/personas/{public['id']}/profile"
        body = await _profile(c, url, lambda p: set(p["interview_ids"]) == set(ids))
        profile = body["profile"]
        assert set(profile["interview_ids"]) == set(ids)
        statements = [s for section in profile["sections"].values() for s in section]
        assert profile["sections"]["pain_points"], profile
        assert statements
        for statement in statements:
            assert statement["citations"], statement
            for cite in statement["citations"]:
                assert cite["interview_id"] in scripts
                assert set(cite["line_ids"]) <= scripts[cite["interview_id"]]
        assert body["stale"] is False

        # one interview leaves the persona: the profile is stale, then synthesised again
        r = await c.patch(f"/api/interviews/{ids[1]}/persona", json={"persona_code": home["code"]})
        assert r.status_code == 200
        assert (await c.get(url)).json()["stale"] is True
        again = await _profile(
            c, url, lambda p: p["version"] > profile["version"] and p["interview_ids"] == [ids[0]]
        )
        versions = again["versions"]
        assert versions[0] == again["profile"]["version"]
        assert profile["version"] in versions
        assert versions == sorted(versions, reverse=True)
        old = (await c.get(url, params={"version": profile["version"]})).json()
        assert set(old["profile"]["interview_ids"]) == set(ids)
        assert (await c.get(url, params={"version": 9})).status_code == 404

    # an invented statement (its line does not exist) and one citing nothing real are dropped
    real = Statement(
        text="real", citations=[Citation(interview_id=uuid.UUID(ids[0]), line_ids=(2,))]
    )
    invented = Statement(
        text="invented", citations=[Citation(interview_id=uuid.UUID(ids[0]), line_ids=(999,))]
    )
    foreign = Statement(
        text="foreign", citations=[Citation(interview_id=uuid.uuid4(), line_ids=(1,))]
    )
    made = Profile(sections={"summary": [real, invented, foreign]})
    async with db.unit_of_work(Actor(company_id=admin.company_id, role="system")) as session:
        sections, repairs = await profiles.validated(session, made)
    assert [s["text"] for s in sections["summary"]] == ["real"]
    assert sum(r["action"] == "dropped_statement" for r in repairs) == 2
