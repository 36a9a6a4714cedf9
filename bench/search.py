"""Search at scale on one server process: indexing throughput, index size, search latency at a
steady 10 searches/s and the ceiling, and "ask" time to first token (offline engine) at 2/s.

Corpus: interviews made from the real evaluation transcripts (tests/analysis/real/files,
git-ignored; the demo samples when they are absent) with variation — each copy takes the turns
of one transcript in a rotated order with its numbers changed. The first `--indexed`
interviews are indexed for real (Kiwi morphemes and e5 vectors per line: that is the measured
indexing throughput); the rest reuse their base line's lexemes and vector (with small noise, so
the HNSW graph is not a pile of duplicates), which is how the index reaches `--interviews`
interviews in minutes on this machine. Queries are the evaluation set's (tests/search).

    uv run --frozen python -m bench.search [--interviews 1000] [--indexed 20] [--seconds 20]

Prints the figures and writes bench/results/search.json. Load goes to 127.0.0.1 only, every
phase bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
import uuid
from typing import Any

import httpx
import numpy as np
from tests.search.evaluation import QUERIES

from bench.harness import ROOT, fresh_database, percentile, save, seed, server

REAL = ROOT / "tests" / "analysis" / "real" / "files"
SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"
CEILING_P95_MS = 200.0
RATES = (10, 20, 40, 80, 160)


def base_scripts() -> tuple[str, list[list[tuple[str, str]]]]:
    """(source, [[(speaker, text) per turn] per transcript])."""
    from persona_insight import ingest
    from persona_insight.analysis.transcript import parse

    files = sorted(REAL.glob("*")) if REAL.is_dir() and any(REAL.iterdir()) else []
    source = "real transcripts (tests/analysis/real/files)"
    if not files:
        files, source = sorted(p for p in SAMPLES.iterdir() if p.name != "README.md"), "demo"
    scripts = []
    for path in files:
        try:
            text = ingest.extract(
                path.name, path.read_bytes(), max_bytes=50_000_000, max_chars=2_000_000
            ).text
        except Exception:  # noqa: S112 -- a file the reader refuses is left out of the corpus
            continue
        turns = [(t.role, t.text) for t in parse(text).turns if t.text.strip()]
        if turns:
            scripts.append(turns)
    return source, scripts


def vary(turns: list[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    shift = (n * 7) % len(turns)
    rotated = turns[shift:] + turns[:shift]
    return [(s, re.sub(r"\d+", lambda m: str(int(m.group(0)) + n % 9), t)) for s, t in rotated]


async def build(url: str, project_id: str, interviews: int, indexed: int) -> dict[str, Any]:
    from sqlalchemy import text

    from persona_insight.analysis.contract import InterviewAnalysis
    from persona_insight.db import Actor, Database
    from persona_insight.search import indexing

    source, scripts = base_scripts()
    db = Database(url, pool_size=2, app_role=False)
    prepared_by_base: dict[int, indexing.Prepared] = {}
    index_seconds = 0.0
    indexed_lines = 0
    total_lines = 0
    rng = np.random.default_rng(7)
    try:
        async with db.unit_of_work(Actor.system()) as s:
            company_id = (
                await s.execute(
                    text("SELECT company_id FROM projects WHERE id = :p"), {"p": project_id}
                )
            ).scalar_one()
        for n in range(interviews):
            base = n % len(scripts)
            turns = vary(scripts[base], n)
            interview_id = uuid.uuid4()
            analysis = InterviewAnalysis.model_validate(
                {
                    "language": "und",
                    "cleaned_script": [
                        {"id": [i], "speaker": sp, "cleaned_sentence": t[:8000]}
                        for i, (sp, t) in enumerate(turns[:5000], start=1)
                    ],
                    "interview_quality_assessment": {"overall_quality": {"score": 3}},
                }
            )
            if n < indexed or base not in prepared_by_base:
                started = time.perf_counter()
                prepared = await asyncio.to_thread(indexing.prepare, interview_id, analysis)
                index_seconds += time.perf_counter() - started
                indexed_lines += len(prepared.keyword_rows)
                prepared_by_base.setdefault(base, prepared)
            else:
                template = prepared_by_base[base]
                lines = indexing.lines_of(interview_id, analysis)
                by_text = {row[0].line_id: row for row in template.keyword_rows}
                vectors = {ref: vec for ref, _, vec in template.vector_rows}
                keyword_rows, vector_rows = [], []
                for line in lines:
                    if line.line_id not in by_text:
                        continue
                    _, korean, latin = by_text[line.line_id]
                    keyword_rows.append((line, korean, latin))
                    noisy = vectors[str(line.line_id)] + rng.normal(0, 0.01, 384).astype(np.float32)
                    vector_rows.append(
                        (str(line.line_id), line.text, noisy / np.linalg.norm(noisy))
                    )
                prepared = indexing.Prepared(keyword_rows, vector_rows)
            total_lines += len(prepared.keyword_rows)
            async with db.unit_of_work(Actor.system()) as s:
                await s.execute(
                    text(
                        "INSERT INTO interviews (id, company_id, project_id, title, status, source,"
                        " text, language, completed_at) VALUES (:id, :c, :p, :t, 'completed',"
                        " 'text', '', 'und', now())"
                    ),
                    {"id": interview_id, "c": company_id, "p": project_id, "t": f"Bench {n}"},
                )
                await s.execute(
                    text(
                        "INSERT INTO interview_analyses (interview_id, company_id, engine, result,"
                        " duration_ms) VALUES (:id, :c, 'bench', CAST(:r AS jsonb), 0)"
                    ),
                    {"id": interview_id, "c": company_id, "r": analysis.model_dump_json()},
                )
                await indexing.write(
                    s,
                    interview_id=interview_id,
                    company_id=company_id,
                    project_id=uuid.UUID(project_id),
                    prepared=prepared,
                )
            if n % 50 == 0:
                print(f"  {n}/{interviews} interviews, {total_lines} lines", flush=True)
        async with db.unit_of_work(Actor.system()) as s:
            size = (
                await s.execute(
                    text(
                        "SELECT pg_total_relation_size('search_lines'),"
                        " pg_total_relation_size('embeddings')"
                    )
                )
            ).one()
    finally:
        await db.dispose()
    return {
        "corpus": source,
        "interviews": interviews,
        "lines": total_lines,
        "indexing": {
            "interviews_indexed_for_real": min(indexed, interviews),
            "lines": indexed_lines,
            "seconds": round(index_seconds, 2),
            "lines_per_s": round(indexed_lines / index_seconds, 1) if index_seconds else None,
        },
        "index_bytes": {"search_lines": size[0], "embeddings": size[1]},
    }


async def open_loop(
    base: str, token: str, rate: float, seconds: float, make: Any
) -> tuple[list[float], int]:
    """Requests started on schedule at `rate`/s for `seconds` (bounded); latencies in ms."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30, limits=limits
    ) as client:

        async def one(n: int) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                latency = await make(client, n, started)
            except Exception:
                errors += 1
                return
            if latency is None:
                errors += 1
            else:
                latencies.append(latency)

        tasks = []
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 60)
    return latencies, errors


