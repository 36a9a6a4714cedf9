"""Where one search's time goes, on the index `bench.search` leaves behind.

`bench.search` builds a 1,000-interview index (and drops the one an earlier run left); this
reads it, as the application role under row-level security as the server does, and times
every evaluation query one after another, each part of the search separately (the keyword
query, the two searches by meaning, the filter, the neighbours, the other kinds of items) and
the whole, by the clock and in CPU of this process (`cpu_mean_ms`: the server's Python, the
driver's work included; taken from the passes after the first, when no query is being embedded
in a thread beside them). Sequential on purpose: it says what one search costs, not what the
server does under load (bench.search measures that).

    uv run --frozen python -m bench.search_parts              # the newest bench_search_* database
    uv run --frozen python -m bench.search_parts --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import inspect
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from tests.search.evaluation import QUERIES

from bench.harness import PG_DIR, percentile, save
from persona_insight.accounts.repository import Authenticated
from persona_insight.companies import repository as companies
from persona_insight.db import Actor, Database, start_embedded, with_database
from persona_insight.embeddings import repository as embeddings
from persona_insight.embeddings import vectors
from persona_insight.search import highlight, items, service
from persona_insight.search import repository as repo
from persona_insight.search.schemas import SearchParams

PARTS: list[tuple[Any, str]] = [
    (repo, "keyword_hits"),
    (embeddings, "nearest_refs"),
    (repo, "nearest_lines"),
    (repo, "nearest_in_other_script"),
    (repo, "lines_around"),
    (items, "by_words"),
    (items, "by_meaning"),
    (items, "rows_of"),
    (companies, "glossary_entries"),
    (highlight, "spans"),
    (service, "keyword_query"),
]


Timings = dict[str, list[tuple[float, float]]]
"""Per part: (ms by the clock, ms of this process's CPU) of each call."""


@contextlib.contextmanager
def _noted(store: Timings, name: str) -> Iterator[None]:
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        store.setdefault(name, []).append(
            ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
        )


def _timed(store: Timings, name: str, f: Callable[..., Any]) -> Any:
    """`f`, a coroutine function or a plain one, with each call's times noted in `store`."""
    if inspect.iscoroutinefunction(f):

        @functools.wraps(f)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            with _noted(store, name):
                return await f(*args, **kwargs)

        return timed_async

    @functools.wraps(f)
    def timed(*args: Any, **kwargs: Any) -> Any:
        with _noted(store, name):
            return f(*args, **kwargs)

    return timed


def _summary(values: list[tuple[float, float]]) -> dict[str, float]:
    clock = [v[0] for v in values]
    return {
        "n": len(values),
        "p50_ms": round(percentile(clock, 50), 1),
        "p95_ms": round(percentile(clock, 95), 1),
        "max_ms": round(max(clock), 1),
        "cpu_mean_ms": round(sum(v[1] for v in values) / len(values), 2),
    }


async def run(url: str, runs: int) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT u.id, u.company_id, u.role FROM users u"
            " JOIN project_members m ON m.user_id = u.id LIMIT 1"
        ).fetchone()
        assert row is not None, "the database has no project member: run bench.search first"
        lines = conn.execute("SELECT count(*) FROM search_lines").fetchone()
        vectors_n = conn.execute("SELECT count(*) FROM embeddings").fetchone()
    user_id, company_id, role = row
    user = Authenticated(user_id, company_id, role, "bench", "bench", None, None, None, None, None)
    store: Timings = {}
    first_pass: Timings = {}
    for module, name in PARTS:
        setattr(module, name, _timed(store, name, getattr(module, name)))
    vectors.embed_query("warm up")  # the model loads once per process: not search time
    db = Database(url)
    totals: list[tuple[float, float]] = []
    try:
        # One search first: Kiwi and the statements' first plans are not a search's cost.
        async with db.unit_of_work(Actor(company_id, user_id, role)) as session:
            await service.search(session, user, SearchParams(q=QUERIES[0].q))
        store.clear()
        # As the server does once started (server.GracefulServer.startup): what lives as long as
        # the process is out of the cyclic collector's way. Without it one full collection of
        # this process (~84 ms over 155,000 objects) fell inside some part now and then.
        gc.collect()
        gc.freeze()
        for run_number in range(runs):
            if run_number == 1:
                first_pass.update(store)
                store.clear()
            for query in QUERIES:
                start, cpu = time.perf_counter(), time.process_time()
                async with db.unit_of_work(Actor(company_id, user_id, role)) as session:
                    await service.search(session, user, SearchParams(q=query.q))
                totals.append(
                    ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
                )
    finally:
        await db.dispose()
    return {
        "lines": lines[0] if lines else None,
        "vectors": vectors_n[0] if vectors_n else None,
        "role": role,
        "searches": len(totals),
        "search": _summary(totals),
        # After the first pass each query's e5 vector is cached (vectors.embed_query): what a
        # repeated search costs, without the ~11 ms of embedding a new query.
        "search_after_first_pass": _summary(totals[len(QUERIES) :]) if runs > 1 else None,
        "parts": {name: _summary(values) for name, values in (store or first_pass).items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database name (default: the newest bench_search_*)")
    parser.add_argument("--runs", type=int, default=1, help="passes over the evaluation queries")
    args = parser.parse_args()
    admin = with_database(start_embedded(PG_DIR), "postgres")
    name = args.database
    if name is None:
        with psycopg.connect(admin) as conn:
            found = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_search\\_%'"
                " ORDER BY oid DESC LIMIT 1"
            ).fetchone()
        if found is None:
            raise SystemExit("no bench_search_* database: run `python -m bench.search` first")
        name = found[0]
    load_start = [round(x, 2) for x in os.getloadavg()]
    result = asyncio.run(run(with_database(admin, name), args.runs))
    result["load_average"] = {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]}
    result["database"] = name
    path = save("search_parts", result)
    print(f"{result['searches']} searches on {result['lines']} lines: {result['search']}")
    print(f"  after the first pass: {result['search_after_first_pass']}")
    for part, figures in result["parts"].items():
        print(f"  {part:26s} {figures}")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
