"""`persona-insight serve` on the embedded PostgreSQL: it stops the database when it stops,
even after a crashed process left its handle behind (both once kept the server running forever)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _postgres_of(pg_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(pg_dir) in cmdline:
            found.append(proc)
    return found


def _serve_then_stop(data_dir: Path, pg_dir: Path) -> None:
    port = 18000 + os.getpid() % 1000
    env = {
        **os.environ,
        "PERSONA_INSIGHT_DATA_DIR": str(data_dir),
        "PERSONA_INSIGHT_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "persona_insight", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        assert _postgres_of(pg_dir), "the embedded PostgreSQL should be running"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        deadline = time.monotonic() + 20
        while _postgres_of(pg_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _postgres_of(pg_dir), "the embedded PostgreSQL outlived its last user"
    finally:
        if server.poll() is None:
            server.kill()


def test_sigterm_stops_the_embedded_database() -> None:
    data_dir = ROOT / "data" / f"lifecycle-{os.getpid()}"
    pg_dir = data_dir / "pg"
    try:
        _serve_then_stop(data_dir, pg_dir)
        # A process that died without signing off must not keep the database up either.
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (pg_dir / ".handle_pids.json").write_text(json.dumps([dead.pid]))
        _serve_then_stop(data_dir, pg_dir)
    finally:
        for proc in _postgres_of(pg_dir):
            proc.kill()
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)
