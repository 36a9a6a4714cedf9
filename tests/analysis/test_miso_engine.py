"""The miso engine against a Dify/MISO-style workflow server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fakes.dify_server import APP_KEY, FakeDify, Run
from pydantic import SecretStr

from persona_insight.analysis.engine import AnalysisContext, EngineError, PersonaRef
from persona_insight.analysis.miso.engine import MisoEngine
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import parse
from persona_insight.config import Settings

pytestmark = pytest.mark.anyio

INTERVIEW = """면접관: 요즘 전기차 충전은 어떻게 하세요?
참여자: 주로 집에서 완속으로 해요. 그런데 아파트 충전기가 늘 꽉 차 있어서 불편해요.
면접관: 연락처 남겨주시겠어요?
참여자: 010-1234-5678 이에요. 홍길동 고객님으로 찾으시면 돼요.
면접관: 원하는 기능이 있나요?
참여자: 충전 예약 기능이 있으면 정말 좋겠어요."""

CONTEXT = AnalysisContext(
    company_name="볼트차지",
    company_description="아파트 전기차 충전 서비스",
    project_purpose="완속 충전 사용자의 불편 파악",
    target_audience="아파트 거주 전기차 운전자",
    section_names=("충전 습관", "서비스 경험"),
    key_takeaways=("충전 자리 부족", "예약 기능 기대"),
    personas=(PersonaRef("P1", "집밥형", "집 충전"), PersonaRef("P3", "출퇴근형", "회사 충전")),
)

# The original product's result shape.
ORIGINAL_RESULT: dict[str, Any] = {
    "cleaned_script": [
        {
            "id": [1],
            "speaker": "question",
            "category": None,
            "cleaned_sentence": "요즘 전기차 충전은 어떻게 하세요?",
        },
        {
            "id": [2],
            "speaker": "answer",
            "category": "painpoint",
            "cleaned_sentence": "집에서 완속으로 하는데 충전기가 늘 꽉 차 있어 불편해요.",
        },
        {
            "id": [3, 4],
            "speaker": "answer",
            "category": None,
            "cleaned_sentence": "연락처는 [PHONE] 입니다.",
        },
        {
            "id": [5],
            "speaker": "question",
            "category": None,
            "cleaned_sentence": "원하는 기능이 있나요?",
        },
        {
            "id": [6],
            "speaker": "answer",
            "category": "needs",
            "cleaned_sentence": "충전 예약 기능이 있으면 좋겠어요.",
        },
    ],
    "session_info": {"session_date": "2024-03-15", "interview_topic": "아파트 충전 경험"},
    "interviewee_profile": {
        "profile_summary": "아파트에 사는 직장인 전기차 운전자",
        "demographics": {"age_group": "30대", "gender": "여성", "occupation_context": "직장인"},
    },
    "interview_quality_assessment": {"overall_quality": {"score": 4, "assessment": "구체적"}},
    "key_takeaways": ["충전 자리 부족", "예약 기능 기대"],
    "primary_pain_points": [{"description": "충전기 자리가 부족하다", "evidence": [2]}],
    "primary_needs": [{"description": "충전 예약 기능", "evidence": [6, 77]}],
    "hmw_questions": ["어떻게 하면 충전 자리를 미리 확보하게 할 수 있을까?"],
    "script_sections": [
        {"sector_name": "충전 습관", "start_line": 1, "end_line": 4, "is_main_content": True},
        {"sector_name": "기능 요청", "start_line": 5, "end_line": 6, "is_main_content": True},
    ],
    "ai_persona_match": {"persona_code": "P3", "reason": "퇴근 후 충전 패턴"},
}


def _engine(fake: FakeDify, **kwargs: Any) -> MisoEngine:
    kwargs.setdefault("timeout_s", 10.0)
    return MisoEngine(fake.base_url, APP_KEY, **kwargs)


@pytest.mark.parametrize("variant", ["dify", "miso"])
@pytest.mark.parametrize("mode", ["blocking", "streaming"])
async def test_success(dify_fake: FakeDify, variant: str, mode: str) -> None:
    dify_fake.script = lambda body: Run(outputs=ORIGINAL_RESULT)
    result = await _engine(dify_fake, variant=variant, response_mode=mode).analyse(
        parse(INTERVIEW), CONTEXT
    )

    (seen,) = dify_fake.requests
    assert seen.headers["authorization"] == f"Bearer {APP_KEY}"
    body = seen.body
    if variant == "dify":
        assert body["response_mode"] == mode
        assert "mode" not in body
    else:
        assert body["mode"] == mode
        assert "response_mode" not in body
    assert body["user"] == "persona-insight"
    inputs = body["inputs"]
    assert inputs["company_name"] == "볼트차지"
    assert inputs["company_info"] == "아파트 전기차 충전 서비스"
    assert inputs["interview_objective"] == "완속 충전 사용자의 불편 파악"
    assert inputs["target_audience"] == "아파트 거주 전기차 운전자"
    assert inputs["interview_sections"] == "충전 습관, 서비스 경험"
    assert inputs["key_takeaways"] == "충전 자리 부족\n예약 기능 기대"
    assert inputs["context"].startswith("[1] Q (면접관): 요즘 전기차 충전은")
    assert "010-1234-5678" not in inputs["context"]
    assert "홍길동" not in inputs["context"]

    analysis = result.analysis
    assert result.engine == "miso"
    assert [line.id for line in analysis.cleaned_script] == [[1], [2], [3, 4], [5], [6]]
    assert analysis.cleaned_script[1].category == "painpoint"
    assert analysis.session_info.interview_topic == "아파트 충전 경험"
    assert analysis.interviewee_profile.demographics.age_group == "30대"
    assert analysis.interview_quality_assessment.overall_quality.score == 4
    assert analysis.primary_needs[0].evidence == [6]  # 77 is not a script line
    assert {"field": "primary_needs", "index": 0, "action": "dropped_ids", "ids": [77]} in (
        result.repairs
    )
    assert analysis.persona_match is not None
    assert analysis.persona_match.code == "P3"
    assert analysis.persona_match.explanation == "퇴근 후 충전 패턴"
    assert analysis.language == "ko"
    assert result.usage["total_tokens"] == 1234
    assert result.usage["elapsed_time"] == 3.5
    assert result.usage["workflow_run_id"].startswith("run-")
    assert result.usage["masked"] == {"phone": 1, "name": 1}


@pytest.mark.parametrize("mode", ["blocking", "streaming"])
async def test_result_as_fenced_json_string(dify_fake: FakeDify, mode: str) -> None:
    text = "분석 결과입니다.\n```json\n" + json.dumps(ORIGINAL_RESULT, ensure_ascii=False) + "\n```"
    dify_fake.script = lambda body: Run(outputs={"result": text})
    result = await _engine(dify_fake, response_mode=mode).analyse(parse(INTERVIEW), CONTEXT)
    assert result.analysis.primary_pain_points[0].description == "충전기 자리가 부족하다"


async def test_streamed_text_when_outputs_are_empty(dify_fake: FakeDify) -> None:
    text = json.dumps(ORIGINAL_RESULT, ensure_ascii=False)
    dify_fake.script = lambda body: Run(outputs={}, text_chunks=[text[:100], text[100:]])
    result = await _engine(dify_fake, response_mode="streaming").analyse(parse(INTERVIEW), CONTEXT)
    assert result.analysis.hmw_questions


async def test_workflow_without_a_script_cites_our_numbering(dify_fake: FakeDify) -> None:
    outputs = {k: v for k, v in ORIGINAL_RESULT.items() if k != "cleaned_script"}
    dify_fake.script = lambda body: Run(outputs=outputs)
    transcript = parse(INTERVIEW)
    result = await _engine(dify_fake).analyse(transcript, CONTEXT)
    assert [line.id for line in result.analysis.cleaned_script] == [
        [t.id] for t in transcript.turns
    ]
    assert "[PHONE]" in result.analysis.cleaned_script[3].cleaned_sentence


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, "engine_rejected", False),
        (401, "engine_rejected", False),
        (404, "engine_rejected", False),
        (429, "engine_rate_limited", True),
        (500, "engine_unavailable", True),
        (503, "engine_unavailable", True),
    ],
)
@pytest.mark.parametrize("mode", ["blocking", "streaming"])
async def test_http_errors(
    dify_fake: FakeDify, mode: str, status: int, code: str, retryable: bool
) -> None:
    dify_fake.script = lambda body: Run(
        http_status=status,
        error_code={404: "not_found", 429: "too_many_requests"}.get(status, "invalid_param"),
        error_message=f"fake {status}",
        headers={"Retry-After": "12"} if status == 429 else {},
    )
    with pytest.raises(EngineError) as caught:
        await _engine(dify_fake, response_mode=mode).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == code
    assert caught.value.retryable is retryable
    assert str(status) in caught.value.message
    if status == 429:
        assert caught.value.retry_after == 12.0
    assert len(dify_fake.requests) == 1


async def test_wrong_key_is_401_and_never_echoed(dify_fake: FakeDify) -> None:
    engine = MisoEngine(dify_fake.base_url, "app-wrong-key-0000", timeout_s=5)
    with pytest.raises(EngineError) as caught:
        await engine.analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_rejected"
    assert "unauthorized" in caught.value.message
    assert "app-wrong-key-0000" not in caught.value.message
    assert "app-wrong-key-0000" not in repr(engine)


@pytest.mark.parametrize("mode", ["blocking", "streaming"])
async def test_failed_workflow(dify_fake: FakeDify, mode: str) -> None:
    dify_fake.script = lambda body: Run(status="failed", error="LLM node: quota exceeded")
    with pytest.raises(EngineError) as caught:
        await _engine(dify_fake, response_mode=mode).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_failed"
    assert caught.value.retryable is False
    assert "quota exceeded" in caught.value.message


async def test_error_event_in_the_stream(dify_fake: FakeDify) -> None:
    dify_fake.script = lambda body: Run(stream_error=True)
    with pytest.raises(EngineError) as caught:
        await _engine(dify_fake, response_mode="streaming").analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_unavailable"
    assert "model provider failed" in caught.value.message


async def test_stream_that_stops_early(dify_fake: FakeDify) -> None:
    dify_fake.script = lambda body: Run(stream_cut=True)
    with pytest.raises(EngineError) as caught:
        await _engine(dify_fake, response_mode="streaming").analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_unavailable"
    assert caught.value.retryable is True


async def test_outputs_without_an_analysis(dify_fake: FakeDify) -> None:
    dify_fake.script = lambda body: Run(outputs={"text": "죄송합니다. 분석할 수 없습니다."})
    with pytest.raises(EngineError) as caught:
        await _engine(dify_fake).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "analysis_invalid_output"
    assert caught.value.retryable is False


@pytest.mark.parametrize("mode", ["blocking", "streaming"])
async def test_timeout(dify_fake: FakeDify, mode: str) -> None:
    dify_fake.script = lambda body: Run(outputs=ORIGINAL_RESULT, hang_s=10)
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        await _engine(dify_fake, response_mode=mode, timeout_s=0.3).analyse(
            parse(INTERVIEW), CONTEXT
        )
    assert caught.value.code == "engine_timeout"
    assert caught.value.retryable is True
    assert time.monotonic() - started < 3


async def test_not_configured() -> None:
    for engine in (
        MisoEngine(None, APP_KEY),
        MisoEngine("http://127.0.0.1:9/v1", None),
        MisoEngine("127.0.0.1:9/v1", APP_KEY),
    ):
        with pytest.raises(EngineError) as caught:
            await engine.analyse(parse(INTERVIEW), CONTEXT)
        assert caught.value.code == "engine_not_configured"
        assert caught.value.retryable is False


async def test_masking_off_sends_the_raw_transcript(dify_fake: FakeDify) -> None:
    dify_fake.script = lambda body: Run(outputs=ORIGINAL_RESULT)
    await _engine(dify_fake, mask=False).analyse(parse(INTERVIEW), CONTEXT)
    assert "010-1234-5678" in dify_fake.requests[0].body["inputs"]["context"]


def test_from_settings_and_registry() -> None:
    settings = Settings(
        miso_base_url="https://miso.example/ext/v1",
        miso_api_key=SecretStr("app-secret-value"),
        miso_variant="miso",
        miso_response_mode="streaming",
        miso_timeout_s=42,
    )
    engine = build_engine("miso", settings)
    assert isinstance(engine, MisoEngine)
    assert engine.variant == "miso"
    assert engine.response_mode == "streaming"
    assert engine.timeout_s == 42
    assert engine.mask is True
    assert "app-secret-value" not in repr(engine)


async def test_event_stream_parsing_tolerates_proxies() -> None:
    from persona_insight.analysis.miso.client import _consume, _sse_data

    finished = {
        "event": "workflow_finished",
        "workflow_run_id": "r1",
        "data": {"status": "succeeded", "outputs": {"a": 1}, "total_tokens": 5},
    }

    async def lines() -> AsyncIterator[str]:
        for line in [
            ": keep-alive comment",
            "event: ping",
            "",
            'data: {"event": "workflow_started", "task_id": "t1",',
            'data:  "workflow_run_id": "r1", "data": {}}',
            "",
            # Two events without the blank line between them.
            'data: {"event": "text_chunk", "data": {"text": "hel"}}',
            'data: {"event": "text_chunk", "data": {"text": "lo"}}',
            "data: not json",
            "",
            "data: " + json.dumps(finished),
        ]:
            yield line

    run = await _consume(_sse_data(lines()))
    assert run.status == "succeeded"
    assert run.outputs == {"a": 1}
    assert run.text == "hello"
    assert run.task_id == "t1"
    assert run.workflow_run_id == "r1"
    assert run.total_tokens == 5
    assert run.events == {"workflow_started": 1, "text_chunk": 2, "workflow_finished": 1}
