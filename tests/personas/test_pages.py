"""The persona pages without JavaScript: a project's cards (share, top pains and needs), a
persona's page (its profile with every citation linking to its interview line, its interviews,
themes and trend), two personas side by side, "which persona fits?", the company view — in
Korean and English, with their empty states; members see them, outsiders and other companies
get 404."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest

from persona_insight.personas import profiles
from tests.insights.support import analysed, analysis, recompute
from tests.support import add_member, client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

FRAMEWORK = {
    "axes": [
        {"name": "충전", "types": [{"name": "집밥형"}, {"name": "급속형"}]},
        {"name": "가치", "types": [{"name": "비용"}, {"name": "속도"}]},
    ]
}
FAST_PAINS = ["급속 충전기가 자주 고장 나서 정말 답답해요", "충전 대기 시간이 너무 길어요"]
FAST_NEEDS = ["지금 작동하는 충전기를 앱에서 보고 싶어요"]


async def _setup(app: Any) -> dict[str, Any]:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    member = await make_user(db, email="mina@acme.test")
    outsider = await make_user(db, email="hana@acme.test")
    eve = await make_user(db, email="eve@evil.test", company="Evil")
    pid = (await make_project(app, admin, "충전 연구"))["id"]
    await add_member(db, pid, member)
    return {"admin": admin, "member": member, "outsider": outsider, "eve": eve, "pid": pid}


async def test_empty_states_before_any_persona(app: Any) -> None:
    s = await _setup(app)
    async with await sign_in(app, s["member"].email, "ko") as ko:
        r = await ko.get(f"/projects/{s['pid']}/personas")
        assert r.status_code == 200
        assert "회사에 아직 페르소나가 없습니다" in r.text
        assert "분석된 인터뷰 0개" in r.text
        r = await ko.get("/personas")
        assert r.status_code == 200
        assert "회사에 아직 페르소나가 없습니다" in r.text
        r = await ko.get(f"/projects/{s['pid']}/personas/compare")
        assert "두 페르소나를 골라 나란히 비교하세요." in r.text
        # "Which persona fits?" with no persona says there is nothing to rank.
        r = await ko.get(f"/projects/{s['pid']}/personas?q=빠른 충전이 필요한 사람")
        assert "아직 순위를 매길 페르소나가 없습니다." in r.text
    async with await sign_in(app, s["member"].email, "en") as en:
        r = await en.get(f"/projects/{s['pid']}/personas")
        assert "Your company has no personas yet." in r.text
        assert "0 analysed interviews" in r.text


async def test_persona_pages_in_korean_and_english(app: Any) -> None:
    s = await _setup(app)
    admin, member, pid = s["admin"], s["member"], s["pid"]
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=FRAMEWORK)).json()
    fast = next(p for p in fw["personas"] if p["traits"] == ["급속형", "속도"])
    home = next(p for p in fw["personas"] if p["traits"] == ["집밥형", "비용"])
    ids = [
        await analysed(app, member, pid, analysis(FAST_PAINS, FAST_NEEDS, "ko"), "민수 인터뷰"),
        await analysed(app, member, pid, analysis(FAST_PAINS[:1], FAST_NEEDS, "ko"), "지영"),
        await analysed(app, member, pid, analysis(["전기요금이 부담돼요"], [], "ko"), "철수"),
    ]
    async with client(app, member) as c:
        for iid, code in zip(ids, (fast["code"], fast["code"], home["code"]), strict=True):
            r = await c.patch(f"/api/interviews/{iid}/persona", json={"persona_code": code})
            assert r.status_code == 200, r.text
    assert await recompute(app, member, pid)
    db = app.api.state.runtime.db
    assert await profiles.synthesise(db, admin.company_id, UUID(pid), UUID(fast["id"])) == 1

    async with await sign_in(app, member.email, "ko") as ko:
        r = await ko.get(f"/projects/{pid}/personas")
        assert r.status_code == 200
        assert "분석된 인터뷰 3개" in r.text
        cards = r.text.split('class="persona-card"')[1:]
        # Cards by share: the persona of two interviews first, with its pains from the themes.
        assert fast["title"] in cards[0]
        assert "인터뷰 2개 · 67%" in cards[0]
        assert "급속 충전기가 자주 고장" in cards[0]
        assert "주요 불편 사항" in cards[0]
        assert f"/api/personas/{fast['id']}/picture" in cards[0]
        assert home["title"] in cards[1]
        assert "인터뷰 1개 · 33%" in cards[1]
        assert "이 프로젝트에는 아직 이 페르소나의 인터뷰가 없습니다." in r.text
        assert "어떤 페르소나에 맞나요?" in r.text
        assert '"last_seq"' in r.text  # the page is its own snapshot for the live module

        r = await ko.get(f"/projects/{pid}/personas/{fast['id']}")
        assert r.status_code == 200
        assert "프로필" in r.text
        assert "버전 1" in r.text
        # Every citation opens its interview at the line.
        links = re.findall(r'href="/interviews/([0-9a-f-]+)#line-(\d+)"', r.text)
        assert links
        assert {UUID(i) for i, _ in links} <= {ids[0], ids[1]}
        assert "민수 인터뷰" in r.text
        assert "지영" in r.text
        assert "철수" not in r.text
        assert 'class="chart"' in r.text  # the trend, with its data table
        assert "추이" in r.text
        assert "<table>" in r.text
        assert "지금 작동하는 충전기를 앱에서 보고 싶어요" in r.text
        assert (await ko.get(f"/projects/{pid}/personas/{fast['id']}?version=1")).status_code == 200
        assert (await ko.get(f"/projects/{pid}/personas/{fast['id']}?version=9")).status_code == 404

        r = await ko.get(f"/projects/{pid}/personas/{home['id']}")
        assert "아직 프로필이 없습니다." in r.text

        r = await ko.get(f"/projects/{pid}/personas/compare?a={fast['id']}&b={home['id']}")
        assert r.status_code == 200
        assert r.text.count('class="panel"') == 2
        assert fast["title"] in r.text
        assert home["title"] in r.text
        # One side left on "—", or the same persona twice: the page asks for two (it was 404).
        for query in (f"a=&b={home['id']}", f"a={home['id']}&b={home['id']}", "a=x&b="):
            r = await ko.get(f"/projects/{pid}/personas/compare?{query}")
            assert r.status_code == 200, query
            assert 'id="compare-empty"' in r.text, query

        r = await ko.get(f"/projects/{pid}/personas?q=" + "가" * 2001)
        assert r.status_code == 422
        assert "고객 설명은 최대 2,000자입니다." in r.text

        r = await ko.get("/personas")
        assert "충전 연구" in r.text
        assert fast["title"] in r.text

        # A member asks for a new synthesis: the reassignments above already queued one (the
        # job is debounced), and the page says it is waiting.
        await ko.get(f"/projects/{pid}/personas/{fast['id']}")
        r = await ko.post(f"/projects/{pid}/personas/{fast['id']}/synthesise")
        assert r.status_code == 303
        assert "notice=synthesis_waiting" in r.headers["location"]
        r = await ko.get(r.headers["location"])
        assert "이 프로필의 합성이 이미 대기 중입니다." in r.text

    async with await sign_in(app, member.email, "en") as en:
        r = await en.get(f"/projects/{pid}/personas")
        assert "3 analysed interviews" in r.text
        assert "2 interviews · 67%" in r.text
        assert "Which persona fits?" in r.text
        r = await en.get(f"/projects/{pid}/personas/{fast['id']}")
        assert "Version 1" in r.text
        assert "Trend" in r.text
        assert "from 2 interviews" in r.text
        r = await en.get(f"/projects/{pid}/personas/compare?a={fast['id']}&b={home['id']}")
        assert "Compare personas" in r.text

    # Outsiders: a colleague who is not in the project, and another company.
    async with await sign_in(app, s["outsider"].email, "ko") as other:
        for url in (
            f"/projects/{pid}/personas",
            f"/projects/{pid}/personas/{fast['id']}",
            f"/projects/{pid}/personas/compare?a={fast['id']}",
        ):
            assert (await other.get(url)).status_code == 404, url
        # Their company view counts no interview of a project they are not in.
        r = await other.get("/personas")
        assert "분석된 인터뷰 0개" in r.text
        assert "충전 연구" not in r.text
    async with await sign_in(app, "eve@evil.test", "en") as eve:
        assert (await eve.get(f"/projects/{pid}/personas")).status_code == 404
        assert (await eve.get(f"/projects/{pid}/personas/{fast['id']}")).status_code == 404
        own = (await make_project(app, s["eve"], "Evil"))["id"]
        # Another company's persona in one's own project: no such persona.
        assert (await eve.get(f"/projects/{own}/personas/{fast['id']}")).status_code == 404
        r = await eve.get(f"/projects/{own}/personas/compare?a={fast['id']}&b={home['id']}")
        assert r.status_code == 404
        r = await eve.post(f"/projects/{pid}/personas/{fast['id']}/synthesise")
        assert r.status_code == 404
