"""The llm engine over real HTTP against an OpenAI-compatible fake server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest
from fakes.analysis_model import is_synthesis, payload_for, user_text
from fakes.openai_server import FakeOpenAI, Reply

from persona_insight.analysis.engine import AnalysisContext, EngineError, PersonaRef
from persona_insight.analysis.llm.chunking import split
from persona_insight.analysis.llm.engine import LlmEngine
from persona_insight.analysis.transcript import parse

pytestmark = pytest.mark.anyio

KEY = "sk-test-0123456789abcdefSECRET"

INTERVIEW = """면접관: 요즘 전기차 충전은 어떻게 하세요?
참여자: 음, 주로 집에서 완속으로 해요. 그런데 아파트 충전기가 늘 꽉 차 있어서 불편해요.
면접관: 연락은 어디로 드릴까요?
참여자: 메일 minji@example.com 이나 010-1234-5678 로 주세요.
면접관: 원하는 기능이 있나요?
참여자: 충전 예약 기능이 있으면 정말 좋겠어요."""

CONTEXT = AnalysisContext(
    company_name="볼트차지",
    personas=(PersonaRef("P1", "집밥형 충전러", "집에서 완속 충전을 주로 한다"),),
)


def _engine(fake: FakeOpenAI, **kwargs: Any) -> LlmEngine:
    kwargs.setdefault("timeout_s", 10.0)
    return LlmEngine("openai:gpt-fake", base_url=fake.base_url, api_key=KEY, **kwargs)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("mode", ["tool", "native"])
async def test_success(openai_fake: FakeOpenAI, mode: str, stream: bool) -> None:
    transcript = parse(INTERVIEW)
    result = await _engine(openai_fake, output_mode=mode, stream=stream).analyse(
        transcript, CONTEXT
    )

    assert result.model == "openai:gpt-fake"
    assert result.usage["input_tokens"] == 150
    assert result.usage["output_tokens"] == 60
    assert result.usage["total_tokens"] == 210
    assert result.usage["requests"] == 1
    assert result.usage["streamed"] is stream
    analysis = result.analysis
    assert [line.id for line in analysis.cleaned_script] == [[t.id] for t in transcript.turns]
    evidence = {
        i for f in analysis.primary_pain_points + analysis.primary_needs for i in f.evidence
    }
    assert evidence
    assert evidence <= analysis.line_ids()
    assert analysis.persona_match is not None
    assert analysis.persona_match.code == "P1"

    (seen,) = openai_fake.requests
    body = seen.body
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert body["model"] == "gpt-fake"
    assert body["stream"] is stream
    assert (body.get("max_completion_tokens") or body.get("max_tokens")) == 4096
    if mode == "tool":
        assert body["tools"][0]["function"]["name"] == "record_interview_analysis"
        assert "response_format" not in body
    else:
        assert "tools" not in body
        assert body["response_format"]["type"] == "json_schema"
        schema = body["response_format"]["json_schema"]["schema"]
        finding = schema["$defs"]["Finding"]["properties"]["evidence"]
        assert finding["items"]["enum"] == [1, 2, 3, 4, 5, 6]
        assert finding["maxItems"] == 6


async def test_personal_data_never_reaches_the_server(openai_fake: FakeOpenAI) -> None:
    await _engine(openai_fake).analyse(parse(INTERVIEW), CONTEXT)
    sent = json.dumps(openai_fake.requests[0].body, ensure_ascii=False)
    assert "010-1234-5678" not in sent
    assert "minji@example.com" not in sent
    assert "[PHONE]" in sent
    assert "[EMAIL]" in sent

    await _engine(openai_fake, mask=False).analyse(parse(INTERVIEW), CONTEXT)
    assert "010-1234-5678" in json.dumps(openai_fake.requests[1].body, ensure_ascii=False)


@pytest.mark.parametrize("mode", ["tool", "native"])
async def test_invalid_json_then_repair(openai_fake: FakeOpenAI, mode: str) -> None:
    replies = [Reply(text='{"language": "ko", "quality": {"score": 4'), None]

    def responder(body: dict[str, Any]) -> Reply:
        scripted = replies.pop(0) if replies else None
        return scripted or Reply(payload=payload_for(body))

    openai_fake.responder = responder
    result = await _engine(openai_fake, output_mode=mode).analyse(parse(INTERVIEW), CONTEXT)
    assert len(openai_fake.requests) == 2
    assert result.usage["requests"] == 2
    assert result.usage["input_tokens"] == 300
    # The second request carries the broken answer back to the model with the complaint.
    first, retry = (seen.body["messages"] for seen in openai_fake.requests)
    assert len(retry) > len(first)
    assert any(message["role"] == "assistant" for message in retry)
    assert "score" in json.dumps(retry[len(first) :])
    assert result.analysis.primary_pain_points


async def test_rate_limit_with_retry_after(openai_fake: FakeOpenAI) -> None:
    openai_fake.responder = lambda body: Reply(
        status=429,
        headers={"Retry-After": "7"},
        error={"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"},
    )
    with pytest.raises(EngineError) as caught:
        await _engine(openai_fake).analyse(parse(INTERVIEW), CONTEXT)
    error = caught.value
    assert error.code == "engine_rate_limited"
    assert error.retryable is True
    assert error.retry_after == 7.0
    assert len(openai_fake.requests) == 1  # no retries inside the engine


async def test_server_error_is_retryable_and_not_retried_here(openai_fake: FakeOpenAI) -> None:
    openai_fake.responder = lambda body: Reply(status=500)
    with pytest.raises(EngineError) as caught:
        await _engine(openai_fake).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_unavailable"
    assert caught.value.retryable is True
    assert len(openai_fake.requests) == 1


async def test_rejected_key_never_shows_in_the_error(openai_fake: FakeOpenAI) -> None:
    openai_fake.responder = lambda body: Reply(
        status=401,
        error={"message": f"Incorrect API key provided: {KEY}", "code": "invalid_api_key"},
    )
    with pytest.raises(EngineError) as caught:
        await _engine(openai_fake).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_rejected"
    assert caught.value.retryable is False
    assert KEY not in str(caught.value)
    assert KEY not in caught.value.message
    assert "SECRET" not in caught.value.message
    assert caught.value.__cause__ is None


async def test_bad_request_is_rejected(openai_fake: FakeOpenAI) -> None:
    openai_fake.responder = lambda body: Reply(
        status=400, error={"message": "Unsupported parameter", "code": "invalid_request"}
    )
    with pytest.raises(EngineError) as caught:
        await _engine(openai_fake).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_rejected"
    assert caught.value.retryable is False


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_hang_past_the_client_timeout(openai_fake: FakeOpenAI, stream: bool) -> None:
    openai_fake.responder = lambda body: Reply(payload=payload_for(body), hang_s=10)
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        await _engine(openai_fake, timeout_s=0.3, stream=stream).analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_timeout"
    assert caught.value.retryable is True
    assert time.monotonic() - started < 3
    assert len(openai_fake.requests) == 1


async def test_nothing_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = LlmEngine(
        "openai:gpt-fake", base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, timeout_s=2
    )
    with pytest.raises(EngineError) as caught:
        await engine.analyse(parse(INTERVIEW), CONTEXT)
    assert caught.value.code == "engine_unavailable"
    assert caught.value.retryable is True


async def test_cut_off_answer_is_split_and_repaired(openai_fake: FakeOpenAI) -> None:
    first = [True]

    def responder(body: dict[str, Any]) -> Reply:
        if first.pop() if first else False:
            return Reply(text='{"language": "ko", "summary": "잘린', finish_reason="length")
        return Reply(payload=payload_for(body))

    openai_fake.responder = responder
    transcript = parse(INTERVIEW)
    result = await _engine(openai_fake, output_mode="native").analyse(transcript, CONTEXT)
    assert result.repairs[0]["action"] == "split"
    # The cut answer, one request per half, and the synthesis over the halves; the cut answer's
    # tokens count too.
    assert len(openai_fake.requests) == 4
    assert result.usage["requests"] == 4
    assert result.usage["total_tokens"] == 4 * 210
    assert [line.id[0] for line in result.analysis.cleaned_script] == [
        t.id for t in transcript.turns
    ]


async def test_context_window_overflow_is_split(openai_fake: FakeOpenAI) -> None:
    def responder(body: dict[str, Any]) -> Reply:
        if not is_synthesis(body) and user_text(body).count("\n[") >= 5:
            return Reply(
                status=400,
                error={
                    "message": "This model's maximum context length is 8 tokens.",
                    "type": "invalid_request_error",
                    "code": "context_length_exceeded",
                },
            )
        return Reply(payload=payload_for(body))

    openai_fake.responder = responder
    result = await _engine(openai_fake).analyse(parse(INTERVIEW), CONTEXT)
    assert result.repairs[0] == {
        "field": "chunk",
        "action": "split",
        "reason": "context_window",
        "lines": [1, 6],
    }
    assert len(result.analysis.cleaned_script) == 6


async def test_long_transcript_is_chunked_and_merged(openai_fake: FakeOpenAI) -> None:
    lines = []
    for i in range(1, 31):
        lines.append(f"면접관: {i}번째 질문입니다. 요즘 충전은 어떠세요?")
        lines.append(f"참여자: {i}번째 답변이에요. 충전기가 부족해서 매번 기다려요.")
    transcript = parse("\n".join(lines))
    chunks = split(transcript, 1000)
    assert len(chunks) >= 3

    result = await _engine(openai_fake, context_chars=1000, stream=True).analyse(
        transcript, CONTEXT
    )

    bodies = [seen.body for seen in openai_fake.requests]
    assert sum(not is_synthesis(b) for b in bodies) == len(chunks)
    assert sum(is_synthesis(b) for b in bodies) == 1
    # Every line went to exactly one chunk request, under its own id.
    sent_ids = [
        int(line.split("]")[0][1:])
        for b in bodies
        if not is_synthesis(b)
        for line in user_text(b).splitlines()
        if line.startswith("[")
    ]
    assert sorted(sent_ids) == list(range(1, 61))
    analysis = result.analysis
    assert [line.id for line in analysis.cleaned_script] == [[i] for i in range(1, 61)]
    per_chunk = [f for f in analysis.primary_pain_points if "번 줄의 불편" in f.description]
    assert len(per_chunk) == len(chunks)
    for finding, chunk in zip(per_chunk, chunks, strict=True):
        assert set(finding.evidence) <= set(chunk.ids)
    assert analysis.summary == "인터뷰 전체 요약입니다."
    assert result.usage["requests"] == len(chunks) + 1
    assert result.usage["total_tokens"] == 210 * (len(chunks) + 1)
