"""After each analysis a job places the interviewee on every axis (type, confidence, lines) and
so on a persona; a researcher's choice survives re-analysis; a re-match runs as a job with
progress events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_project, make_user, wait_for_status

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

FRAMEWORK = {
    "axes": [
        {
            "name": "Where they charge",
            "types": [
                {
                    "name": "Home",
                    "description": "Charges the car at home overnight with a wall box in the"
                    " garage; rarely needs public chargers.",
                },
                {
                    "name": "Public fast",
                    "description": "Has no charger at home and depends on public fast chargers"
                    " at highway stations and shopping malls.",
                },
            ],
        },
        {
            "name": "What matters",
            "types": [
                {
                    "name": "Cost",
                    "description": "Watches the price of electricity and fees, wants to save"
                    " money on every charge.",
                },
                {
                    "name": "Time",
                    "description": "Hates waiting and queues, wants charging to be fast and"
                    " convenient whatever it costs.",
                },
            ],
        },
    ]
}

TRANSCRIPT = """Interviewer: How do you usually charge your car?
Participant: I charge at home every night. We installed a wall box in our garage last year.
Interviewer: How does that work for you?
Participant: I plug in when I get home from work and in the morning the battery is full.
Interviewer: What matters most to you?
Participant: The price. I charge after midnight when the night tariff makes electricity cheap.
Interviewer: Anything else?
Participant: I track every electricity bill, saving money on charging is why we bought the car.
"""


async def _placements(c: Any, iid: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        body: dict[str, Any] = (await c.get(f"/api/interviews/{iid}/placements")).json()
        if body["items"]:
            return body
        await asyncio.sleep(0.2)
    raise AssertionError("the interview was never placed")


async def test_placed_after_analysis_and_manual_choice_survives(app: Any, worker: None) -> None:
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin, "Charging")
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=FRAMEWORK)).json()
        names = {t["id"]: t["name"] for a in fw["axes"] for t in a["types"]}
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": TRANSCRIPT}
        )
        iid = r.json()["interview_id"]
        done = await wait_for_status(app, admin, iid, {"completed", "failed"}, timeout=300)
        assert done["status"] == "completed", done["error"]
        placed = await _placements(c, iid)
        by_axis = {p["axis_id"]: p for p in placed["items"]}
        where, what = (by_axis[a["id"]] for a in fw["axes"])
        assert names.get(where["type_id"]) == "Home", where
        assert names.get(what["type_id"]) in ("Cost", None), what
        assert where["source"] == "analysis"
        assert where["line_ids"], "the placement cites the lines that show it"
        detail = (await c.get(f"/api/interviews/{iid}")).json()
        script_ids = {
            i for line in detail["analysis"]["result"]["cleaned_script"] for i in line["id"]
        }
        assert set(where["line_ids"]) <= script_ids

        other = next(p for p in fw["personas"] if p["traits"] == ["Public fast", "Time"])
        r = await c.patch(
            f"/api/interviews/{iid}/persona",
            json={"persona_code": other["code"], "reason": "they told us off the record"},
        )
        assert r.json()["persona_code"] == other["code"]

        # analysed again (a speaker fix): the researcher's persona stays, through the re-placing
        r = await c.patch(
            f"/api/interviews/{iid}/speakers", json={"roles": {"Interviewer": "interviewer"}}
        )
        assert r.status_code == 200, r.text
        again = await wait_for_status(app, admin, iid, {"completed", "failed"}, timeout=300)
        assert again["status"] == "completed"
        assert again["persona_code"] == other["code"]
        r = await c.post(f"/api/projects/{project['id']}/personas/rematch")
        assert r.status_code == 202
        deadline = asyncio.get_running_loop().time() + 180
        progress: list[Any] = []
        while asyncio.get_running_loop().time() < deadline:
            if progress and progress[-1]["total"] == 1:
                break
            await asyncio.sleep(0.3)
            async with as_owner(app.api.state.runtime.db.owner_url) as s:
                progress = list(
                    (
                        await s.execute(
                            text(
                                "SELECT payload FROM events"
                                " WHERE type = 'persona:rematch_progress' ORDER BY seq"
                            )
                        )
                    ).scalars()
                )
        assert progress, "no progress event"
        # the framework's save queued one over no interviews yet; this one placed the interview
        assert progress[0] == {"done": 0, "total": 0}
        assert progress[-1]["done"] == progress[-1]["total"] == 1
        after = (await c.get(f"/api/interviews/{iid}/placements")).json()
        assert after["manual_persona"] is True
        assert (await c.get(f"/api/interviews/{iid}")).json()["persona_code"] == other["code"]
