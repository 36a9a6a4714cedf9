"""Insights at scale on one process: full recomputation of a 1,000-interview project (~20,000
findings), the update after one more interview, and the insights API at 50 requests/s.

Corpus: interviewee turns of the real evaluation transcripts (tests/analysis/real/files,
git-ignored; the demo samples when they are absent), via bench.search's reader. Each generated
interview takes 10 pain points and 10 needs from one transcript's answers (rotated per copy, its
numbers changed), each citing its line. Up to `--base` distinct answers are embedded for real
(e5); each copy's finding vector is its base answer's plus small noise, so clusters are neither
duplicates nor random. Vectors are stored in the shared embeddings table, as the analysis job
stores them: recomputation embeds nothing.

    OPENBLAS_NUM_THREADS=1 uv run --frozen python -m bench.insights [--interviews 1000]
        [--seconds 10] [--cache /tmp/insights-vectors.npz] [--profile]

One BLAS thread: on 2 shared cores OpenBLAS's own threads oversubscribe them (the clustering ran
4x slower with its default threads at load average 20).

Writes bench/results/insights.json. Load goes to 127.0.0.1 only, bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import json
import os
import pstats
import resource
import time
import uuid
from typing import Any

import httpx
import numpy as np

from bench.harness import PG_DIR, RESULTS, ROOT, Seed, fresh_database, save, seed, server
from bench.search import base_scripts, open_loop, summary, vary

FINDINGS_PER_KIND = 10


def answers_of(scripts: list[list[tuple[str, str]]]) -> list[list[str]]:
    out = []
    for turns in scripts:
        said = [t[:300] for role, t in turns if role != "question" and len(t) > 20]
        if len(said) >= 2 * FINDINGS_PER_KIND:
            out.append(said)
    return out


def interview_of(n: int, said: list[str]) -> tuple[dict[str, Any], list[str], list[str]]:
    """The analysis of copy `n` of a transcript, its findings' texts and their base answers."""
    k = 2 * FINDINGS_PER_KIND
    shift = (n * 7) % len(said)
    picked = (said[shift:] + said[:shift])[:k]
    shift = (n * 7) % k  # vary() rotates the same way: its output pairs with this order
    bases = picked[shift:] + picked[:shift]
    chosen = vary([("answer", b) for b in picked], n)
    script: list[dict[str, Any]] = []
    pains: list[dict[str, Any]] = []
    needs: list[dict[str, Any]] = []
    for i, (_, text) in enumerate(chosen):
        script.append({"id": [2 * i + 1], "speaker": "question", "cleaned_sentence": "Q"})
        sentiment = "negative" if i < FINDINGS_PER_KIND else "neutral"
        script.append(
            {
                "id": [2 * i + 2],
                "speaker": "answer",
                "cleaned_sentence": text,
                "sentiment": sentiment,
            }
        )
        (pains if i < FINDINGS_PER_KIND else needs).append(
            {"description": text[:200], "evidence": [2 * i + 2]}
        )
    result = {
        "language": "ko" if any("\uac00" <= c <= "\ud7a3" for c in chosen[0][1]) else "en",
        "cleaned_script": script,
        "interview_quality_assessment": {"overall_quality": {"score": 3}},
        "primary_pain_points": pains,
        "primary_needs": needs,
        "keywords": [],
    }
    return result, [t for _, t in chosen], bases


