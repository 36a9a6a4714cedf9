"""`/admin`: administration, for company admins (their company) and super-admins (every company,
plus the real-time debugger). The pages are not there for anyone else: 404, like the link that
is not in their top bar. A company admin who opens a super-admin page (a link shared by one) is
told whose page it is (403 `super_admin_only`) rather than that it does not exist.

The parts: users and the audit log (`admin_users.py`), the company's analysis engine, glossary and
personas (`admin_company.py`), companies (`admin_companies.py`); this module holds what they
share and the debugger.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from persona_insight.errors import Forbidden, NotFound
from persona_insight.realtime.routes import realtime_debugger
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def require_admin(page: Page) -> None:
    if not page.is_company_admin:
        raise NotFound("no such page", code="not_found")


def require_super(page: Page) -> None:
    require_admin(page)
    if page.signed_in.role != "super_admin":
        raise Forbidden("only super-admins open this page", code="super_admin_only")


def render_admin(page: Page, template: str, status: int = 200, **context: Any) -> Response:
    """An administration page: the section's tabs know who may see which."""
    return page.render(template, status, is_super=page.signed_in.role == "super_admin", **context)


@router.get("/admin")
async def admin_home(page: PageDep) -> Response:
    require_admin(page)
    return redirect("/admin/users")


@router.get("/admin/realtime")
async def realtime(page: PageDep) -> Response:
    require_super(page)
    # The same data as GET /api/admin/realtime, rendered for reading; the module refreshes it.
    data = await realtime_debugger(page.request, page.ctx)
    return render_admin(page, "admin_realtime.html", data=data)
