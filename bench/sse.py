"""The real-time path under load: one `persona-insight serve` process, raw-socket clients.

    uv run --frozen python -m bench.sse                         # every scenario, once
    uv run --frozen python -m bench.sse --scenario fanout       # one (or a comma list)
    uv run --frozen python -m bench.sse --repeat 3              # each three times; median kept
    uv run --frozen python -m bench.sse --profile               # cProfile of the server
    uv run --frozen python -m bench.sse --py-spy /path/py-spy   # py-spy samples of the server
    uv run --frozen python -m bench.sse --scenario idle --tracemalloc   # memory per stream

Scenarios and targets (ONE server process, 2-core machine):

idle        10,000 idle streams over 100 projects; server RSS delta / streams after a GC and
            a settle (≤ 25 KiB per stream).
latency     100 streams of one project while 10,000 idle streams stay open; 700 events, one
            per transaction, at ~20/s (jittered); commit-to-receive per delivery
            (p50 ≤ 5 ms, p99 ≤ 25 ms).
fanout      10,000 streams of one project; 20 events, one at a time; from the commit until the
            last stream has it (p99 ≤ 250 ms). Also the server's own view (its histogram).
throughput  1,000 streams of one project (--throughput-layout), one event per transaction at
            50 and 100 events/s for 10 s each; deliveries per second and the server's CPU time
            per delivery (≥ 40,000/s, ≤ 25 µs).
reconnect   200 clients reconnecting in a loop for 10 s, Last-Event-ID 1–5 events behind a
            project with 1,000 events; a reconnect counts once its replay has arrived
            (≥ 1,000/s). --reconnect-projects 200 puts every client on a project of its own,
            so that every replay reads the outbox.
traffic     the seed's hour, compressed 30×: 100 clients, 100 changes (uploads through
            `POST /api/workflow/async`); SSE streams (keep-alive every 30 simulated seconds)
            versus polling `GET /api/projects/{id}/interviews` every 30 s; requests and bytes
            as written to and read from the sockets (≥ 99 % fewer bytes).
stalled     a check, not one of the targets: 20 streams stop reading while 100 healthy ones
            get ~8 MB of events; the stalled ones must be dropped, memory stay bounded, the
            healthy ones miss nothing.

Method. A fresh embedded database; a new server process per scenario (`serve --no-worker`,
pinned with taskset to --server-cpus, default core 0); PostgreSQL (postmaster and backends;
new backends inherit it) re-pinned to --pg-cpus, default the server's core; this process is
the only client (asyncio + uvloop, raw sockets to 127.0.0.1, `bench/sse_load.py`), pinned to
--client-cpus (core 1), with its file limit raised. Events are appended by a producer process
(`bench/sse_producer.py`, on the client's core) with the product's own write path,
`persona_insight.realtime.events.append`, in transactions that set the actor like a unit of
work; the payload is a real `interview:added` payload taken from one upload. Commit-to-receive:
the producer reads `perf_counter()` right before COMMIT and right after it returned
(CLOCK_MONOTONIC, system-wide); the client reads it when a socket read brings the event's
`id:` line; the figure is "after COMMIT returned → read", and "before COMMIT → read" is given
as an upper bound. Server CPU is utime+stime of its process from /proc/<pid>/stat (its system
share too), RSS is VmRSS from /proc/<pid>/status, PostgreSQL's CPU the sum over its processes.
A helper injected into the server with `sitecustomize` (bench only, never in the product) runs
`gc.collect()` on SIGUSR2 (before RSS is read) and toggles a cProfile on SIGUSR1. Every stream
checks that ids arrive once and in order ("disorder"). Every loop is bounded in count and time;
only 127.0.0.1 is ever connected to.

Prints the machine, the load average around each run and the figures; writes
bench/results/sse.json (scenarios run alone replace only their own entry).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import psycopg

from bench import harness
from bench import sse_load as load
from bench.harness import RESULTS, ROOT, machine, percentile, seed
from bench.harness import server as run_server

SCENARIOS = ("idle", "latency", "fanout", "throughput", "reconnect", "traffic", "stalled")
TARGETS: dict[str, dict[str, Any]] = {
    "idle": {"connections": 10_000, "kib_per_connection_max": 25},
    "latency": {"p50_ms_max": 5, "p99_ms_max": 25},
    "fanout": {"subscribers": 10_000, "last_p99_ms_max": 250},
    "throughput": {"deliveries_per_s_min": 40_000, "cpu_us_per_delivery_max": 25},
    "reconnect": {"reconnects_per_s_min": 1_000},
    "traffic": {"bytes_reduction_pct_min": 99},
    # Not one of the brief's figures: a correctness check of back-pressure under load.
    "stalled": {"healthy_missing": 0, "stalled_dropped": "all", "rss_growth_mib_max": 64},
}
now = time.perf_counter
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Injected into the server only (PYTHONPATH), never part of the product: SIGUSR2 → gc.collect(),
# SIGUSR1 → start / stop-and-dump a cProfile. Each writes a line to $PI_BENCH_ACK when done.
HOOK = """
import gc, os, signal, time
_profile = None
_gc = {"started": 0.0, "by_generation": {}}

def _ack(what):
    path = os.environ.get("PI_BENCH_ACK")
    if path:
        with open(path, "a") as f:
            f.write(what + "\\n")

def _gc_callback(phase, info):
    if phase == "start":
        _gc["started"] = time.perf_counter()
        return
    took = time.perf_counter() - _gc["started"]
    n, total, longest = _gc["by_generation"].get(info["generation"], (0, 0.0, 0.0))
    _gc["by_generation"][info["generation"]] = (n + 1, total + took, max(longest, took))

def _collect(signum, frame):
    gc.collect()
    if os.environ.get("PI_BENCH_TRACEMALLOC"):
        import tracemalloc
        _gc["snapshots"] = _gc.get("snapshots", 0) + 1
        path = os.environ["PI_BENCH_ACK"] + ".snapshot%d" % _gc["snapshots"]
        tracemalloc.take_snapshot().dump(path)
    _ack("gc")

if os.environ.get("PI_BENCH_TRACEMALLOC"):
    import tracemalloc
    tracemalloc.start(4)

def _profile_toggle(signum, frame):
    global _profile
    import cProfile, json
    if _profile is None:
        _gc["by_generation"] = {}
        # Wall time by default (cheap); CPU time with PI_BENCH_PROFILE_CPU (each reading is a
        # system call, so it distorts more; but PostgreSQL on the same core is not counted).
        cpu = os.environ.get("PI_BENCH_PROFILE_CPU")
        _profile = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()
        _profile.enable()
        _ack("profile-on")
    else:
        _profile.disable()
        _profile.dump_stats(os.environ["PI_BENCH_PROFILE"])
        with open(os.environ["PI_BENCH_PROFILE"] + ".gc.json", "w") as f:
            json.dump(_gc["by_generation"], f)
        _profile = None
        _ack("profile-off")