async def add_interview(
    session: Any,
    *,
    n: int,
    company_id: Any,
    project_id: Any,
    said: list[str],
    vectors: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> None:
    from sqlalchemy import text

    from persona_insight.embeddings import repository as embeddings

    result, texts, bases = interview_of(n, said)
    interview_id = uuid.uuid4()
    await session.execute(
        text(
            "INSERT INTO interviews (id, company_id, project_id, title, status, source, text,"
            " language, completed_at) VALUES (:i, :c, :p, :t, 'completed', 'text', '', :l, now())"
        ),
        {
            "i": interview_id,
            "c": company_id,
            "p": project_id,
            "t": f"Interview {n}",
            "l": result["language"],
        },
    )
    await session.execute(
        text(
            "INSERT INTO interview_analyses (interview_id, company_id, engine, result, duration_ms)"
            " VALUES (:i, :c, 'bench', CAST(:r AS jsonb), 1)"
        ),
        {"i": interview_id, "c": company_id, "r": json.dumps(result)},
    )
    rows = []
    for k, (said_text, base_text) in enumerate(zip(texts, bases, strict=True)):
        kind, index = ("pain", k) if k < FINDINGS_PER_KIND else ("need", k - FINDINGS_PER_KIND)
        base = vectors[base_text]
        v = base + rng.normal(0, 0.01, base.shape).astype(np.float32)
        rows.append((f"{kind}:{index}", said_text, (v / np.linalg.norm(v)).astype(np.float32)))
    await embeddings.replace(
        session,
        company_id=company_id,
        project_id=project_id,
        owner_id=interview_id,
        interview_id=interview_id,
        kind="finding",
        rows=rows,
    )


def cached_embeddings(texts: list[str], embed: Any, cache: str | None) -> Any:
    """The texts' vectors, from `cache` (an .npz of texts and vectors) when it holds exactly
    these texts: a second run on a loaded machine skips minutes of embedding."""
    if cache:
        try:
            with np.load(cache, allow_pickle=False) as z:
                if z["texts"].tolist() == texts:
                    return z["vectors"]
        except FileNotFoundError:
            pass
    out = embed(texts)
    if cache:
        np.savez(cache, texts=np.array(texts), vectors=out)
    return out


async def build_and_recompute(
    url: str,
    project_id: str,
    interviews: int,
    max_answers: int,
    cache: str | None = None,
    profile: bool = False,
) -> dict[str, Any]:
    from sqlalchemy import text

    from persona_insight.db import Actor, Database
    from persona_insight.embeddings.vectors import embed_passages
    from persona_insight.insights import service
    from persona_insight.jobs.queue import queue

    source, scripts = base_scripts()
    bases = answers_of(scripts)
    bases = [said[:max_answers] for said in bases]
    unique = sorted({t for said in bases for t in said})
    started = time.perf_counter()
    vectors = dict(zip(unique, cached_embeddings(unique, embed_passages, cache), strict=True))
    embed_s = time.perf_counter() - started
    db = Database(url, pool_size=2, app_role=False)
    rng = np.random.default_rng(7)
    pid = uuid.UUID(project_id)
    try:
        async with db.unit_of_work(Actor.system()) as s:
            company_id = (
                await s.execute(text("SELECT company_id FROM projects WHERE id = :p"), {"p": pid})
            ).scalar_one()
        started = time.perf_counter()
        for first in range(0, interviews, 50):  # 50 interviews a transaction
            async with db.unit_of_work(Actor.system()) as s:
                for n in range(first, min(first + 50, interviews)):
                    await add_interview(
                        s,
                        n=n,
                        company_id=company_id,
                        project_id=pid,
                        said=bases[n % len(bases)],
                        vectors=vectors,
                        rng=rng,
                    )
            print(f"  {min(first + 50, interviews)} interviews", flush=True)
        load_s = time.perf_counter() - started
        actor = Actor(company_id=company_id, role="system")
        timings = []
        hot: list[str] = []
        for run in range(2):  # the first also creates every theme; the second rewrites them
            profiler = cProfile.Profile() if profile and run == 1 else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            async with db.unit_of_work(actor) as s:
                await service.recompute(s, pid, company_id, force=True)
            timings.append(time.perf_counter() - started)
            if profiler:
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
                hot = out.getvalue().splitlines()
                print(out.getvalue(), flush=True)
        async with db.unit_of_work(actor) as s:
            insights = await service.project_insights(s, pid)
        async with db.unit_of_work(Actor.system()) as s:
            await add_interview(
                s,
                n=interviews,
                company_id=company_id,
                project_id=pid,
                said=bases[interviews % len(bases)],
                vectors=vectors,
                rng=rng,
            )
        # The worker has every task module imported; without this, procrastinate imports them
        # (hundreds of modules) on the first deferral, inside the timed update.
        queue.perform_import_paths()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        async with db.unit_of_work(actor) as s:
            assert await service.recompute(s, pid, company_id)
        incremental_s = time.perf_counter() - started
        hot_incremental: list[str] = []
        if profiler:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
            hot_incremental = out.getvalue().splitlines()
            print(out.getvalue(), flush=True)
        async with db.unit_of_work(Actor.system()) as s:
            # The incremental path queues the settling full recomputation; a full one does not.
            incremental_path = bool(
                await s.scalar(
                    text(
                        "SELECT count(*) FROM procrastinate_jobs"
                        " WHERE task_name = :t AND status = 'todo'"
                    ),
                    {"t": service.FULL_TASK},
                )
            )
    finally:
        await db.dispose()
    return {
        "corpus": source,
        "interviews": interviews,
        "findings": insights.finding_count,
        "themes": len(insights.themes),
        "base_answers_embedded": len(unique),
        "embed_seconds": round(embed_s, 1),
        "load_seconds": round(load_s, 1),
        "full_recompute_s": [round(t, 2) for t in timings],
        "after_one_more_interview_s": round(incremental_s, 2),
        "after_one_more_interview_incremental": incremental_path,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **({"profile_full_recompute": hot[:60]} if hot else {}),
        **({"profile_incremental": hot_incremental[:50]} if hot_incremental else {}),
    }


BUILT = ROOT / "data" / "bench-insights-built.json"


def api_at_50(url: str, who: Seed, seconds: float) -> dict[str, Any]:
    """The insights API on one server process at 50 requests/s for `seconds` (bounded): the
    first request (cold: reads the stored themes) timed apart, then the open loop."""
    path = f"/api/projects/{who.project_id}/insights"

    def get(client: httpx.AsyncClient, n: int, started: float) -> Any:
        async def go() -> float | None:
            r = await client.get(path)
            return (time.perf_counter() - started) * 1000 if r.status_code == 200 else None

        return go()

    def project(client: httpx.AsyncClient, n: int, started: float) -> Any:
        async def go() -> float | None:
            r = await client.get(f"/api/projects/{who.project_id}")
            return (time.perf_counter() - started) * 1000 if r.status_code == 200 else None

        return go()

    with server(url, worker=False) as running:
        base = running[0] if isinstance(running, tuple) else running
        started = time.perf_counter()
        first = httpx.get(base + path, timeout=60, headers={"Authorization": f"Bearer {who.token}"})
        cold_ms = (time.perf_counter() - started) * 1000
        alone = []  # one request at a time: the cost of a read, without queueing
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {who.token}"}, timeout=60
        ) as c:
            for _ in range(40):
                started = time.perf_counter()
                assert c.get(path).status_code == 200
                alone.append((time.perf_counter() - started) * 1000)
        out = summary(*asyncio.run(open_loop(base, who.token, 50, seconds, get)))
        # The floor on this machine: the project itself (auth, one row), at the same rate.
        floor = summary(*asyncio.run(open_loop(base, who.token, 50, seconds, project)))
    return out | {
        "first_request_ms": round(cold_ms, 1),
        "answer_kb": len(first.content) // 1024,
        "one_at_a_time": summary(alone, 0),
        "floor_get_project": floor,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--answers", type=int, default=80, help="answers per transcript")
    parser.add_argument(
        "--api-only",
        action="store_true",
        help="only the API part, on the project the last full run built (data/)",
    )
    parser.add_argument("--cache", help="an .npz to keep the base answers' vectors in")
    parser.add_argument("--profile", action="store_true", help="profile one full recompute")
    args = parser.parse_args()
    if args.api_only:
        from persona_insight.db import start_embedded

        start_embedded(PG_DIR)  # the database server stopped with the run that built it
        built = json.loads(BUILT.read_text())
        url, who = built["url"], Seed(**built["seed"])
        results: dict[str, Any] = json.loads((RESULTS / "insights.json").read_text())
    else:
        url = fresh_database(prefix="bench_insights")
        who = seed(url)
        print("building the project …", flush=True)
        results = {
            "recompute": asyncio.run(
                build_and_recompute(
                    url, who.project_id, args.interviews, args.answers, args.cache, args.profile
                )
            )
        }
        BUILT.write_text(json.dumps({"url": url, "seed": dataclasses.asdict(who)}))
        print(json.dumps(results, indent=1), flush=True)
        print(f"wrote {save('insights', results)}", flush=True)  # kept if the API phase fails
    if args.seconds <= 0:
        return
    results.pop("machine", None)
    try:
        api = api_at_50(url, who, args.seconds)
    except TimeoutError:
        # Requests still waiting a minute after the load ended: recorded, not a crash.
        api = {"error": f"requests unanswered {args.seconds + 60:.0f} s after the start"}
    api["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print("insights API at 50 requests/s:", api, flush=True)
    results["api_at_50_per_s"] = api
    print(f"wrote {save('insights', results)}")


if __name__ == "__main__":
    main()
