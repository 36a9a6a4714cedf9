"""Persona chat on one server process: time to first token with new chats arriving at a steady
rate, and the server's CPU time per delivered token with many answers streaming at once.

Set-up: a fresh database, one `persona-insight serve` process (with its worker) on 127.0.0.1, the
Korean and English demo samples uploaded and analysed, placed on two personas by hand. The `llm`
runs talk to the fake OpenAI-compatible server of the tests (a real HTTP server on 127.0.0.1, in
this process) that streams a cited answer in 40-character chunks with no delay of its own, so
what is measured is our server. Tokens are counted as the words of the streamed text (a model's
own tokens are about 1.3 per English word, so the per-token figure is conservative).

1. Time to first token: new conversations at 5/s (open loop: each starts on schedule whether
   the earlier ones are done or not) for 20 s, offline engine, then the fake LLM (answers of
   ~50 words); p50/p95 of the time from sending the request to receiving the first `token`.
2. CPU per token: 50 chats streaming at once through the fake LLM (answers of ~1,400 words),
   in rounds; the server process's user+system CPU over the rounds divided by the words the
   clients received in `token` events.

    uv run --frozen python -m bench.chat [--quick] [--profile data/chat.prof]

`--profile` runs the server under cProfile by CPU time (bench/profiled.py), profiling only the
CPU-per-token phase (its figures are then the profiler's, not ours).

Prints the figures and writes bench/results/chat.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving

from bench.harness import ROOT, Seed, cpu_seconds, fresh_database, percentile, save, seed, server

SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"
QUESTIONS = {
    "P1": ["충전할 때 뭐가 제일 불편하세요?", "예약 기능이 필요하세요?", "요금은 어떠세요?"],
    "P2": ["What is the hardest part?", "What would make it better?", "What frustrates you?"],
}


SENTENCE = "The delivery slots are always full and it wastes my evening [1]. "


def _short_answer() -> str:
    return SENTENCE * 4  # ~50 words: a spoken answer


def _long_answer() -> str:
    return SENTENCE * 120  # ~1,400 words


async def _first_token(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, int]:
    """(seconds to the first token, tokens received) of one chat, read to its end."""
    started = time.perf_counter()
    first = float("nan")
    tokens = 0
    buffer = ""
    async with client.stream("POST", "/api/chat", json=body) as response:
        if response.status_code != 200:
            raise RuntimeError(f"chat answered {response.status_code}: {await response.aread()!r}")
        async for chunk in response.aiter_text():
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                if '"type": "token"' in block:
                    if tokens == 0:
                        first = time.perf_counter() - started
                    # Words of the streamed text: what a model's tokens are counted in here
                    # (a model's own tokens are about 1.3 per English word, so this is
                    # conservative).
                    data = json.loads(block.split("data: ", 1)[1])
                    tokens += len(data["data"]["text"].split())
    return first, tokens


async def _open_loop(
    client: httpx.AsyncClient, project: str, rate: float, seconds: float
) -> list[float]:
    tasks = []
    count = int(rate * seconds)
    start = time.perf_counter()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        code = "P1" if n % 2 == 0 else "P2"
        body = {
            "project_id": project,
            "persona_code": code,
            "message": QUESTIONS[code][n % len(QUESTIONS[code])],
        }
        tasks.append(asyncio.create_task(_first_token(client, body)))
    done = await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 120)
    return [first for first, _ in done]


async def _prepare(base: str, token: str, project: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
        for code, title in (("P1", "전기차 충전 고객"), ("P2", "Grocery shopper")):
            r = await c.post("/api/company/personas", json={"code": code, "title": title})
            r.raise_for_status()
        placed = {}
        for name, code in (("ko_ev_charging.txt", "P1"), ("en_online_grocery.txt", "P2")):
            path = SAMPLES / name
            r = await c.post(
                "/api/workflow/async",
                json={"project_id": project, "text": path.read_text(encoding="utf-8")},
            )
            r.raise_for_status()
            placed[r.json()["interview_id"]] = code
        deadline = time.monotonic() + 300
        for interview_id, code in placed.items():
            while (await c.get(f"/api/interviews/{interview_id}")).json()["status"] != "completed":
                if time.monotonic() > deadline:
                    raise RuntimeError("the samples were not analysed in time")
                await asyncio.sleep(0.5)
            r = await c.patch(
                f"/api/interviews/{interview_id}/persona", json={"persona_code": code}
            )
            r.raise_for_status()
        # The search index step follows each analysis; chat retrieves line vectors from it.
        while True:
            r = await c.get("/api/search", params={"q": "충전", "project_id": project})
            if r.status_code == 200 and r.json()["groups"]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the samples were not indexed in time")
            await asyncio.sleep(0.5)


async def run(url: str, seeded: Seed, quick: bool, profile: Path | None = None) -> dict[str, Any]:
    answer = {"text": _short_answer()}
    fake = FakeOpenAI(lambda body: Reply(text=answer["text"]))
    results: dict[str, Any] = {}
    env = {
        "PERSONA_INSIGHT_CHAT_MESSAGES_PER_MINUTE": "100000",
        "PERSONA_INSIGHT_CHAT_COMPANY_MESSAGES_PER_MINUTE": "100000",
    }
    seconds = 6.0 if quick else 20.0
    rounds = 1 if quick else 3
    with serving(fake), server(url, env=env, profile=profile) as (base, process):
        await _prepare(base, seeded.token, seeded.project_id)
        headers = {"Authorization": f"Bearer {seeded.token}"}
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=120, limits=limits
        ) as c:
            for engine in ("offline", "llm"):
                settings: dict[str, Any] = {"engine": engine}
                if engine == "llm":
                    settings |= {"llm_model": "fake-model", "llm_base_url": fake.base_url}
                (await c.put("/api/company/analysis", json=settings)).raise_for_status()
                firsts = await _open_loop(c, seeded.project_id, 5.0, seconds)
                results[f"ttft_{engine}"] = {
                    "chats": len(firsts),
                    "rate_per_s": 5.0,
                    "p50_ms": round(percentile(firsts, 50) * 1000, 1),
                    "p95_ms": round(percentile(firsts, 95) * 1000, 1),
                    "max_ms": round(max(firsts) * 1000, 1),
                }
                print(engine, results[f"ttft_{engine}"], flush=True)
            answer["text"] = _long_answer()
            body = {
                "project_id": seeded.project_id,
                "persona_code": "P2",
                "message": "What is the hardest part?",
            }
            if profile:
                # Only the CPU-per-token phase is profiled (bench/profiled.py).
                process.send_signal(signal.SIGUSR1)
            before = cpu_seconds([process.pid])["server"]
            started = time.perf_counter()
            tokens = 0
            for _ in range(rounds):
                done = await asyncio.wait_for(
                    asyncio.gather(*(_first_token(c, body) for _ in range(50))), timeout=600
                )
                tokens += sum(n for _, n in done)
            wall = time.perf_counter() - started
            spent = cpu_seconds([process.pid])["server"] - before
            if profile:
                process.send_signal(signal.SIGUSR2)
                await asyncio.sleep(5)  # the profile is written before the server stops
            results["cpu_per_token"] = {
                "concurrent_chats": 50,
                "rounds": rounds,
                "tokens_delivered": tokens,
                "server_cpu_s": round(spent, 3),
                "us_per_token": round(spent / max(tokens, 1) * 1e6, 1),
                "tokens_per_s": round(tokens / wall, 1),
            }
            print("cpu", results["cpu_per_token"], flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    url = fresh_database(prefix="benchchat")
    load_before = os.getloadavg()
    results = asyncio.run(run(url, seed(url), args.quick, args.profile))
    if args.profile:
        return  # profiled figures are not the server's own
    # The machine is shared: the figures mean little without how busy it was.
    results["load_average"] = {"start": list(load_before), "end": list(os.getloadavg())}
    save("chat", results)
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
