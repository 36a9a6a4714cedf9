"""Knowledge documents: company admins add them (company-wide or to a project), they are chunked
and searchable, "ask" cites their chunks, and deleting one removes it from search at once.
Members cannot add; another company sees nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.search.conftest import indexed_interview
from tests.search.sse import events
from tests.support import client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(900)]

REPORT = (
    "2026 전기차 충전 시장 보고서\n\n"
    "아파트 단지의 완속 충전기 보급률은 세대수 대비 3% 수준에 머물러 있다.\n\n"
    "Public fast chargers on highways are out of order 12% of the time."
).encode()


async def test_documents_are_added_searched_cited_and_deleted(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    member = await make_user(db, email="user@acme.test")
    outsider = await make_user(db, email="b@other.test", company="Other", role="company_admin")
    project = await make_project(app, admin)
    await indexed_interview(app, admin, project["id"])
    async with client(app, member) as c:
        r = await c.post("/api/knowledge", files={"file": ("report.txt", REPORT, "text/plain")})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "forbidden"
    async with client(app, admin) as c:
        r = await c.post(
            "/api/knowledge",
            files={"file": ("report.txt", REPORT, "text/plain")},
            data={"title": "충전 시장 보고서"},
        )
        assert r.status_code == 201, r.text
        document = r.json()
        assert document["project_id"] is None
        assert document["chunks"] >= 1
        assert document["kind"] == "txt"
        empty = await c.post("/api/knowledge", files={"file": ("e.txt", b"", "text/plain")})
        assert empty.status_code == 422
        assert empty.json()["error"]["code"] == "empty_file"
        missing = await c.post("/api/knowledge", data={"title": "x"})
        assert missing.json()["error"]["code"] == "file_required"
        foreign = await c.post(
            "/api/knowledge",
            files={"file": ("r.txt", REPORT, "text/plain")},
            data={"project_id": "01a23c64-f926-7eac-bb9b-8cafff92d8e3"},
        )
        assert foreign.status_code == 404
        # The upload contract (API QA pass): blank text is empty_document, not the
        # transcript's empty_content; a body that is not a form is 415; too large is 413.
        blank = await c.post("/api/knowledge", files={"file": ("b.txt", b" \n\t ", "text/plain")})
        assert (blank.status_code, blank.json()["error"]["code"]) == (422, "empty_document")
        plain = await c.post(
            "/api/knowledge", content=b"hello", headers={"Content-Type": "text/plain"}
        )
        assert (plain.status_code, plain.json()["error"]["code"]) == (415, "unsupported_body")
        limit = app.api.state.runtime.settings.max_upload_bytes
        big = await c.post(
            "/api/knowledge", files={"file": ("big.txt", b"a" * (limit + 1), "text/plain")}
        )
        assert (big.status_code, big.json()["error"]["code"]) == (413, "file_too_large")
        listed = (await c.get("/api/knowledge")).json()
        assert [d["id"] for d in listed] == [document["id"]]  # nothing else was kept

        found = (await c.get("/api/search", params={"q": "완속 충전기 보급률"})).json()
        (item,) = [i for i in found["items"] if i["kind"] == "document"]
        assert item["id"] == document["id"]
        assert item["title"] == "충전 시장 보고서"
        assert item["url"] == f"/knowledge/{document['id']}#chunk-{item['ref']}"

        r = await c.post(
            f"/api/projects/{project['id']}/ask", json={"question": "완속 충전기 보급률은?"}
        )
        got = events(r.text)
        assert got[-1][1] == "message:end", got[-1]
        cited = [d for _, t, d in got if t == "citation" and "document_id" in d]
        assert cited, got
        assert cited[0]["document_id"] == document["id"]
        assert "보급률" in cited[0]["text"]
        assert cited[0]["title"] == "충전 시장 보고서"

    async with client(app, member) as c:
        listed = (await c.get("/api/knowledge")).json()
        assert [d["id"] for d in listed] == [document["id"]]
        detail = (await c.get(f"/api/knowledge/{document['id']}")).json()
        assert "보급률" in " ".join(ch["text"] for ch in detail["chunk_texts"])
        r = await c.delete(f"/api/knowledge/{document['id']}")
        assert r.status_code == 403
    async with client(app, outsider) as c:
        assert (await c.get("/api/knowledge")).json() == []
        r = await c.get(f"/api/knowledge/{document['id']}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "document_not_found"
        assert (await c.delete(f"/api/knowledge/{document['id']}")).status_code == 404
        theirs = (await c.get("/api/search", params={"q": "완속 충전기 보급률"})).json()
        assert theirs["items"] == []
    async with client(app, admin) as c:
        assert (await c.delete(f"/api/knowledge/{document['id']}")).status_code == 204
        after = (await c.get("/api/search", params={"q": "완속 충전기 보급률"})).json()
        assert [i for i in after["items"] if i["kind"] == "document"] == []
        assert (await c.get(f"/api/knowledge/{document['id']}")).status_code == 404


async def test_knowledge_pages_in_korean(app: Any) -> None:
    from tests.web.conftest import sign_in

    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    member = await make_user(db, email="user@acme.test")
    browser = await sign_in(app, admin.email, "ko")
    try:
        page = await browser.get("/admin/knowledge")
        assert page.status_code == 200, page.text
        assert "문서 추가" in page.text
        assert 'enctype="multipart/form-data"' in page.text
        r = await browser.post(
            "/admin/knowledge",
            data={"title": "<b>보고서</b>"},
            files={"file": ("report.txt", REPORT, "text/plain")},
        )
        assert r.status_code == 303, r.text
        assert "notice=document_added" in r.headers["location"]
        listed = await browser.get("/admin/knowledge")
        assert "&lt;b&gt;보고서&lt;/b&gt;" in listed.text
        document_id = listed.text.split('id="document-')[1].split('"')[0]
        shown = await browser.get(f"/knowledge/{document_id}")
        assert shown.status_code == 200
        assert 'id="chunk-0"' in shown.text
        assert "보급률" in shown.text
        empty = await browser.post("/admin/knowledge", data={"title": "x"})
        assert "problem=file_required" in empty.headers["location"]
    finally:
        await browser.http.aclose()
    user = await sign_in(app, member.email, "ko")
    try:
        assert (await user.get("/admin/knowledge")).status_code == 404
    finally:
        await user.http.aclose()