gc.callbacks.append(_gc_callback)
signal.signal(signal.SIGUSR2, _collect)
signal.signal(signal.SIGUSR1, _profile_toggle)
"""


# --- the machine and the processes -----------------------------------------------------------

# An embedded PostgreSQL of this benchmark's own: the one of bench/harness.py is shared with the
# other benchmarks, whose databases `fresh_database` drops, and this one re-pins its processes.
PG_DIR = ROOT / "data" / "sse-bench" / "pg"


def fresh_database() -> str:
    """A new, migrated database on this benchmark's embedded server; returns its URL."""
    return harness.fresh_database(PG_DIR, prefix="sse")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def own_cpu() -> float:
    """CPU seconds of this process (the client)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) seconds of a process."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(text[text.rfind(")") + 2 :].split()[1]) == pid:
            found.append(int(entry))
    return found


def pg_pids() -> list[int]:
    try:
        postmaster = int((PG_DIR / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [postmaster, *children(postmaster)]


def pin_pg(cpus: set[int]) -> list[int]:
    """PostgreSQL (postmaster and every backend; new backends inherit it) onto `cpus`."""
    pids = pg_pids()
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that just ended
            os.sched_setaffinity(pid, cpus)
    return pids


def pg_cpu_seconds() -> float:
    total = 0.0
    for pid in pg_pids():
        with contextlib.suppress(OSError, ValueError):
            total += cpu_seconds(pid)
    return total


def cpus(text: str) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


class Server:
    """The server process under test, seen from outside: RSS, CPU, GC and profile signals."""

    def __init__(
        self,
        pid: int,
        port: int,
        ack: Path,
        profile: Path | None,
        py_spy: str | None = None,
        spy_path: Path | None = None,
    ) -> None:
        self.pid = pid
        self.port = port
        self.ack = ack
        self.profile_path = profile
        self.py_spy = py_spy
        self.spy_path = spy_path
        self._spy: asyncio.subprocess.Process | None = None

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def split(self) -> tuple[float, float]:
        return cpu_split(self.pid)

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    async def _signal(self, sig: int, word: str, timeout: float = 30.0) -> bool:
        before = self._acks(word)
        os.kill(self.pid, sig)
        deadline = now() + timeout
        while now() < deadline:
            await asyncio.sleep(0.05)
            if self._acks(word) > before:
                return True
        return False

    def _acks(self, word: str) -> int:
        try:
            return self.ack.read_text().split().count(word)
        except OSError:
            return 0

    async def gc(self) -> bool:
        import signal

        return await self._signal(signal.SIGUSR2, "gc")

    async def profile(self, on: bool) -> None:
        import signal

        if self.profile_path is not None:
            await self._signal(signal.SIGUSR1, "profile-on" if on else "profile-off")
        if self.py_spy is not None and self.spy_path is not None:
            if on:
                # Samples of the server while it is on the CPU (no --idle), without pausing it.
                self._spy = await asyncio.create_subprocess_exec(
                    self.py_spy,
                    "record",
                    "--pid",
                    str(self.pid),
                    "--rate",
                    "200",
                    "--nonblocking",
                    "--format",
                    "raw",
                    "--output",
                    str(self.spy_path),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            elif self._spy is not None:
                with contextlib.suppress(ProcessLookupError):
                    self._spy.send_signal(signal.SIGINT)
                try:
                    async with asyncio.timeout(30):
                        await self._spy.wait()
                except TimeoutError:
                    self._spy.kill()
                self._spy = None


# --- setup ----------------------------------------------------------------------------------


class Bench:
    """What every scenario gets: the server, the token, a producer of events and projects."""

    def __init__(self, args: argparse.Namespace, url: str, token: str, user_id: str) -> None:
        self.args = args
        self.url = url
        self.token = token
        self.user_id = UUID(user_id)
        self.company_id: UUID | None = None
        self.payload: dict[str, Any] = {}
        self.server: Server | None = None
        self.base = ""
        self._producer: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def sse_path(self, project_id: str) -> str:
        return f"/api/sse/projects/{project_id}"

    async def projects(self, n: int, name: str) -> list[str]:
        async with httpx.AsyncClient(
            base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        ) as c:
            ids = []
            for i in range(n):
                r = await c.post("/api/projects", json={"name": f"{name} {i}"})
                r.raise_for_status()
                ids.append(r.json()["id"])
            return ids

    async def metric(self, *names: str) -> list[float]:
        """Values of the server's own Prometheus metrics (for the server's view of a delay)."""
        async with httpx.AsyncClient(base_url=self.base, timeout=10) as c:
            text = (await c.get("/metrics")).text
        values = dict.fromkeys(names, 0.0)
        for line in text.splitlines():
            name, _, value = line.partition(" ")
            if name in values:
                values[name] = float(value)
        return [values[n] for n in names]

    async def real_payload(self, project_id: str) -> None:
        """One upload through the API; its `interview:added` payload is the load's payload."""
        async with httpx.AsyncClient(
            base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        ) as c:
            r = await c.post(
                "/api/workflow/async",
                json={
                    "project_id": project_id,
                    "text": "Q: How do you plan?\nA: On paper.",
                    "title": "Benchmark interview",
                },
            )
            r.raise_for_status()
        with psycopg.connect(self.url) as conn:
            row = conn.execute(
                "SELECT e.payload, p.company_id FROM events e"
                " JOIN projects p ON p.id = e.project_id"
                " WHERE e.project_id = %s ORDER BY e.seq DESC LIMIT 1",
                (project_id,),
            ).fetchone()
        assert row is not None
        self.payload, self.company_id = row[0], row[1]

    async def start_producer(self, workdir: Path) -> None:
        path = workdir / "payload.json"
        path.write_text(json.dumps(self.payload))
        self._producer = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).resolve().parent / "sse_producer.py"),
            self.url,
            str(self.company_id),
            str(self.user_id),
            str(path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )

    async def _ask(self, command: dict[str, Any], timeout: float) -> dict[str, Any]:
        proc = self._producer
        assert proc is not None
        assert proc.stdin is not None
        assert proc.stdout is not None
        async with self._lock:
            proc.stdin.write(json.dumps(command).encode() + b"\n")
            async with asyncio.timeout(timeout):
                line = await proc.stdout.readline()
        if not line:
            raise RuntimeError("the producer stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def commit(self, project_id: str, n: int = 1) -> tuple[list[int], float, float]:
        """Append n events in one transaction (bench/sse_producer.py, the product's write path).

        Returns their seqs, the time just before COMMIT and the time it returned."""
        a = await self._ask({"op": "commit", "project": project_id, "n": n}, 60)
        return a["seqs"], a["before"], a["after"]

    async def produce(
        self, projects: list[str], rate: float, seconds: float, batch: int = 1
    ) -> dict[str, Any]:
        """`rate` events per second per project for `seconds`, paced by the producer itself."""
        command = {
            "op": "run",
            "projects": projects,
            "rate": rate,
            "seconds": seconds,
            "batch": batch,
        }
        return await self._ask(command, seconds + 120)

    async def close(self) -> None:
        proc = self._producer
        if proc is not None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                async with asyncio.timeout(10):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
            self._producer = None

    async def streams(
        self,
        n: int,
        project_ids: list[str],
        totals: load.Totals,
        tracker: load.Tracker | None = None,
        *,
        last_event_id: int | None = None,
        concurrency: int = 256,
    ) -> tuple[list[load.Stream], dict[str, int], float]:
        requests = [
            load.sse_request(self.sse_path(p), self.token, last_event_id) for p in project_ids
        ]

        def make(i: int) -> Awaitable[load.Stream]:
            return load.open_stream(self.port, requests[i % len(requests)], totals, tracker)

        return await load.open_many(n, make, concurrency=concurrency)


def close_all(streams: list[load.Stream]) -> None:
    for s in streams:
        s.close()


async def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.005) -> bool:
    deadline = now() + timeout
    while not predicate():
        if now() > deadline:
            return False
        await asyncio.sleep(step)
    return True


def ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p90_ms": round(percentile(values, 90) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


# --- scenarios ------------------------------------------------------------------------------


async def idle_streams(b: Bench, n: int, projects: list[str]) -> dict[str, Any]:
    """Open n idle streams over `projects`; the RSS they cost the server."""
    assert b.server is not None
    totals = load.Totals()
    # Warm-up: code paths, the realtime pool, per-project structures; then measure from there.
    warm, _, _ = await b.streams(min(200, n), projects, load.Totals())
    await asyncio.sleep(1.0)
    close_all(warm)
    await asyncio.sleep(2.0)
    await b.server.gc()
    await asyncio.sleep(1.0)
    rss0, fds0 = b.server.rss_kib(), b.server.fds()
    cpu0 = b.server.cpu()
    streams, errors, seconds = await b.streams(n, projects, totals)
    cpu1 = b.server.cpu()
    await asyncio.sleep(b.args.settle)
    gc_ok = await b.server.gc()
    await asyncio.sleep(1.0)
    rss1, fds1 = b.server.rss_kib(), b.server.fds()
    opened = len(streams)
    alive = sum(1 for s in streams if not s.done.done())
    if b.args.tracemalloc:
        print_allocations(b.server.ack, opened)
    result = {
        "connections": opened,
        "still_open_after_settle": alive,
        "errors": errors,
        "open_seconds": round(seconds, 2),
        "opens_per_s": round(opened / seconds, 1) if seconds else None,
        "server_cpu_ms_per_open": round((cpu1 - cpu0) / max(opened, 1) * 1000, 3),
        "server_rss_before_kib": rss0,
        "server_rss_after_kib": rss1,
        "server_fds_delta": fds1 - fds0,
        "kib_per_connection": round((rss1 - rss0) / max(opened, 1), 2),
        "gc_done": gc_ok,
        "projects": len(projects),
    }
    return {"result": result, "streams": streams, "totals": totals}


async def scenario_idle(b: Bench, keep: bool = False) -> dict[str, Any]:
    projects = await b.projects(b.args.idle_projects, "Idle")
    out = await idle_streams(b, b.args.connections, projects)
    r = out["result"]
    r["met"] = (
        r["connections"] >= TARGETS["idle"]["connections"]
        and r["still_open_after_settle"] >= TARGETS["idle"]["connections"]
        and r["kib_per_connection"] <= TARGETS["idle"]["kib_per_connection_max"]
    )
    if keep:
        return out
    close_all(out["streams"])
    return r


async def scenario_latency(b: Bench, idle: dict[str, Any] | None = None) -> dict[str, Any]:
    """100 subscribers of one project while the idle streams stay open."""
    assert b.server is not None
    if idle is None:
        idle = await scenario_idle(b, keep=True)
    idle_open = sum(1 for s in idle["streams"] if not s.done.done())
    [project] = await b.projects(1, "Latency")
    tracker = load.Tracker(keep_all=True)
    totals = load.Totals()
    subs, errors, _ = await b.streams(b.args.subscribers, [project], totals, tracker)
    await asyncio.sleep(1.5)  # presence settles
    commits: dict[int, tuple[float, float]] = {}
    rng = random.Random(1)
    interval = 1.0 / b.args.latency_rate
    started = now()
    cpu0 = b.server.cpu()
    await b.server.profile(True)
    for _ in range(b.args.latency_events):
        [seq], before, after = await b.commit(project)
        commits[seq] = (before, after)
        await asyncio.sleep(interval * rng.uniform(0.5, 1.5))
        if now() - started > b.args.max_seconds:
            break
    expected = len(commits) * len(subs)
    complete = await wait_for(lambda: sum(tracker.count.values()) >= expected, 10)
    await b.server.profile(False)
    cpu1 = b.server.cpu()
    after_commit, before_commit = [], []
    for seq, times in tracker.times.items():
        if seq not in commits:
            continue
        before, after = commits[seq]
        for t in times:
            after_commit.append(t - after)
            before_commit.append(t - before)
    close_all(subs)
    close_all(idle["streams"])
    got = sum(tracker.count.get(seq, 0) for seq in commits)
    r = {
        "subscribers": len(subs),
        "idle_connections_open": idle_open,
        "events": len(commits),
        "rate_per_s": b.args.latency_rate,
        "deliveries": got,
        "missing": expected - got,
        "complete": complete,
        "disorder": totals.disorder,
        "from_commit_returned": ms(after_commit),
        "from_before_commit": ms(before_commit),
        "server_cpu_s": round(cpu1 - cpu0, 2),
        "connect_errors": errors,
    }
    lat = r["from_commit_returned"]
    r["met"] = bool(
        lat
        and lat["p50_ms"] <= TARGETS["latency"]["p50_ms_max"]
        and lat["p99_ms"] <= TARGETS["latency"]["p99_ms_max"]
        and r["missing"] == 0
        and idle_open >= TARGETS["idle"]["connections"]
    )
    if "result" in idle:
        r["idle"] = idle["result"]
    return r


