"""Client-observed delivery latency (issue 17): pages post samples to
`POST /api/realtime/latency` (authenticated, CSRF-checked, validated, rate-limited per user),
which feed a Prometheus histogram and the percentiles of the real-time debugger."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from persona_insight.realtime import latency
from tests.support import client, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
async def tight_app(settings: Any) -> AsyncIterator[Any]:
    """The app with three latency reports a minute per user, and an empty window."""
    from persona_insight.app import create_app

    latency.WINDOW.samples.clear()
    latency.LIMITER.windows.clear()
    application = create_app(settings.model_copy(update={"latency_reports_per_minute": 3}))
    async with application.lifespan():
        yield application
    latency.WINDOW.samples.clear()
    latency.LIMITER.windows.clear()


def _histogram_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "pi_sse_client_latency_seconds_count":
                return sample.value
    raise AssertionError("no pi_sse_client_latency_seconds histogram")


async def test_ping_answers_the_server_time(tight_app: Any) -> None:
    mina = await make_user(tight_app.api.state.runtime.db, email="mina@acme.test")
    async with client(tight_app) as anonymous:
        assert (await anonymous.get("/api/realtime/ping")).status_code == 401
    async with client(tight_app, mina) as c:
        before = time.time()
        r = await c.get("/api/realtime/ping")
        assert r.status_code == 200
        assert before <= r.json()["server_ts"] <= time.time()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"samples_ms": []},
        {"samples_ms": [1.0] * 21},
        {"samples_ms": ["fast"]},
        {"samples_ms": [10_000_000]},
        {"samples_ms": [-60_000]},
        {"samples_ms": [5], "user": "someone-else"},
        [5, 6],
        "NaN",
    ],
)
async def test_bad_reports_are_refused_and_change_nothing(tight_app: Any, body: Any) -> None:
    mina = await make_user(tight_app.api.state.runtime.db, email="mina@acme.test")
    async with client(tight_app, mina) as c:
        if body == "NaN":
            r = await c.post(
                "/api/realtime/latency",
                content=b'{"samples_ms": [NaN]}',
                headers={"Content-Type": "application/json"},
            )
        else:
            r = await c.post("/api/realtime/latency", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "validation_error"
        broken = await c.post(
            "/api/realtime/latency",
            content=b"\xff\xfe{",
            headers={"Content-Type": "application/json"},
        )
        assert broken.status_code == 400
        assert broken.json()["error"]["code"] == "bad_request"
    assert latency.WINDOW.summary(time.time())["count"] == 0


async def test_reports_need_a_user_and_the_csrf_token(tight_app: Any) -> None:
    await make_user(tight_app.api.state.runtime.db, email="mina@acme.test")
    async with client(tight_app) as anonymous:
        r = await anonymous.post("/api/realtime/latency", json={"samples_ms": [5]})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthenticated"
    async with await sign_in(tight_app, "mina@acme.test") as page:
        await page.get("/projects")
        r = await page.http.post("/api/realtime/latency", json={"samples_ms": [5]})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "csrf_failed"
        r = await page.http.post(
            "/api/realtime/latency", json={"samples_ms": [5]}, headers={"X-CSRF-Token": page.csrf}
        )
        assert r.status_code == 204, r.text
    assert latency.WINDOW.summary(time.time())["count"] == 1


async def test_samples_reach_the_histogram_and_the_debugger(tight_app: Any) -> None:
    db = tight_app.api.state.runtime.db
    root = await make_user(db, email="root@acme.test", role="super_admin")
    mina = await make_user(db, email="mina@acme.test")
    joon = await make_user(db, email="joon@acme.test")
    metrics_before = _histogram_count((await client(tight_app).get("/metrics")).text)
    async with client(tight_app, mina) as c:
        r = await c.post("/api/realtime/latency", json={"samples_ms": [120, 80.5, 300, -20]})
        assert r.status_code == 204, r.text
        for _ in range(2):
            assert (await c.post("/api/realtime/latency", json={"samples_ms": [50]})).status_code
        # The fourth report in a minute is one too many (per user: joon is not held back).
        r = await c.post("/api/realtime/latency", json={"samples_ms": [50]})
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "too_many_reports"
        assert 0 < int(r.headers["Retry-After"]) <= 60
    async with client(tight_app, joon) as c:
        r = await c.post("/api/realtime/latency", json={"samples_ms": [1000]})
        assert r.status_code == 204
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=tight_app), base_url="http://testserver"
    ) as c:
        after = _histogram_count((await c.get("/metrics")).text)
    assert after - metrics_before == 7  # 4 + 2 + 1 accepted samples, the refused one not
    async with client(tight_app, root) as c:
        shown = (await c.get("/api/admin/realtime")).json()["client_latency"]
    # Sorted: 0 (a slightly negative sample counts as 0), 50, 50, 80.5, 120, 300, 1000.
    assert shown["count"] == 7
    assert shown["p50_ms"] == 80.5
    assert shown["p90_ms"] == 1000
    assert shown["max_ms"] == 1000
    async with client(tight_app, mina) as c:
        assert (await c.get("/api/admin/realtime")).status_code == 403
    async with await sign_in(tight_app, "root@acme.test") as page:
        html = (await page.get("/admin/realtime")).text
    assert "클라이언트가 측정한 전달 지연" in html
    assert "<td>7</td><td>80.5</td><td>1000.0</td><td>1000.0</td><td>1000.0</td>" in html
