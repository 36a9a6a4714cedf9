"""The one citation validator: citations resolve only to lines that exist in live interviews the
reader may see; statements left without a valid citation are dropped, and every change is
recorded."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from persona_insight.citations import (
    Citation,
    DocumentCitation,
    Statement,
    resolve,
    validate_statements,
)
from persona_insight.db import Actor
from tests.interviews.samples import KOREAN
from tests.support import client, make_project, make_user, wait_for_status

pytestmark = pytest.mark.anyio


async def _interview(app: Any, member: Any) -> tuple[str, dict[str, Any]]:
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post("/api/workflow/async", json={"project_id": project["id"], "text": KOREAN})
        assert r.status_code == 202, r.text
    detail = await wait_for_status(app, member, r.json()["interview_id"], {"completed"})
    return detail["id"], detail["analysis"]["result"]


def _actor(member: Any) -> Actor:
    return Actor(company_id=member.company_id, user_id=member.user_id, role="member")


async def test_statements_keep_only_lines_that_exist(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="lee@acme.test", company="Acme")
    interview_id, result = await _interview(app, member)
    script = result["cleaned_script"]
    answer = next(line for line in script if line["speaker"] == "answer")
    real = answer["id"][0]
    missing = max(i for line in script for i in line["id"]) + 100
    iid = UUID(interview_id)
    statements = [
        Statement(text="kept whole", citations=[Citation(interview_id=iid, line_ids=(real,))]),
        Statement(
            text="narrowed", citations=[Citation(interview_id=iid, line_ids=(missing, real))]
        ),
        Statement(text="bad id", citations=[Citation(interview_id=iid, line_ids=(missing,))]),
        Statement(
            text="unknown interview",
            citations=[Citation(interview_id=uuid.uuid4(), line_ids=(real,))],
        ),
        Statement(text="no citation", citations=[]),
        Statement(
            text="unknown document",
            citations=[DocumentCitation(document_id=uuid.uuid4(), chunk=0)],
        ),
    ]
    async with db.unit_of_work(_actor(member)) as session:
        check = await resolve(session, [c for s in statements for c in s.citations])
    kept, repairs = validate_statements(statements, check)
    assert [s.text for s in kept] == ["kept whole", "narrowed"]
    assert kept[1].citations == [Citation(interview_id=iid, line_ids=(real,))]
    lines = check.lines_of(kept[0].citations[0])  # type: ignore[arg-type]
    assert [line.text for line in lines] == [answer["cleaned_sentence"]]
    actions = sorted(r["action"] for r in repairs)
    assert actions.count("dropped_statement") == 4
    assert "narrowed_citation" in actions


async def test_another_tenant_or_the_trash_resolves_to_nothing(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test", company="Acme")
    stranger = await make_user(db, email="x@other.test", company="Other")
    interview_id, result = await _interview(app, owner)
    line = result["cleaned_script"][0]["id"][0]
    citation = Citation(interview_id=UUID(interview_id), line_ids=(line,))
    async with db.unit_of_work(_actor(stranger)) as session:
        assert (await resolve(session, [citation])).lines == {}
    async with db.unit_of_work(_actor(owner)) as session:
        assert UUID(interview_id) in (await resolve(session, [citation])).lines
    async with client(app, owner) as c:
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code in {200, 204}
    async with db.unit_of_work(_actor(owner)) as session:
        assert (await resolve(session, [citation])).lines == {}


def test_a_citation_names_at_least_one_line() -> None:
    with pytest.raises(ValidationError):
        Citation(interview_id=uuid.uuid4(), line_ids=())
