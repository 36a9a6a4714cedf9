"""Searches with and without the second connection beside the request's, alternated.

Two servers on the index `bench.search` left behind, one with `PERSONA_INSIGHT_SEARCH_SIDE_READS`
off; each phase sends the 47 evaluation queries at a steady rate to one of them, the next phase
to the other, in alternating order, so the machine's drift (its speed moves by half within an
hour here) falls on both alike. Every query's vector is cached in both servers first: this
measures the reads, not e5.

    uv run --frozen python -m bench.search_side [--rounds 4] [--seconds 10]

With `--baseline DIR` it compares this checkout's code with another source tree's instead (a
`git worktree` of an earlier commit; its `src` goes first on the server's PYTHONPATH), both with
the second connection as their settings have it; results then go to `search_versions.json`.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import httpx

from bench.harness import newest_database, percentile, save, server, token_for
from bench.search import load_average, open_loop, search_request, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10, help="each phase")
    parser.add_argument("--rate", type=float, default=10, help="searches/s")
    parser.add_argument("--baseline", help="another source tree to compare this one with")
    args = parser.parse_args()
    url = newest_database(prefix="bench_search")
    if url is None:
        raise SystemExit("no bench_search_* database: run `python -m bench.search` first")
    who = token_for(url)
    if args.baseline:
        names = ("this_checkout", "baseline")
        other = {"PYTHONPATH": str(Path(args.baseline).resolve() / "src")}
    else:
        names = ("side_reads", "one_connection")
        other = {"PERSONA_INSIGHT_SEARCH_SIDE_READS": "false"}
    latencies: dict[str, list[float]] = {name: [] for name in names}
    phases: list[dict[str, Any]] = []
    with (
        server(url, worker=False) as (first, _a),
        server(url, worker=False, env=other) as (second, _b),
    ):
        bases = dict(zip(names, (first, second), strict=True))
        for base in bases.values():
            httpx.get(
                f"{base}/api/search",
                params={"q": "warm up"},
                timeout=120,
                headers={"Authorization": f"Bearer {who.token}"},
            )
            asyncio.run(open_loop(base, who.token, args.rate, 6, search_request))
        for n in range(args.rounds):
            order = list(bases) if n % 2 == 0 else list(reversed(bases))
            for name in order:
                found, errors = asyncio.run(
                    open_loop(bases[name], who.token, args.rate, args.seconds, search_request)
                )
                latencies[name] += found
                phase = {"round": n, "server": name, **summary(found, errors)}
                phase["load_average"] = load_average()
                phases.append(phase)
                print(phase, flush=True)
    result: dict[str, Any] = {"args": vars(args), "phases": phases}
    for name, values in latencies.items():
        result[name] = {
            "searches": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
        }
        print(name, result[name])
    print(f"saved {save('search_versions' if args.baseline else 'search_side', result)}")


if __name__ == "__main__":
    main()
