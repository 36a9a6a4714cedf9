"""Errors are logged plainly, off the event loop, without secrets; and the causes of the 500s
an attacker found answer cleanly (issue 10, item 3)."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from pathlib import Path

import httpx
import pytest
import structlog
from sqlalchemy import text

from persona_insight.db import Database
from persona_insight.observability import configure_logging, stop_logging
from tests.security.served import Served, served
from tests.support import Member, as_owner, make_user

# Bounds on how long the server takes to answer while it logs: run alone (make test).
pytestmark = pytest.mark.serial

TOKEN = "pit_" + "S3cr3tT0k3n" * 4
SESSION = "pis_" + "Sess10nV4lue" * 3
PASSWORD = "hunter2-correct-horse"


class _SlowToRender(Exception):
    def __str__(self) -> str:
        time.sleep(0.5)
        return "slow to render"


def _fail(authorization: str) -> None:
    headers = [
        (b"authorization", authorization.encode()),
        (b"cookie", b"pi_session=" + SESSION.encode()),
    ]
    password = PASSWORD
    raise RuntimeError(
        f"request failed for {authorization} ({len(headers)} headers, password={password!r})"
    )


@pytest.mark.parametrize("json", [False, True])
def test_log_output_has_no_secrets_and_no_locals(
    capsys: pytest.CaptureFixture[str], json: bool
) -> None:
    configure_logging("INFO", json=json)
    try:
        try:
            _fail(f"Bearer {TOKEN}")
        except RuntimeError:
            logging.getLogger("stdlib").exception(
                "stdlib error with Authorization: Bearer %s", TOKEN
            )
            structlog.get_logger("structured").exception(
                "structured error", headers={"Authorization": f"Bearer {TOKEN}"}, password=PASSWORD
            )
        logging.getLogger("stdlib").warning("cookie: pi_session=%s; lang=ko", SESSION)
    finally:
        stop_logging()
    err = capsys.readouterr().err
    assert err.count("Traceback") == 2, err
    for secret in (TOKEN, SESSION, PASSWORD):
        assert secret not in err, f"{secret} leaked into the log:\n{err}"
    assert "[REDACTED]" in err
    # Plain tracebacks: no rich boxes, no local variables' values.
    assert "│" not in err
    assert "b'authorization'" not in err
    assert len(err.splitlines()) < 80, err


def test_records_are_rendered_off_the_calling_thread(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    try:
        started = time.perf_counter()
        for _ in range(4):
            try:
                raise _SlowToRender
            except _SlowToRender:
                logging.getLogger("x").exception("failed")
        elapsed = time.perf_counter() - started
    finally:
        stop_logging()
    assert elapsed < 0.5, f"logging 4 errors took {elapsed:.2f} s on the calling thread"
    assert capsys.readouterr().err.count("slow to render") == 4


# --- against a live server ------------------------------------------------------------------


async def _member(database_url: str) -> Member:
    db = Database(database_url, pool_size=1)
    try:
        return await make_user(db, email="kim@acme.test")
    finally:
        await db.dispose()


def _abandoned_upload(srv: Served, member: Member) -> None:
    """Headers and part of a multipart body, then the connection closes."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        s.sendall(
            b"POST /api/workflow/async HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + member.token.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
            + b"x"
            * 5000
        )
        time.sleep(0.2)


async def _health_latency(url: str, until: asyncio.Event) -> float:
    worst = 0.0
    async with httpx.AsyncClient(timeout=10) as c:
        while not until.is_set():
            started = time.perf_counter()
            r = await c.get(f"{url}/healthz")
            assert r.status_code == 200
            worst = max(worst, time.perf_counter() - started)
            await asyncio.sleep(0.05)
    return worst


@pytest.mark.slow
@pytest.mark.anyio
async def test_errors_answer_cleanly_and_leave_no_secret_in_the_log(
    database_url: str, tmp_path: Path
) -> None:
    member = await _member(database_url)
    headers = {**member.headers, "Cookie": f"pi_session={SESSION}"}
    with served(database_url, tmp_path / "data", db_pool_size="1", db_pool_timeout_s="1") as srv:
        async with httpx.AsyncClient(base_url=srv.url, headers=headers, timeout=30) as c:
            r = await c.post("/api/projects", json={"name": "Research"})
            assert r.status_code == 201, r.text
            project = r.json()

            # Pool timeout: both connections (pool 1 + overflow 1) wait on a lock; the third
            # request waits for a connection, gives up after 1 s, and answers 503.
            async with as_owner(database_url) as owner:
                await owner.execute(text("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE"))
                blocked = [asyncio.create_task(c.get("/api/projects")) for _ in range(2)]
                await asyncio.sleep(0.5)
                r = await c.get("/api/projects")
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] == "database_busy"
                assert r.headers["retry-after"]
                # Readiness does not queue for the pool.
                for probe in ("/readyz", "/healthz"):
                    started = time.perf_counter()
                    assert (await c.get(probe)).status_code == 200
                    assert time.perf_counter() - started < 1.0
            assert all(t.status_code == 200 for t in await asyncio.gather(*blocked))

            # A client that leaves mid-upload is no error at all.
            for _ in range(3):
                await asyncio.to_thread(_abandoned_upload, srv, member)
            assert (await c.get("/api/projects")).status_code == 200

            # A NUL in a form field is the client's input: 422, not 500.
            r = await c.post(
                "/api/workflow/async",
                data={"project_id": project["id"], "title": "a\x00b"},
                files={"file": ("a.txt", b"Q: hi?\nA: hello", "text/plain")},
            )
            assert r.status_code in (202, 422), r.text
            await asyncio.sleep(0.5)  # the log is written by a thread of the server
            before = srv.log_text()
            assert "Traceback" not in before, before[-5000:]

            # A genuine 500 (a table gone), ten at once: plainly logged, health unaffected.
            async with as_owner(database_url) as owner:
                await owner.execute(text("ALTER TABLE interviews RENAME TO interviews_gone"))
            done = asyncio.Event()
            health = asyncio.create_task(_health_latency(srv.url, done))
            path = f"/api/projects/{project['id']}/interviews"
            answers = await asyncio.gather(*(c.get(path) for _ in range(10)))
            done.set()
            assert {a.status_code for a in answers} == {500}
            assert answers[0].json()["error"]["code"] == "internal_error"
            assert await health < 1.0
    log = srv.log_text()
    assert "Traceback" in log
    for secret in (member.token, SESSION):
        assert secret not in log, "a credential reached the log"
    assert "│" not in log
    assert len(log.splitlines()) < 10 * 150, "tracebacks should be plain, without locals"


def test_a_flood_of_errors_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    """The queue between the callers and the rendering thread is bounded: a flood drops
    records instead of holding every traceback (and its frames) in memory."""
    from persona_insight import observability

    configure_logging("INFO")
    listener = observability._listener
    assert listener is not None
    listener.stop()  # nobody renders: the queue fills up
    before = observability._DeferredQueueHandler.dropped
    try:
        for _ in range(observability._QUEUED_RECORDS + 50):
            logging.getLogger("flood").error("error")
        assert observability._DeferredQueueHandler.dropped - before == 50
    finally:
        observability._listener = None
        configure_logging("INFO")
        stop_logging()
        capsys.readouterr()
