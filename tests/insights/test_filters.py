"""The filters of the issue (date range, persona, language; and kind and script section) on the
insights answer, the project report and the findings export; bad ones are a 422 with a code."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import pytest

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.insights.report import jobs
from tests.insights.support import analysed, analysis, recompute
from tests.support import Member, client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio

EN = {"Accept-Language": "en"}


def with_sections(result: InterviewAnalysis) -> InterviewAnalysis:
    """The first two lines (a pain point's question and answer) in "Ordering", the rest in
    "Delivery"."""
    return result.model_copy(
        update={
            "script_sections": InterviewAnalysis.model_validate(
                {
                    **result.model_dump(),
                    "script_sections": [
                        {"sector_name": "Ordering", "start_line": 1, "end_line": 2},
                        {"sector_name": "Delivery", "start_line": 3, "end_line": 99},
                    ],
                }
            ).script_sections
        }
    )


async def _project(app: Any) -> tuple[Member, str]:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    pid = (await make_project(app, owner, name="Delivery study"))["id"]
    korean = analysis(["배달 음식이 항상 식어서 와요"], ["실시간 배달 위치를 보고 싶어요"], "ko")
    english = analysis(
        ["The app logs me out every day", "Support never answers"], ["A cheaper plan"]
    )
    await analysed(app, owner, pid, with_sections(korean), "민수")
    english_id = await analysed(app, owner, pid, with_sections(english), "Jane")
    async with client(app, owner) as c:
        r = await c.patch(f"/api/interviews/{english_id}", json={"interview_date": "2025-05-01"})
        assert r.status_code == 200, r.text
    assert await recompute(app, owner, pid)
    return owner, pid


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("date_from=2026-02-30", "date_from", "invalid_filter"),
        ("date_to=yesterday", "date_to", "invalid_filter"),
        ("date_from=2026-05-01&date_to=2026-01-01", "date_from", "invalid_date_range"),
        ("kind=feeling", "kind", "invalid_filter"),
    ],
)
async def test_bad_filters_are_422_everywhere(app: Any, query: str, field: str, code: str) -> None:
    owner = await make_user(app.api.state.runtime.db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    async with client(app, owner) as c:
        for url in (
            f"/api/projects/{pid}/insights?{query}",
            f"/api/projects/{pid}/report?format=md&{query}",
            f"/api/projects/{pid}/findings?format=csv&{query}",
        ):
            r = await c.get(url)
            assert r.status_code == 422, (url, r.text)
            error = r.json()["error"]
            assert error["code"] == code, url
            # The field, not pydantic's own text (it was passed on as `details.errors`).
            assert error["details"] == {"field": field} | (
                {"kinds": ["pain", "need"]} if field == "kind" else {}
            ), url


async def test_insights_by_kind_section_language_and_dates(app: Any) -> None:
    owner, pid = await _project(app)
    url = f"/api/projects/{pid}/insights"
    async with client(app, owner) as c:
        everything = (await c.get(url)).json()
        pains = (await c.get(url, params={"kind": "pain"})).json()
        ordering = (await c.get(url, params={"section": "Ordering"})).json()
        korean = (await c.get(url, params={"language": "ko"})).json()
        old = (await c.get(url, params={"date_to": "2025-12-31"})).json()
    assert {t["kind"] for t in everything["themes"]} == {"pain", "need"}
    assert {t["kind"] for t in pains["themes"]} == {"pain"}
    assert pains["filters"]["kind"] == "pain"
    # Only the first pain point of each interview is in "Ordering".
    assert sum(t["mentions"] for t in ordering["themes"]) == 2
    assert all(t["sections"] == {"Ordering": t["mentions"]} for t in ordering["themes"])
    assert korean["interview_count"] == 1
    assert old["interview_count"] == 1
    assert all(t["languages"] == {"en": t["interviews"]} for t in old["themes"])


async def test_report_and_findings_follow_the_filter(app: Any) -> None:
    owner, pid = await _project(app)
    async with client(app, owner) as c:
        r = await c.get(
            f"/api/projects/{pid}/report", params={"format": "md", "language": "ko"}, headers=EN
        )
        assert r.status_code == 200, r.text
        report = r.text
        r = await c.get(
            f"/api/projects/{pid}/findings",
            params={"format": "csv", "kind": "need"},
            headers=EN,
        )
        assert r.status_code == 200, r.text
        needs = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        r = await c.get(
            f"/api/projects/{pid}/findings",
            params={"format": "csv", "section": "Ordering", "date_from": "2025-01-01"},
            headers=EN,
        )
        ordering = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        r = await c.get(
            f"/api/projects/{pid}/findings",
            params={"format": "csv", "date_to": "2025-12-31"},
            headers=EN,
        )
        old = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        # A job keeps its filter: the same filter shares one job, another filter (or none) does
        # not, and the file it makes is the filtered one.
        asked = {"format": "md", "language": "ko", "background": "true"}
        jobs_asked = [
            (await c.get(f"/api/projects/{pid}/report", params=params, headers=EN)).json()["job"]
            for params in (
                asked,
                asked,
                {**asked, "language": "en"},
                {"format": "md", "background": "true"},
            )
        ]
        assert jobs_asked[0]["id"] == jobs_asked[1]["id"]
        assert len({job["id"] for job in jobs_asked}) == 3
        assert jobs_asked[0]["filters"] == {"language": "ko"}
        assert jobs_asked[3]["filters"] is None
        db = app.api.state.runtime.db
        await jobs.run(db, UUID(jobs_asked[0]["id"]), owner.company_id)
        done = (await c.get(f"/api/reports/{jobs_asked[0]['id']}")).json()
        assert done["status"] == "done", done
        from_job = (await c.get(done["download_url"])).text
        r = await c.get(f"/api/projects/{pid}/report", params={"format": "odt", "kind": "pain"})
        assert r.status_code == 422
        assert r.json()["error"]["details"] == {"formats": ["docx", "pdf", "md"]}

    assert "Filter: Language: ko" in report
    assert from_job == report
    assert "민수" in report
    assert "Jane" not in report
    assert "The app logs me out every day" not in report
    # Oldest interview first: Jane's is dated 2025.
    assert [row[5] for row in needs[1:]] == ["A cheaper plan", "실시간 배달 위치를 보고 싶어요"]
    assert {row[4] for row in needs[1:]} == {"Need"}
    assert sorted(row[5] for row in ordering[1:]) == [
        "The app logs me out every day",
        "배달 음식이 항상 식어서 와요",
    ]
    assert {row[0] for row in old[1:]} == {"Jane"}
    assert len(old) == 1 + 3


async def test_page_filters_and_its_report_links(app: Any) -> None:
    owner, pid = await _project(app)
    async with await sign_in(app, owner.email, "ko") as ko:
        r = await ko.get(f"/projects/{pid}/insights?kind=pain&section=Ordering&persona=")
        assert r.status_code == 200
        assert '<option value="pain" selected>' in r.text
        assert 'name="section" maxlength="200" value="Ordering"' in r.text
        assert "실시간 배달 위치를 보고 싶어요" not in r.text  # a need
        # The report menu makes the report and exports with the page's filter.
        assert f"/api/projects/{pid}/findings?format=csv&amp;kind=pain&amp;section=Ordering" in (
            r.text
        )
        r = await ko.get(f"/projects/{pid}/insights?kind=feeling")
        assert r.status_code == 422
        # A bad filter says what is wrong, not "try again in a moment".
        r = await ko.get(f"/projects/{pid}/insights?date_from=abc")
        assert r.status_code == 422
        assert "YYYY-MM-DD" in r.text
        assert 'class="filters"' in r.text  # the page, with its filters, not an error page
        # Personas are chosen, not typed (a typed code had to match its case exactly), and a
        # filter matching nothing says so rather than "no themes yet".
        r = await ko.get(f"/projects/{pid}/insights?persona=-&kind=need&section=Nowhere")
        assert r.status_code == 200
        assert '<select name="persona">' in r.text
        assert '<option value="-" selected>페르소나 없음</option>' in r.text
        assert "이 필터에 맞는 테마가 없습니다." in r.text
        assert "아직 테마가 없습니다" not in r.text
        r = await ko.get(f"/projects/{pid}")
        assert r.status_code == 200
        assert f'/api/projects/{pid}/findings?format=csv"' in r.text  # unfiltered there


async def test_the_page_keeps_its_filters_when_the_dates_are_reversed(app: Any) -> None:
    """The insights page was replaced by an error page blaming the date format (browser QA)."""
    from tests.web.conftest import sign_in

    owner, pid = await _project(app)
    browser = await sign_in(app, owner.email)
    async with browser:
        r = await browser.get(
            f"/projects/{pid}/insights?date_from=2026-12-31&date_to=2026-01-01&kind=pain"
        )
    assert r.status_code == 422
    assert "시작 날짜가 끝 날짜보다 늦습니다." in r.text
    assert 'value="2026-12-31"' in r.text
    assert '<option value="pain" selected>' in r.text  # the other filters still apply
    assert 'class="filters"' in r.text