def search_request(client: httpx.AsyncClient, n: int, started: float) -> Any:
    async def go() -> float | None:
        r = await client.get("/api/search", params={"q": QUERIES[n % len(QUERIES)].q})
        return (time.perf_counter() - started) * 1000 if r.status_code == 200 else None

    return go()


def ask_request(project_id: str) -> Any:
    def make(client: httpx.AsyncClient, n: int, started: float) -> Any:
        async def go() -> float | None:
            question = QUERIES[n % len(QUERIES)].q
            async with client.stream(
                "POST", f"/api/projects/{project_id}/ask", json={"question": question}
            ) as r:
                if r.status_code != 200:
                    return None
                async for line in r.aiter_lines():
                    if line.startswith("data:") and '"type": "token"' in line:
                        return (time.perf_counter() - started) * 1000
            return None

        return go()

    return make


def summary(latencies: list[float], errors: int) -> dict[str, Any]:
    return {
        "requests": len(latencies) + errors,
        "errors": errors,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--indexed", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    url = fresh_database(prefix="bench_search")
    who = seed(url)
    print("building the index …", flush=True)
    built = asyncio.run(build(url, who.project_id, args.interviews, args.indexed))
    print(json.dumps(built, indent=1), flush=True)
    results: dict[str, Any] = {"build": built}
    env = {"PERSONA_INSIGHT_ASKS_PER_MINUTE": "100000"}
    with server(url, worker=False, env=env) as base:
        # Warm-up: the first query loads Kiwi and e5 in the server process.
        httpx.get(
            f"{base}/api/search",
            params={"q": "warm up"},
            timeout=120,
            headers={"Authorization": f"Bearer {who.token}"},
        )
        steady = summary(*asyncio.run(open_loop(base, who.token, 10, args.seconds, search_request)))
        print("10 searches/s:", steady, flush=True)
        results["search_at_10_per_s"] = steady
        ceiling = None
        steps = []
        for rate in RATES:
            step = summary(*asyncio.run(open_loop(base, who.token, rate, 10, search_request)))
            step["rate"] = rate
            steps.append(step)
            print(f"{rate} searches/s:", step, flush=True)
            if step["p95_ms"] > CEILING_P95_MS or step["errors"]:
                break
            ceiling = rate
        results["ceiling"] = {"searches_per_s_with_p95_under_200_ms": ceiling, "steps": steps}
        asks = summary(
            *asyncio.run(open_loop(base, who.token, 2, args.seconds, ask_request(who.project_id)))
        )
        print("ask time to first token at 2/s:", asks, flush=True)
        results["ask_ttft_at_2_per_s"] = asks
    path = save("search", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
