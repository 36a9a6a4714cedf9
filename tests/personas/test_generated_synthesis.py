"""Generated persona profiles (llm through pydantic-ai, miso through a Dify-style workflow),
against real HTTP fakes on 127.0.0.1: the writer invents a statement and cites a line number it
was never given; the critique pass (here a fake critic that vouches for a statement only when
its cited lines contain its words) removes the invention, the unknown number cites nothing, and
every statement left cites lines of the persona's interviews. Usage of both passes is kept."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from persona_insight.analysis.contract import (
    Finding,
    InterviewAnalysis,
    OverallQuality,
    QualityAssessment,
    ScriptLine,
)
from persona_insight.config import Settings
from persona_insight.personas import generated, synthesis
from tests.analysis.fakes.dify_server import APP_KEY, FakeDify, Run
from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving

pytestmark = pytest.mark.anyio

LINES = [
    ("question", "How do you charge your car?"),
    ("answer", "I charge at public fast chargers near the mall every week."),
    ("question", "What goes wrong?"),
    ("answer", "The chargers are often broken and I lose twenty minutes waiting."),
    ("question", "What would help?"),
    ("answer", "I want an app that shows which chargers work right now."),
]
INVENTED = "They live on Mars and hate the colour blue."


def _analysis() -> InterviewAnalysis:
    return InterviewAnalysis(
        language="en",
        cleaned_script=[
            ScriptLine(id=[i], speaker=speaker, cleaned_sentence=text)
            for i, (speaker, text) in enumerate(LINES, start=1)
        ],
        interview_quality_assessment=QualityAssessment(overall_quality=OverallQuality(score=3)),
        primary_pain_points=[Finding(description="Broken public chargers", evidence=[4])],
        primary_needs=[Finding(description="Live charger status", evidence=[6])],
    )


def _embed(texts: list[str]) -> np.ndarray:
    rng = np.random.default_rng(len(texts))
    vectors = rng.normal(size=(len(texts), 8))
    return np.asarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def _offline() -> tuple[synthesis.Profile, dict[uuid.UUID, dict[int, str]], uuid.UUID]:
    iid = uuid.uuid4()
    analysis = _analysis()
    source = synthesis.Source(iid, "t", analysis, (("Public", (2,)),))
    profile = synthesis.synthesise([source], ["Public"], "en", _embed)
    return profile, {iid: synthesis.script_lines(analysis)}, iid


def _numbered_lines(prompt: str) -> dict[int, str]:
    return {int(n): json.loads(t) for n, t in re.findall(r"^\[(\d+)\] (.*)$", prompt, re.M)}


WORDS = re.compile(r"[a-z]{4,}")


def critic(prompt: str) -> dict[str, Any]:
    """Vouches for a statement when most of its words appear in the lines it cites."""
    supported = []
    for n, said, cited in re.findall(r"^(\d+)\. (\".*?\") — cited lines: (\[.*\])$", prompt, re.M):
        words = set(WORDS.findall(json.loads(said).lower()))
        seen = set(WORDS.findall(" ".join(json.loads(cited)).lower()))
        if words and len(words & seen) / len(words) >= 0.5:
            supported.append(int(n))
    return {"supported": supported}


def writer(prompt: str) -> dict[str, Any]:
    lines = _numbered_lines(prompt)
    broken = next(n for n, t in lines.items() if "broken" in t)
    app = next(n for n, t in lines.items() if "app" in t)
    return {
        "sections": {
            "pain_points": [
                {"text": "The chargers are often broken, losing twenty minutes", "cites": [broken]},
                {"text": INVENTED, "cites": [broken]},
                {"text": "Cites a line it was never given", "cites": [99]},
            ],
            "needs": [{"text": "Wants an app that shows which chargers work", "cites": [app]}],
        }
    }


def _user_text(body: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in body["messages"] if m["role"] == "user")


def _respond(body: dict[str, Any]) -> Reply:
    system = "\n".join(
        str(m["content"]) for m in body["messages"] if m["role"] in ("system", "developer")
    )
    prompt = _user_text(body)
    answer = critic(prompt) if "You check a persona profile" in system else writer(prompt)
    return Reply(text="Here you go:\n" + json.dumps(answer), usage=(200, 50))


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI(_respond)) as fake:
        yield fake


def _check(outcome: generated.Outcome, lines: dict[uuid.UUID, dict[int, str]]) -> None:
    texts = [s.text for section in outcome.profile.sections.values() for s in section]
    assert INVENTED not in texts, "the critique removed the invented statement"
    assert "Cites a line it was never given" not in texts
    assert any("broken" in t for t in texts)
    assert any("app" in t for t in texts)
    assert [r["text"] for r in outcome.removed] == [INVENTED]
    statements = [s for section in outcome.profile.sections.values() for s in section]
    assert statements
    for statement in statements:
        assert statement.citations
        for citation in statement.citations:
            assert set(citation.line_ids) <= set(lines[citation.interview_id])


async def test_llm_writes_and_the_critique_removes_an_invention(model: FakeOpenAI) -> None:
    offline, lines, _ = _offline()
    settings = Settings(
        llm_model="openai:gpt-fake", llm_base_url=model.base_url, llm_api_key="sk-test-0123456789"
    )
    outcome = await generated.generate(
        generated.LlmWriter(settings), offline, lines, ["Public"], "en"
    )
    _check(outcome, lines)
    assert outcome.usage["requests"] == 2
    assert outcome.usage["input_tokens"] == 400
    assert outcome.usage["total_tokens"] == 500
    # the writer saw only lines of the interview, fenced as data
    first = _user_text(model.requests[0].body)
    assert "<interview_lines>" in first
    assert set(_numbered_lines(first).values()) <= {t for _, t in LINES}


async def test_miso_writes_and_the_critique_removes_an_invention() -> None:
    def script(body: dict[str, Any]) -> Run:
        inputs = body["inputs"]
        make = critic if inputs["task"] == "persona_critique" else writer
        return Run(outputs={"text": json.dumps(make(inputs["data"]))}, total_tokens=321)

    with serving(FakeDify(script)) as fake:
        settings = Settings(miso_base_url=fake.base_url, miso_api_key=APP_KEY)
        offline, lines, _ = _offline()
        outcome = await generated.generate(
            generated.MisoWriter(settings), offline, lines, ["Public"], "en"
        )
    _check(outcome, lines)
    assert outcome.usage == {"total_tokens": 642, "requests": 2}


async def test_offline_statements_all_cite_lines() -> None:
    offline, lines, _ = _offline()
    statements = [s for section in offline.sections.values() for s in section]
    assert statements
    for statement in statements:
        assert statement.citations
        for citation in statement.citations:
            assert set(citation.line_ids) <= set(lines[citation.interview_id])
