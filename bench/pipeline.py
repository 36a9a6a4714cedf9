"""The upload workflow under load.

1. `POST /api/workflow/async` latency at concurrency 20 with 20 KB transcripts, answered by one
   server process (its job worker off, so the figure is the API's own), by two (`--workers 2`),
   then by one while its in-process worker analyses what arrives (the default `serve`).
2. The time for 200 uploads to all reach `completed` with the offline engine (one default
   `serve` process: API plus a worker of concurrency 2).

Each latency variant runs --repeat times (default 3) on a fresh database and server; the run with
the median p99 is reported with every run's p99 beside it.

    uv run --frozen python -m bench.pipeline [--requests 1000]

Prints the figures and writes bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import threading
import time
from typing import Any

import httpx
import orjson
import psycopg

from bench import httpload
from bench.harness import ROOT, cpu_seconds, fresh_database, percentile, save, seed, server

CONCURRENCY = 20
TEXT_BYTES = 20_000
MAX_SECONDS = 120


def transcript(size: int = TEXT_BYTES) -> str:
    samples = sorted((ROOT / "src/persona_insight/demo/samples").glob("*.txt"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in samples)
    while len(text.encode()) < size:
        text += "\n" + text
    return text.encode()[:size].decode("utf-8", errors="ignore")


class WaitSampler:
    """Where the database's sessions are, every 10 ms while the load runs: running a statement,
    waiting for a lock (which), or idle inside a transaction while the server works. The mean
    count of sessions in each state shows what the uploads queue on."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples: list[dict[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        sql = (
            "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'running'), count(*)"
            " FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND state IN ('active', 'idle in transaction') GROUP BY 1, 2"
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            deadline = time.monotonic() + MAX_SECONDS
            while not self._stop.wait(0.01) and time.monotonic() < deadline:
                rows = conn.execute(sql).fetchall()
                self.samples.append(
                    {
                        (wait if state == "active" else "idle in transaction"): int(n)
                        for state, wait, n in rows
                    }
                )

    def summary(self) -> dict[str, float]:
        keys = sorted({k for sample in self.samples for k in sample})
        n = max(len(self.samples), 1)
        return {k: round(sum(s.get(k, 0) for s in self.samples) / n, 2) for k in keys}


async def load(
    base: str,
    token: str,
    project_id: str,
    requests: int,
    pid: int | None = None,
    text_bytes: int = TEXT_BYTES,
    db_url: str | None = None,
) -> dict[str, Any]:
    body = orjson.dumps(
        {"project_id": project_id, "text": transcript(text_bytes), "title": "bench"}
    )
    request = httpload.build_request(
        "POST",
        f"{base}/api/workflow/async",
        body,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    url = f"{base}/api/workflow/async"
    # Warm-up: connections, prepared statements, caches.
    await httpload.run(
        url, request, concurrency=CONCURRENCY, total=CONCURRENCY * 3, max_seconds=MAX_SECONDS
    )
    before = cpu_seconds([pid] if pid else [])
    with contextlib.ExitStack() as stack:
        sampler = stack.enter_context(WaitSampler(db_url)) if db_url else None
        result = await httpload.run(
            url, request, concurrency=CONCURRENCY, total=requests, max_seconds=MAX_SECONDS
        )
    after = cpu_seconds([pid] if pid else [])
    ms = [x * 1000 for x in result.latencies]
    errors = {str(k): v for k, v in result.statuses.items() if k != 202} | result.errors
    return {
        "requests": len(ms),
        "concurrency": CONCURRENCY,
        "text_bytes": text_bytes,
        "errors": errors,
        "seconds": round(result.seconds, 2),
        "throughput_per_s": round(len(ms) / result.seconds, 1),
        "p50_ms": round(percentile(ms, 50), 1),
        "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        # What bounds the latency: by Little's law mean latency = concurrency / throughput, and
        # throughput is bounded by the CPU each request costs on the two cores.
        "cpu_ms_per_request": {
            part: round((after[part] - before[part]) / len(ms) * 1000, 2) for part in after
        },
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "database_sessions_mean": sampler.summary() if sampler else None,
    }


def completed(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'completed'),"
            " count(*) FILTER (WHERE status = 'failed') FROM interviews"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def upload_samples(base: str, token: str, project_id: str, count: int) -> float:
    samples = sorted(
        p
        for p in (ROOT / "src/persona_insight/demo/samples").iterdir()
        if p.suffix in {".txt", ".md", ".vtt", ".srt"} and p.name != "README.md"
    )
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:

        async def one(n: int) -> None:
            path = samples[n % len(samples)]
            async with semaphore:
                r = await client.post(
                    "/api/workflow/async",
                    data={"project_id": project_id},
                    files={"file": (path.name, path.read_bytes())},
                )
                r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(count)))
        return time.perf_counter() - started


def throughput(count: int) -> dict[str, Any]:
    url = fresh_database()
    s = seed(url)
    # One token sends CONCURRENCY files at once; the per-user cap (4 by default) would refuse
    # most of them with 429.
    env = {"PERSONA_INSIGHT_UPLOADS_PER_USER": str(CONCURRENCY)}
    with server(url, worker=True, env=env) as (base, _):
        started = time.perf_counter()
        upload_s = asyncio.run(upload_samples(base, s.token, s.project_id, count))
        deadline = time.monotonic() + 1800
        done = failed = 0
        while time.monotonic() < deadline:
            done, failed = completed(url)
            if done + failed >= count:
                break
            time.sleep(0.5)
        total = time.perf_counter() - started
    return {
        "uploads": count,
        "completed": done,
        "failed": failed,
        "upload_seconds": round(upload_s, 2),
        "all_completed_seconds": round(total, 1),
        "per_interview_ms": round(total / count * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each latency variant, each on a fresh database and server; the run with "
        "the median p99 is reported, every run's p99 is listed (this is a shared virtual "
        "machine whose speed drifts by ±30 %% over minutes)",
    )
    args = parser.parse_args()

    results: dict[str, Any] = {"targets": {"p99_ms": 100, "errors": 0}}
    # The last variant tells the cost of the text apart from the cost of the request.
    variants = (
        ("upload_latency_api_only", False, 1, TEXT_BYTES),
        ("upload_latency_api_only_2_processes", False, 2, TEXT_BYTES),
        ("upload_latency_with_worker", True, 1, TEXT_BYTES),
        ("upload_latency_api_only_500_bytes", False, 1, 500),
    )
    for name, worker, processes, size in variants:
        runs = []
        for _ in range(max(args.repeat, 1)):
            url = fresh_database()
            s = seed(url)
            with server(url, worker=worker, workers=processes) as (base, process):
                runs.append(
                    asyncio.run(
                        load(base, s.token, s.project_id, args.requests, process.pid, size, url)
                    )
                )
        runs.sort(key=lambda run: run["p99_ms"])
        results[name] = {
            **runs[len(runs) // 2],
            "p99_ms_per_run": [run["p99_ms"] for run in runs],
            "throughput_per_run": [run["throughput_per_s"] for run in runs],
        }
        print(name, results[name])
    results["completion_200"] = throughput(args.uploads)
    print("completion", results["completion_200"])
    print("saved", save("pipeline", results))


if __name__ == "__main__":
    main()
