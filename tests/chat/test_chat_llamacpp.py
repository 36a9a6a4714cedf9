"""A persona answering through a real llama.cpp server (SmolLM2-135M-Instruct, the tiny model of
tests/analysis/test_llm_llamacpp.py): the answer streams, its [n] markers never reach the
reader, and every citation that survives names a line of that persona's own interview — a
tiny model cites badly, so a citation may be dropped, never invented. Skips (with the reason)
where xllamacpp or the model wheel is unavailable."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.analysis.test_llm_llamacpp import llama_base_url  # noqa: F401 -- the fixture
from tests.chat.world import build, read_stream, texts
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


# Two analyses, then up to 800 tokens from a CPU model on a shared 2-core machine.
@pytest.mark.timeout(900)
async def test_a_real_model_streams_a_persona_answer_citing_only_its_lines(
    live_worker_server: Any,
    llama_base_url: str,  # noqa: F811 -- the fixture imported above
) -> None:
    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.admin) as c:
        r = await c.put(
            "/api/company/analysis",
            json={
                "engine": "llm",
                "llm_model": "openai:smollm2-135m",
                "llm_base_url": llama_base_url,
            },
        )
        assert r.status_code == 200, r.text
        headers, frames = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P2",
                "message": "What is the most frustrating part of shopping for groceries online?",
            },
            timeout=800,
        )
        kinds = [kind for _, kind, _ in frames]
        assert kinds[0] == "message:start"
        assert kinds[-1] == "message:end", frames[-1]
        assert [i for i, _, _ in frames] == list(range(len(frames)))
        tokens = [data["text"] for _, kind, data in frames if kind == "token"]
        assert len(tokens) >= 2  # streamed as the model writes, not in one piece
        said = texts(frames)["P2"]
        assert said.strip()
        assert not re.search(r"\[\d{1,3}\]", said)
        own = world.transcripts[world.english]
        citations = [data for _, kind, data in frames if kind == "citation"]
        for citation in citations:
            assert citation["interview_id"] == world.english
            for line in citation["lines"]:
                assert line["text"] in own
        end = frames[-1][2]
        assert end["citations"] == len(citations)
        assert end["usage"]["output_tokens"] > 0

        conversation = (await c.get(f"/api/conversations/{headers['x-conversation-id']}")).json()
        answer = conversation["items"][-1]
        assert answer["role"] == "persona"
        assert answer["content"] == said.strip()
        assert answer["citations"] == citations
