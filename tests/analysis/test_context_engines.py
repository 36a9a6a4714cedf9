"""The company glossary and personas reach all three engines: the fake OpenAI server sees them in
the llm engine's request, the fake Dify server in the miso engine's inputs, and the offline engine
uses the glossary's terms (spelled as the company spells them) for its keywords."""

from __future__ import annotations

import json

import pytest
from fakes.dify_server import APP_KEY, FakeDify, Run
from fakes.openai_server import FakeOpenAI

from persona_insight.analysis.engine import AnalysisContext, GlossaryTerm, PersonaRef
from persona_insight.analysis.llm.engine import LlmEngine
from persona_insight.analysis.miso.engine import MisoEngine
from persona_insight.analysis.offline.engine import OfflineEngine, analyse_sync
from persona_insight.analysis.transcript import parse

INTERVIEW = """면접관: 요즘 전기차 충전은 어떻게 하세요?
참여자: 주로 집에서 완속으로 해요. 그런데 아파트 충전기가 늘 꽉 차 있어서 불편해요.
면접관: 원하는 기능이 있나요?
참여자: 완속 충전기 예약 기능이 있으면 정말 좋겠어요."""

CONTEXT = AnalysisContext(
    company_name="볼트차지",
    glossary=(
        GlossaryTerm("완속", "7kW 이하의 완속 충전"),
        GlossaryTerm("V2G", "차량에서 전력망으로 보내는 충전"),
    ),
    personas=(
        PersonaRef("P1", "집밥형 충전러", "집에서 완속 충전을 주로 한다"),
        PersonaRef("P2", "급속 의존형", "공용 급속 충전기에 의존한다"),
    ),
)


@pytest.mark.anyio
async def test_the_llm_engine_sends_glossary_and_personas(openai_fake: FakeOpenAI) -> None:
    engine = LlmEngine(
        "openai:gpt-fake", base_url=openai_fake.base_url, api_key="sk-test-0123456789", timeout_s=10
    )
    await engine.analyse(parse(INTERVIEW), CONTEXT)
    assert openai_fake.requests
    sent = json.dumps(openai_fake.requests[0].body, ensure_ascii=False)
    assert "완속: 7kW 이하의 완속 충전" in sent
    assert "V2G: 차량에서 전력망으로 보내는 충전" in sent
    assert "P1: 집밥형 충전러" in sent
    assert "P2: 급속 의존형" in sent


@pytest.mark.anyio
async def test_the_miso_engine_sends_glossary_and_personas(dify_fake: FakeDify) -> None:
    dify_fake.script = lambda body: Run(
        outputs={
            "cleaned_script": [
                {"id": [1], "speaker": "question", "cleaned_sentence": "충전은 어떻게 하세요?"},
                {"id": [2], "speaker": "answer", "cleaned_sentence": "집에서 완속으로 해요."},
            ]
        }
    )
    await MisoEngine(dify_fake.base_url, APP_KEY, timeout_s=10.0).analyse(parse(INTERVIEW), CONTEXT)
    (seen,) = dify_fake.requests
    inputs = seen.body["inputs"]
    assert inputs["glossary"] == "완속: 7kW 이하의 완속 충전\nV2G: 차량에서 전력망으로 보내는 충전"
    assert inputs["personas"] == (
        "P1: 집밥형 충전러 — 집에서 완속 충전을 주로 한다\n"
        "P2: 급속 의존형 — 공용 급속 충전기에 의존한다"
    )


def test_the_offline_engine_leads_its_keywords_with_glossary_terms() -> None:
    OfflineEngine.warm_up()
    english = """Interviewer: How do you charge?
Participant: I use the wallbox at home every night, and the v2g pilot lets me sell power back.
Interviewer: Problems?
Participant: The V2G app logs me out all the time, which is frustrating."""
    context = AnalysisContext(glossary=(GlossaryTerm("V2G", "vehicle to grid"),))
    result = analyse_sync(parse(english), context)
    terms = [k.term for k in result.analysis.keywords]
    # Said twice (in two spellings), it leads, spelled as the company spells it.
    assert terms[0] == "V2G"
    assert "v2g" not in terms

    korean = analyse_sync(parse(INTERVIEW), CONTEXT).analysis
    assert korean.keywords[0].term == "완속"
    # A glossary term the interviewee never says is not a keyword.
    without = [k.term for k in korean.keywords]
    assert "V2G" not in without
