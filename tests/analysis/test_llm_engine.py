"""The llm engine through pydantic-ai's own test models (no network, no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakes.analysis_model import chunk_payload, synthesis_payload
from pydantic import SecretStr
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel

from persona_insight.analysis.engine import (
    AnalysisContext,
    EngineError,
    GlossaryTerm,
    PersonaRef,
)
from persona_insight.analysis.llm.chunking import halve, split, turn_line
from persona_insight.analysis.llm.engine import LlmEngine
from persona_insight.analysis.llm.provider import build_model
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import Transcript, parse
from persona_insight.config import Settings

pytestmark = pytest.mark.anyio

INTERVIEW = """면접관: 요즘 전기차 충전은 어떻게 하세요?
참여자: 음, 주로 집에서 완속으로 해요. 그런데 아파트 충전기가 늘 꽉 차 있어서 불편해요.
면접관: 어떤 점이 제일 힘드세요?
참여자: 밤 늦게 오면 자리가 없어서 다음날 출근이 걱정돼요. 010-1234-5678 로 알림이 오면 좋겠어요.
면접관: 원하는 기능이 있나요?
참여자: 충전 예약 기능이 있으면 정말 좋겠어요."""

CONTEXT = AnalysisContext(
    company_name="볼트차지",
    company_description="아파트 전기차 충전 서비스",
    project_purpose="완속 충전 사용자의 불편 파악",
    target_audience="아파트 거주 전기차 운전자",
    glossary=(GlossaryTerm("완속", "7kW 이하 충전"),),
    section_names=("충전 습관", "서비스 경험"),
    key_takeaways=("충전 자리 부족이 가장 큰 불편이다",),
    personas=(
        PersonaRef("P1", "집밥형 충전러", "집에서 완속 충전을 주로 한다"),
        PersonaRef("P2", "급속 충전러", "고속도로 급속 충전을 주로 쓴다"),
    ),
)


def _body(messages: list[ModelMessage], info: AgentInfo) -> dict[str, Any]:
    """The request as the HTTP fakes see it, so the same scripted payloads serve both."""
    user = next(
        p.content
        for m in messages
        for p in m.parts
        if isinstance(p, UserPromptPart) and isinstance(p.content, str)
    )
    body: dict[str, Any] = {"messages": [{"role": "user", "content": user}]}
    if info.output_tools:
        body["tools"] = [{"function": {"name": info.output_tools[0].name}}]
    else:
        name = info.model_request_parameters.output_object
        body["response_format"] = {"json_schema": {"name": name.name if name else ""}}
    return body


def _answer(info: AgentInfo, payload: dict[str, Any] | str) -> ModelResponse:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    if info.output_tools:
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, text)])
    return ModelResponse(parts=[TextPart(text)])


class Scripted:
    """A FunctionModel body: answers from a list of replies, then like a sensible model."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []
        self.instructions: list[str] = []

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        body = _body(messages, info)
        self.calls.append(body)
        self.instructions.append(info.instructions or "")
        if self.replies:
            reply = self.replies.pop(0)
            if isinstance(reply, ModelResponse):
                return reply
            return _answer(info, reply(body) if callable(reply) else reply)
        is_synthesis = "synthesis" in json.dumps(body)
        return _answer(info, synthesis_payload() if is_synthesis else chunk_payload(body))


def _engine(script: Scripted, **kwargs: Any) -> LlmEngine:
    kwargs.setdefault("stream", False)
    return LlmEngine(FunctionModel(script), **kwargs)


def _all_evidence(result: Any) -> set[int]:
    findings = [*result.analysis.primary_pain_points, *result.analysis.primary_needs]
    return {i for f in findings for i in f.evidence}


