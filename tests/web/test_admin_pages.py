"""Administration pages: who may see which, users (search, role, deactivation), the audit log,
the company's analysis engine (keys write-only), glossary, personas and companies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import Member, as_owner, client, make_user
from tests.web.conftest import Browser, sign_in

pytestmark = pytest.mark.anyio

ADMIN_PAGES = (
    "/admin/users",
    "/admin/audit",
    "/admin/analysis",
    "/admin/glossary",
    "/admin/personas",
)
SUPER_PAGES = ("/admin/companies", "/admin/realtime")


@pytest.fixture
async def people(app: Any) -> dict[str, Member]:
    db = app.api.state.runtime.db
    return {
        "root": await make_user(db, email="root@acme.test", role="super_admin"),
        "boss": await make_user(db, email="boss@acme.test", role="company_admin"),
        "mina": await make_user(db, email="mina@acme.test"),
        "joon": await make_user(db, email="joon@acme.test"),
        "spy": await make_user(db, email="spy@other.test", company="Other", role="company_admin"),
    }


@pytest.fixture
async def boss(app: Any, people: dict[str, Member]) -> Browser:
    return await sign_in(app, "boss@acme.test")


async def test_who_sees_what(app: Any, people: dict[str, Member]) -> None:
    async with await sign_in(app, "root@acme.test") as root:
        assert (await root.get("/admin")).headers["location"] == "/admin/users"
        for url in ADMIN_PAGES + SUPER_PAGES:
            r = await root.get(url)
            assert r.status_code == 200, url
            assert f'href="{url}" aria-current="page"' in r.text
        assert "실시간 연결 모니터" in (await root.get("/admin/realtime")).text
    async with await sign_in(app, "boss@acme.test") as boss:
        assert 'href="/admin"' in (await boss.get("/projects")).text
        for url in ADMIN_PAGES:
            r = await boss.get(url)
            assert r.status_code == 200, url
            assert 'href="/admin/companies"' not in r.text
        for url in SUPER_PAGES:
            # Not "not found": the page exists, and whose it is is said (issue 17).
            r = await boss.get(url)
            assert r.status_code == 403, url
            assert "슈퍼 관리자만 열 수 있습니다" in r.text
    async with await sign_in(app, "mina@acme.test") as mina:
        assert 'href="/admin"' not in (await mina.get("/projects")).text
        for url in ("/admin", *ADMIN_PAGES, *SUPER_PAGES):
            r = await mina.get(url)
            assert r.status_code == 404, url
            assert "페이지를 찾을 수 없습니다" in r.text
        r = await mina.post(f"/admin/users/{people['joon'].user_id}", data={"active": "false"})
        assert r.status_code == 404


async def test_users(app: Any, people: dict[str, Member], boss: Browser) -> None:
    async with boss:
        page = await boss.get("/admin/users")
        # Their own company only; the super-admin's row has no controls, nor their own.
        assert "spy@other.test" not in page.text
        assert "mina@acme.test" in page.text
        row = page.text.split(f'id="user-{people["root"].user_id}"', 1)[1].split("</tr>", 1)[0]
        assert "<form" not in row
        row = page.text.split(f'id="user-{people["boss"].user_id}"', 1)[1].split("</tr>", 1)[0]
        assert "<form" not in row
        assert "(나)" in row
        page = await boss.get("/admin/users?q=MIN")
        assert "mina@acme.test" in page.text
        assert "joon@acme.test" not in page.text
        assert "“없음” 검색 결과가 없습니다." in (await boss.get("/admin/users?q=없음")).text

        mina = people["mina"].user_id
        r = await boss.post(
            f"/admin/users/{mina}", data={"role": "company_admin", "next": "/admin/users?q=min"}
        )
        assert r.headers["location"] == "/admin/users?q=min&notice=user_saved"
        assert "사용자의 역할을 변경했습니다." in (await boss.get(r.headers["location"])).text
        r = await boss.post(f"/admin/users/{mina}", data={"active": "false"})
        assert r.headers["location"] == "/admin/users?notice=user_deactivated"
        page = await boss.get("/admin/users")
        assert "다시 활성화" in page.text
        async with client(app, people["mina"]) as c:  # her token ended with her account
            assert (await c.get("/api/me")).status_code == 401
        r = await boss.post(f"/admin/users/{mina}", data={"active": "true"})
        assert r.headers["location"] == "/admin/users?notice=user_reactivated"

        for target, data, code, message in (
            (
                people["boss"].user_id,
                {"active": "false"},
                "cannot_change_self",
                "자기 자신의 역할을 낮추거나 비활성화할 수 없습니다.",
            ),
            (people["root"].user_id, {"active": "false"}, "forbidden", "권한이 없습니다"),
            (mina, {"role": "super_admin"}, "forbidden", "권한이 없습니다"),
            (mina, {"role": "emperor"}, "invalid_role", "목록에 있는 역할"),
        ):
            r = await boss.post(f"/admin/users/{target}", data=data)
            assert r.headers["location"] == f"/admin/users?problem={code}", data
            assert message in (await boss.get(r.headers["location"])).text
        r = await boss.post(f"/admin/users/{people['spy'].user_id}", data={"active": "false"})
        assert r.status_code == 404  # another company's user does not exist for them


async def test_last_super_admin(app: Any, people: dict[str, Member]) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="old-root@acme.test", role="super_admin")
    async with await sign_in(app, "root@acme.test", language="en") as root:
        await root.get("/admin/users")
        old = (await root.http.get("/api/admin/users?q=old-root")).json()["items"][0]["id"]
        assert (await root.post(f"/admin/users/{old}", data={"active": "false"})).status_code == 303
        r = await root.post(f"/admin/users/{old}", data={"role": "company_user"})
        assert r.headers["location"] == "/admin/users?problem=last_super_admin"
        page = await root.get(r.headers["location"])
        assert "The instance needs at least one super-admin." in page.text
        assert "spy@other.test" in page.text  # super-admins see every company


async def test_audit_log(
    app: Any, people: dict[str, Member], boss: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with boss:
        await boss.get("/admin/users")
        for _ in range(3):
            await boss.post(f"/admin/users/{people['mina'].user_id}", data={"active": "false"})
            await boss.post(f"/admin/users/{people['mina'].user_id}", data={"active": "true"})
        page = await boss.get("/admin/audit")
        assert "사용자 비활성화" in page.text
        assert "로그인" in page.text
        assert page.text.count("<tr>") >= 7
        page = await boss.get("/admin/audit?action=user_deactivated")
        rows = re.findall(r'<span class="audit-action audit-(\w+)">', page.text)
        assert rows == ["user_deactivated"] * 3
        assert "mina" in page.text  # the target by name
        # Page by page: `before` from the last entry.
        monkeypatch.setattr("persona_insight.web.admin_users.AUDIT_PAGE", 2)
        page = await boss.get("/admin/audit?action=user_deactivated")
        older = re.search(
            r'href="(/admin/audit\?action=user_deactivated&amp;before=\d+)"', page.text
        )
        assert older
        page = await boss.get(older.group(1).replace("&amp;", "&"))
        assert re.findall(r'audit-action audit-(\w+)"', page.text) == ["user_deactivated"]
        assert "최신 항목" in page.text
        monkeypatch.undo()
        page = await boss.get("/admin/audit")
        assert "spy" not in page.text
        # Every action has a name of its own in the filter (ten of them read as raw codes).
        from persona_insight.audit.service import ACTIONS

        options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', page.text))
        assert set(options) == set(ACTIONS)
        assert [a for a, label in options.items() if label == a] == []


async def test_analysis_engine(app: Any, people: dict[str, Member], boss: Browser) -> None:
    async with boss:
        page = await boss.get("/admin/analysis")
        assert "인스턴스 기본값" in page.text
        # No key stored: the key field alone, not also a "not set" row under the same label.
        assert "설정 안 됨" not in page.text
        r = await boss.post(
            "/admin/analysis",
            data={
                "engine": "llm",
                "llm_model": "openai:gpt-4.1-mini",
                "llm_base_url": "http://models.internal:11434/v1",
                "llm_output_mode": "native",
                "llm_api_key": "sk-very-secret-key",
                "miso_base_url": "",
                "miso_variant": "",
                "miso_response_mode": "",
                "miso_api_key": "",
            },
        )
        assert r.headers["location"] == "/admin/analysis?notice=saved"
        page = await boss.get("/admin/analysis")
        assert "sk-very-secret-key" not in page.text
        assert page.text.count('class="state state-active">설정됨') == 1
        assert 'value="http://models.internal:11434/v1"' in page.text
        async with client(app, people["boss"]) as c:
            stored = (await c.get("/api/company/analysis")).json()
        assert stored["engine"] == "llm"
        assert stored["llm_api_key_set"] is True
        assert stored["llm_output_mode"] == "native"

        # Saving again without typing the key keeps it; a bad URL is said next to its field.
        r = await boss.post("/admin/analysis", data={"engine": "llm", "llm_model": "m"})
        async with client(app, people["boss"]) as c:
            assert (await c.get("/api/company/analysis")).json()["llm_api_key_set"] is True
        r = await boss.post("/admin/analysis", data={"engine": "miso", "miso_base_url": "ftp://x"})
        assert r.status_code == 422
        assert re.search(r'id="e-miso_base_url">http:// 또는 https://로 시작하는', r.text)
        r = await boss.post("/admin/analysis/clear-key", data={"key": "llm_api_key"})
        assert r.headers["location"] == "/admin/analysis?notice=key_cleared#llm_api_key"
        async with client(app, people["boss"]) as c:
            assert (await c.get("/api/company/analysis")).json()["llm_api_key_set"] is False


async def test_glossary(app: Any, people: dict[str, Member], boss: Browser) -> None:
    async with boss:
        await boss.get("/admin/glossary")
        r = await boss.post("/admin/glossary", data={"term": "완충", "definition": "100% 충전"})
        assert r.headers["location"] == "/admin/glossary?notice=term_added"
        r = await boss.post("/admin/glossary", data={"term": "완충", "definition": "다른 뜻"})
        assert r.status_code == 409
        assert "용어집에 이미 있는 용어입니다." in r.text
        r = await boss.post("/admin/glossary", data={"term": "", "definition": ""})
        assert r.status_code == 422
        assert "용어를 입력하세요" in r.text
        assert "용어의 뜻을 입력하세요" in r.text
        async with client(app, people["boss"]) as c:
            term_id = (await c.get("/api/company/glossary")).json()["items"][0]["id"]
        assert (await boss.post(f"/admin/glossary/{term_id}/delete")).headers[
            "location"
        ] == "/admin/glossary?notice=term_removed"
        r = await boss.post(f"/admin/glossary/{term_id}/delete")
        assert r.headers["location"] == "/admin/glossary?problem=term_not_found"
        assert "이미 삭제된 용어입니다." in (await boss.get(r.headers["location"])).text


async def test_personas(app: Any, people: dict[str, Member], boss: Browser) -> None:
    async with boss:
        await boss.get("/admin/personas")
        r = await boss.post(
            "/admin/personas", data={"code": "P1", "title": "바쁜 부모", "description": "저녁 배달"}
        )
        assert r.headers["location"] == "/admin/personas?notice=persona_added"
        r = await boss.post("/admin/personas", data={"code": "P1", "title": "또"})
        assert r.status_code == 409
        assert "같은 코드의 페르소나가 이미 있습니다." in r.text
        r = await boss.post("/admin/personas", data={"code": "P 1!", "title": ""})
        assert r.status_code == 422
        assert "영문, 숫자, 마침표" in r.text
        assert "페르소나 이름을 입력하세요" in r.text
        async with client(app, people["boss"]) as c:
            persona_id = (await c.get("/api/company/personas")).json()["items"][0]["id"]
        r = await boss.post(
            f"/admin/personas/{persona_id}", data={"title": "맞벌이 부모", "description": ""}
        )
        assert r.headers["location"] == f"/admin/personas?notice=persona_saved#persona-{persona_id}"
        assert "맞벌이 부모" in (await boss.get("/admin/personas")).text
        r = await boss.post(f"/admin/personas/{persona_id}", data={"title": ""})
        assert (
            r.headers["location"] == f"/admin/personas?problem=invalid_persona#persona-{persona_id}"
        )
        await boss.post(f"/admin/personas/{persona_id}/delete")
        r = await boss.post(f"/admin/personas/{persona_id}/delete")
        assert r.headers["location"] == "/admin/personas?problem=persona_not_found"
        assert "이미 삭제된 페르소나입니다." in (await boss.get(r.headers["location"])).text
        r = await boss.post(f"/admin/personas/{persona_id}", data={"title": "x"})
        assert r.headers["location"] == "/admin/personas?problem=persona_not_found"


async def test_companies(app: Any, people: dict[str, Member]) -> None:
    async with await sign_in(app, "root@acme.test") as root:
        await root.get("/admin/companies")
        r = await root.post(
            "/admin/companies",
            data={"name": "Globex", "domains": "globex.test, @Globex.co.kr", "description": ""},
        )
        assert r.headers["location"] == "/admin/companies?notice=company_created"
        page = await root.get("/admin/companies")
        assert "globex.co.kr, globex.test" in page.text
        r = await root.post("/admin/companies", data={"name": "", "domains": "not a domain!"})
        assert r.status_code == 422
        assert "회사 이름을 입력하세요" in r.text
        assert "example.com 같은 도메인" in r.text

        other = people["spy"].company_id
        r = await root.post(
            f"/admin/companies/{other}",
            data={"name": "Other Corp", "domains": "other.test", "description": "경쟁사"},
        )
        assert r.headers["location"] == f"/admin/companies?notice=company_saved#company-{other}"
        r = await root.post(
            f"/admin/companies/{other}", data={"name": "Other Corp", "domains": "bad domain@"}
        )
        assert r.status_code == 422
        assert 'aria-invalid="true"' in r.text
        r = await root.post(f"/admin/companies/{other}/active")
        assert (
            r.headers["location"] == f"/admin/companies?notice=company_deactivated#company-{other}"
        )
        async with client(app, people["spy"]) as c:
            assert (await c.get("/api/me")).status_code == 401
        r = await root.post(f"/admin/companies/{other}/active", data={"active": "true"})
        assert "company_reactivated" in r.headers["location"]
        async with as_owner(app.api.state.runtime.db.owner_url) as session:
            name = (
                await session.execute(
                    text("SELECT name FROM companies WHERE id = :c"), {"c": other}
                )
            ).scalar_one()
        assert name == "Other Corp"
