"""Shared by the benchmarks: a fresh database, a server process on 127.0.0.1, a user and project.

Everything runs on this machine: the embedded PostgreSQL under data/bench-pg, servers bound to
127.0.0.1 only, every load loop bounded in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PG_DIR = ROOT / "data" / "bench-pg"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def loop_seconds(runs: int = 3) -> float:
    """Best of `runs` timings of a fixed pure-Python loop (5 million integer multiply-adds).

    This VM's speed drifts by up to 2x between hours with nothing else running, so figures from
    different runs are only comparable beside this number; the best of three ignores a
    momentary stall."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total = total * 1 + i
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def cpu_seconds(pids: list[int]) -> dict[str, float]:
    """User+system CPU seconds: of the processes `pids` and their children ("server"), of every
    PostgreSQL process ("postgresql") and of this one ("client")."""
    import psutil

    def total(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
        except psutil.Error:
            return 0.0
        return float(times.user + times.system)

    server = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            server += total(root) + sum(total(c) for c in root.children(recursive=True))
    postgres = sum(
        total(p) for p in psutil.process_iter(["name"]) if (p.info["name"] or "") == "postgres"
    )
    return {"server": server, "postgresql": postgres, "client": total(psutil.Process())}


def prewarm(url: str, pg_dir: Path = PG_DIR) -> float:
    """Read the database's files once, so the operating system's cache holds them as a
    long-running server's would; returns the GB read. This machine reclaims pages nobody touched
    for a while (DAMON), and a search benchmark run after other work otherwise measured the
    virtual disk: 0.4 of 1.7 GB were still cached after a test run, and 10 searches/s went from
    p50 ~37 to ~50 ms."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    read = 0
    for path in sorted((pg_dir / "base" / str(row[0])).iterdir()):
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                read += len(chunk)
    return round(read / 1e9, 2)


def fresh_database(pg_dir: Path = PG_DIR, prefix: str = "bench") -> str:
    """A new, migrated database on the embedded server in `pg_dir`; returns its URL. The
    databases an earlier run left there under the same `prefix` are dropped."""
    from persona_insight.db import start_embedded, with_database
    from persona_insight.migrate import upgrade

    admin = with_database(start_embedded(pg_dir), "postgres")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        for (old,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{prefix}\\_%",)
        ).fetchall():
            conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    upgrade(url)
    return url


def newest_database(pg_dir: Path = PG_DIR, prefix: str = "bench") -> str | None:
    """The URL of the newest database an earlier run left under `prefix`, migrated to the
    current head (a later migration must not stop its server from starting); None if none."""
    from persona_insight.db import start_embedded, with_database
    from persona_insight.migrate import upgrade

    admin = with_database(start_embedded(pg_dir), "postgres")
    with psycopg.connect(admin) as conn:
        found = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY oid DESC LIMIT 1",
            (f"{prefix}\\_%",),
        ).fetchone()
    if found is None:
        return None
    url = with_database(admin, found[0])
    upgrade(url)
    return url


def token_for(url: str, email: str = "bench@example.com") -> Seed:
    """A new API token for the user `seed` made in that database, and their first project."""
    from sqlalchemy import select, text

    from persona_insight.accounts import service as accounts
    from persona_insight.db import Actor, Database
    from persona_insight.models.accounts import User

    async def main() -> Seed:
        db = Database(url, pool_size=1, app_role=False)
        try:
            async with db.unit_of_work(Actor.system()) as s:
                user = (await s.execute(select(User).where(User.email == email))).scalar_one()
                _, token = await accounts.create_token(s, user, "bench")
                project = (
                    await s.execute(
                        text("SELECT id FROM projects WHERE company_id = :c ORDER BY created_at"),
                        {"c": user.company_id},
                    )
                ).scalar_one()
                return Seed(token=token, project_id=str(project), user_id=str(user.id))
        finally:
            await db.dispose()

    return asyncio.run(main())


@dataclass
class Seed:
    token: str
    project_id: str
    user_id: str


def seed(url: str, email: str = "bench@example.com") -> Seed:
    from persona_insight.accounts import service as accounts
    from persona_insight.accounts.repository import Authenticated
    from persona_insight.db import Actor, Database
    from persona_insight.projects import service as projects
    from persona_insight.projects.schemas import ProjectCreate

    async def main() -> Seed:
        db = Database(url, pool_size=2, app_role=False)  # set-up acts as the owner
        try:
            async with db.unit_of_work(Actor.system()) as s:
                company = await accounts.ensure_company(s, "Bench", domains=["example.com"])
                user = await accounts.create_user(
                    s,
                    email=email,
                    password="bench-password",
                    name="Bench",
                    company=company,
                    role="company_admin",
                )
                _, token = await accounts.create_token(s, user, "bench")
                principal = Authenticated(
                    user_id=user.id,
                    company_id=company.id,
                    role=user.role,
                    email=email,
                    name="Bench",
                    locale=None,
                    session_id=None,
                    token_id=None,
                    csrf_token=None,
                    last_seen_at=None,
                )
                project = await projects.create(s, principal, ProjectCreate(name="Bench"))
                return Seed(token=token, project_id=str(project.id), user_id=str(user.id))
        finally:
            await db.dispose()

    return asyncio.run(main())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    url: str,
    *,
    workers: int = 1,
    worker: bool = True,
    cpus: str | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    profile: Path | None = None,
) -> Any:
    """`persona-insight serve` on 127.0.0.1 (optionally pinned to `cpus`, or under cProfile by
    CPU time writing to `profile`: bench/profiled.py); yields its base URL."""
    port = free_port()
    profiler = ["-m", "bench.profiled", str(profile)] if profile else []
    cmd = [
        sys.executable,
        *profiler,
        "-m",
        "persona_insight",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if not worker:
        cmd.append("--no-worker")
    if cpus and hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", cpus, *cmd]
    full_env = {
        **os.environ,
        "DATABASE_URL": url,
        "PERSONA_INSIGHT_DATA_DIR": str(ROOT / "data" / "bench"),
        "PERSONA_INSIGHT_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    out = (log or (ROOT / "data" / "bench-server.log")).open("wb")
    process = subprocess.Popen(cmd, env=full_env, stdout=out, stderr=out, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start; see data/bench-server.log")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        out.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def save(name: str, payload: dict[str, Any]) -> Path:
    import json

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps({"machine": machine(), **payload}, indent=2, ensure_ascii=False) + "\n"
    )
    return path