@pytest.mark.parametrize("mode", ["tool", "native"])
async def test_function_model_success(mode: str) -> None:
    script = Scripted()
    transcript = parse(INTERVIEW)
    result = await _engine(script, output_mode=mode).analyse(transcript, CONTEXT)

    analysis = result.analysis
    assert result.engine == "llm"
    assert [line.id for line in analysis.cleaned_script] == [[t.id] for t in transcript.turns]
    assert [line.speaker for line in analysis.cleaned_script] == [t.role for t in transcript.turns]
    assert _all_evidence(result) <= analysis.line_ids()
    assert analysis.primary_pain_points
    assert analysis.primary_needs[0].description == "충전 예약 기능이 필요하다"
    # The scripted model cleaned line 2 ("음, " removed); other lines keep the transcript's text.
    assert analysis.cleaned_script[1].cleaned_sentence.startswith("주로 집에서")
    assert analysis.cleaned_script[1].category == "painpoint"
    assert analysis.cleaned_script[0].cleaned_sentence == transcript.turns[0].text
    assert analysis.persona_match is not None
    assert analysis.persona_match.code == "P1"
    assert analysis.interview_quality_assessment.overall_quality.score == 4
    assert analysis.script_sections[0].sector_name == "충전 습관"
    assert analysis.keywords[0].term == "충전"
    assert analysis.keywords[0].weight == 1.0
    assert result.usage["requests"] == 1
    assert result.usage["total_tokens"] > 0
    assert "latency_s" in result.usage
    assert result.usage["masked"] == {"phone": 1}
    assert "충전" in result.terms


async def test_test_model_gives_a_valid_contract() -> None:
    # TestModel fills the output tool's schema itself (it has no native JSON mode).
    transcript = parse(INTERVIEW)
    engine = LlmEngine(TestModel(), output_mode="tool", stream=False)
    result = await engine.analyse(transcript, CONTEXT)
    assert result.model == "test"
    assert len(result.analysis.cleaned_script) == len(transcript.turns)
    assert _all_evidence(result) <= result.analysis.line_ids()


async def test_instructions_carry_the_context_and_the_prompt_the_masked_transcript() -> None:
    script = Scripted()
    await _engine(script).analyse(parse(INTERVIEW), CONTEXT)
    instructions = script.instructions[0]
    for expected in (
        "볼트차지",
        "아파트 전기차 충전 서비스",
        "완속 충전 사용자의 불편 파악",
        "아파트 거주 전기차 운전자",
        "- 완속: 7kW 이하 충전",
        "Existing section names: 충전 습관, 서비스 경험",
        "- 충전 자리 부족이 가장 큰 불편이다",
        "- P1: 집밥형 충전러 — 집에서 완속 충전을 주로 한다",
    ):
        assert expected in instructions
    prompt = script.calls[0]["messages"][0]["content"]
    assert "[1] Q (면접관): 요즘 전기차 충전은 어떻게 하세요?" in prompt
    assert "010-1234-5678" not in prompt
    assert "[PHONE]" in prompt


async def test_masking_can_be_turned_off() -> None:
    script = Scripted()
    result = await _engine(script, mask=False).analyse(parse(INTERVIEW), CONTEXT)
    assert "010-1234-5678" in script.calls[0]["messages"][0]["content"]
    assert result.usage["masked"] == {}


@pytest.mark.parametrize("mode", ["tool", "native"])
async def test_invalid_json_is_repaired(mode: str) -> None:
    script = Scripted('{"language": "ko", "quality": {"score": ')
    result = await _engine(script, output_mode=mode).analyse(parse(INTERVIEW), CONTEXT)
    assert len(script.calls) == 2
    assert result.usage["requests"] == 2
    assert result.analysis.primary_pain_points


async def test_evidence_outside_the_chunk_is_sent_back_once() -> None:
    script = Scripted(lambda body: chunk_payload(body, bad_evidence=True))
    result = await _engine(script).analyse(parse(INTERVIEW), CONTEXT)
    assert len(script.calls) == 2
    assert 9999 not in _all_evidence(result)
    assert not result.repairs


async def test_evidence_still_wrong_on_the_last_attempt_is_repaired_not_fatal() -> None:
    bad = [lambda body: chunk_payload(body, bad_evidence=True)] * 3
    script = Scripted(*bad)
    result = await _engine(script, output_retries=2).analyse(parse(INTERVIEW), CONTEXT)
    assert len(script.calls) == 3
    assert {
        "field": "primary_pain_points",
        "action": "dropped_ids",
        "ids": [9999],
        "reason": "outside the chunk the model saw",
    } in result.repairs
    assert _all_evidence(result) <= result.analysis.line_ids()


