"""Themes recomputed from stored findings: grouping across languages, identity across
recomputation, edits that survive it, and `insights:updated` that rebuilds the fresh state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.insights.support import analysed, analysis, recompute
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio

PRICE_EN = "Show me the total price from the very start, with all the fees included"
PRICE_KO = "처음부터 모든 수수료가 포함된 총액을 보여 줬으면 해요"
BROKEN_EN = "Half the chargers are broken when I get there and nobody fixes them"
BROKEN_KO = "충전기에 가 보면 절반은 고장 나 있고 아무도 고치지 않아요"
# Other things said, so that each language has enough findings for its mean to be taken out
# (clustering.MIN_GROUP), as in any real project.
OTHER_PAINS_EN = [
    "The app logs me out every single day",
    "Customer support never answers the phone",
    "My workout history disappeared after the update",
    "Delivery always arrives cold",
]
OTHER_PAINS_KO = [
    "앱이 매일 로그아웃돼요",
    "고객센터는 전화를 받지 않아요",
    "업데이트 후 운동 기록이 사라졌어요",
    "배달 음식이 항상 식어서 와요",
]
OTHER_NEEDS_EN = [
    "I want a dark mode for reading at night",
    "I need to export my data to a spreadsheet",
    "Let me share a list with my family",
    "I'd like reminders before my plan renews",
]
OTHER_NEEDS_KO = [
    "밤에 볼 수 있게 다크 모드가 있으면 좋겠어요",
    "데이터를 엑셀로 내보낼 수 있어야 해요",
    "가족과 목록을 공유하고 싶어요",
    "요금제가 갱신되기 전에 알림을 받고 싶어요",
]


async def _insights(app: Any, member: Any, project_id: str, query: str = "") -> dict[str, Any]:
    async with client(app, member) as c:
        r = await c.get(f"/api/projects/{project_id}/insights{query}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


async def _events(app: Any, member: Any, project_id: str, after: int) -> list[dict[str, Any]]:
    from sqlalchemy import text

    from persona_insight.db import Actor

    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        rows = await session.execute(
            text(
                "SELECT type, payload FROM events WHERE project_id = :p AND seq > :s ORDER BY seq"
            ),
            {"p": project_id, "s": after},
        )
        return [{"type": r[0], "data": r[1]} for r in rows]


def _apply(state: dict[str, dict[str, Any]], event: dict[str, Any]) -> None:
    """As the insights page applies `insights:updated` (static/js/insights.js)."""
    for theme_id in event["removed"]:
        state.pop(theme_id, None)
    state.clear()
    for theme in event["themes"]:
        state[theme["id"]] = theme


def _compact(themes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keys = ("id", "kind", "label", "interviews", "share", "mentions", "pinned", "hidden")
    return {t["id"]: {k: t[k] for k in keys} for t in themes}


async def test_languages_group_identity_and_edits_survive(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    project = await make_project(app, owner)
    pid = project["id"]
    empty = await _insights(app, owner, pid)
    assert empty["themes"] == []
    assert empty["interview_count"] == 0
    snapshot_seq = empty["last_seq"]

    en = analysis([BROKEN_EN, *OTHER_PAINS_EN], [PRICE_EN, *OTHER_NEEDS_EN])
    ko = analysis([BROKEN_KO, *OTHER_PAINS_KO], [PRICE_KO, *OTHER_NEEDS_KO], "ko")
    await analysed(app, owner, pid, en, "Ann")
    await analysed(app, owner, pid, ko, "민수")
    assert await recompute(app, owner, pid)
    assert not await recompute(app, owner, pid)  # nothing changed: same fingerprint

    first = await _insights(app, owner, pid)
    assert first["interview_count"] == 2
    assert not first["pending"]
    # Korean findings land with the English ones saying the same thing (most of the ten pairs;
    # the two below always).
    labels = [t["label"] for t in first["themes"]]
    assert len(first["themes"]) <= 12, labels
    price = next(
        t for t in first["themes"] if PRICE_EN in {t["label"], *[q["text"] for q in t["quotes"]]}
    )
    broken = next(t for t in first["themes"] if BROKEN_KO in [q["text"] for q in t["quotes"]])
    assert broken["interviews"] == 2
    assert price["interviews"] == 2
    assert price["share"] == 1.0
    assert {q["interview_title"] for q in price["quotes"]} == {"Ann", "민수"}
    assert all(q["line_ids"] for q in price["quotes"])

    # A researcher renames and pins the need theme; a third interview arrives.
    async with client(app, owner) as c:
        r = await c.patch(
            f"/api/insights/themes/{price['id']}",
            json={"label": "Total price up front", "pinned": True},
        )
        assert r.status_code == 200, r.text
    await analysed(app, owner, pid, analysis([BROKEN_EN, *OTHER_PAINS_EN], [PRICE_EN]), "Bo")
    assert await recompute(app, owner, pid)
    after = await _insights(app, owner, pid)
    need = next(t for t in after["themes"] if t["id"] == price["id"])  # identity kept
    assert need["label"] == "Total price up front"
    assert need["pinned"]
    assert need["interviews"] == 3
    assert after["themes"][0]["id"] == price["id"]  # pinned first
    pain = next(t for t in after["themes"] if t["id"] == broken["id"])
    assert pain["interviews"] == 3

    # Zulip-style: the events since the first snapshot rebuild exactly the fresh state.
    state: dict[str, dict[str, Any]] = {}
    for event in await _events(app, owner, pid, snapshot_seq):
        if event["type"] == "insights:updated":
            _apply(state, event["data"])
    assert state == _compact(after["themes"])

    # Filters recount; a bad date is refused.
    ko = await _insights(app, owner, pid, "?language=ko")
    assert ko["interview_count"] == 1
    assert all(t["interviews"] == 1 for t in ko["themes"])
    assert len(ko["themes"]) == 10  # every finding of the Korean interview
    async with client(app, owner) as c:
        r = await c.get(f"/api/projects/{pid}/insights?date_from=2026-13-01")
        assert r.status_code == 422
        assert r.json()["error"]["code"]


async def test_other_company_gets_404(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    outsider = await make_user(db, email="eve@evil.test", company="Evil")
    project = await make_project(app, owner)
    async with client(app, outsider) as c:
        r = await c.get(f"/api/projects/{project['id']}/insights")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "project_not_found"
