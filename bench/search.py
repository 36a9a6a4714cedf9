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
import os
import re
import time
import uuid
from typing import Any

import httpx
import numpy as np
from tests.search.evaluation import QUERIES, REAL_QUERIES

from bench.harness import (
    RESULTS,
    ROOT,
    fresh_database,
    loop_seconds,
    newest_database,
    percentile,
    prewarm,
    save,
    seed,
    server,
    token_for,
)

REAL = ROOT / "tests" / "analysis" / "real" / "files"
SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"
CEILING_P95_MS = 200.0
RATES = (10, 20, 40, 80, 160)


CORPUS = {"name": "real"}


def base_texts() -> tuple[str, list[str]]:
    """(source, [the text of each base transcript that has speech])."""
    from persona_insight import ingest
    from persona_insight.analysis.transcript import parse

    files = sorted(REAL.glob("*")) if REAL.is_dir() and any(REAL.iterdir()) else []
    if CORPUS["name"] == "demo":
        files = []
    source = "real transcripts (tests/analysis/real/files)"
    if not files:
        files, source = sorted(p for p in SAMPLES.iterdir() if p.name != "README.md"), "demo"
    texts = []
    for path in files:
        try:
            text = ingest.extract(
                path.name, path.read_bytes(), max_bytes=50_000_000, max_chars=2_000_000
            ).text
        except Exception:  # noqa: S112 -- a file the reader refuses is left out of the corpus
            continue
        if any(t.text.strip() for t in parse(text).turns):
            texts.append(text)
    return source, texts


def base_scripts() -> tuple[str, list[list[tuple[str, str]]]]:
    """(source, [[(speaker, text) per turn] per transcript])."""
    from persona_insight.analysis.transcript import parse

    source, texts = base_texts()
    scripts: list[list[tuple[str, str]]] = [
        [(t.role, t.text) for t in parse(text).turns if t.text.strip()] for text in texts
    ]
    return source, scripts


def finding_templates() -> list[list[Any]]:
    """Each base transcript's findings as the analysis job embeds them (the offline engine's
    pain points and needs, label and evidence): a search ranks them beside the lines, so an
    index without them measures less than a search does."""
    from persona_insight.analysis.engine import AnalysisContext
    from persona_insight.analysis.offline.engine import analyse_sync
    from persona_insight.analysis.transcript import parse
    from persona_insight.embeddings.service import finding_rows

    _, texts = base_texts()
    return [
        finding_rows(analyse_sync(parse(text), AnalysisContext(title="bench")).analysis)
        for text in texts
    ]


async def company_of(s: Any, project_id: str) -> uuid.UUID:
    """The bench project's company."""
    from sqlalchemy import text

    found: uuid.UUID = (
        await s.execute(text("SELECT company_id FROM projects WHERE id = :p"), {"p": project_id})
    ).scalar_one()
    return found


async def add_findings(url: str, project_id: str) -> dict[str, Any]:
    """Finding vectors for every interview of the index that has none: its base transcript's,
    with small noise (as `copy_of` does for lines). Returns how many and how long."""
    from sqlalchemy import text

    from persona_insight.db import Actor, Database
    from persona_insight.embeddings import repository as embeddings

    started = time.perf_counter()
    templates: list[list[Any]] | None = None
    rng = np.random.default_rng(11)
    db = Database(url, pool_size=2, app_role=False)
    added = 0
    try:
        async with db.unit_of_work(Actor.system()) as s:
            company_id = await company_of(s, project_id)
            missing = (
                await s.execute(
                    text(
                        "SELECT i.id, i.title FROM interviews i WHERE i.project_id = :p"
                        " AND i.title LIKE 'Bench %' AND NOT EXISTS (SELECT 1 FROM embeddings e"
                        " WHERE e.owner_id = i.id AND e.kind = 'finding') ORDER BY i.title"
                    ),
                    {"p": project_id},
                )
            ).all()
        if missing:
            templates = await asyncio.to_thread(finding_templates)
        for start in range(0, len(missing), 50):
            async with db.unit_of_work(Actor.system()) as s:
                for interview_id, title in missing[start : start + 50]:
                    assert templates is not None
                    rows = []
                    for ref, body, vector in templates[int(title.split()[-1]) % len(templates)]:
                        noisy = vector + rng.normal(0, 0.01, 384).astype(np.float32)
                        rows.append((ref, body, noisy / np.linalg.norm(noisy)))
                    await embeddings.replace(
                        s,
                        company_id=company_id,
                        project_id=uuid.UUID(project_id),
                        owner_id=interview_id,
                        interview_id=interview_id,
                        kind="finding",
                        rows=rows,
                    )
                    added += len(rows)
            print(
                f"  findings of {min(start + 50, len(missing))}/{len(missing)} interviews",
                flush=True,
            )
        async with db.unit_of_work(Actor.system()) as s:
            await s.execute(text("ANALYZE embeddings"))
            total = (
                await s.execute(text("SELECT count(*) FROM embeddings WHERE kind = 'finding'"))
            ).scalar_one()
    finally:
        await db.dispose()
    return {
        "finding_vectors": total,
        "added": added,
        "seconds": round(time.perf_counter() - started, 1),
    }