async def test_output_that_stays_invalid_fails_without_retry() -> None:
    script = Scripted(*["not json at all"] * 10)
    with pytest.raises(EngineError) as caught:
        await _engine(script, output_retries=2).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "analysis_invalid_output"
    assert caught.value.retryable is False
    assert len(script.calls) == 3


async def test_findings_without_any_valid_evidence_make_the_analysis_invalid() -> None:
    def unsupported(body: dict[str, Any]) -> dict[str, Any]:
        payload = chunk_payload(body)
        for finding in [*payload["pain_points"], *payload["needs"]]:
            finding["evidence"] = [4242]
            finding["description"] = "zzz qqq www"
        return payload

    script = Scripted(*[unsupported] * 3)
    with pytest.raises(EngineError) as caught:
        await _engine(script).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "analysis_invalid_output"


async def test_a_cut_off_answer_is_repaired_by_splitting() -> None:
    cut = ModelResponse(parts=[TextPart('{"language": "ko", "summ')], finish_reason="length")
    script = Scripted(cut)
    transcript = parse(INTERVIEW)
    result = await _engine(script, output_mode="native").analyse(transcript, CONTEXT)
    assert len(script.calls) == 4  # the cut answer, two halves, the synthesis
    assert result.repairs[0]["action"] == "split"
    assert result.repairs[0]["reason"] == "length"
    assert [line.id[0] for line in result.analysis.cleaned_script] == [
        t.id for t in transcript.turns
    ]
    # The halves are asked for brief answers.
    assert "cut off by the length limit" in script.instructions[1]


async def test_a_single_turn_cut_off_twice_fails_as_invalid_output() -> None:
    cut = ModelResponse(parts=[TextPart('{"lang')], finish_reason="length")
    script = Scripted(cut, cut)
    with pytest.raises(EngineError) as caught:
        await _engine(script, output_mode="native").analyse(parse("A: 한 줄짜리 답변"), CONTEXT)
    assert caught.value.code == "analysis_invalid_output"
    assert caught.value.retryable is False
    assert len(script.calls) == 2


async def test_long_transcripts_are_chunked_and_merged() -> None:
    lines = []
    for i in range(1, 21):
        lines.append(f"면접관: {i}번째 질문입니다. 충전은 어떠셨어요?")
        lines.append(f"참여자: {i}번째 답변입니다. 충전기가 부족해서 불편했어요.")
    transcript = parse("\n".join(lines))
    script = Scripted()
    result = await _engine(script, context_chars=600).analyse(transcript, CONTEXT)

    chunks = split(transcript, 600)
    assert len(chunks) > 2
    assert len(script.calls) == len(chunks) + 1
    assert "synthesis" in json.dumps(script.calls[-1])
    analysis = result.analysis
    assert [line.id[0] for line in analysis.cleaned_script] == list(range(1, 41))
    assert analysis.summary == "인터뷰 전체 요약입니다."
    assert analysis.interview_quality_assessment.overall_quality.score == 5
    # "충전기 자리가 부족하다" repeats in every chunk: merged into one finding citing all chunks.
    shared = [f for f in analysis.primary_pain_points if f.description == "충전기 자리가 부족하다"]
    assert len(shared) == 1
    assert len(shared[0].evidence) == len(chunks)
    # Each chunk's section, merged across boundaries because they share a name.
    assert len(analysis.script_sections) == 1
    assert analysis.script_sections[0].start_line == 1
    assert analysis.script_sections[0].end_line == 40
    assert analysis.key_takeaways[0] == "충전 자리 부족이 가장 큰 불편이다"
    assert result.usage["chunks"] == len(chunks)
    assert result.usage["requests"] == len(chunks) + 1


