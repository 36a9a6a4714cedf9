"""Project-scoped routes answer 404 to anyone outside the project — another company included."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import api_operations, client, make_project, make_user

pytestmark = pytest.mark.anyio


def _requests(
    project_id: str, interview_id: str, app: Any
) -> list[tuple[str, str, dict[str, Any]]]:
    """Every project- or interview-scoped route, with a body it would accept from a member."""
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("PATCH", "/api/interviews/{interview_id}"): {"json": {"title": "mine now"}},
        ("POST", "/api/workflow/process"): {"json": {"interview_id": interview_id}},
    }
    out = []
    for method, template in api_operations(app):
        if "{project_id}" not in template and "{interview_id}" not in template:
            continue
        path = template.format(project_id=project_id, interview_id=interview_id)
        out.append((method, path, bodies.get((method, template), {})))
    out.append(("POST", "/api/workflow/process", bodies[("POST", "/api/workflow/process")]))
    out.append(
        (
            "POST",
            "/api/workflow/async",
            {"json": {"project_id": project_id, "text": "Q: hi?\nA: hello"}},
        )
    )
    out.append(
        (
            "POST",
            "/api/workflow/async",
            {
                "data": {"project_id": project_id},
                "files": {"file": ("a.txt", b"Q: hi?\nA: hello", "text/plain")},
            },
        )
    )
    return out


@pytest.mark.parametrize("outsider_company", ["Other Corp", "Acme"])
async def test_outsiders_get_404_everywhere(app: Any, outsider_company: str) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test", company="Acme")
    outsider = await make_user(db, email="outsider@other.test", company=outsider_company)
    project = await make_project(app, owner, visibility="private")
    async with client(app, owner) as c:
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": "Q: hi?\nA: hello"}
        )
        interview_id = r.json()["interview_id"]
        await c.delete(f"/api/interviews/{interview_id}")
    requests = _requests(project["id"], interview_id, app)
    assert len(requests) >= 12
    async with client(app, outsider) as c:
        for method, path, kwargs in requests:
            r = await c.request(method, path, **kwargs)
            assert r.status_code == 404, (method, path, r.status_code, r.text)
            assert project["name"] not in r.text
        r = await c.get("/api/projects")
        assert project["id"] not in r.text
        r = await c.get(f"/api/sse/projects/{project['id']}")
        assert r.status_code == 404
    # Nothing changed for the owner.
    async with client(app, owner) as c:
        trash = (await c.get(f"/api/projects/{project['id']}/trash")).json()["items"]
        assert [i["title"] for i in trash] == ["Q: hi?"]
