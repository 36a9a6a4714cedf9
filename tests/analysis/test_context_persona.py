"""Persona match has a threshold and "no persona fits": a null code stored as such (the
interview's persona stays empty) and shown as such on the interview page, for every engine."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fakes.dify_server import APP_KEY, FakeDify, Run
from tests.support import client, make_project, make_user
from tests.web.conftest import sign_in

from persona_insight.analysis.contract import (
    PERSONA_MIN_CONFIDENCE,
    InterviewAnalysis,
    OverallQuality,
    PersonaMatch,
    QualityAssessment,
    ScriptLine,
)
from persona_insight.analysis.engine import AnalysisContext, EngineResult, PersonaRef
from persona_insight.analysis.miso.engine import MisoEngine
from persona_insight.analysis.offline.engine import OfflineEngine, analyse_sync
from persona_insight.analysis.transcript import parse
from persona_insight.analysis.validate import validate_evidence
from persona_insight.db import Actor
from persona_insight.interviews import service as interviews

EV_INTERVIEW = """Interviewer: How do you charge your electric car?
Participant: I depend on public fast chargers because I live in an apartment without a wallbox.
Interviewer: What goes wrong?
Participant: Half the fast chargers on my route are broken, and every network wants its own \
charging app and card.
Interviewer: And the cost?
Participant: The fees per kilowatt hour at fast chargers keep going up, which really adds up \
for my commute."""

EV_PERSONA = PersonaRef(
    "EV",
    "Public charging EV driver",
    "Drives an electric car and depends on public fast chargers; worries about broken "
    "chargers, charging apps and fees.",
)
UNRELATED = (
    PersonaRef(
        "GARDEN",
        "Retired gardener",
        "Retired person who grows vegetables and roses in a backyard garden and knits.",
    ),
    PersonaRef(
        "NURSE",
        "Night-shift nurse",
        "Hospital nurse working night shifts on a ward, caring for patients.",
    ),
)


@pytest.fixture(scope="module")
def _models() -> None:
    OfflineEngine.warm_up()


@pytest.mark.usefixtures("_models")
def test_offline_matches_a_persona_that_fits() -> None:
    match = analyse_sync(
        parse(EV_INTERVIEW), AnalysisContext(personas=(EV_PERSONA, *UNRELATED))
    ).analysis.persona_match
    assert match is not None
    assert match.code == "EV"
    assert match.confidence >= PERSONA_MIN_CONFIDENCE


@pytest.mark.usefixtures("_models")
def test_offline_says_no_persona_fits_instead_of_forcing_one() -> None:
    result = analyse_sync(parse(EV_INTERVIEW), AnalysisContext(personas=UNRELATED))
    match = result.analysis.persona_match
    assert match is not None
    assert match.code is None
    assert match.confidence < PERSONA_MIN_CONFIDENCE
    assert "No persona fits" in match.explanation


@pytest.mark.usefixtures("_models")
def test_offline_with_nothing_to_judge_forces_no_persona() -> None:
    """Before, an interview without embeddable answers got personas[0] at confidence 0."""
    match = analyse_sync(
        parse("Interviewer: Hello?\nParticipant: Yes.\nInterviewer: Ready?\nParticipant: Ok."),
        AnalysisContext(personas=(EV_PERSONA,)),
    ).analysis.persona_match
    assert match is not None
    assert match.code is None
    assert match.confidence == 0.0


def _analysis(persona: PersonaMatch | None) -> InterviewAnalysis:
    return InterviewAnalysis(
        language="en",
        cleaned_script=[
            ScriptLine(id=[1], speaker="question", cleaned_sentence="How do you charge?"),
            ScriptLine(id=[2], speaker="answer", cleaned_sentence="At public chargers."),
        ],
        interview_quality_assessment=QualityAssessment(
            overall_quality=OverallQuality(score=3, assessment="")
        ),
        persona_match=persona,
    )


@pytest.mark.parametrize(
    ("confidence", "code"), [(0.0, None), (0.44, None), (0.45, "P1"), (0.9, "P1")]
)
def test_every_engine_s_match_below_the_threshold_loses_its_code(
    confidence: float, code: str | None
) -> None:
    fixed, repairs = validate_evidence(
        _analysis(PersonaMatch(code="P1", explanation="x", confidence=confidence))
    )
    assert fixed.persona_match is not None
    assert fixed.persona_match.code == code
    assert fixed.persona_match.confidence == confidence
    assert (code is None) == any(r.get("field") == "persona_match" for r in repairs)


@pytest.mark.anyio
async def test_a_weak_miso_match_is_stored_as_no_persona(dify_fake: FakeDify) -> None:
    outputs = {
        "cleaned_script": [
            {"id": [1], "speaker": "question", "cleaned_sentence": "How do you charge?"},
            {"id": [2], "speaker": "answer", "cleaned_sentence": "At public chargers."},
        ],
        "ai_persona_match": {"persona_code": "P1", "reason": "maybe", "confidence": 0.1},
    }
    dify_fake.script = lambda body: Run(outputs=outputs)
    engine = MisoEngine(dify_fake.base_url, APP_KEY, timeout_s=10.0)
    result = await engine.analyse(
        parse("Q: How do you charge?\nA: At public chargers."),
        AnalysisContext(personas=(PersonaRef("P1", "Fast charger", "Public chargers"),)),
    )
    assert result.analysis.persona_match is not None
    assert result.analysis.persona_match.code is None


@pytest.mark.anyio
async def test_no_persona_fits_is_stored_null_and_shown_on_the_page(app: Any) -> None:
    rt = app.api.state.runtime
    owner = await make_user(rt.db, email="owner@acme.test")
    project = await make_project(app, owner, "Personas")
    async with client(app, owner) as c:
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project["id"], "text": "Q: How do you charge?\nA: At home."},
        )
        interview_id = r.json()["interview_id"]
    weak = PersonaMatch(code="P1", explanation="closest but unsure", confidence=0.2)
    analysis, repairs = validate_evidence(_analysis(weak))
    async with rt.db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        assert await interviews.begin_analysis(session, UUID(interview_id)) is not None
        assert await interviews.complete(
            session,
            UUID(interview_id),
            EngineResult(analysis=analysis, engine="test", repairs=repairs),
            5,
        )
    async with client(app, owner) as c:
        body = (await c.get(f"/api/interviews/{interview_id}")).json()
    assert body["persona_code"] is None

    for language, shown in (("ko", "맞는 페르소나 없음"), ("en", "No persona fits")):
        browser = await sign_in(app, owner.email, language=language)
        try:
            page = await browser.get(f"/interviews/{interview_id}")
            assert page.status_code == 200
            assert shown in page.text
        finally:
            await browser.http.aclose()
