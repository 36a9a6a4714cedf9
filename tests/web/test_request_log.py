"""The terminal after `make run` says what happens (issue 17): one readable INFO line per request
(method, path, status, milliseconds), the analysis's progress, and uvicorn's informational lines
under `uvicorn`, not `uvicorn.error`."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from persona_insight.observability import configure_logging, stop_logging
from tests.support import client, make_project, make_user, wait_for_status

pytestmark = pytest.mark.anyio


@pytest.fixture
async def app(worker_settings: Any) -> AsyncIterator[Any]:
    """The application with its job worker, as `make run` starts it."""
    from persona_insight.app import create_app

    application = create_app(worker_settings)
    async with application.lifespan():
        yield application


async def test_requests_and_analysis_progress_are_logged(
    capsys: pytest.CaptureFixture[str], app: Any
) -> None:
    member = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    project = await make_project(app, member)
    configure_logging("INFO")
    try:
        async with client(app, member) as c:
            assert (await c.get("/login")).status_code in (200, 303)
            assert (await c.get("/api/projects/not-an-id")).status_code == 422
            await c.get("/static/css/app.css")
            r = await c.post(
                "/api/workflow/async",
                json={"project_id": project["id"], "text": "Q: 무엇이 불편하셨어요?"},
            )
            interview_id = r.json()["interview_id"]
        await wait_for_status(app, member, interview_id, {"failed"})
        # As `serve` runs uvicorn (log_config=None): other tests' servers leave uvicorn's own
        # handlers and levels behind, which would keep the line from our handler.
        parent, uvicorn_log = logging.getLogger("uvicorn"), logging.getLogger("uvicorn.error")
        saved = (parent.handlers[:], parent.propagate, parent.level, uvicorn_log.level)
        parent.handlers[:], parent.propagate = [], True
        parent.setLevel(logging.NOTSET)
        uvicorn_log.setLevel(logging.INFO)
        try:
            uvicorn_log.info("Started server process [42]")
        finally:
            parent.handlers[:], parent.propagate = saved[0], saved[1]
            parent.setLevel(saved[2])
            uvicorn_log.setLevel(saved[3])
    finally:
        stop_logging()
    err = capsys.readouterr().err
    assert re.search(r"GET /login (200|303) \d+ ms", err), err
    assert re.search(r"GET /api/projects/not-an-id 422 \d+ ms", err), err
    assert re.search(r"POST /api/workflow/async 202 \d+ ms", err), err
    assert "/static/css/app.css" not in err  # DEBUG: assets would drown the rest
    assert f"analysing {interview_id} (offline engine, attempt 1)" in err
    assert f"analysis of {interview_id} failed: empty_transcript" in err
    started = next(line for line in err.splitlines() if "Started server process" in line)
    assert "[uvicorn]" in started
    assert "uvicorn.error" not in err