def vary(turns: list[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    shift = (n * 7) % len(turns)
    rotated = turns[shift:] + turns[:shift]
    return [(s, re.sub(r"\d+", lambda m: str(int(m.group(0)) + n % 9), t)) for s, t in rotated]


def analysis_of(turns: list[tuple[str, str]]) -> Any:
    from persona_insight.analysis.contract import InterviewAnalysis

    return InterviewAnalysis.model_validate(
        {
            "language": "und",
            "cleaned_script": [
                {"id": [i], "speaker": sp, "cleaned_sentence": t[:8000]}
                for i, (sp, t) in enumerate(turns[:5000], start=1)
            ],
            "interview_quality_assessment": {"overall_quality": {"score": 3}},
        }
    )


async def store_interview(s: Any, ids: Ids, interview_id: uuid.UUID, n: int, analysis: Any) -> None:
    """The interview and its analysis rows, as a completed analysis leaves them."""
    from sqlalchemy import text

    await s.execute(
        text(
            "INSERT INTO interviews (id, company_id, project_id, title, status, source,"
            " text, language, completed_at) VALUES (:id, :c, :p, :t, 'completed',"
            " 'text', '', 'und', now())"
        ),
        {"id": interview_id, "c": ids.company_id, "p": ids.project_id, "t": f"Bench {n}"},
    )
    await s.execute(
        text(
            "INSERT INTO interview_analyses (interview_id, company_id, engine, result,"
            " duration_ms) VALUES (:id, :c, 'bench', CAST(:r AS jsonb), 0)"
        ),
        {"id": interview_id, "c": ids.company_id, "r": analysis.model_dump_json()},
    )


class Ids:
    def __init__(self, company_id: uuid.UUID, project_id: uuid.UUID) -> None:
        self.company_id, self.project_id = company_id, project_id


def copy_of(template: Any, interview_id: uuid.UUID, analysis: Any, rng: Any) -> Any:
    """A varied copy's index rows from its base transcript's: the same lexemes, the vectors
    (a long line's windows too) with small noise so the HNSW graph is not a pile of
    duplicates."""
    from persona_insight.embeddings.windows import line_ref
    from persona_insight.search import indexing, lexemes

    by_line = {row[0].line_id: row for row in template.keyword_rows}
    vectors: dict[str, list[tuple[str, Any]]] = {}
    for ref, _, vector in template.vector_rows:
        vectors.setdefault(line_ref(ref), []).append((ref, vector))
    keyword_rows, vector_rows = [], []
    for line in indexing.lines_of(interview_id, analysis):
        if line.line_id not in by_line:
            continue
        _, korean, latin, marks = by_line[line.line_id]
        keyword_rows.append((line, korean, latin, marks))
        for ref, vector in vectors.get(str(line.line_id), []):
            noisy = vector + rng.normal(0, 0.01, 384).astype(np.float32)
            vector_rows.append((ref, line.text, noisy / np.linalg.norm(noisy)))
    # A Korean line whose numbers the variation changed has its marks at other offsets.
    moved = [
        n
        for n, (line, _, _, marks) in enumerate(keyword_rows)
        if marks is not None and line.text != by_line[line.line_id][0].text
    ]
    again = lexemes.analyse([keyword_rows[n][0].text for n in moved])
    for n, analysed in zip(moved, again, strict=True):
        line, korean, latin, _ = keyword_rows[n]
        keyword_rows[n] = (line, korean, latin, lexemes.marks_of(line.text, analysed))
    return indexing.Prepared(keyword_rows, vector_rows)


async def build(
    url: str, project_id: str, interviews: int, indexed: int, deadline: float
) -> dict[str, Any]:
    """Index `interviews` interviews, the first `indexed` for real and the rest as copies;
    stops early (and says so) at `deadline` (time.monotonic())."""
    from sqlalchemy import text

    from persona_insight.db import Actor, Database
    from persona_insight.search import indexing

    source, scripts = base_scripts()
    db = Database(url, pool_size=2, app_role=False)
    templates: dict[int, indexing.Prepared] = {}
    prepare_seconds = write_seconds = 0.0
    indexed_lines = indexed_vectors = total_lines = total_vectors = built = 0
    hnsw_seconds = None
    rng = np.random.default_rng(7)
    progress_at = time.monotonic()
    try:
        async with db.unit_of_work(Actor.system()) as s:
            company_id = await company_of(s, project_id)
        ids = Ids(company_id, uuid.UUID(project_id))
        # Kiwi and e5 load once per process (tens of seconds): not indexing time.
        from persona_insight.analysis.offline import models

        await asyncio.to_thread(models.warm_up)
        # Real indexing, one interview per transaction with the HNSW index live, as the job
        # does: the measured throughput (Kiwi + e5 + the writes).
        real = min(indexed, interviews)
        for n in range(real):
            if time.monotonic() > deadline:
                break
            base = n % len(scripts)
            interview_id = uuid.uuid4()
            analysis = analysis_of(vary(scripts[base], n))
            started = time.perf_counter()
            prepared = await asyncio.to_thread(indexing.prepare, interview_id, analysis)
            prepare_seconds += time.perf_counter() - started
            started = time.perf_counter()
            async with db.unit_of_work(Actor.system()) as s:
                await store_interview(s, ids, interview_id, n, analysis)
                await indexing.write(
                    s,
                    interview_id=interview_id,
                    company_id=company_id,
                    project_id=ids.project_id,
                    prepared=prepared,
                )
            write_seconds += time.perf_counter() - started
            templates.setdefault(base, prepared)
            indexed_lines += len(prepared.keyword_rows)
            indexed_vectors += len(prepared.vector_rows)
            total_lines += len(prepared.keyword_rows)
            total_vectors += len(prepared.vector_rows)
            built += 1
            print(
                f"  real {built}/{real}: {total_lines} lines,"
                f" {indexed_lines / (prepare_seconds + write_seconds):.0f} lines/s",
                flush=True,
            )
        # Copies: bulk-loaded in batches with the HNSW index dropped and built once at the end
        # (inserting 100,000 vectors one by one into the graph took over half an hour here).
        if built < interviews and time.monotonic() < deadline:
            # Every HNSW index the migrations made (the general one and one per script), as
            # they defined it.
            async with db.unit_of_work(Actor.system()) as s:
                hnsw = (
                    await s.execute(
                        text(
                            "SELECT indexname, indexdef FROM pg_indexes"
                            " WHERE tablename = 'embeddings' AND indexdef LIKE '%USING hnsw%'"
                        )
                    )
                ).all()
                for name, _ in hnsw:
                    await s.execute(text(f'DROP INDEX "{name}"'))
            while built < interviews and time.monotonic() < deadline:
                async with db.unit_of_work(Actor.system()) as s:
                    for n in range(built, min(built + 25, interviews)):
                        base = n % len(scripts)
                        interview_id = uuid.uuid4()
                        analysis = analysis_of(vary(scripts[base], n))
                        if base not in templates:
                            templates[base] = await asyncio.to_thread(
                                indexing.prepare, interview_id, analysis
                            )
                        prepared = copy_of(templates[base], interview_id, analysis, rng)
                        await store_interview(s, ids, interview_id, n, analysis)
                        await indexing.write(
                            s,
                            interview_id=interview_id,
                            company_id=company_id,
                            project_id=ids.project_id,
                            prepared=prepared,
                        )
                        total_lines += len(prepared.keyword_rows)
                        total_vectors += len(prepared.vector_rows)
                built = min(built + 25, interviews)
                if time.monotonic() - progress_at > 10 or built >= interviews:
                    progress_at = time.monotonic()
                    print(f"  {built}/{interviews} interviews, {total_lines} lines", flush=True)
            print(f"  building the HNSW indexes ({len(hnsw)}) …", flush=True)
            started = time.perf_counter()
            async with db.unit_of_work(Actor.system()) as s:
                for _, definition in hnsw:
                    await s.execute(text(definition))
                await s.execute(text("ANALYZE search_lines"))
                await s.execute(text("ANALYZE embeddings"))
            hnsw_seconds = round(time.perf_counter() - started, 1)
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
    seconds = prepare_seconds + write_seconds
    return {
        "corpus": source,
        "interviews": built,
        "interviews_asked": interviews,
        "stopped_early": built < interviews,
        "lines": total_lines,
        "vectors": total_vectors,
        "indexing": {
            "interviews_indexed_for_real": min(indexed, built),
            "lines": indexed_lines,
            "vectors": indexed_vectors,
            "prepare_seconds": round(prepare_seconds, 2),
            "write_seconds": round(write_seconds, 2),
            "lines_per_s": round(indexed_lines / seconds, 1) if seconds else None,
        },
        "hnsw_build_seconds": hnsw_seconds,
        "index_bytes": {"search_lines": size[0], "embeddings": size[1]},
    }


HANGUL = re.compile(r"[\uac00-\ud7a3]")


def long_turns(language: str) -> list[tuple[str, str]]:
    """The real transcripts' turns in order: every transcript ("all": the English ones come
    first, so a 1,000-line interview is English turns), or only the Korean ones ("ko"), whose
    turns are about a ninth as long."""
    _, scripts = base_scripts()
    if language == "ko":
        scripts = [
            script
            for script in scripts
            if sum(len(HANGUL.findall(t)) for _, t in script) * 2 > sum(len(t) for _, t in script)
        ]
    return [turn for script in scripts for turn in script]


async def one_long_interview(
    url: str, project_id: str, lines: int, language: str = "all"
) -> dict[str, Any]:
    """Seconds from a completed `lines`-line interview to its being searchable by its words
    (the keyword rows committed) and by meaning too (the job done): the index job's own work
    (`indexing.index_interview`, reading the stored analysis) on the full index; the job
    queue's pick-up (LISTEN/NOTIFY) is not included."""
    from sqlalchemy import text

    from persona_insight.db import Actor, Database
    from persona_insight.search import indexing

    turns = long_turns(language)
    turns = (turns * (lines // max(1, len(turns)) + 1))[:lines]
    db = Database(url, pool_size=2, app_role=False)
    try:
        async with db.unit_of_work(Actor.system()) as s:
            company_id = await company_of(s, project_id)
        interview_id = uuid.uuid4()
        analysis = analysis_of(turns)
        async with db.unit_of_work(Actor.system()) as s:
            await store_interview(
                s, Ids(company_id, uuid.UUID(project_id)), interview_id, -1, analysis
            )
        phases: dict[str, float] = {}
        started = time.perf_counter()
        job = asyncio.create_task(
            indexing.index_interview(
                lambda: db.unit_of_work(Actor(company_id=company_id, role="system")),
                interview_id,
                phases,
            )
        )
        # Its words are searchable once the keyword rows commit (the first of the job's two
        # writes): watched from another connection, every 0.1 s, bounded by the job's end.
        by_words = None
        while not job.done():
            async with db.unit_of_work(Actor.system()) as s:
                found = (
                    await s.execute(
                        text("SELECT count(*) FROM search_lines WHERE interview_id = :i"),
                        {"i": interview_id},
                    )
                ).scalar_one()
            if found and by_words is None:
                by_words = time.perf_counter() - started
            await asyncio.sleep(0.1)
        count = await job
        seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    return {
        "turns": "Korean transcripts only" if language == "ko" else "all transcripts, in order",
        "lines": count,
        "characters": sum(len(t) for _, t in turns),
        "seconds_to_searchable_by_words": round(by_words if by_words is not None else seconds, 2),
        "seconds_to_searchable": round(seconds, 2),
        "target_seconds": 15,
        # keywords: Kiwi; vectors: e5 over every line and window; *_written: the transactions.
        "phases_seconds": {name: round(value, 2) for name, value in phases.items()},
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
        # Bounded: whatever has not answered 30 s after the last start counts as an error.
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=30)
            for task in pending:
                task.cancel()
            errors += len(pending)
    return latencies, errors


def search_request(client: httpx.AsyncClient, n: int, started: float) -> Any:
    async def go() -> float | None:
        r = await client.get("/api/search", params={"q": QUERIES[n % len(QUERIES)].q})
        return (time.perf_counter() - started) * 1000 if r.status_code == 200 else None

    return go()


def noting(seen: list[tuple[int, float]], make: Any) -> Any:
    """`make`'s requests, each answered one's (number, latency) also noted in `seen`."""

    def noted(client: httpx.AsyncClient, n: int, started: float) -> Any:
        async def go() -> float | None:
            latency: float | None = await make(client, n, started)
            if latency is not None:
                seen.append((n, latency))
            return latency

        return go()

    return noted


def warm_up_request(client: httpx.AsyncClient, n: int, started: float) -> Any:
    """Other queries than the measured ones (the real transcripts' evaluation queries): the
    server's pooled connections, prepared statements and PostgreSQL's buffers warm up, while
    each measured query is still embedded for the first time when it first comes."""

    async def go() -> float | None:
        r = await client.get("/api/search", params={"q": REAL_QUERIES[n % len(REAL_QUERIES)].q})
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
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def long_interviews_again(args: argparse.Namespace) -> None:
    url = newest_database(prefix="bench_search")
    if url is None:
        raise SystemExit("no index to reuse: run without --long-only first")
    who = token_for(url)
    results = json.loads((RESULTS / f"{args.out}.json").read_text())
    results["long_interviews_measured_again"] = {"load_average_start": load_average()}
    # The models load once per process; a full run has loaded them while building the index.
    from persona_insight.embeddings.vectors import embed_passages
    from persona_insight.search import lexemes

    lexemes.analyse(["모델을 먼저 불러 둡니다 (warm-up)"])
    embed_passages(["warm-up"])
    for key, language in (("one_long_interview", "all"), ("one_long_interview_ko", "ko")):
        print(f"indexing one {args.long_lines}-line interview ({language}) …", flush=True)
        long = asyncio.run(one_long_interview(url, who.project_id, args.long_lines, language))
        long["load_average"] = load_average()
        print(key, long, flush=True)
        results[key] = long
    print(f"wrote {save(args.out, results)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=1000, help="index size (interviews)")
    parser.add_argument("--indexed", type=int, default=20, help="of them indexed for real")
    parser.add_argument("--seconds", type=float, default=20, help="steady 10/s and ask phases")
    parser.add_argument("--step-seconds", type=float, default=10, help="each ceiling step")
    parser.add_argument(
        "--warm-up-seconds", type=float, default=10, help="other queries at 10/s, not measured"
    )
    parser.add_argument("--build-minutes", type=float, default=40, help="bound on the build")
    parser.add_argument("--long-lines", type=int, default=1000, help="the one long interview")
    parser.add_argument("--out", default="search", help="bench/results/<out>.json")
    parser.add_argument(
        "--corpus", choices=("real", "demo"), default="real", help="demo: a quick smoke run"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure searching and asking again on the index the last run left (its build "
        "and long-interview figures are kept from bench/results/<out>.json)",
    )
    parser.add_argument(
        "--long-only",
        action="store_true",
        help="on the index the last run left, measure only the two long interviews again "
        "(every other figure is kept from bench/results/<out>.json)",
    )
    args = parser.parse_args()
    CORPUS["name"] = args.corpus
    if args.long_only:
        long_interviews_again(args)
        return
    results: dict[str, Any] = {
        "args": vars(args),
        "load_average_start": load_average(),
        "loop_seconds_start": loop_seconds(),
    }
    if args.reuse:
        reused = newest_database(prefix="bench_search")
        if reused is None:
            raise SystemExit("no index to reuse: run without --reuse first")
        url, who = reused, token_for(reused)
        earlier = json.loads((RESULTS / f"{args.out}.json").read_text())
        results["build"] = earlier["build"]
        results["one_long_interview"] = earlier.get("one_long_interview")
        results["one_long_interview_ko"] = earlier.get("one_long_interview_ko")
        results["reused_from"] = {"started": earlier.get("load_average_start")}
        args.long_lines = 0
    else:
        url = fresh_database(prefix="bench_search")
        who = seed(url)
        print(f"building the index (load {load_average()}) …", flush=True)
        deadline = time.monotonic() + args.build_minutes * 60
        built = asyncio.run(build(url, who.project_id, args.interviews, args.indexed, deadline))
        print(json.dumps(built, indent=1), flush=True)
        results["build"] = built
        save(args.out, results)  # each phase is kept even if a later one is stopped
    # Each interview's findings beside its lines (an earlier index may have none: added once).
    results["findings"] = asyncio.run(add_findings(url, who.project_id))
    print("findings:", results["findings"], flush=True)
    if args.long_lines:
        print(f"indexing one {args.long_lines}-line interview …", flush=True)
        long = asyncio.run(one_long_interview(url, who.project_id, args.long_lines))
        long["load_average"] = load_average()
        print("one long interview:", long, flush=True)
        results["one_long_interview"] = long
        save(args.out, results)
        print(f"indexing one {args.long_lines}-line interview of Korean turns …", flush=True)
        long_ko = asyncio.run(one_long_interview(url, who.project_id, args.long_lines, "ko"))
        long_ko["load_average"] = load_average()
        print("one long Korean interview:", long_ko, flush=True)
        results["one_long_interview_ko"] = long_ko
        save(args.out, results)
    env = {"PERSONA_INSIGHT_ASKS_PER_MINUTE": "100000"}
    results["prewarmed_gb"] = prewarm(url)
    with server(url, worker=False, env=env) as (base, _process):
        # Warm-up: the first query loads Kiwi and e5 in the server process.
        httpx.get(
            f"{base}/api/search",
            params={"q": "warm up"},
            timeout=120,
            headers={"Authorization": f"Bearer {who.token}"},
        )
        warm = summary(
            *asyncio.run(open_loop(base, who.token, 10, args.warm_up_seconds, warm_up_request))
        )
        warm["load_average"] = load_average()
        print("warm-up, 10 searches/s of other queries:", warm, flush=True)
        results["warm_up_at_10_per_s"] = warm
        seen: list[tuple[int, float]] = []
        steady = summary(
            *asyncio.run(open_loop(base, who.token, 10, args.seconds, noting(seen, search_request)))
        )
        # The first pass over the queries embeds each one (~10-20 ms of e5); the rest find
        # its vector cached. Both halves of the one figure above, apart.
        steady["new_queries"] = summary([ms for n, ms in seen if n < len(QUERIES)], 0)
        steady["repeated_queries"] = summary([ms for n, ms in seen if n >= len(QUERIES)], 0)
        steady["load_average"] = load_average()
        print("10 searches/s:", steady, flush=True)
        results["search_at_10_per_s"] = steady
        save(args.out, results)
        ceiling = None
        steps = []
        for rate in RATES:
            step = summary(
                *asyncio.run(open_loop(base, who.token, rate, args.step_seconds, search_request))
            )
            step["rate"] = rate
            step["load_average"] = load_average()
            steps.append(step)
            print(f"{rate} searches/s:", step, flush=True)
            if step["p95_ms"] is None or step["p95_ms"] > CEILING_P95_MS or step["errors"]:
                break
            ceiling = rate
        results["ceiling"] = {"searches_per_s_with_p95_under_200_ms": ceiling, "steps": steps}
        save(args.out, results)
        asks = summary(
            *asyncio.run(open_loop(base, who.token, 2, args.seconds, ask_request(who.project_id)))
        )
        asks["load_average"] = load_average()
        print("ask time to first token at 2/s:", asks, flush=True)
        results["ask_ttft_at_2_per_s"] = asks
    results["load_average_end"] = load_average()
    results["loop_seconds_end"] = loop_seconds()
    path = save(args.out, results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
