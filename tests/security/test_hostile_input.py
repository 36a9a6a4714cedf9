"""Hostile input is stored as text and given back as text: markup, SQL-looking strings, long
unicode and right-to-left text all round-trip untouched and harmless."""

from __future__ import annotations

from typing import Any

import pytest

from persona_insight.ingest import normalize
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio

HOSTILE = [
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE interviews; --",
    "Robert'); DELETE FROM users WHERE ('1'='1",
    "%_\\' OR 1=1 --",
    "مرحبا بالعالم — שלום עולם",  # right-to-left
    "\u202eevil\u202c reversed",  # an RTL override character
    "👩🏽‍💻 인터뷰 🚗⚡ " * 10,
    "가" * 300,
]


@pytest.mark.parametrize("value", HOSTILE)
async def test_titles_and_names_round_trip_as_text(app: Any, value: str) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member, name=value[:200])
    assert project["name"] == value[:200].strip()
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            json={
                "project_id": project["id"],
                "title": value[:300],
                "text": f"Q: {value}?\nA: {value}",
            },
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        got = (await c.get(f"/api/interviews/{interview_id}")).json()
        assert got["title"] == value[:300].strip()
        # Transcripts are normalised (NFC, invisible controls such as bidi overrides dropped).
        assert normalize(value) in got["text"]
        r = await c.patch("/api/me", json={"name": value[:200]})
        assert r.json()["name"] == value[:200].strip()
        listing = await c.get("/api/projects", params={"q": value[:50]})
        assert listing.status_code == 200
        assert [p["id"] for p in listing.json()["items"]] == [project["id"]]
        # The tables are all still there.
        assert (await c.get(f"/api/projects/{project['id']}/interviews")).status_code == 200


async def test_search_wildcards_are_literal(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    await make_project(app, member, name="100% charged")
    await make_project(app, member, name="Other")
    async with client(app, member) as c:
        names = [
            p["name"] for p in (await c.get("/api/projects", params={"q": "%"})).json()["items"]
        ]
        assert names == ["100% charged"]
        names = [
            p["name"] for p in (await c.get("/api/projects", params={"q": "_"})).json()["items"]
        ]
        assert names == []


async def test_downloads_never_render_uploaded_markup(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    html = b"<html><body><p>Q: hi?</p><p>A: <script>alert(1)</script>fine</p></body></html>"
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("x.html", html, "text/html")},
        )
        assert r.status_code == 202, r.text
        f = await c.get(f"/api/interviews/{r.json()['interview_id']}/file")
        assert f.headers["content-disposition"].startswith("attachment")
        assert f.headers["content-security-policy"] == "sandbox"
        assert f.headers["x-content-type-options"] == "nosniff"
        text = (await c.get(f"/api/interviews/{r.json()['interview_id']}")).json()["text"]
        assert "<script>" not in text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/auth/login", {"email": "a\x00@b.test", "password": "x"}),
        (
            "POST",
            "/api/auth/signup",
            {"email": "a\x00@b.test", "password": "long enough!", "name": "x"},
        ),
        ("POST", "/api/projects", {"name": "bad\x00name"}),
    ],
)
async def test_nul_characters_are_refused_not_crashed_on(
    app: Any, method: str, path: str, body: dict[str, str]
) -> None:
    """Found by schemathesis: PostgreSQL cannot store NUL in text, which used to answer 500."""
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app, member) as c:
        r = await c.request(method, path, json=body)
    assert r.status_code == 422, r.text
    async with client(app, member) as c:
        r = await c.get("/api/projects", params={"q": "x\x00y"})
    assert r.status_code == 422


async def test_a_wrong_method_is_answered_with_every_method_the_path_takes(app: Any) -> None:
    """The 405 named only the methods of the first route whose path matched: `HEAD
    /api/projects` said "Allow: POST" though GET exists (API QA pass)."""
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    async with client(app, owner) as c:
        for method, path, allowed in (
            ("DELETE", "/api/projects", {"GET", "POST"}),
            ("DELETE", "/api/personas/framework", {"GET", "PUT"}),
        ):
            r = await c.request(method, path)
            assert r.status_code == 405, (method, path, r.text)
            assert r.json()["error"]["code"] == "method_not_allowed"
            assert allowed <= {m.strip() for m in r.headers["allow"].split(",")}, r.headers
