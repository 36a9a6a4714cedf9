"""Every form works without JavaScript: it posts to a page route, which does the work through the
same services as the API and redirects back with a message."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import client
from tests.web.conftest import Browser, Setting, sign_in

pytestmark = pytest.mark.anyio


async def _interviews(app: Any, setting: Setting, trash: bool = False) -> list[dict[str, Any]]:
    async with client(app, setting.owner) as c:
        which = "trash" if trash else "interviews"
        items: list[dict[str, Any]] = (
            await c.get(f"/api/projects/{setting.project_id}/{which}")
        ).json()["items"]
        return items


async def test_new_project_form(app: Any, owner_browser: Browser) -> None:
    page = await owner_browser.get("/projects/new")
    assert page.status_code == 200
    r = await owner_browser.post(
        "/projects/new",
        data={
            "name": "",
            "start_date": "2026-03-01",
            "end_date": "2026-02-01",
            "join_method": "password",
            "description": "남겨 둘 설명",
        },
    )
    assert r.status_code == 422
    for message in (
        "프로젝트 이름을 입력하세요.",
        "종료일이 시작일보다 빠릅니다.",
        "비밀번호로 참여하는 프로젝트에는 비밀번호가 필요합니다.",
    ):
        assert message in r.text
    assert "남겨 둘 설명" in r.text  # nothing typed is lost

    fields = {
        "name": "배달 앱 재방문 조사",
        "description": "왜 다시 주문하지 않는가",
        "purpose": "이탈 원인",
        "target_audience": "20대 1인 가구",
        "research_method": "심층 인터뷰",
        "start_date": "2026-02-01",
        "end_date": "2026-03-01",
        "visibility": "public",
        "join_method": "password",
        "password": "secret-pass",
    }
    r = await owner_browser.post("/projects/new", data=fields)
    assert r.status_code == 303
    project_id = r.headers["location"].rsplit("/", 1)[1]
    stored = (await owner_browser.http.get(f"/api/projects/{project_id}")).json()
    fields.pop("password")
    assert {k: stored[k] for k in fields} == fields
    assert stored["my_role"] == "owner"


async def test_project_list_and_search(app: Any, setting: Setting, owner_browser: Browser) -> None:
    r = await owner_browser.get("/projects")
    assert f'href="/projects/{setting.project_id}"' in r.text
    r = await owner_browser.get("/projects?q=없는이름")
    assert "“없는이름” 검색 결과가 없습니다." in r.text
    r = await owner_browser.get("/projects?mine=true&q=Research")
    assert f'href="/projects/{setting.project_id}"' in r.text
    assert 'aria-current="page">내 프로젝트' in r.text


async def test_upload_and_paste_forms(app: Any, setting: Setting, owner_browser: Browser) -> None:
    workspace = f"/projects/{setting.project_id}"
    r = await owner_browser.http.post(
        f"{workspace}/upload",
        data={"csrf_token": owner_browser.csrf},
        files=[
            (
                "files",
                ("첫 인터뷰.txt", "면접관: 어떠셨어요?\n참여자: 좋았어요.".encode(), "text/plain"),
            ),
            ("files", ("notes.exe", b"MZ", "application/octet-stream")),
            ("files", ("second.md", b"Q: How was it?\nA: Slow.", "text/markdown")),
        ],
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"{workspace}?problem=unsupported_file_type"
    page = await owner_browser.get(r.headers["location"])
    assert "지원하지 않는 파일 형식입니다." in page.text
    titles = {iv["title"] for iv in await _interviews(app, setting)}
    assert {"첫 인터뷰", "second"} <= titles

    r = await owner_browser.post(
        f"{workspace}/paste", data={"text": "Q: 왜요?\nA: 그냥요.", "title": ""}
    )
    assert r.headers["location"] == f"{workspace}?notice=uploaded"
    assert "Q: 왜요?" in {iv["title"] for iv in await _interviews(app, setting)}
    r = await owner_browser.post(f"{workspace}/paste", data={"text": "   "})
    assert r.headers["location"] == f"{workspace}?problem=empty_content"
    r = await owner_browser.post(f"{workspace}/upload", data={})
    assert r.headers["location"] == f"{workspace}?problem=file_required"


async def test_trash_restore_and_retry_forms(
    app: Any, setting: Setting, owner_browser: Browser
) -> None:
    interview = f"/interviews/{setting.interview_id}"
    workspace = f"/projects/{setting.project_id}"
    r = await owner_browser.post(f"{interview}/delete", data={"next": workspace})
    assert r.headers["location"] == f"{workspace}?notice=deleted"
    assert [iv["id"] for iv in await _interviews(app, setting, trash=True)] == [
        setting.interview_id
    ]
    page = await owner_browser.get(f"{workspace}?notice=deleted")
    assert "인터뷰를 휴지통으로 옮겼습니다." in page.text
    assert f'action="/interviews/{setting.interview_id}/restore"' in page.text

    r = await owner_browser.post(f"{interview}/delete", data={"next": workspace})
    assert r.headers["location"] == f"{workspace}?problem=already_deleted"
    r = await owner_browser.post(f"{interview}/restore", data={"next": workspace})
    assert r.headers["location"] == f"{workspace}?notice=restored"
    # Only a failed interview can be retried; the page says so instead of failing.
    r = await owner_browser.post(f"{interview}/retry")
    assert r.headers["location"] == f"{interview}?problem=invalid_transition"
    # A foreign `next` is ignored.
    r = await owner_browser.post(f"{interview}/delete", data={"next": "https://evil.example"})
    assert r.headers["location"] == f"{interview}?notice=deleted"


async def test_edit_form(app: Any, setting: Setting, owner_browser: Browser) -> None:
    interview = f"/interviews/{setting.interview_id}"
    r = await owner_browser.post(
        f"{interview}/edit", data={"title": "  김 대리 인터뷰 ", "interview_date": "2026-01-08"}
    )
    assert r.headers["location"] == f"{interview}?notice=saved"
    page = await owner_browser.get(interview)
    assert "김 대리 인터뷰" in page.text
    assert 'value="2026-01-08"' in page.text
    r = await owner_browser.post(f"{interview}/edit", data={"title": "", "interview_date": ""})
    assert r.headers["location"] == f"{interview}?problem=invalid_title"
    r = await owner_browser.post(f"{interview}/edit", data={"title": "x", "interview_date": "어제"})
    assert r.headers["location"] == f"{interview}?problem=invalid_date"


async def test_note_forms(app: Any, setting: Setting, owner_browser: Browser) -> None:
    interview = f"/interviews/{setting.interview_id}"
    r = await owner_browser.post(f"{interview}/notes", data={"text": "줄이 없어요"})
    assert r.headers["location"] == f"{interview}?problem=invalid_line_ids#notes"
    r = await owner_browser.post(
        f"{interview}/notes", data={"text": "예약 니즈 <b>강함</b>", "line_ids": ["2", "4"]}
    )
    assert r.status_code == 303
    note_id = r.headers["location"].rsplit("#note-", 1)[1]
    assert r.headers["location"] == f"{interview}?notice=note_added#note-{note_id}"
    page = await owner_browser.get(interview)
    assert "예약 니즈 &lt;b&gt;강함&lt;/b&gt;" in page.text
    assert 'href="#line-2" data-line="2">#2</a><a href="#line-4" data-line="4">#4</a>' in page.text
    assert "메모 1개</a>" in page.text  # the badge on lines 2 and 4

    member = await sign_in(app, setting.member.email)
    async with member:
        await member.get(interview)
        r = await member.post(f"{interview}/notes", data={"text": "동의", "parent_id": note_id})
        reply_id = r.headers["location"].rsplit("#note-", 1)[1]
        # Someone else's note: no edit, no delete.
        r = await member.post(f"/notes/{note_id}/edit", data={"text": "바꿈", "next": interview})
        assert r.headers["location"] == f"{interview}?problem=forbidden"
        r = await member.post(f"/notes/{reply_id}/edit", data={"text": "정말 동의"})
        assert r.headers["location"] == f"{interview}?notice=note_saved#note-{reply_id}"

    r = await owner_browser.post(f"/notes/{note_id}/delete")
    assert r.headers["location"] == f"{interview}?notice=note_deleted#notes"
    async with client(app, setting.owner) as c:
        assert (await c.get(f"/api/interviews/{setting.interview_id}/notes")).json()["items"] == []


async def test_forms_need_the_csrf_token(
    app: Any, setting: Setting, owner_browser: Browser
) -> None:
    interview = f"/interviews/{setting.interview_id}"
    r = await owner_browser.http.post(f"{interview}/delete")
    assert r.status_code == 403
    assert "로그인 상태가 바뀌었습니다." in r.text
    r = await owner_browser.http.post(f"{interview}/delete", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert await _interviews(app, setting, trash=True) == []


async def test_delete_for_good(app: Any, setting: Setting, owner_browser: Browser) -> None:
    from tests.support import make_user

    interview = f"/interviews/{setting.interview_id}"
    workspace = f"/projects/{setting.project_id}"
    await owner_browser.post(f"{interview}/delete", data={"next": workspace})
    # The owner is no company admin: the trash offers no such button, and the form is refused.
    page = await owner_browser.get(workspace)
    assert "/purge" not in page.text
    assert (await owner_browser.post(f"{interview}/purge")).status_code == 403

    await make_user(app.api.state.runtime.db, email="boss@acme.test", role="company_admin")
    async with await sign_in(app, "boss@acme.test") as boss:
        page = await boss.get(workspace)
        assert f'action="/interviews/{setting.interview_id}/purge"' in page.text
        assert "영구 삭제" in page.text
        r = await boss.post(f"{interview}/purge", data={"next": workspace})
        assert r.headers["location"] == f"{workspace}?notice=purged"
        assert "인터뷰를 영구 삭제했습니다." in (await boss.get(r.headers["location"])).text
        assert await _interviews(app, setting, trash=True) == []
        assert (await boss.post(f"{interview}/purge")).status_code == 404
        # Not in the trash: said, not done.
        async with client(app, setting.owner) as c:
            r = await c.post(
                "/api/workflow/async", json={"project_id": setting.project_id, "text": "Q: 왜?"}
            )
            kept = r.json()["interview_id"]
        r = await boss.post(f"/interviews/{kept}/purge", data={"next": workspace})
        assert r.headers["location"] == f"{workspace}?problem=not_deleted"
        assert "휴지통에 없는 인터뷰입니다." in (await boss.get(r.headers["location"])).text
