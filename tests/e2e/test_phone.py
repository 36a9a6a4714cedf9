"""Every page at phone size (390×844), in Korean and English: no sideways scrolling, no navigation
item wrapped one letter per line, no English word broken in the middle. The pages are read from
the page router, so a new page fails here until it is listed (and looked at on a phone)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.routing import Route

from persona_insight.db import Database
from persona_insight.web.routes import PARTS
from tests.e2e.conftest import (
    ARTIFACTS,
    PASSWORD,
    WAIT_MS,
    Team,
    open_page,
    screenshot,
    until_completed,
    upload_sample,
)
from tests.support import Member, http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}

# Not pages a person looks at: files, redirects and the language switch.
NOT_PAGES = {
    "/",
    "/admin",
    "/locale/{code}",
    "/static/{relative:path}",
    "/interviews/{interview_id}/export.md",
    "/interviews/{interview_id}/export.txt",
}

# Characters of one line of a navigation item, and English words split across two lines.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.querySelectorAll("body *")]
      .filter((n) => n.getBoundingClientRect().right > width + 1 && n.getClientRects().length)
      .slice(0, 5)
      .map((n) => `${n.tagName.toLowerCase()}.${[...n.classList].join(".")}`);
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth} > ${width} (${wide})`);
  }
  const lines = (node) => {
    const tops = new Map();
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const text = walker.currentNode;
      if (text.parentElement.closest(".visually-hidden")) continue;
      for (let i = 0; i < text.length; i += 1) {
        if (/\\s/.test(text.data[i])) continue;
        const range = document.createRange();
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        const rect = range.getBoundingClientRect();
        if (!rect.height) continue;
        const top = Math.round(rect.top);
        tops.set(top, (tops.get(top) || 0) + 1);
      }
    }
    return [...tops.values()];
  };
  for (const item of document.querySelectorAll(
    "header a, header button, header .brand, nav a, .tabs a, .admin-tabs a"
  )) {
    if (!item.getClientRects().length || item.textContent.trim().length < 2) continue;
    const counts = lines(item);
    if (counts.length > 1 && counts.some((n) => n === 1)) {
      problems.push(`"${item.textContent.trim()}" wraps one letter per line`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    const parent = text.parentElement;
    if (!parent || !parent.getClientRects().length) continue;
    const skipped = "script, style, template, code, pre, input, textarea, thead, .visually-hidden";
    if (parent.closest(skipped)) continue;
    for (const match of text.data.matchAll(/[A-Za-z]{2,20}/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const tops = new Set(rects.map((r) => Math.round(r.top)));
      if (tops.size > 1) problems.push(`"${match[0]}" is broken across lines`);
    }
  }
  return problems;
}"""


@dataclass
class Visit:
    who: str  # "anonymous", "owner", "outsider", "admin" or "super"
    path: str


def page_templates() -> set[str]:
    return {
        route.path
        for part in PARTS
        for route in part.router.routes
        if isinstance(route, Route) and "GET" in (route.methods or set())
    } - NOT_PAGES


@pytest.fixture
def worker_settings(settings: Any) -> Any:
    return settings.model_copy(
        update={"run_worker_in_process": True, "worker_concurrency": 2, "open_signup": True}
    )


async def test_every_page_fits_a_phone(chromium: Any, team: Team, worker_settings: Any) -> None:
    db = Database(worker_settings.database_url, pool_size=2)
    try:
        people = {
            "owner": team.owner,
            "admin": await make_user(db, email="sora@acme.test", role="company_admin"),
            "super": await make_user(db, email="root@acme.test", role="super_admin"),
            "outsider": await make_user(db, email="hana@acme.test"),
        }
    finally:
        await db.dispose()
    async with http(team.url, team.owner) as api:
        interview_id = await upload_sample(api, team.project_id)
        r = await api.post(f"/api/projects/{team.project_id}/invitations", json={"role": "member"})
        assert r.status_code == 201, r.text
        invitation = r.json()["token"]
        await until_completed(api, interview_id)
        r = await api.post(
            f"/api/interviews/{interview_id}/notes",
            json={"line_ids": [3, 4], "text": "충전 대기 시간이 가장 큰 불편 — follow up"},
        )
        assert r.status_code == 201, r.text

    async with http(team.url, people["admin"]) as api:
        r = await api.put(
            "/api/personas/framework",
            json={"axes": [{"name": "충전 습관", "types": [{"name": "집"}, {"name": "급속"}]}]},
        )
        assert r.status_code == 200, r.text
        persona_id = r.json()["personas"][0]["id"]
    fill: dict[str, Callable[[str], str]] = {
        "project_id": lambda _: team.project_id,
        "interview_id": lambda _: interview_id,
        "persona_id": lambda _: persona_id,
    }
    who_for = {
        "/login": "anonymous",
        "/signup": "anonymous",
        "/verify-email/{token}": "anonymous",
        "/invitations/{token}": "outsider",
        "/admin/realtime": "super",
        "/admin/companies": "super",
    }
    visits = []
    for template in sorted(page_templates()):
        who = who_for.get(template, "admin" if template.startswith("/admin") else "owner")
        path = re.sub(
            r"\{(\w+)\}",
            lambda m: fill.get(m.group(1), lambda _: invitation)(m.group(1)),
            template,
        )
        visits.append((template, Visit(who, path)))
    assert len(visits) >= 14, visits

    problems: dict[str, list[str]] = {}
    for locale in ("ko-KR", "en-US"):
        contexts: dict[str, Any] = {}
        try:
            for template, visit in visits:
                if visit.who not in contexts:
                    contexts[visit.who] = await _context(
                        chromium, team.url, people.get(visit.who), locale
                    )
                page = await open_page(contexts[visit.who], visit.path)
                await page.wait_for_load_state("networkidle")
                found = await page.evaluate(LAYOUT_PROBLEMS)
                name = re.sub(r"\W+", "-", template.strip("/")) or "root"
                await screenshot(page, f"phone-{name}-{locale[:2]}")
                if found:
                    problems[f"{template} ({locale[:2]})"] = found
                await page.close()
        finally:
            for context in contexts.values():
                await context.close()
    (ARTIFACTS / "phone-problems.json").write_text(
        json.dumps(problems, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not problems, problems


async def _context(browser: Any, url: str, member: Member | None, locale: str) -> Any:
    context = await browser.new_context(base_url=url, locale=locale, viewport=PHONE, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    if member is not None:
        response = await context.request.post(
            "/api/auth/login", data={"email": member.email, "password": PASSWORD}
        )
        assert response.ok, await response.text()
    return context
