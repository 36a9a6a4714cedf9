"""`/admin`: the real-time debugger for super-admins (the rest of administration comes with the
accounts work). Everyone else gets 404: the page is not there for them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from persona_insight.errors import NotFound
from persona_insight.realtime.routes import realtime_debugger
from persona_insight.web.page import PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/admin")
async def admin(page: PageDep) -> Response:
    if page.signed_in.role != "super_admin":
        raise NotFound("no such page", code="not_found")
    # The same data as GET /api/admin/realtime, rendered for reading; the module refreshes it.
    data = await realtime_debugger(page.request, page.ctx)
    return page.render("admin.html", data=data)
