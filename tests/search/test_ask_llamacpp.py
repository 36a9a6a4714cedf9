"""Ask with the `llm` engine against a real llama.cpp server running SmolLM2-135M (the fixture
of tests/analysis/test_llm_llamacpp.py; skipped with its reason when xllamacpp or the model is
missing). The tiny model's answer is poor; what must hold is the protocol: the answer streams
to its end and every citation sent names a line the model was given, as the validator kept it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.analysis.test_llm_llamacpp import llama_base_url  # noqa: F401 -- the fixture
from tests.search.conftest import CHARGING, indexed_interview
from tests.search.sse import events
from tests.support import client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(900)]


async def test_ask_through_llamacpp_cites_only_given_lines(
    app: Any,
    llama_base_url: str,  # noqa: F811 -- the imported fixture
) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin)
    interview_id = await indexed_interview(app, admin, project["id"])
    answers = {i: text for i, speaker, text in CHARGING if speaker == "answer"}
    async with client(app, admin) as c:
        r = await c.put(
            "/api/company/analysis",
            json={"engine": "llm", "llm_model": "smollm2-135m", "llm_base_url": llama_base_url},
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            f"/api/projects/{project['id']}/ask",
            json={"question": "What goes wrong when they charge or pay?"},
        )
    got = events(r.text)
    assert got[0][1] == "message:start"
    assert got[-1][1] == "message:end", got[-1]
    for _, kind, data in got:
        if kind != "citation":
            continue
        assert data["interview_id"] == interview_id
        for line in data["lines"]:
            assert answers[line["id"]] == line["text"]
