"""Readable titles and dates (issue 17): a placeholder title (file stem, pasted first line)
becomes "participant · topic" when the analysis is stored, a typed one never changes; the date
comes from the user, the transcript's header, the document, the file, or the upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from persona_insight.analysis.contract import (
    Demographics,
    InterviewAnalysis,
    IntervieweeProfile,
    Keyword,
    OverallQuality,
    QualityAssessment,
    SessionInfo,
)
from persona_insight.interviews import titles
from tests.interviews.samples import ENGLISH
from tests.support import as_owner, client, make_project, make_user, wait_for_status

SAMPLES = Path(__file__).resolve().parents[2] / "src/persona_insight/demo/samples"


def _analysis(**fields: Any) -> InterviewAnalysis:
    return InterviewAnalysis(
        cleaned_script=[],
        interview_quality_assessment=QualityAssessment(
            overall_quality=OverallQuality(score=3, assessment="")
        ),
        **fields,
    )


def test_named_interviewee_and_stated_topic() -> None:
    a = _analysis(
        roles={"Interviewer": "question", "Priya": "answer"},
        session_info=SessionInfo(interview_topic="Public EV charging"),
    )
    assert titles.derive_title(a, ["en_ev_charging", "en_ev_charging.vtt"]) == (
        "Priya · Public EV charging"
    )


def test_generic_labels_fall_back_to_the_profile_and_an_echoed_topic_to_keywords() -> None:
    a = _analysis(
        roles={"면접관": "question", "참여자": "answer"},
        session_info=SessionInfo(interview_topic="ko_ev_charging"),
        interviewee_profile=IntervieweeProfile(
            demographics=Demographics(age_group="30대 중반", occupation_context="IT 회사 직장인")
        ),
        keywords=[Keyword(term="충전기", weight=1), Keyword(term="앱", weight=0.5)],
    )
    assert titles.derive_title(a, ["ko_ev_charging", "ko_ev_charging.txt"]) == (
        "IT 회사 직장인 · 충전기, 앱"
    )


def test_an_english_profile_starts_the_title_capitalised() -> None:
    a = _analysis(
        roles={"Researcher": "question", "Respondent": "answer"},
        interviewee_profile=IntervieweeProfile(
            demographics=Demographics(occupation_context="dental hygienist")
        ),
        keywords=[Keyword(term="order", weight=1), Keyword(term="delivery", weight=0.8)],
    )
    assert titles.derive_title(a, ["en_online_grocery"]) == "Dental hygienist · order, delivery"


def test_nothing_known_derives_nothing() -> None:
    a = _analysis(roles={"Q": "question", "A": "answer"})
    assert titles.derive_title(a, ["notes"]) is None


def test_date_order_and_future_dates() -> None:
    today = dt.date(2026, 12, 3)
    header = "면접관: 2024년 5월 14일 인터뷰 시작하겠습니다.\n참여자: 네."
    doc, mtime = dt.date(2025, 1, 2), dt.date(2025, 3, 4)
    choose = titles.choose_date
    given = dt.date(2020, 1, 1)
    assert choose(given=given, text=header, document=doc, file_modified=mtime, today=today) == (
        given,
        "user",
    )
    assert choose(given=None, text=header, document=doc, file_modified=mtime, today=today) == (
        dt.date(2024, 5, 14),
        "transcript",
    )
    assert choose(given=None, text="A: hi", document=doc, file_modified=mtime, today=today) == (
        doc,
        "document",
    )
    assert choose(given=None, text="A: hi", document=None, file_modified=mtime, today=today) == (
        mtime,
        "file",
    )
    planned = "Q: We meet again on March 3, 2030."
    assert choose(given=None, text=planned, document=None, file_modified=None, today=today) == (
        today,
        "upload",
    )


async def _upload(c: Any, project_id: str, path: Path, **form: str) -> str:
    r = await c.post(
        "/api/workflow/async",
        data={"project_id": project_id, **form},
        files={"file": (path.name, path.read_bytes(), "text/plain")},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["interview_id"])


@pytest.mark.anyio
@pytest.mark.slow
async def test_file_stem_becomes_participant_and_topic(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        named = await _upload(c, project["id"], SAMPLES / "ko_travel_booking.txt")
        dated = await _upload(c, project["id"], SAMPLES / "ko_banking_app.md")
    first = await wait_for_status(app, member, named, {"completed"}, timeout=240)
    assert first["title"].startswith("최민준 · "), first["title"]
    assert "ko_travel_booking" not in first["title"]
    assert first["title_source"] == "derived"
    assert first["file"]["name"] == "ko_travel_booking.txt"
    second = await wait_for_status(app, member, dated, {"completed"}, timeout=240)
    assert (second["interview_date"], second["interview_date_source"]) == (
        "2024-05-14",
        "transcript",
    )
    assert " · " in second["title"]
    assert not second["title"].startswith("ko_banking")
    # Every interview:* event carries the interview as stored: the completed one the new title.
    async with as_owner(app.api.state.runtime.settings.database_url) as session:
        payload = (
            await session.execute(
                text(
                    "SELECT payload FROM events WHERE type = 'interview:completed'"
                    " AND payload->>'interview_id' = :i"
                ),
                {"i": named},
            )
        ).scalar_one()
    interview = payload.get("data", payload)["interview"]
    assert (interview["title"], interview["title_source"]) == (first["title"], "derived")
    assert interview["interview_date_source"] == "upload"


@pytest.mark.anyio
@pytest.mark.slow
async def test_pasted_text_gets_upload_date_and_a_title_the_user_edits_stays(
    app: Any, worker: None
) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="lee@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": "\n".join(ENGLISH)}
        )
        assert r.status_code == 202, r.text
        body = r.json()["interview"]
        assert body["interview_date"] == dt.datetime.now(dt.UTC).date().isoformat()
        assert body["interview_date_source"] == "upload"
        assert body["title_source"] == "text"
        done = await wait_for_status(app, member, body["id"], {"completed"}, timeout=240)
        assert done["title_source"] == "derived"
        assert done["title"] != body["title"]
        patched = await c.patch(
            f"/api/interviews/{body['id']}",
            json={"title": "Sam · groceries", "interview_date": "2025-02-03"},
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["title_source"] == "user"
        assert patched.json()["interview_date_source"] == "user"
        # Analysed again (speakers fixed): the typed title stays.
        fixed = await c.patch(
            f"/api/interviews/{body['id']}/speakers", json={"roles": {"Interviewer": "interviewer"}}
        )
        assert fixed.status_code == 200, fixed.text
    again = await wait_for_status(app, member, body["id"], {"completed"}, timeout=240)
    assert (again["title"], again["interview_date"]) == ("Sam · groceries", "2025-02-03")


def _docx_modified(paragraphs: list[str], modified: dt.datetime) -> bytes:
    import io

    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.core_properties.modified = modified
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.anyio
async def test_document_date_then_last_modified_time(app: Any) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="park@acme.test")
    project = await make_project(app, member)
    modified = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "last_modified": "1700000000000"},
            files={"file": ("sam.docx", _docx_modified(ENGLISH, modified), "application/zip")},
        )
        assert r.status_code == 202, r.text
        dated = r.json()["interview"]
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "last_modified": "1700000000000"},
            files={"file": ("sam.txt", "\n".join(ENGLISH).encode(), "text/plain")},
        )
        assert r.status_code == 202, r.text
        plain = r.json()["interview"]
    assert (dated["interview_date"], dated["interview_date_source"]) == ("2025-06-01", "document")
    assert (plain["interview_date"], plain["interview_date_source"]) == ("2023-11-14", "file")


@pytest.mark.anyio
async def test_a_recording_has_a_placeholder_title_and_its_file_date(app: Any) -> None:
    import numpy as np

    from tests.media.speech import wav_bytes

    db = app.api.state.runtime.db
    member = await make_user(db, email="rec@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "last_modified": "1700000000000"},
            files={"file": ("call.wav", wav_bytes(np.zeros(16000, np.int16), 16000), "audio/wav")},
        )
    assert r.status_code == 202, r.text
    interview = r.json()["interview"]
    assert (interview["source"], interview["title"], interview["title_source"]) == (
        "media",
        "call",
        "file",
    )
    assert (interview["interview_date"], interview["interview_date_source"]) == (
        "2023-11-14",
        "file",
    )