async def scenario_fanout(b: Bench) -> dict[str, Any]:
    """One event to N subscribers of one project, 20 times."""
    assert b.server is not None
    [project] = await b.projects(1, "Fan-out")
    tracker = load.Tracker(keep_all=True)
    totals = load.Totals()
    rss0 = b.server.rss_kib()
    subs, errors, seconds = await b.streams(b.args.connections, [project], totals, tracker)
    n = len(subs)
    await asyncio.sleep(b.args.settle)
    rss1 = b.server.rss_kib()
    runs = []
    cpu0, split0, own0, t0 = b.server.cpu(), b.server.split(), own_cpu(), now()
    await b.server.profile(True)
    hist = ("pi_sse_commit_to_write_seconds_sum", "pi_sse_commit_to_write_seconds_count")
    for _ in range(b.args.fanout_events):
        sum0, count0 = await b.metric(*hist)
        [seq], before, after = await b.commit(project)
        done = await wait_for(lambda s=seq: tracker.count.get(s, 0) >= n, 5.0, 0.002)
        sum1, count1 = await b.metric(*hist)
        times = sorted(tracker.times.get(seq, []))
        runs.append(
            {
                "seq": seq,
                "received": len(times),
                "complete": done,
                "first_ms": round((times[0] - after) * 1000, 2) if times else None,
                "median_ms": round((times[len(times) // 2] - after) * 1000, 2) if times else None,
                "last_ms": round((times[-1] - after) * 1000, 2) if times else None,
                "last_from_before_commit_ms": round((times[-1] - before) * 1000, 2)
                if times
                else None,
                # The server's view: from the row's insert to its write to the last local
                # stream (the hub observes it once per fan-out when it writes directly).
                "server_insert_to_last_write_ms": round((sum1 - sum0) * 1000, 2)
                if count1 - count0 == 1
                else None,
            }
        )
        await asyncio.sleep(0.3)
    await b.server.profile(False)
    cpu1, split1, own1, t1 = b.server.cpu(), b.server.split(), own_cpu(), now()
    close_all(subs)
    lasts = [x["last_ms"] / 1000 for x in runs if x["last_ms"] is not None]
    deliveries = sum(x["received"] for x in runs)
    r = {
        "subscribers": n,
        "connect_errors": errors,
        "open_seconds": round(seconds, 2),
        "kib_per_connection_one_project": round((rss1 - rss0) / max(n, 1), 2),
        "events": len(runs),
        "incomplete": sum(1 for x in runs if not x["complete"]),
        "disorder": totals.disorder,
        "last_subscriber": ms(lasts),
        "server_insert_to_last_write": ms(
            [
                x["server_insert_to_last_write_ms"] / 1000
                for x in runs
                if x["server_insert_to_last_write_ms"] is not None
            ]
        ),
        "median_subscriber_p50_ms": statistics.median(
            [x["median_ms"] for x in runs if x["median_ms"] is not None] or [0]
        ),
        "server_cpu_us_per_delivery": round((cpu1 - cpu0) / max(deliveries, 1) * 1e6, 2),
        "server_cpu_system_share": round((split1[1] - split0[1]) / max(cpu1 - cpu0, 1e-9), 2),
        "client_cpu_us_per_delivery": round((own1 - own0) / max(deliveries, 1) * 1e6, 2),
        "client_cpu_pct_over_the_run": round((own1 - own0) / (t1 - t0) * 100, 1),
        "per_event": runs,
    }
    r["met"] = bool(
        n >= TARGETS["fanout"]["subscribers"]
        and r["incomplete"] == 0
        and r["last_subscriber"]
        and r["last_subscriber"]["p99_ms"] <= TARGETS["fanout"]["last_p99_ms_max"]
    )
    return r


async def scenario_throughput(b: Bench) -> dict[str, Any]:
    """P projects × S subscribers; events at fixed rates; deliveries/s and CPU per delivery."""
    assert b.server is not None
    n_projects, per_project = b.args.throughput_layout
    projects = await b.projects(n_projects, "Throughput")
    totals = load.Totals()
    subs, errors, _ = await b.streams(n_projects * per_project, projects, totals)
    n = len(subs)
    await asyncio.sleep(2.0)
    rates = []
    await b.server.profile(True)
    for rate in b.args.throughput_rates:
        batch = b.args.throughput_batch
        m0, reads0 = totals.messages, totals.reads
        cpu0, pg0, split0, own0 = b.server.cpu(), pg_cpu_seconds(), b.server.split(), own_cpu()
        started = now()
        produced = await b.produce(projects, rate / n_projects, b.args.throughput_seconds, batch)
        expected = m0 + produced["events"] * per_project
        await wait_for(lambda e=expected: totals.messages >= e, 10, 0.01)
        elapsed = now() - started
        cpu1, pg1, split1, own1 = b.server.cpu(), pg_cpu_seconds(), b.server.split(), own_cpu()
        delivered = totals.messages - m0
        reads = totals.reads - reads0
        cpu = cpu1 - cpu0
        rates.append(
            {
                "offered_events_per_s": rate,
                "offered_deliveries_per_s": round(rate * per_project),
                "events_per_transaction": batch,
                "events": produced["events"],
                "producer": produced,
                "deliveries": delivered,
                "missing": produced["events"] * per_project - delivered,
                "seconds": round(elapsed, 2),
                "deliveries_per_s": round(delivered / elapsed),
                "server_cpu_s": round(cpu, 2),
                "server_cpu_pct": round(cpu / elapsed * 100, 1),
                "server_cpu_us_per_delivery": round(cpu / max(delivered, 1) * 1e6, 2),
                "server_cpu_system_share": round((split1[1] - split0[1]) / max(cpu, 1e-9), 2),
                "pg_cpu_s": round(pg1 - pg0, 2),
                "client_cpu_pct": round((own1 - own0) / elapsed * 100, 1),
                "events_per_client_read": round(delivered / max(reads, 1), 2),
                "streams_open": sum(1 for s in subs if not s.done.done()),
            }
        )
        await asyncio.sleep(1.0)
    await b.server.profile(False)
    close_all(subs)
    best = max(rates, key=lambda x: x["deliveries_per_s"])
    r = {
        "projects": n_projects,
        "subscribers_per_project": per_project,
        "subscribers": n,
        "connect_errors": errors,
        "disorder": totals.disorder,
        "rates": rates,
        "best_deliveries_per_s": best["deliveries_per_s"],
        "cpu_us_per_delivery_at_best": best["server_cpu_us_per_delivery"],
    }
    r["met"] = any(
        x["deliveries_per_s"] >= TARGETS["throughput"]["deliveries_per_s_min"]
        and x["server_cpu_us_per_delivery"] <= TARGETS["throughput"]["cpu_us_per_delivery_max"]
        and x["missing"] == 0
        for x in rates
    )
    return r


async def scenario_reconnect(b: Bench) -> dict[str, Any]:
    """Clients that reconnect in a loop, each time a few events behind."""
    assert b.server is not None
    n_projects = b.args.reconnect_projects
    projects = await b.projects(n_projects, "Reconnect")
    history = b.args.reconnect_history if n_projects == 1 else 20
    heads = []
    for project in projects:
        for _ in range(history // 500):
            await b.commit(project, 500)
        seqs, _, _ = await b.commit(project, history % 500 or 1)
        heads.append(seqs[-1])
    project, head = projects[0], heads[0]
    path = b.sse_path(project)
    totals = load.Totals()
    latencies: list[float] = []
    failures: dict[str, int] = {}
    rng = random.Random(7)
    # warm-up
    warm = await load.open_stream(
        b.port, load.sse_request(path, b.token, head - 1), load.Totals(), until=head
    )
    warm.close()
    await asyncio.sleep(0.5)

    most_behind = b.args.reconnect_behind

    async def client(i: int, deadline: float) -> None:
        path, head = b.sse_path(projects[i % n_projects]), heads[i % n_projects]
        while now() < deadline:
            behind = rng.randint(1, most_behind) if most_behind else 0
            request = load.sse_request(path, b.token, head - behind)
            t = now()
            stream = None
            try:
                stream = await load.open_stream(
                    b.port,
                    request,
                    totals,
                    expect=head - behind + 1,
                    until=head if behind else 0,
                    timeout=10,
                )
                assert stream.until_event is not None
                async with asyncio.timeout(10):
                    got = await stream.until_event
                if got < 0:
                    raise ConnectionError("closed before the replay ended")
                latencies.append(now() - t)
            except (OSError, ConnectionError, TimeoutError) as exc:
                key = type(exc).__name__
                failures[key] = failures.get(key, 0) + 1
                await asyncio.sleep(0.05)
            finally:
                if stream is not None:
                    stream.close()

    cpu0, pg0, split0, own0 = b.server.cpu(), pg_cpu_seconds(), b.server.split(), own_cpu()
    await b.server.profile(True)
    started = now()
    deadline = started + b.args.reconnect_seconds
    await asyncio.gather(*(client(i, deadline) for i in range(b.args.reconnect_clients)))
    elapsed = now() - started
    await b.server.profile(False)
    cpu1, pg1, split1, own1 = b.server.cpu(), pg_cpu_seconds(), b.server.split(), own_cpu()
    done = len(latencies)
    server_us = (cpu1 - cpu0) / max(done, 1) * 1e6
    pg_us = (pg1 - pg0) / max(done, 1) * 1e6
    r = {
        "clients": b.args.reconnect_clients,
        "projects": n_projects,
        "events_behind": f"1..{most_behind}" if most_behind else "0 (no replay)",
        "seconds": round(elapsed, 2),
        "reconnects": done,
        "reconnects_per_s": round(done / elapsed, 1),
        "replayed_events": totals.messages,
        "disorder": totals.disorder,
        "failures": failures,
        "connect_to_replayed": ms(latencies),
        "server_cpu_pct": round((cpu1 - cpu0) / elapsed * 100, 1),
        "server_cpu_us_per_reconnect": round((cpu1 - cpu0) / max(done, 1) * 1e6, 1),
        "server_cpu_system_share": round((split1[1] - split0[1]) / max(cpu1 - cpu0, 1e-9), 2),
        "pg_cpu_us_per_reconnect": round(pg_us, 1),
        "client_cpu_pct": round((own1 - own0) / elapsed * 100, 1),
        # What one core would sustain for the server and PostgreSQL together, from their CPU
        # time per reconnect (the measured rate is bounded by whichever side saturates first).
        "core_capacity_per_s_estimate": round(1e6 / max(server_us + pg_us, 1)),
    }
    r["met"] = (
        r["reconnects_per_s"] >= TARGETS["reconnect"]["reconnects_per_s_min"]
        and r["disorder"] == 0
        and not failures
    )
    return r


async def scenario_traffic(b: Bench) -> dict[str, Any]:
    """The seed's hour: 100 clients, 100 changes; SSE streams versus polling every 30 s."""
    assert b.server is not None
    args = b.args
    c = args.traffic_compression
    hour, period = 3600.0, 30.0
    clients, changes = args.traffic_clients, args.traffic_changes
    [project] = await b.projects(1, "Traffic")
    rng = random.Random(42)
    sse = load.Totals()
    poll = load.Totals()
    uploads = load.Totals()
    tracker = load.Tracker()
    poll_request = (
        f"GET /api/projects/{project}/interviews HTTP/1.1\r\nHost: {load.HOST}\r\n"
        f"Accept: application/json\r\nAuthorization: Bearer {b.token}\r\n\r\n"
    ).encode()

    def upload_request(i: int) -> bytes:
        body = json.dumps(
            {
                "project_id": project,
                "title": f"Interview {i}",
                "text": f"Q: What slows you down, {i}?\nA: Waiting for the report to refresh.",
            }
        ).encode()
        return (
            f"POST /api/workflow/async HTTP/1.1\r\nHost: {load.HOST}\r\n"
            f"Authorization: Bearer {b.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    for i in range(args.traffic_existing):  # the project's history before the hour
        await load.Poller(b.port, load.Totals()).get(upload_request(-1 - i))
    # An SSE client loads the list once, then follows the stream (counted apart, below).
    initial = load.Totals()
    for _ in range(clients):
        loader = load.Poller(b.port, initial)
        await loader.get(poll_request)
        loader.close()
    streams, errors, _ = await b.streams(clients, [project], sse, tracker)
    pollers = [load.Poller(b.port, poll) for _ in range(clients)]
    uploader = load.Poller(b.port, uploads)
    schedule: list[tuple[float, str, int]] = []
    for i in range(clients):
        offset = rng.uniform(0, period)
        schedule += [(offset + period * j, "poll", i) for j in range(int(hour / period))]
    schedule += [(rng.uniform(0, hour), "change", i) for i in range(changes)]
    schedule.sort()
    statuses: dict[str, int] = {}
    tasks: set[asyncio.Task[None]] = set()

    async def poll_once(i: int) -> None:
        try:
            status, _ = await pollers[i].get(poll_request)
            key = f"poll {status}"
        except (OSError, ConnectionError) as exc:
            key = f"poll {type(exc).__name__}"
        statuses[key] = statuses.get(key, 0) + 1

    upload_lock = asyncio.Lock()

    async def change(i: int) -> None:
        try:
            async with upload_lock:
                status, _ = await uploader.get(upload_request(i))
            key = f"upload {status}"
        except (OSError, ConnectionError) as exc:
            key = f"upload {type(exc).__name__}"
        statuses[key] = statuses.get(key, 0) + 1

    started = now()
    for at, kind, i in schedule:
        delay = started + at / c - now()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(
            poll_once(i) if kind == "poll" else change(i), name=f"{kind} {i}"
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        if now() - started > args.max_seconds * 2:
            break
    end = started + hour / c
    await asyncio.sleep(max(0.0, end - now()))
    if changes_left := [t for t in tasks if t.get_name().startswith("change")]:
        await asyncio.wait(changes_left, timeout=30)
    await wait_for(lambda: sse.messages >= changes * len(streams), 10)
    close_all(streams)  # the hour is over for the streams (polls still due are answered below)
    if tasks:
        await asyncio.wait(tasks, timeout=60)
    seconds = now() - started
    for p in pollers:
        p.close()
    uploader.close()
    sse_bytes = sse.bytes_in + sse.bytes_out
    poll_bytes = poll.bytes_in + poll.bytes_out
    polls = statuses.get("poll 200", 0)
    r = {
        "simulated_seconds": hour,
        "compression": c,
        "real_seconds": round(seconds, 1),
        "clients": clients,
        "changes": changes,
        "statuses": statuses,
        "sse": {
            "requests": len(streams),
            "bytes_sent": sse.bytes_out,
            "bytes_received": sse.bytes_in,
            "bytes_total": sse_bytes,
            "events_received": sse.messages,
            "keepalives_received": sse.comments,
            "keepalives_per_client": round(sse.comments / max(len(streams), 1), 1),
            "disorder": sse.disorder,
        },
        "polling": {
            "requests": polls,
            "tcp_connections": sum(p.connections for p in pollers),
            "bytes_sent": poll.bytes_out,
            "bytes_received": poll.bytes_in,
            "bytes_total": poll_bytes,
            "bytes_per_poll": round(poll_bytes / max(polls, 1)),
        },
        "requests_reduction_pct": round((1 - len(streams) / max(polls, 1)) * 100, 2),
        "bytes_reduction_pct": round((1 - sse_bytes / max(poll_bytes, 1)) * 100, 2),
        "with_initial_list_load": {
            "sse_requests": len(streams) + clients,
            "sse_bytes_total": sse_bytes + initial.bytes_in + initial.bytes_out,
            "bytes_reduction_pct": round(
                (1 - (sse_bytes + initial.bytes_in + initial.bytes_out) / max(poll_bytes, 1)) * 100,
                2,
            ),
        },
        "bytes_bound": {
            "event_bytes_mean": round(sse.bytes_in / max(sse.messages, 1)),
            "poll_response_bytes_mean": round(poll.bytes_in / max(polls, 1)),
            "note": "SSE bytes ≈ clients × changes × event size; polling ≈ clients × 120 × "
            "list size; every interview:* event carries the whole interview (docs/events.md)",
        },
        "existing_interviews": args.traffic_existing,
        "connect_errors": errors,
        "note": "bytes at the HTTP level (request and response headers and bodies as written "
        "to and read from the sockets); TCP/IP headers and handshakes are not counted, which "
        "favours polling. The 100 changes (uploads) are not counted on either side.",
    }
    r["met"] = r["bytes_reduction_pct"] >= TARGETS["traffic"][
        "bytes_reduction_pct_min"
    ] and sse.messages >= changes * len(streams)
    return r


async def scenario_stalled(b: Bench) -> dict[str, Any]:
    """Streams that stop reading, among healthy ones, while events pour in: the stalled ones
    must be dropped (queue overflow, or a write blocked past the send timeout) with the
    server's memory bounded, and the healthy ones must get every event once, in order."""
    assert b.server is not None
    [project] = await b.projects(1, "Stalled")
    request = load.sse_request(b.sse_path(project), b.token)
    stalled = [await load.open_stalled(b.port, request) for _ in range(b.args.stalled_clients)]
    tracker = load.Tracker()
    totals = load.Totals()
    healthy, errors, _ = await b.streams(100, [project], totals, tracker)
    await asyncio.sleep(1.0)
    names = (
        "pi_sse_connections",
        'pi_sse_dropped_subscribers_total{reason="overflow"}',
        'pi_sse_dropped_subscribers_total{reason="send_timeout"}',
    )
    open0, overflow0, timeout0 = await b.metric(*names)
    rss0 = b.server.rss_kib()
    started = now()
    seqs: list[int] = []
    rss_max = rss0
    for _ in range(b.args.stalled_batches):  # 50 events of ~0.8 KB per transaction
        got, _, _ = await b.commit(project, 50)
        seqs += got
        rss_max = max(rss_max, b.server.rss_kib())
        await asyncio.sleep(0.05)
    complete = await wait_for(
        lambda: all(tracker.count.get(q, 0) >= len(healthy) for q in seqs[-1:]), 30, 0.05
    )
    dropped_at = None
    deadline = now() + 60
    while now() < deadline:
        connections, _, _ = await b.metric(*names)
        rss_max = max(rss_max, b.server.rss_kib())
        if connections <= open0 - len(stalled):
            dropped_at = now() - started
            break
        await asyncio.sleep(0.25)
    connections, overflow1, timeout1 = await b.metric(*names)
    missing = sum(len(healthy) - tracker.count.get(q, 0) for q in seqs)
    close_all(healthy)
    for s in stalled:
        if s.transport is not None:
            s.transport.abort()
    r = {
        "stalled_clients": len(stalled),
        "healthy_clients": len(healthy),
        "events": len(seqs),
        "bytes_per_stream": round(totals.bytes_in / max(len(healthy), 1)),
        "healthy_missing": missing,
        "healthy_complete": complete,
        "disorder": totals.disorder,
        "stalled_dropped_after_s": round(dropped_at, 2) if dropped_at is not None else None,
        "dropped_overflow": int(overflow1 - overflow0),
        "dropped_send_timeout": int(timeout1 - timeout0),
        "server_rss_growth_mib": round((rss_max - rss0) / 1024, 1),
        "send_timeout_s": b.args.stalled_send_timeout,
        "connect_errors": errors,
    }
    r["met"] = (
        missing == 0
        and totals.disorder == 0
        and dropped_at is not None
        and r["server_rss_growth_mib"] <= TARGETS["stalled"]["rss_growth_mib_max"]
    )
    return r


# --- running --------------------------------------------------------------------------------


SCENARIO_FUNCS: dict[str, Callable[[Bench], Awaitable[dict[str, Any]]]] = {
    "idle": scenario_idle,
    "latency": scenario_latency,
    "fanout": scenario_fanout,
    "throughput": scenario_throughput,
    "reconnect": scenario_reconnect,
    "traffic": scenario_traffic,
    "stalled": scenario_stalled,
}


def run_one(
    name: str,
    args: argparse.Namespace,
    url: str,
    token: str,
    user_id: str,
    project_id: str,
    workdir: Path,
) -> dict[str, Any]:
    ack = workdir / f"ack-{name}"
    profile = workdir / f"profile-{name}.prof" if args.profile else None
    env = {
        "PYTHONPATH": os.pathsep.join(
            [str(workdir / "hook"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "PI_BENCH_ACK": str(ack),
        "PI_BENCH_PROFILE": str(profile or ""),
        "PERSONA_INSIGHT_LOG_LEVEL": "WARNING",
    }
    if name == "traffic":
        # 30 simulated seconds between keep-alives; the hub's timer ticks once a second.
        env["PERSONA_INSIGHT_SSE_KEEPALIVE_S"] = str(30.0 / args.traffic_compression)
    if args.tracemalloc:
        env["PI_BENCH_TRACEMALLOC"] = "1"
    if name == "stalled":
        env["PERSONA_INSIGHT_SSE_SEND_TIMEOUT_S"] = str(args.stalled_send_timeout)
    log = workdir / f"server-{name}.log"
    load_before = load_average()
    with run_server(url, worker=False, cpus=args.server_cpus, env=env, log=log) as (base, proc):
        pinned = pin_pg(cpus(args.pg_cpus))
        port = int(base.rsplit(":", 1)[1])
        b = Bench(args, url, token, user_id)
        b.base = base
        spy = workdir / f"py-spy-{name}.txt" if args.py_spy else None
        b.server = Server(proc.pid, port, ack, profile, args.py_spy, spy)

        async def main() -> dict[str, Any]:
            load.raise_file_limit()
            try:
                await b.real_payload(project_id)
                await b.start_producer(workdir)
                return await SCENARIO_FUNCS[name](b)
            finally:
                await b.close()

        import uvloop

        started = time.time()
        result = uvloop.run(main())
        result["wall_seconds"] = round(time.time() - started, 1)
    result["load_average_before"] = load_before
    result["load_average_after"] = load_average()
    result["pg_processes_pinned"] = len(pinned)
    if profile is not None and profile.exists():
        result["profile"] = str(profile)
        print_profile(profile)
    if spy is not None and spy.exists():
        result["py_spy"] = str(spy)
        print_spy(spy)
    return result


def print_profile(path: Path) -> None:
    import pstats

    print(f"--- server profile {path} (CPU time, top by internal time)")
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(30)
    gc_path = Path(str(path) + ".gc.json")
    if gc_path.exists():
        print(
            "--- server GC during the profile (generation: count, seconds, longest):",
            gc_path.read_text(),
        )


def print_allocations(ack: Path, connections: int, top: int = 25) -> None:
    """Python allocations that the idle streams hold, per connection, by where they were made
    (two tracemalloc snapshots of the server, before and after opening them)."""
    import tracemalloc

    snapshots = sorted(ack.parent.glob(ack.name + ".snapshot*"))
    if len(snapshots) < 2:
        return
    before = tracemalloc.Snapshot.load(str(snapshots[-2]))
    after = tracemalloc.Snapshot.load(str(snapshots[-1]))
    stats = after.compare_to(before, "traceback")
    total = sum(s.size_diff for s in stats)
    print(f"--- Python allocations held per idle stream: {total / connections:.0f} B in all")
    for stat in stats[:top]:
        frames = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback)
        print(
            f"{stat.size_diff / connections:8.0f} B {stat.count_diff / connections:6.2f}  {frames}"
        )


def print_spy(path: Path, top: int = 30) -> None:
    """Self and total share of samples per function, from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = stack.split(";")
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            total[f] = total.get(f, 0) + n
    print(f"--- py-spy {path}: {samples} samples on CPU; self% / total%")
    for f, n in sorted(own.items(), key=lambda x: -x[1])[:top]:
        print(f"{n / samples * 100:6.1f} {total[f] / samples * 100:6.1f}  {f[:150]}")


def summarise(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run that is the median on the scenario's headline figure, and every run's headline."""
    key: dict[str, Callable[[dict[str, Any]], float]] = {
        "idle": lambda r: r["kib_per_connection"],
        "latency": lambda r: r["from_commit_returned"].get("p99_ms", 1e9),
        "fanout": lambda r: r["last_subscriber"].get("p99_ms", 1e9),
        "throughput": lambda r: -r["best_deliveries_per_s"],
        "reconnect": lambda r: -r["reconnects_per_s"],
        "traffic": lambda r: -r["bytes_reduction_pct"],
        "stalled": lambda r: r["stalled_dropped_after_s"] or 1e9,
    }
    ordered = sorted(runs, key=key[name])
    median = ordered[(len(ordered) - 1) // 2]
    return {
        "target": TARGETS[name],
        "met": median["met"],
        "headline_per_run": [abs(key[name](r)) for r in runs],
        "median_run": median,
        "runs": len(runs),
    }


def headline(name: str, r: dict[str, Any]) -> str:
    if name == "idle":
        return (
            f"{r['connections']} idle streams, {r['kib_per_connection']} KiB each "
            f"(RSS {r['server_rss_before_kib']} → {r['server_rss_after_kib']} KiB), "
            f"{r['opens_per_s']} opens/s"
        )
    if name == "latency":
        return (
            f"{r['subscribers']} subscribers, {r['idle_connections_open']} idle: "
            f"commit→receive {r['from_commit_returned']}, missing {r['missing']}"
        )
    if name == "fanout":
        return (
            f"{r['subscribers']} subscribers: last has it {r['last_subscriber']}, "
            f"{r['server_cpu_us_per_delivery']} µs CPU/delivery"
        )
    if name == "throughput":
        return " | ".join(
            f"{x['offered_events_per_s']} ev/s × {r['subscribers_per_project']}: "
            f"{x['deliveries_per_s']}/s, "
            f"{x['server_cpu_us_per_delivery']} µs/delivery, CPU {x['server_cpu_pct']}%, "
            f"missing {x['missing']}"
            for x in r["rates"]
        )
    if name == "reconnect":
        return (
            f"{r['reconnects_per_s']} reconnects/s with replay, {r['connect_to_replayed']}, "
            f"failures {r['failures']}, {r['server_cpu_us_per_reconnect']} µs CPU each"
        )
    if name == "stalled":
        return (
            f"{r['stalled_clients']} stalled streams dropped after "
            f"{r['stalled_dropped_after_s']} s (overflow {r['dropped_overflow']}, send "
            f"timeout {r['dropped_send_timeout']}); {r['healthy_clients']} healthy ones "
            f"missed {r['healthy_missing']} of {r['events']} events; server RSS "
            f"+{r['server_rss_growth_mib']} MiB"
        )
    return (
        f"SSE {r['sse']['requests']} requests, {r['sse']['bytes_total']} B; polling "
        f"{r['polling']['requests']} requests, {r['polling']['bytes_total']} B: "
        f"{r['bytes_reduction_pct']}% fewer bytes, {r['requests_reduction_pct']}% fewer "
        f"requests"
    )


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenario", default="all", help="comma list of " + ", ".join(SCENARIOS))
    p.add_argument("--repeat", type=int, default=1, help="runs per scenario")
    p.add_argument("--connections", type=int, default=10_000, help="idle / fan-out streams")
    p.add_argument("--idle-projects", type=int, default=100)
    p.add_argument("--subscribers", type=int, default=100, help="latency: streams of the project")
    p.add_argument("--latency-events", type=int, default=700)
    p.add_argument("--latency-rate", type=float, default=20.0, help="events per second")
    p.add_argument("--fanout-events", type=int, default=20)
    p.add_argument(
        "--throughput-layout",
        type=lambda v: tuple(int(x) for x in v.split("x")),
        default=(1, 1000),
        help="PROJECTSxSUBSCRIBERS, e.g. 1x1000 or 10x100",
    )
    p.add_argument(
        "--throughput-rates",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[50.0, 100.0],
        help="events per second (all projects), comma list",
    )
    p.add_argument("--throughput-batch", type=int, default=1, help="events per transaction")
    p.add_argument("--throughput-seconds", type=float, default=10.0)
    p.add_argument("--reconnect-clients", type=int, default=200)
    p.add_argument("--reconnect-seconds", type=float, default=10.0)
    p.add_argument("--reconnect-history", type=int, default=1000)
    p.add_argument(
        "--reconnect-projects",
        type=int,
        default=1,
        help="clients spread over N projects (N = clients: nobody shares a project, "
        "so every replay reads the outbox)",
    )
    p.add_argument(
        "--reconnect-behind",
        type=int,
        default=5,
        help="Last-Event-ID is 1..N events behind (0: no replay, for comparison)",
    )
    p.add_argument("--traffic-clients", type=int, default=100)
    p.add_argument("--traffic-changes", type=int, default=100)
    p.add_argument("--traffic-compression", type=float, default=30.0)
    p.add_argument(
        "--traffic-existing",
        type=int,
        default=0,
        help="interviews in the project before the hour starts",
    )
    p.add_argument("--stalled-clients", type=int, default=20)
    p.add_argument(
        "--stalled-batches",
        type=int,
        default=200,
        help="transactions of 50 events (200: ~8 MB per stream, beyond what the "
        "kernel's socket buffers absorb)",
    )
    p.add_argument("--stalled-send-timeout", type=float, default=3.0)
    p.add_argument("--settle", type=float, default=3.0, help="seconds before RSS is read")
    p.add_argument("--max-seconds", type=float, default=120.0, help="cap of any load loop")
    p.add_argument("--server-cpus", default="0")
    p.add_argument("--client-cpus", default="1")
    p.add_argument("--pg-cpus", default="0")
    p.add_argument("--profile", action="store_true", help="cProfile the server in each scenario")
    p.add_argument("--py-spy", metavar="PATH", help="py-spy binary: sample the server instead")
    p.add_argument(
        "--tracemalloc",
        action="store_true",
        help="idle: where the Python memory held by each stream was allocated",
    )
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--verbose", action="store_true", help="print every result in full")
    args = p.parse_args()
    names = SCENARIOS if args.scenario == "all" else tuple(args.scenario.split(","))
    for n in names:
        if n not in SCENARIOS:
            p.error(f"unknown scenario {n!r}")
    args.names = names
    return args


def main() -> None:
    args = parse_args()
    if args.max_seconds > 600:
        raise SystemExit("--max-seconds is capped at 600")
    desc = machine()
    print("machine:", json.dumps(desc), "load average:", load_average(), flush=True)
    url = fresh_database()
    s = seed(url)
    with psycopg.connect(url) as conn:
        pg = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        }
    print("PostgreSQL (embedded):", pg, flush=True)
    # after PostgreSQL started (it would inherit our affinity otherwise)
    pin_pg(cpus(args.pg_cpus))
    os.sched_setaffinity(0, cpus(args.client_cpus))
    print(
        f"pinning: server {args.server_cpus}, PostgreSQL {args.pg_cpus}, "
        f"client (this process) {args.client_cpus}",
        flush=True,
    )
    results: dict[str, Any] = {}
    # Server logs, profiles and the injected hook (data/ is not versioned).
    workdir = ROOT / "data" / "sse-bench"
    (workdir / "hook").mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("ack-*"):
        old.unlink()
    if True:
        (workdir / "hook" / "sitecustomize.py").write_text(HOOK)
        for name in args.names:
            runs = []
            for i in range(args.repeat):
                r = run_one(name, args, url, s.token, s.user_id, s.project_id, workdir)
                runs.append(r)
                if args.verbose:
                    print(json.dumps(r, indent=1, default=str))
                print(
                    f"[{name} {i + 1}/{args.repeat}] {'MET' if r['met'] else 'NOT MET'}: "
                    f"{headline(name, r)} (load {r['load_average_before']} → "
                    f"{r['load_average_after']})",
                    flush=True,
                )
            results[name] = (
                summarise(name, runs)
                if args.repeat > 1
                else {
                    "target": TARGETS[name],
                    "met": runs[0]["met"],
                    "median_run": runs[0],
                    "runs": 1,
                }
            )
    if args.no_save:
        return
    path = RESULTS / "sse.json"
    previous: dict[str, Any] = {}
    if path.exists() and args.scenario != "all":
        previous = json.loads(path.read_text()).get("scenarios", {})
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for r in results.values():
        r["measured_at"] = stamp
        r["load_average"] = load_average()
    payload = {
        "machine": desc,
        "pinning": {
            "server": args.server_cpus,
            "postgresql": args.pg_cpus,
            "client": args.client_cpus,
            "note": "one server process (serve --no-worker) per scenario, on the server's "
            "core; PostgreSQL (embedded, postmaster and backends) on --pg-cpus, by default the "
            "server's core; this process (the only client) and the event producer process on "
            "the client's core",
        },
        "postgresql": pg,
        "method": __doc__,
        "scenarios": {**previous, **results},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print("saved", path)


if __name__ == "__main__":
    main()
