"""Slow clients cannot take the server down (issue 10, item 2): 25 connections trickling a
request body once held every pooled database connection, and health checks stopped answering.
Bodies are now read before a request touches the database, at a minimum pace; headers have a
deadline; /healthz and /readyz never use the pool."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from persona_insight.db import Database
from tests.security.served import served
from tests.support import Member, make_user

pytestmark = [pytest.mark.slow, pytest.mark.anyio, pytest.mark.serial]

BODY_CLIENTS = 25
HEADER_CLIENTS = 5
WINDOW_S = 5.0
HEADER_TIMEOUT_S = 4.0
TRICKLE_EVERY_S = 1.0
MAX_TRICKLES = 40  # bounds each client: 40 s at most


async def _member(database_url: str) -> Member:
    db = Database(database_url, pool_size=1)
    try:
        return await make_user(db, email="kim@acme.test")
    finally:
        await db.dispose()


async def _trickle(port: int, head: bytes) -> tuple[float, bytes]:
    """Send `head`, then one byte a second; return when (seconds) and how the server ended it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    answer = b""
    try:
        writer.write(head)
        await writer.drain()
        for _ in range(MAX_TRICKLES):
            try:
                answer = await asyncio.wait_for(reader.read(4096), TRICKLE_EVERY_S)
            except TimeoutError:
                writer.write(b"x")
                await writer.drain()
                continue
            # An answer (its head and body may come in separate reads: read on to the close),
            # or b"" when the server closed the connection.
            while answer and not answer.endswith(b"}"):
                more = await asyncio.wait_for(reader.read(4096), 5)
                if not more:
                    break
                answer += more
            break
    except (ConnectionError, TimeoutError):
        pass
    finally:
        writer.close()
    return time.monotonic() - started, answer


async def _watch_health(url: str, stop: asyncio.Event) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=5) as c:
        while not stop.is_set():
            started = time.perf_counter()
            for path in ("/healthz", "/readyz"):
                r = await c.get(f"{url}{path}")
                assert r.status_code == 200, r.text
            latencies.append((time.perf_counter() - started) / 2)
            await asyncio.sleep(0.1)
    return latencies


async def test_slow_clients_are_cut_and_the_server_keeps_answering(
    database_url: str, tmp_path: Path
) -> None:
    member = await _member(database_url)
    with served(
        database_url,
        tmp_path / "data",
        db_pool_size="2",  # four connections in all: 25 slow clients would hold them many times
        body_rate_window_s=str(WINDOW_S),
        header_timeout_s=str(HEADER_TIMEOUT_S),
    ) as srv:
        auth = f"Authorization: Bearer {member.token}\r\n".encode()
        body_heads = [
            (
                b"POST /login HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                if i % 2
                else b"POST /api/workflow/async HTTP/1.1\r\nHost: x\r\n"
                + auth
                + b"Content-Type: multipart/form-data; boundary=b\r\n"
            )
            + b"Content-Length: 100000\r\n\r\n"
            for i in range(BODY_CLIENTS)
        ]
        header_heads = [b"GET /api/projects HTTP/1.1\r\nHost: x\r\n"] * HEADER_CLIENTS
        stop = asyncio.Event()
        health = asyncio.create_task(_watch_health(srv.url, stop))
        slow = [asyncio.create_task(_trickle(srv.port, h)) for h in body_heads + header_heads]
        await asyncio.sleep(1.5)
        # Meanwhile an ordinary call works, promptly.
        async with httpx.AsyncClient(base_url=srv.url, headers=member.headers, timeout=10) as c:
            for _ in range(3):
                started = time.perf_counter()
                r = await c.get("/api/projects")
                assert r.status_code == 200, r.text
                assert time.perf_counter() - started < 2.0
                await asyncio.sleep(1.0)
        ended = await asyncio.wait_for(asyncio.gather(*slow), timeout=60)
        stop.set()
        latencies = await health

    for seconds, answer in ended[:BODY_CLIENTS]:
        # Cut at the end of the first window in which fewer than 1 KB/s arrived.
        assert seconds < WINDOW_S + 3, seconds
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"body_too_slow" in answer
    for seconds, answer in ended[BODY_CLIENTS:]:
        assert seconds < HEADER_TIMEOUT_S + 2, seconds
        assert answer == b""  # closed without an answer: the request never began
    assert latencies, "no health check ran"
    assert max(latencies) < 1.0, f"health took up to {max(latencies):.2f} s"


async def test_a_slow_but_steady_upload_goes_through(database_url: str, tmp_path: Path) -> None:
    """A rate floor, not a deadline: 40 KB at ~4 KB/s takes ~10 s, two whole windows, and is
    accepted."""
    member = await _member(database_url)
    with served(database_url, tmp_path / "data", body_rate_window_s="2") as srv:
        async with httpx.AsyncClient(base_url=srv.url, headers=member.headers, timeout=30) as c:
            project = (await c.post("/api/projects", json={"name": "Research"})).json()
            line = "Q: 요즘 어떻게 지내세요?\nA: 바쁘지만 괜찮아요.\n".encode()
            text = line * (40_000 // len(line))

            async def paced() -> object:
                boundary = b"--pace"
                yield boundary + b'\r\nContent-Disposition: form-data; name="project_id"\r\n\r\n'
                yield project["id"].encode() + b"\r\n"
                yield boundary + b'\r\nContent-Disposition: form-data; name="file"; '
                yield b'filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\n'
                for start in range(0, len(text), 2000):
                    yield text[start : start + 2000]
                    await asyncio.sleep(0.5)
                yield b"\r\n" + boundary + b"--\r\n"

            started = time.monotonic()
            r = await c.post(
                "/api/workflow/async",
                content=paced(),  # type: ignore[arg-type]
                headers={"Content-Type": "multipart/form-data; boundary=pace"},
            )
            assert r.status_code == 202, r.text
            assert time.monotonic() - started > 4
