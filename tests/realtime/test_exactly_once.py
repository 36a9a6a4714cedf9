"""Every event reaches every client exactly once and in order, whatever the disconnects:
clients drop at random and come back with their last id, the server restarts, and with
`serve --workers 2` an event committed by one process reaches subscribers of the other."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from tests.live import start_live
from tests.support import Member, http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


class FlakyClient:
    """Reads a while, hangs up, reconnects with Last-Event-ID; records every seq it gets."""

    def __init__(self, url: str, member: Member, project_id: str, seed: int) -> None:
        self.url = f"{url}/api/sse/projects/{project_id}"
        self.member = member
        self.rng = random.Random(seed)
        self.seqs: list[int] = []
        self.last_id: str | None = "0"
        self.reconnects = 0

    async def run(self, until: asyncio.Event, target: list[int]) -> None:
        while True:
            if until.is_set() and target and self.seqs and self.seqs[-1] >= target[0]:
                return
            stream = SseClient(self.url, headers=self.member.headers, last_event_id=self.last_id)
            try:
                if (await stream.connect(timeout=5)).status != 200:
                    await asyncio.sleep(0.2)
                    continue
                budget = self.rng.randint(1, 8)
                async with asyncio.timeout(self.rng.uniform(0.2, 1.5)):
                    async for message in stream.messages():
                        body = json.loads(message.data)
                        if body["type"].startswith("interview:"):
                            self.seqs.append(body["seq"])
                        self.last_id = stream.last_event_id
                        budget -= 1
                        if budget == 0:
                            break
            except (TimeoutError, OSError, ConnectionError, ValueError):
                pass
            finally:
                self.last_id = stream.last_event_id or self.last_id
                await stream.close()
            self.reconnects += 1
            await asyncio.sleep(self.rng.uniform(0, 0.2))


async def _owner_and_project(url: str, settings: Any) -> tuple[Member, str]:
    db = Database(settings.database_url, pool_size=2)
    owner = await make_user(db, email="owner@acme.test")
    await db.dispose()
    async with http(url, owner) as c:
        return owner, (await c.post("/api/projects", json={"name": "Once"})).json()["id"]


async def _upload(
    c: httpx.AsyncClient, project_id: str, n: int, *, fresh: bool = False
) -> httpx.Response:
    # A fresh connection per upload lets the kernel hand it to either server process.
    headers = {"Connection": "close"} if fresh else None
    for _ in range(50):
        try:
            return await c.post(
                "/api/workflow/async",
                headers=headers,
                json={"project_id": project_id, "text": f"Q: {n}?\nA: {n}."},
            )
        except httpx.TransportError:
            await asyncio.sleep(0.1)  # the server is restarting
    raise AssertionError("the server did not come back")


async def test_exactly_once_in_order_across_disconnects_and_a_restart(settings: Any) -> None:
    live, sock = start_live(settings)
    port = int(live.url.rsplit(":", 1)[1])
    owner, project_id = await _owner_and_project(live.url, settings)
    until = asyncio.Event()
    final: list[int] = []
    clients = [FlakyClient(live.url, owner, project_id, seed) for seed in range(4)]
    runners = [asyncio.create_task(c.run(until, final)) for c in clients]
    try:
        async with http(live.url, owner) as c:
            for n in range(40):
                if n == 20:
                    await asyncio.to_thread(live.stop)
                    sock.close()
                    live, sock = start_live(settings, port=port)
                r = await _upload(c, project_id, n)
                assert r.status_code == 202
                await asyncio.sleep(0.03)
        final.append(40)
        until.set()
        await asyncio.wait_for(asyncio.gather(*runners), 60)
    finally:
        for task in runners:
            task.cancel()
        live.stop()
        sock.close()
    for client in clients:
        assert client.seqs == list(range(1, 41)), client.seqs
        assert client.reconnects >= 3


def _serve(settings: Any, port: int, log: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PERSONA_INSIGHT_DATA_DIR": str(settings.data_dir),
        "PERSONA_INSIGHT_RUN_WORKER_IN_PROCESS": "false",
        "PERSONA_INSIGHT_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "persona_insight",
            "serve",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_events_cross_processes_with_two_workers(settings: Any) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (settings.data_dir.parent / "serve.log").open("wb")
    server = _serve(settings, port, log)
    streams: dict[str, SseClient] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                async with httpx.AsyncClient() as c:
                    if (await c.get(f"{url}/readyz")).status_code == 200:
                        break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            await asyncio.sleep(0.2)
        owner, project_id = await _owner_and_project(url, settings)
        for _ in range(60):
            stream = SseClient(
                f"{url}/api/sse/projects/{project_id}", headers=owner.headers, last_event_id="0"
            )
            response = await stream.connect()
            pid = response.headers["x-served-by"]
            if pid in streams:
                await stream.close()
            else:
                streams[pid] = stream
            if len(streams) == 2:
                break
        assert len(streams) == 2, "both server processes should accept streams"
        received: dict[str, list[int]] = {pid: [] for pid in streams}

        async def follow(pid: str) -> None:
            async for message in streams[pid].messages():
                body = json.loads(message.data)
                if body["type"] == "interview:added":
                    received[pid].append(body["seq"])

        followers = [asyncio.create_task(follow(pid)) for pid in streams]
        committed_by: set[str] = set()
        n = 0
        async with http(url, owner) as c:
            while n < 20 or committed_by != set(streams):
                r = await _upload(c, project_id, n, fresh=True)
                assert r.status_code == 202
                committed_by.add(r.headers["x-served-by"])
                n += 1
                assert n < 200
        deadline = time.monotonic() + 15
        while any(len(v) < n for v in received.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        for follower in followers:
            follower.cancel()
        for pid, seqs in received.items():
            assert seqs == list(range(1, n + 1)), (pid, seqs)
    finally:
        for stream in streams.values():
            await stream.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
