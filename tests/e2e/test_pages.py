"""The main pages in Korean and English: signed in through the sign-in page, switched by the
language switcher, checked for untranslated text, and saved as screenshots for review."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import (
    ANALYSIS_MS,
    PASSWORD,
    Team,
    drop_files,
    live_on,
    open_page,
    sample,
    screenshot,
)
from tests.web.catalogues import foreign_messages

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

# The visible text of a page and its labels for assistive technology, without what users wrote
# (marked translate="no": titles, transcripts, notes, names).
PAGE_TEXT = """() => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
    if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE) { node.childNodes.forEach(walk); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.getAttribute("translate") === "no") return;
    if (["SCRIPT", "STYLE", "TEMPLATE"].includes(node.tagName)) return;
    for (const name of ["placeholder", "aria-label", "title", "alt"]) {
      if (node.hasAttribute(name)) parts.push(node.getAttribute(name));
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(document.body);
  document.querySelectorAll("template").forEach((t) => walk(t.content));
  return parts.join("\\n");
}"""


async def assert_translated(page: Any, locale: str) -> None:
    text = await page.evaluate(PAGE_TEXT)
    leaked = [m for m in foreign_messages(locale) if m in text]
    assert not leaked, f"{locale} page {page.url} shows text of the other language: {leaked}"


async def reading_the_script(page: Any) -> None:
    """A pain point leads to its lines; the filter shows only the lines of one kind."""
    finding = page.locator(".findings-pain .finding-jump").first
    keys = (await finding.get_attribute("data-lines")).split()
    await finding.click()
    first = page.locator(f"#line-{keys[0]}")
    # A click before the page's module has run follows the link's #line-N itself (the browser
    # focuses the line) and the module highlights it when it runs: wait for both, either way.
    await page.wait_for_function(
        "(key) => { const line = document.getElementById(`line-${key}`);"
        " return document.activeElement === line && line.classList.contains('is-highlighted'); }",
        arg=keys[0],
    )
    await page.locator("#filter-form label", has_text="니즈").click()
    assert await page.get_attribute("#script", "data-filter") == "needs"
    assert await first.is_hidden()
    assert "filter=needs" in page.url
    await page.locator("#filter-form label", has_text="전체").click()
    assert await first.is_visible()


async def test_pages_in_both_languages(chromium: Any, team: Team) -> None:
    context = await chromium.new_context(
        base_url=team.url, locale="ko-KR", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    page = await open_page(context, "/projects")
    # Not signed in: the sign-in page, in the browser's language.
    await page.wait_for_url(re.compile(r"/login\?next="))
    assert await page.get_attribute("html", "lang") == "ko"
    await assert_translated(page, "ko")
    await screenshot(page, "sign-in-ko")
    await page.fill("#email", team.owner.email)
    await page.fill("#password", "wrong password")
    await page.click("button[type=submit]")
    assert "비밀번호" in await page.inner_text(".form-error")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r"/projects$"))
    page.errors.clear()  # the refused sign-in answered 401, which the console reports
    await assert_translated(page, "ko")

    workspace = f"/projects/{team.project_id}"
    await page.goto(workspace)
    await live_on(page)
    await drop_files(page, [sample("ko_ev_charging.txt"), sample("en_online_grocery.txt")])
    await page.wait_for_function(
        "() => document.querySelectorAll('#interviews > li[data-status=completed]').length === 2",
        timeout=ANALYSIS_MS,
    )
    # Titles are derived once analysed ("participant · topic"): the Korean one is found by its
    # language.
    interview_id = await page.get_attribute(
        "#interviews > li[data-status=completed]:has(a:text-matches('[가-힣]'))", "data-id"
    )

    for locale in ("ko", "en"):
        if locale == "en":
            await page.click("nav.lang a[hreflang=en]")
            await page.wait_for_function("() => document.documentElement.lang === 'en'")
        for name, path in (
            ("projects", "/projects"),
            ("workspace", workspace),
            ("interview", f"/interviews/{interview_id}"),
        ):
            await page.goto(path)
            assert await page.get_attribute("html", "lang") == locale
            if name == "workspace":
                await live_on(page)
                await page.wait_for_selector("#presence li")
            if name == "interview" and locale == "ko":
                await reading_the_script(page)
            await assert_translated(page, locale)
            await screenshot(page, f"{name}-{locale}")
    # Down to a tablet: one column, nothing cut off or overlapping sideways.
    await page.set_viewport_size({"width": 768, "height": 1024})
    for name, path in (("workspace", workspace), ("interview", f"/interviews/{interview_id}")):
        await page.goto(path)
        if name == "workspace":
            await live_on(page)
        else:
            await page.locator(".line-select").nth(3).check()
            await page.wait_for_selector("#selection-bar:not([hidden])")
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= 768
        await screenshot(page, f"{name}-tablet-en")
    assert not page.errors, page.errors

    # The choice is kept: a new page (and the sign-in page after signing out) stays in English.
    await page.click("form[action='/logout'] button")
    await page.wait_for_url(re.compile(r"/login"))
    assert await page.get_attribute("html", "lang") == "en"
    await assert_translated(page, "en")
    await screenshot(page, "sign-in-en")
    await context.close()
