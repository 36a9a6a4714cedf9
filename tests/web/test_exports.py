"""The exports and the script's shape (sections, evidence anchors) they and the page share."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.web.script import matches, shape
from tests.notes.conftest import analysis
from tests.web.conftest import Browser, Setting

pytestmark = pytest.mark.anyio


def test_shape_groups_sections_and_anchors_evidence() -> None:
    result = InterviewAnalysis.model_validate(
        {
            **analysis().model_dump(),
            "script_sections": [
                {"sector_name": "충전", "start_line": 1, "end_line": 2},
                {"sector_name": "마무리", "start_line": 4, "end_line": 5, "is_main_content": False},
            ],
            # Evidence 5 is the second source line of the line made of [4, 5]; 9 is no line.
            "primary_needs": [{"description": "예약", "evidence": [5, 4, 9]}],
        }
    )
    script = shape(result)
    assert [(s.name, s.is_main, [ln.key for ln in s.lines]) for s in script.sections] == [
        ("충전", True, [1, 2]),
        (None, True, [3]),
        ("마무리", False, [4]),
    ]
    assert [(f.number, f.evidence) for f in script.needs] == [(1, [4])]
    line4 = script.sections[2].lines[0]
    assert line4.needs == [1]
    assert matches(line4, "needs")
    assert not matches(line4, "painpoint")
    assert script.sentiment == {"positive": 0, "neutral": 0, "negative": 0}


async def test_exports(app: Any, setting: Setting, owner_browser: Browser) -> None:
    base = f"/interviews/{setting.interview_id}"
    r = await owner_browser.get(f"{base}/export.txt")
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-disposition"].startswith("attachment;")
    # Not the uploaded original's name (a download beside it would overwrite it): "… – 분석.txt".
    assert r.headers["content-disposition"].endswith(f"''{quote('Q_ 어디_ – 분석.txt')}")
    lines = r.text.splitlines()
    # The header (title, and the date with where it came from) ends at the first blank line.
    assert lines[lines.index("") + 1 :] == [
        "Q: 충전은 어디서 하세요?",
        "A: 자리가 없어요. [Pain Point]",
        "Q: 무엇이 있으면 좋을까요?",
        "A: 예약이요. [Need]",
    ]

    r = await owner_browser.get(f"{base}/export.md")
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    text = r.text
    assert text.startswith("# Q: 어디?\n")  # the title pasted text got
    assert "## 페인포인트\n\n- 자리가 없다 (#2)\n" in text
    assert "## 니즈\n\n- 예약 (#4)\n" in text
    assert "**A:** 자리가 없어요. [Pain Point]\n" in text
    assert "## 스크립트\n" in text

    # Each export is in the audit log, with who, what and how.
    from sqlalchemy import text as sql

    from tests.support import as_owner

    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        rows = (
            await session.execute(
                sql(
                    "SELECT company_id, actor_id, target_type, target_id, details"
                    " FROM audit_log WHERE action = 'export' ORDER BY id"
                )
            )
        ).all()
    assert [(r.target_type, r.target_id, r.details["format"]) for r in rows] == [
        ("interview", setting.interview_id, "txt"),
        ("interview", setting.interview_id, "md"),
    ]
    assert {(r.company_id, r.actor_id) for r in rows} == {
        (setting.owner.company_id, setting.owner.user_id)
    }

    # Not analysed yet: nothing to export, said as a page.
    r = await owner_browser.http.post(
        "/api/workflow/async",
        json={"project_id": setting.project_id, "text": "Q: 왜?\nA: 몰라요"},
        headers={"X-CSRF-Token": owner_browser.csrf},
    )
    pending = r.json()["interview_id"]
    r = await owner_browser.get(f"/interviews/{pending}/export.md")
    assert r.status_code == 409
    assert "아직 분석이 끝나지 않았습니다." in r.text