def test_chunks_hold_whole_turns_in_order() -> None:
    transcript = parse(
        "\n".join(f"{'Q' if i % 2 else 'A'}: line {i} " + "x" * (i * 7) for i in range(1, 30))
    )
    chunks = split(transcript, 400)
    assert [i for c in chunks for i in c.ids] == [t.id for t in transcript.turns]
    for chunk in chunks:
        size = sum(len(turn_line(t)) + 1 for t in chunk.turns)
        assert size <= 400 or len(chunk.turns) == 1
        assert chunk.count == len(chunks)


def test_an_oversized_turn_travels_alone_and_shortened() -> None:
    transcript = parse("Q: short question?\nA: " + "long answer " * 200 + "\nQ: next?")
    chunks = split(transcript, 300)
    assert [c.ids for c in chunks] == [[1], [2], [3]]
    assert len(turn_line(chunks[1].turns[0])) <= 300
    assert chunks[1].turns[0].text.endswith("…")
    halves = halve(chunks[0])
    assert halves is None


def test_from_settings_and_registry() -> None:
    settings = Settings(
        llm_model="openai:gpt-4.1-mini",
        llm_api_key=SecretStr("sk-test-secret-value"),
        llm_base_url="http://127.0.0.1:9/v1",
        llm_output_mode="native",
        llm_max_tokens=1234,
        llm_context_chars=5000,
        llm_timeout_s=12.5,
        mask_personal_data=False,
    )
    engine = build_engine("llm", settings)
    assert isinstance(engine, LlmEngine)
    assert engine.output_mode == "native"
    assert engine.max_tokens == 1234
    assert engine.context_chars == 5000
    assert engine.timeout_s == 12.5
    assert engine.mask is False
    assert "sk-test-secret-value" not in repr(engine)


async def test_missing_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    transcript = parse(INTERVIEW)
    for engine in (
        LlmEngine("openai:gpt-4.1-mini"),
        LlmEngine("anthropic:claude-sonnet-4-5"),
        LlmEngine("gpt-4.1-mini"),
        LlmEngine(""),
    ):
        with pytest.raises(EngineError) as caught:
            await engine.analyse(transcript, CONTEXT)
        assert caught.value.code == "engine_not_configured"
        assert caught.value.retryable is False


async def test_empty_transcript_is_refused() -> None:
    with pytest.raises(EngineError) as caught:
        await _engine(Scripted()).analyse(Transcript(turns=(), labelled=False), CONTEXT)
    assert caught.value.code == "analysis_invalid_input"


async def test_unknown_persona_codes_are_dropped() -> None:
    def invented(body: dict[str, Any]) -> dict[str, Any]:
        payload = chunk_payload(body)
        payload["persona"] = {"code": "P9", "explanation": "?", "confidence": 0.9}
        return payload

    result = await _engine(Scripted(invented)).analyse(parse(INTERVIEW), CONTEXT)
    assert result.analysis.persona_match is not None
    assert result.analysis.persona_match.code is None
    assert result.analysis.persona_match.confidence == 0.0
    without_personas = AnalysisContext(company_name="볼트차지")
    result = await _engine(Scripted()).analyse(parse(INTERVIEW), without_personas)
    assert result.analysis.persona_match is None


async def test_provider_clients_never_retry_on_their_own() -> None:
    openai = build_model("openai:gpt-4.1-mini", base_url=None, api_key="sk-x", timeout_s=7)
    local = build_model("qwen2.5:7b", base_url="http://127.0.0.1:9/v1", api_key=None, timeout_s=7)
    claude = build_model("anthropic:claude-sonnet-4-5", base_url=None, api_key="k", timeout_s=7)
    try:
        assert openai.name == "openai:gpt-4.1-mini"
        assert local.name == "openai:qwen2.5:7b"
        assert local.model.model_name == "qwen2.5:7b"
        assert claude.name == "anthropic:claude-sonnet-4-5"
        for handle in (openai, local, claude):
            client = handle.model.client  # type: ignore[attr-defined]
            assert client.max_retries == 0
            assert client.timeout == 7
        assert str(local.model.client.base_url).startswith("http://127.0.0.1:9/v1")  # type: ignore[attr-defined]
    finally:
        for handle in (openai, local, claude):
            await handle.aclose()
