"""The OpenAI client's streamed chunks: read by pydantic's validator when they fit the schema
(a twentieth of the SDK's own construction per chunk), by the SDK's lenient path when a server
shapes them its own way — and the same chunks either way, over real HTTP."""

from __future__ import annotations

import httpx2
import pydantic
import pytest
from fakes.openai_server import FakeOpenAI, Reply
from fakes.server import serving
from openai._models import construct_type
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from persona_insight.analysis.llm.openai_client import StreamingOpenAI
from persona_insight.analysis.llm.provider import build_model

pytestmark = pytest.mark.anyio

CHUNK = {
    "id": "chatcmpl-1",
    "object": "chat.completion.chunk",
    "created": 1700000000,
    "model": "m",
    "system_fingerprint": "b1-local",
    "timings": {"predicted_ms": 12.5},  # a field of llama.cpp's own: kept as an extra
    "choices": [{"index": 0, "delta": {"content": "충전이 늘 꽉 차요"}, "finish_reason": None}],
}


def _read(data: object, cast_to: type[object] = ChatCompletionChunk) -> object:
    client = StreamingOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=0)
    response = httpx2.Response(200, request=httpx2.Request("POST", "http://127.0.0.1:9/v1"))
    return client._process_response_data(data=data, cast_to=cast_to, response=response)


def test_a_chunk_that_fits_the_schema_is_validated_and_reads_as_the_sdk_builds_it() -> None:
    chunk = _read(CHUNK)
    built = construct_type(type_=ChatCompletionChunk, value=CHUNK)
    assert isinstance(chunk, ChatCompletionChunk)
    assert chunk == built
    assert chunk.model_extra == {"timings": {"predicted_ms": 12.5}}
    # Validation (not construction) ran: it turns a numeric string into the int the type says.
    assert _read({**CHUNK, "created": "1700000001"}).created == 1700000001  # type: ignore[attr-defined]
    assert built.created == 1700000000


@pytest.mark.parametrize(
    "drift",
    [
        {"object": "chat.completion.chunk.v2"},
        {"created": 1700000000.5},
        {"choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": "eos"}]},
        {"id": None},
    ],
    ids=["object", "float-created", "finish-reason", "null-id"],
)
def test_a_chunk_shaped_its_own_way_still_reads_through_the_sdks_lenient_path(
    drift: dict[str, object],
) -> None:
    data = {**CHUNK, **drift}
    with pytest.raises(pydantic.ValidationError):
        ChatCompletionChunk.model_validate(data)
    chunk = _read(data)
    assert isinstance(chunk, ChatCompletionChunk)
    assert chunk == construct_type(type_=ChatCompletionChunk, value=data)


def test_other_responses_are_the_sdks_own() -> None:
    body = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "eos"}
        ],
    }
    completion = _read(body, ChatCompletion)
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].finish_reason == "eos"


async def test_openai_compatible_models_stream_through_it_over_http() -> None:
    from pydantic_ai.direct import model_request_stream
    from pydantic_ai.messages import ModelRequest, UserPromptPart

    text = "The slots are always full. 슬롯이 늘 꽉 차요. " * 5
    with serving(FakeOpenAI(lambda body: Reply(text=text))) as fake:
        handle = build_model("fake-model", base_url=fake.base_url, api_key=None, timeout_s=10)
        try:
            assert isinstance(handle.model.client, StreamingOpenAI)  # type: ignore[attr-defined]
            request = ModelRequest(parts=[UserPromptPart("q")])
            async with model_request_stream(handle.model, [request]) as stream:
                async for _ in stream:
                    pass
                response = stream.get()
        finally:
            await handle.aclose()
    assert "".join(getattr(p, "content", "") for p in response.parts) == text
