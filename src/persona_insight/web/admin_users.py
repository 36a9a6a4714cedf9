"""`/admin/users` (search, role, deactivate and reactivate) and `/admin/audit` (the log, filtered
by action, page by page).

Both call the functions behind `/api/admin/users` and `/api/admin/audit`: a company admin sees and
changes their company's users only, a super-admin everyone's, and the refusals (yourself, the
last super-admin, a super-admin's account) come from the administration service.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.admin import routes as admin_routes
from persona_insight.admin.schemas import AuditOut, UserPatch
from persona_insight.audit import repository as audit_repo
from persona_insight.audit.service import ACTIONS
from persona_insight.errors import AppError
from persona_insight.ids import parse_uuid
from persona_insight.web.admin_pages import render_admin, require_admin
from persona_insight.web.page import PageDep, PageRoute, redirect, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)

AUDIT_PAGE: Final = 50
PEOPLE_LIMIT: Final = 1000


def _users_url(q: str, company_id: str) -> str:
    query = {k: v for k, v in (("q", q), ("company_id", company_id)) if v}
    return "/admin/users" + ("?" + urlencode(query) if query else "")


@router.get("/admin/users")
async def users(page: PageDep, q: str = "", company_id: UUID | None = None) -> Response:
    require_admin(page)
    q = q.strip()[:200]
    listed = await admin_routes.list_users(
        page.ctx, company_id=company_id, q=q or None, limit=PEOPLE_LIMIT
    )
    companies = await admin_routes.list_companies(page.ctx)
    return render_admin(
        page,
        "admin_users.html",
        users=listed.items,
        q=q,
        company_id=str(company_id) if company_id else "",
        companies={c.id: c.name for c in companies.items},
        back=_users_url(q, str(company_id) if company_id else ""),
    )


@router.post("/admin/users/{user_id}")
async def update_user(user_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    back = safe_next(page.value("next"), default="/admin/users")
    changes: dict[str, Any] = {}
    if page.value("role"):
        changes["role"] = page.value("role")
    if page.value("active") in ("true", "false"):
        changes["is_active"] = page.value("active") == "true"
    try:
        body = UserPatch.model_validate(changes)
    except ValidationError:
        return redirect(back, problem="invalid_role")
    try:
        updated = await admin_routes.update_user(user_id, body, page.ctx, page.request)
    except AppError as exc:
        if exc.status == 404:
            raise
        await page.undo()
        return redirect(back, problem=exc.code)
    if "is_active" in changes:
        notice = "user_reactivated" if updated.is_active else "user_deactivated"
    else:
        notice = "user_saved"
    return redirect(back, notice=notice)


# --- the audit log --------------------------------------------------------------------------------


def _pointed_at(entries: list[AuditOut]) -> tuple[set[UUID], set[UUID]]:
    """The interviews and projects the entries name (as target, or a detail's project_id), so
    the log shows their titles instead of id prefixes."""
    interviews: set[UUID] = set()
    projects: set[UUID] = set()
    for e in entries:
        target = parse_uuid(e.target_id) if e.target_id else None
        if target and e.target_type == "interview":
            interviews.add(target)
        elif target and e.target_type == "project":
            projects.add(target)
        project = parse_uuid((e.details or {}).get("project_id", ""))
        if project:
            projects.add(project)
    return interviews, projects


@router.get("/admin/audit")
async def audit_log(page: PageDep, action: str = "", before: int | None = None) -> Response:
    require_admin(page)
    action = action if action in ACTIONS else ""
    entries = await admin_routes.audit_log(
        page.ctx,
        action=action or None,
        before=before if before and 0 < before < 2**63 else None,
        limit=AUDIT_PAGE,
    )
    people = await admin_routes.list_users(page.ctx, company_id=None, q=None, limit=PEOPLE_LIMIT)
    interviews, projects = await audit_repo.titles(page.session, *_pointed_at(entries.items))
    return render_admin(
        page,
        "admin_audit.html",
        interview_titles=interviews,
        project_names=projects,
        entries=entries.items,
        next_before=entries.next_before,
        action=action,
        actions=sorted(ACTIONS),
        paged=before is not None,
        names={str(u.id): u.name for u in people.items},
    )
