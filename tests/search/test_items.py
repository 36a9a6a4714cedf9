"""Findings, notes and themes are searchable and filterable by kind, and leave the results at
once when their interview is trashed or purged (or the theme hidden)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from tests.search.conftest import indexed_with_findings
from tests.support import as_owner, client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def _add_theme(session: Any, theme_id: uuid.UUID, company_id: Any, project_id: str) -> None:
    """A need theme labelled '충전기 예약', as the insights job leaves one."""
    await session.execute(
        text(
            "INSERT INTO insight_themes (id, company_id, project_id, kind, label)"
            " VALUES (:id, :c, :p, 'need', '충전기 예약')"
        ),
        {"id": theme_id, "c": company_id, "p": project_id},
    )


async def test_findings_notes_and_themes_are_found_by_kind_and_vanish(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    outsider = await make_user(db, email="b@other.test", company="Other", role="company_admin")
    project = await make_project(app, admin)
    interview_id = await indexed_with_findings(app, admin, project["id"], "김 님 인터뷰")
    theme_id = uuid.uuid4()
    async with as_owner(db.owner_url) as session:
        await _add_theme(session, theme_id, admin.company_id, project["id"])
        await session.commit()
    async with client(app, admin) as c:
        r = await c.post(
            f"/api/interviews/{interview_id}/notes",
            json={"text": "예약 기능을 원한다고 두 번 말함", "line_ids": [7]},
        )
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        found = (await c.get("/api/search", params={"q": "예약"})).json()
        kinds = {(i["kind"], i["id"]) for i in found["items"]}
        assert ("finding", str(interview_id)) in kinds
        assert ("note", note_id) in kinds
        assert ("theme", str(theme_id)) in kinds
        note = next(i for i in found["items"] if i["kind"] == "note")
        assert note["url"] == f"/interviews/{interview_id}#line-7"
        finding = next(i for i in found["items"] if i["kind"] == "finding")
        assert finding["ref"] == "need:0"
        assert finding["title"] == "김 님 인터뷰"
        assert found["groups"], "lines are still searched alongside"

        only_notes = (await c.get("/api/search", params={"q": "예약", "kind": "note"})).json()
        assert {i["kind"] for i in only_notes["items"]} == {"note"}
        assert only_notes["groups"] == []
        bad = await c.get("/api/search", params={"q": "예약", "kind": "rumour"})
        assert bad.status_code == 422

    async with client(app, outsider) as c:
        theirs = (await c.get("/api/search", params={"q": "예약"})).json()
        assert theirs["items"] == []
        assert theirs["groups"] == []

    async with as_owner(db.owner_url) as session:
        await session.execute(
            text(
                "INSERT INTO insight_theme_edits (theme_id, company_id, project_id, hidden)"
                " VALUES (:t, :c, :p, true)"
            ),
            {"t": theme_id, "c": admin.company_id, "p": project["id"]},
        )
        await session.commit()
    async with client(app, admin) as c:
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code == 200
        after = (await c.get("/api/search", params={"q": "예약"})).json()
        assert after["items"] == []
        assert after["groups"] == []
        # Restored, the finding and note come back (nothing was re-indexed); purged, gone.
        r = await c.post(f"/api/interviews/{interview_id}/restore")
        assert r.status_code == 200, r.text
        back = (await c.get("/api/search", params={"q": "예약"})).json()
        assert {i["kind"] for i in back["items"]} == {"finding", "note"}
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code == 200
        r = await c.delete(f"/api/interviews/{interview_id}/permanent")
        assert r.status_code == 204, r.text
        gone = (await c.get("/api/search", params={"q": "예약"})).json()
        assert gone["items"] == []
        assert gone["groups"] == []


async def test_interview_filters_apply_to_findings_and_notes_too(app: Any) -> None:
    """The items listed beside the lines ignored every filter but the project: a search in one
    interview listed other interviews' findings, themes and notes (API QA pass)."""
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin)
    first = await indexed_with_findings(app, admin, project["id"], "첫 인터뷰")
    second = await indexed_with_findings(app, admin, project["id"], "둘째 인터뷰")
    theme_id = uuid.uuid4()
    async with as_owner(db.owner_url) as session:
        await _add_theme(session, theme_id, admin.company_id, project["id"])
        await session.execute(
            text("UPDATE interviews SET interview_date = '2026-01-10' WHERE id = :i"),
            {"i": second},
        )
        await session.commit()
    async with client(app, admin) as c:
        notes = {}
        for interview_id in (first, second):
            r = await c.post(
                f"/api/interviews/{interview_id}/notes",
                json={"text": "예약 기능을 원한다고 두 번 말함", "line_ids": [7]},
            )
            notes[interview_id] = r.json()["id"]

        def owners(body: dict[str, Any]) -> set[tuple[str, str]]:
            return {(i["kind"], i["id"]) for i in body["items"]}

        everything = (await c.get("/api/search", params={"q": "예약"})).json()
        assert ("finding", str(second)) in owners(everything)
        assert ("theme", str(theme_id)) in owners(everything)

        one = (await c.get("/api/search", params={"q": "예약", "interview_id": str(first)})).json()
        assert owners(one) == {("finding", str(first)), ("note", notes[first])}
        dated = (await c.get("/api/search", params={"q": "예약", "date_to": "2026-02-01"})).json()
        assert owners(dated) == {("finding", str(second)), ("note", notes[second])}
        nobody = (await c.get("/api/search", params={"q": "예약", "persona": "NOPE"})).json()
        assert nobody["items"] == []
        assert nobody["groups"] == []
