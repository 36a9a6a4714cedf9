"""Monitoring of the real-time path (issue 17): `/metrics` is not public, its per-project
series stay bounded however many projects are watched, reconnects are counted, and every
stream's connect/replay/reset/disconnect leaves one `[SSE]` line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from tests.live import LiveServer, start_live
from tests.support import Member, http, make_user, take

pytestmark = pytest.mark.anyio

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def monitored(settings: Any) -> Iterator[LiveServer]:
    """A live server behind a "proxy" on loopback (forwarded headers trusted from 127.0.0.1),
    with a metrics token and only three projects named in the metrics."""
    tuned = settings.model_copy(
        update={
            "forwarded_allow_ips": "127.0.0.1",
            "metrics_token": SecretStr(TOKEN),
            "metrics_top_projects": 3,
        }
    )
    live, sock = start_live(tuned)
    yield live
    if live.thread.is_alive():
        live.stop()
    sock.close()


async def _metrics(url: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=10) as c:
        return await c.get("/metrics", headers=headers)


def _samples(text: str, name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                out[sample.labels.get("project", "")] = sample.value
    return out


async def _owner(settings: Any, email: str = "owner@acme.test") -> Member:
    db = Database(settings.database_url, pool_size=1)
    try:
        return await make_user(db, email=email)
    finally:
        await db.dispose()


async def test_metrics_refused_from_outside_and_open_with_the_token(
    monitored: LiveServer, settings: Any
) -> None:
    local = await _metrics(monitored.url)
    assert local.status_code == 200
    assert "pi_sse_connections" in local.text
    # A request relayed by the trusted proxy comes from the forwarded address, not loopback.
    relayed = await _metrics(monitored.url, **{"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403
    assert relayed.json()["error"]["code"] == "metrics_forbidden"
    assert "pi_sse" not in relayed.text
    wrong = await _metrics(
        monitored.url, **{"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "metrics_forbidden"
    # A wrong token is refused even from an allowed address: it is a misconfigured scraper.
    wrong_local = await _metrics(monitored.url, Authorization="Bearer nope")
    assert wrong_local.status_code == 403
    good = await _metrics(
        monitored.url, **{"X-Forwarded-For": "203.0.113.9", "Authorization": f"Bearer {TOKEN}"}
    )
    assert good.status_code == 200
    assert "pi_sse_connections" in good.text


async def test_only_the_configured_addresses_without_a_token(app: Any) -> None:
    """The default allows loopback only (no token configured: nothing else opens it)."""
    for host, status in (("127.0.0.1", 200), ("::1", 200), ("10.1.2.3", 403), ("8.8.8.8", 403)):
        transport = httpx.ASGITransport(app=app, client=(host, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.get("/metrics", headers={"Authorization": "Bearer "})
            assert r.status_code == 403  # an (empty) token with none configured: refused
            r = await c.get("/metrics")
            assert r.status_code == status, (host, r.text)


async def test_project_series_stay_bounded_and_reconnects_are_counted(
    monitored: LiveServer, settings: Any
) -> None:
    owner = await _owner(settings)
    async with http(monitored.url, owner) as c:
        projects = [
            (await c.post("/api/projects", json={"name": f"P{i}"})).json()["id"] for i in range(6)
        ]
    # 1, 1, 2, 2, 3 and 3 streams: the three busiest get a series, the rest are "other".
    wanted = [1, 1, 2, 2, 3, 3]
    streams: list[SseClient] = []
    before = _samples((await _metrics(monitored.url)).text, "pi_sse_reconnects_total")[""]
    try:
        for project_id, n in zip(projects, wanted, strict=True):
            for _ in range(n):
                s = SseClient(
                    f"{monitored.url}/api/sse/projects/{project_id}", headers=owner.headers
                )
                assert (await s.connect()).status == 200
                streams.append(s)
        series = _samples((await _metrics(monitored.url)).text, "pi_sse_project_connections")
        assert len(series) == 4, series
        assert series["other"] == 4
        assert sorted(v for k, v in series.items() if k != "other") == [2, 3, 3]
        assert {projects[4], projects[5]} <= set(series)
        watched = _samples((await _metrics(monitored.url)).text, "pi_sse_projects_watched")
        assert watched[""] == 6
        after_plain = _samples((await _metrics(monitored.url)).text, "pi_sse_reconnects_total")
        assert after_plain[""] == before  # first connections are not reconnects

        again = SseClient(
            f"{monitored.url}/api/sse/projects/{projects[0]}",
            headers=owner.headers,
            last_event_id="0",
        )
        assert (await again.connect()).status == 200
        streams.append(again)
        after = _samples((await _metrics(monitored.url)).text, "pi_sse_reconnects_total")
        assert after[""] == before + 1
    finally:
        for s in streams:
            await s.close()
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        series = _samples((await _metrics(monitored.url)).text, "pi_sse_project_connections")
        if series == {"other": 0} or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert series == {"other": 0}


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def sse_lines() -> Iterator[_Lines]:
    logger = logging.getLogger("persona_insight.sse")
    handler = _Lines()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_sse_log_lines(live_server: LiveServer, settings: Any, sse_lines: _Lines) -> None:
    owner = await _owner(settings)
    async with http(live_server.url, owner) as c:
        project = (await c.post("/api/projects", json={"name": "Logged"})).json()["id"]
        for i in range(2):
            r = await c.post("/api/workflow/async", json={"project_id": project, "text": f"Q{i}"})
            assert r.status_code == 202, r.text
    url = f"{live_server.url}/api/sse/projects/{project}"
    replaying = SseClient(url, headers=owner.headers, last_event_id="0")
    assert (await replaying.connect()).status == 200
    await take(replaying, 2)
    await replaying.close()
    resetting = SseClient(url, headers=owner.headers, last_event_id="abc" * 40)
    assert (await resetting.connect()).status == 200
    await take(resetting, 1)
    await resetting.close()

    def lines(kind: str) -> list[str]:
        return [line for line in sse_lines.lines if line.startswith(f"[SSE] {kind} ")]

    deadline = asyncio.get_running_loop().time() + 10
    while len(lines("disconnect")) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    who = f"project={project} user={owner.user_id}"
    assert lines("connect") == [
        f"[SSE] connect {who} last_id=0",
        f"[SSE] connect {who} last_id={('abc' * 8)!r}",
    ]
    assert lines("replay") == [f"[SSE] replay {who} last_id=0 replayed=2"]
    assert lines("reset") == [f"[SSE] reset {who} last_id=2 reason=unusable_id"]
    assert len(lines("disconnect")) == 2
    assert all(f"{who} last_id=2 reason=disconnected" in line for line in lines("disconnect"))
    assert not any(owner.token in line for line in sse_lines.lines)


def test_a_mistyped_allow_list_stops_the_start_up() -> None:
    from pydantic import ValidationError

    from persona_insight.config import Settings

    assert Settings(metrics_allow_ips="10.0.0.0/8, ::1").metrics_allow_ips == "10.0.0.0/8, ::1"
    with pytest.raises(ValidationError, match="metrics_allow_ips"):
        Settings(metrics_allow_ips="127.0.0.1,localhost")
