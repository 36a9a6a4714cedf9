"""A company picks its engine and keys (never shown again), its glossary and personas — and
the analysis job uses them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_project, make_user, wait_for_status

pytestmark = pytest.mark.anyio


async def test_keys_are_sealed_and_never_returned(app: Any, caplog: Any) -> None:
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    secret = "sk-very-secret-1234567890"
    with caplog.at_level(logging.DEBUG):
        async with client(app, admin) as c:
            r = await c.put(
                "/api/company/analysis",
                json={
                    "engine": "llm",
                    "llm_model": "openai:gpt-4.1-mini",
                    "llm_api_key": secret,
                    "llm_base_url": "http://127.0.0.1:9/v1",
                },
            )
            assert r.status_code == 200, r.text
            assert secret not in r.text
            body = r.json()
            assert body["llm_api_key_set"] is True
            assert body["engine"] == "llm"
            got = await c.get("/api/company/analysis")
            assert secret not in got.text
            audit = await c.get("/api/admin/audit")
            assert secret not in audit.text
            r = await c.put("/api/company/analysis", json={"llm_base_url": "file:///etc/passwd"})
            assert r.status_code == 422
            r = await c.put("/api/company/analysis", json={"llm_api_key": ""})
            assert r.json()["llm_api_key_set"] is False
    assert secret not in caplog.text
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        stored = (
            (
                await s.execute(
                    text(
                        "SELECT engine_config::text || coalesce(engine_secrets, '') FROM companies"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert all(secret not in row for row in stored)


async def test_members_cannot_change_engine_settings(app: Any) -> None:
    kim = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app, kim) as c:
        assert (await c.get("/api/company/analysis")).status_code == 403
        assert (await c.put("/api/company/analysis", json={"engine": "miso"})).status_code == 403
        assert (
            await c.post("/api/company/glossary", json={"term": "EV", "definition": "x"})
        ).status_code == 403
        assert (await c.get("/api/company/glossary")).status_code == 200


async def test_glossary_and_personas_crud(app: Any) -> None:
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    async with client(app, admin) as c:
        r = await c.post("/api/company/glossary", json={"term": "완속 충전", "definition": "7kW"})
        assert r.status_code == 201
        term = r.json()
        r = await c.post("/api/company/glossary", json={"term": "완속 충전", "definition": "x"})
        assert r.json()["error"]["code"] == "term_exists"
        r = await c.post(
            "/api/company/personas",
            json={"code": "P1", "title": "루틴 충전러", "description": "집 충전"},
        )
        persona = r.json()
        assert (
            await c.post("/api/company/personas", json={"code": "P 1", "title": "x"})
        ).status_code == 422
        r = await c.patch(f"/api/company/personas/{persona['id']}", json={"title": "Routine"})
        assert r.json()["title"] == "Routine"
        assert [p["code"] for p in (await c.get("/api/company/personas")).json()["items"]] == ["P1"]
        assert (await c.delete(f"/api/company/glossary/{term['id']}")).status_code == 204
        assert (await c.delete(f"/api/company/personas/{persona['id']}")).status_code == 204
        assert (await c.get("/api/company/glossary")).json()["items"] == []


async def test_the_job_uses_the_company_engine_and_context(app: Any, worker: None) -> None:
    """A company on the miso engine with an unreachable server: the job must try miso (and fail
    with its connection error), proving the company's choice is honoured; personas reach the
    offline engine's persona match when the company goes back to offline."""
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin, "Engines")
    transcript = (
        "Interviewer: How do you charge?\nParticipant: At home every night, it is "
        "cheap and routine.\nInterviewer: Problems?\nParticipant: Public chargers "
        "are often broken, which is really frustrating."
    )
    async with client(app, admin) as c:
        await c.put(
            "/api/company/analysis",
            json={
                "engine": "miso",
                "miso_base_url": "http://127.0.0.1:9",
                "miso_api_key": "app-key",
            },
        )
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": transcript}
        )
        failed = await wait_for_status(
            app, admin, r.json()["interview_id"], {"failed", "completed"}
        )
        assert failed["status"] == "failed"
        assert failed["error"]["engine"] == "miso"
        assert failed["error"]["code"] == "engine_unavailable"
        assert failed["error"]["retryable"] is True
        await c.put("/api/company/analysis", json={"engine": "offline"})
        await c.post(
            "/api/company/personas",
            json={
                "code": "HOME",
                "title": "Home charger",
                "description": "Charges at home every night; cost-conscious routine.",
            },
        )
        await c.post(
            "/api/company/personas",
            json={
                "code": "FLEET",
                "title": "Fleet manager",
                "description": "Manages a company fleet of delivery vans and their depots.",
            },
        )
        r = await c.post(f"/api/interviews/{failed['id']}/retry")
        assert r.status_code == 202
        done = await wait_for_status(app, admin, failed["id"], {"completed", "failed"})
        assert done["status"] == "completed", done["error"]
        assert done["engine"] == "offline"
        assert done["persona_code"] == "HOME"
        assert done["attempts"] == 2


async def test_a_term_added_twice_at_once_is_a_conflict(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins add the same term at the same moment: both pass the lookup (made to miss
    here, as it does in the race) and the unique index decides — 409, not a server error."""
    from persona_insight.companies import repository

    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    async with client(app, admin) as c:
        r = await c.post("/api/company/glossary", json={"term": "완속 충전", "definition": "7kW"})
        assert r.status_code == 201

        async def missed(*args: Any) -> None:
            return None

        monkeypatch.setattr(repository, "term_named", missed)
        r = await c.post("/api/company/glossary", json={"term": "완속 충전", "definition": "x"})
        assert (r.status_code, r.json()["error"]["code"]) == (409, "term_exists")
        terms = (await c.get("/api/company/glossary")).json()["items"]
        assert [(t["term"], t["definition"]) for t in terms] == [("완속 충전", "7kW")]
