"""Where a streamed answer's CPU per chunk goes in the model client: the same stream read five
ways, each one layer more than the last, with the fake OpenAI-compatible server in a process of
its own so only the reading side is measured.

1. `raw`: httpx reading the server-sent lines and `json.loads` of each chunk;
2. `sdk`: the OpenAI SDK's own client (`AsyncOpenAI`, chunks built by its `construct_type`);
3. `sdk_validated`: our client (analysis/llm/openai_client.py: chunks read by the validator);
4. `pydantic_ai`: pydantic-ai's direct streaming interface over our client, as chat uses it;
5. `citer`: the same with every text delta fed to the `[n]` citer (search/generation.py).

Each runs 5 warm-up streams, then `--streams` at once, twice; the answer is the bench/chat.py
long answer (~1,400 words in 40-character chunks). CPU is this process's user+system time.

    uv run --frozen python -m bench.chat_stream [--streams 50]

Prints the figures and writes bench/results/chat_stream.json (with the load average).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.harness import free_port, save

LAYERS = ("raw", "sdk", "sdk_validated", "pydantic_ai", "citer")


def _serve_fake(port: int) -> None:
    import uvicorn
    from tests.analysis.fakes.openai_server import FakeOpenAI, Reply

    from bench.chat import _long_answer

    fake = FakeOpenAI(lambda body: Reply(text=_long_answer()))
    uvicorn.run(
        fake.app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # Streams wait their turn on a loaded machine: idle pooled connections must outlive it.
        timeout_keep_alive=300,
    )


async def _measure(base: str, layer: str, streams: int) -> dict[str, Any]:
    from openai import AsyncOpenAI
    from pydantic_ai.direct import model_request_stream
    from pydantic_ai.messages import ModelRequest, SystemPromptPart, UserPromptPart

    from persona_insight.analysis.llm.openai_client import StreamingOpenAI
    from persona_insight.analysis.llm.provider import build_model
    from persona_insight.citations import Citation
    from persona_insight.search.generation import Citer, _text_of

    handle = build_model("fake-model", base_url=base, api_key=None, timeout_s=120)
    plain = AsyncOpenAI(api_key="k", base_url=base, max_retries=0, timeout=120)
    validated = StreamingOpenAI(api_key="k", base_url=base, max_retries=0, timeout=120)
    raw_client = httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=200))
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "q"}]}

    async def raw() -> int:
        n = 0
        url = base + "/chat/completions"
        async with raw_client.stream("POST", url, json=body) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: {"):
                    json.loads(line[6:])
                    n += 1
        return n

    def sdk(client: AsyncOpenAI) -> Callable[[], Awaitable[int]]:
        async def read() -> int:
            n = 0
            chunks = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "q"}], stream=True
            )
            async for _ in chunks:
                n += 1
            return n

        return read

    def through_pydantic_ai(cite: bool) -> Callable[[], Awaitable[int]]:
        async def read() -> int:
            n = 0
            request = ModelRequest(parts=[SystemPromptPart("s"), UserPromptPart("q")])
            citer = Citer([(Citation(interview_id=uuid.uuid4(), line_ids=(1,)), "quote")])
            async with model_request_stream(handle.model, [request]) as stream:
                async for event in stream:
                    delta = _text_of(event)
                    if delta:
                        n += 1
                        if cite:
                            citer.feed(delta)
            return n

        return read

    read = {
        "raw": raw,
        "sdk": sdk(plain),
        "sdk_validated": sdk(validated),
        "pydantic_ai": through_pydantic_ai(False),
        "citer": through_pydantic_ai(True),
    }[layer]
    try:
        await asyncio.gather(*(read() for _ in range(5)))
        cpu = time.process_time()
        chunks = 0
        for _ in range(2):
            chunks += sum(
                await asyncio.wait_for(asyncio.gather(*(read() for _ in range(streams))), 600)
            )
        spent = time.process_time() - cpu
    finally:
        await raw_client.aclose()
        await plain.close()
        await validated.close()
        await handle.aclose()
    return {
        "streams": 2 * streams,
        "chunks": chunks,
        "cpu_s": round(spent, 3),
        "us_per_chunk": round(spent / max(chunks, 1) * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--serve-fake", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        _serve_fake(args.serve_fake)
        return
    import uvloop

    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    fake = subprocess.Popen([sys.executable, "-m", "bench.chat_stream", "--serve-fake", str(port)])
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(base + "/chat/completions", json={"model": "m", "messages": []})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the fake server did not start") from None
                time.sleep(0.2)
        for layer in LAYERS:
            results[layer] = uvloop.run(_measure(base, layer, min(args.streams, 200)))
            print(layer, results[layer], flush=True)
    finally:
        fake.terminate()
        fake.wait(timeout=30)
    results["load_average"] = {"start": list(load_before), "end": list(os.getloadavg())}
    save("chat_stream", results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
