"""Ask about this passage: the project ask scoped to an interview's selected lines streams an
answer citing those lines first, then the nearest lines of the same interview; it is stored with
its scope, re-attachable, kept once as a note on the lines; bad scopes are refused before
anything streams or is stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.search.conftest import indexed_interview
from tests.search.sse import events
from tests.support import client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_a_passage_answer_cites_its_lines_and_becomes_a_note(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await indexed_interview(app, owner, project["id"], title="김 님 인터뷰")
    other_id = await indexed_interview(app, owner, project["id"], title="다른 인터뷰")
    url = f"/api/projects/{project['id']}/ask"
    async with client(app, owner) as c:
        r = await c.post(
            url,
            json={
                "question": "예약이 되면 충전 문제가 풀릴까요?",
                "interview_id": interview_id,
                "line_ids": [4, 3, 3],
            },
        )
        assert r.status_code == 200, r.text
        got = events(r.text)
        assert [i for i, _, _ in got] == list(range(len(got)))
        start, end = got[0], got[-1]
        assert start[1] == "message:start"
        assert end[1] == "message:end"
        assert start[2]["interview_id"] == interview_id
        assert start[2]["line_ids"] == [3, 4]
        text = "".join(d["text"] for _, t, d in got if t == "token")
        assert text.startswith("「김 님 인터뷰」에서 선택한 발언 2개입니다.")
        citations = [d for _, t, d in got if t == "citation"]
        # The passage first, in script order, the interviewer's line marked; then its context.
        assert [c["line_ids"] for c in citations[:2]] == [[3], [4]]
        assert "(질문) “그럴 때는 어떻게 하세요?”" in text
        assert "“근처 공용 충전소까지 차를 몰고 가서 한참 기다려요.”" in text
        around = citations[2:]
        assert around, text
        assert "인터뷰의 다른 부분에서 질문과 가까운 발언:" in text
        assert [7] in [c["line_ids"] for c in around]  # 예약 기능이 있으면 정말 좋겠어요.
        for citation in citations:
            assert citation["interview_id"] == interview_id  # never the other interview
            (line,) = citation["lines"]
            assert line["text"] in text
        for citation in around:
            assert citation["lines"][0]["speaker"] == "answer"
            assert citation["line_ids"][0] not in (3, 4)
        answer_id = start[2]["answer_id"]

        stored = (await c.get(f"/api/answers/{answer_id}")).json()
        assert stored["interview_id"] == interview_id
        assert stored["line_ids"] == [3, 4]
        assert stored["note_id"] is None
        again = await c.get(f"/api/answers/{answer_id}/stream", headers={"Last-Event-ID": "2"})
        assert events(again.text) == got[3:]

        saved = await c.post(f"/api/answers/{answer_id}/note")
        assert saved.status_code == 201, saved.text
        note = saved.json()
        assert note["interview_id"] == interview_id
        assert note["line_ids"] == [3, 4]
        assert note["text"].startswith(
            "질문: 예약이 되면 충전 문제가 풀릴까요?\n\n「김 님 인터뷰」"
        )
        listed = (await c.get(f"/api/interviews/{interview_id}/notes")).json()["items"]
        assert [n["id"] for n in listed] == [note["id"]]
        assert (await c.get(f"/api/answers/{answer_id}")).json()["note_id"] == note["id"]
        twice = await c.post(f"/api/answers/{answer_id}/note")
        assert twice.status_code == 409
        assert twice.json()["error"]["code"] == "answer_already_saved"
        assert len((await c.get(f"/api/interviews/{interview_id}/notes")).json()["items"]) == 1
        # Deleting the note frees the answer to be kept again.
        assert (await c.delete(f"/api/notes/{note['id']}")).status_code == 200
        assert (await c.post(f"/api/answers/{answer_id}/note")).status_code == 201

        # The whole interview (no lines) is a scope too, but not a passage to keep as a note.
        whole = await c.post(url, json={"question": "예약", "interview_id": other_id})
        got = events(whole.text)
        assert got[-1][1] == "message:end", whole.text
        cited = {d["interview_id"] for _, t, d in got if t == "citation"}
        assert cited == {other_id}
        kept = await c.post(f"/api/answers/{got[0][2]['answer_id']}/note")
        assert kept.status_code == 409
        assert kept.json()["error"]["code"] == "not_a_passage"


async def test_bad_passages_are_refused_and_nothing_is_stored(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    outsider = await make_user(db, email="b@other.test", company="Other")
    project = await make_project(app, owner)
    second = await make_project(app, owner, name="Second")
    theirs = await make_project(app, outsider)
    interview_id = await indexed_interview(app, owner, project["id"])
    elsewhere = await indexed_interview(app, owner, second["id"])
    foreign = await indexed_interview(app, outsider, theirs["id"])
    url = f"/api/projects/{project['id']}/ask"
    async with client(app, owner) as c:
        r = await c.post(url, json={"question": "왜?", "interview_id": interview_id})
        answer_id = events(r.text)[0][2]["answer_id"]
        for body, status, code in [
            ({"interview_id": interview_id, "line_ids": [2, 99, -1]}, 422, "invalid_line_ids"),
            ({"line_ids": [2]}, 422, "interview_required"),
            ({"interview_id": interview_id, "line_ids": ["x"]}, 422, "validation_error"),
            ({"interview_id": interview_id, "line_ids": list(range(1, 60))}, 422, None),
            ({"interview_id": "nope", "line_ids": [2]}, 422, "validation_error"),
            ({"interview_id": foreign, "line_ids": [2]}, 404, "interview_not_found"),
            ({"interview_id": elsewhere, "line_ids": [2]}, 404, "interview_not_found"),
            (
                {"interview_id": "00000000-0000-0000-0000-000000000000", "line_ids": [2]},
                404,
                "interview_not_found",
            ),
        ]:
            r = await c.post(url, json={"question": "왜?", **body})
            assert r.status_code == status, (body, r.text)
            if code:
                assert r.json()["error"]["code"] == code, r.text
            if code == "invalid_line_ids":
                assert r.json()["error"]["details"]["unknown"] == [99, -1]
        listed = (await c.get(f"/api/projects/{project['id']}/answers")).json()
        assert [a["id"] for a in listed] == [answer_id]
        r = await c.delete(f"/api/interviews/{interview_id}")
        assert r.status_code in (200, 204), r.text
        r = await c.post(url, json={"question": "왜?", "interview_id": interview_id})
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "interview_deleted"
    async with client(app, outsider) as c:
        r = await c.post(f"/api/answers/{answer_id}/note")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "answer_not_found"
        r = await c.post(
            f"/api/projects/{theirs['id']}/ask",
            json={"question": "왜?", "interview_id": interview_id, "line_ids": [2]},
        )
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "interview_not_found"
