"""`/admin/companies` for super-admins: every company with its domains and users; create, edit,
deactivate (its users are signed out at once) and reactivate — through the functions behind
`/api/admin/companies`."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.admin import routes as admin_routes
from persona_insight.admin.schemas import CompanyCreate, CompanyPatch
from persona_insight.web.admin_pages import render_admin, require_super
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

HERE = "/admin/companies"


def domains_of(text: str) -> list[str]:
    """Domains as typed: separated by commas, spaces or lines."""
    return [d for d in re.split(r"[\s,;]+", text) if d]


def _messages(page: Page) -> dict[str, str]:
    return {
        "name": page._("Give the company a name (up to 200 characters)."),
        "description": page._("The description is too long (up to 5000 characters)."),
        "domains": page._("Enter domains such as example.com, separated by commas or spaces."),
    }


async def _companies_page(
    page: Page,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    editing: tuple[str, dict[str, str], dict[str, str]] = ("", {}, {}),
) -> Response:
    """The list and the new-company form (`values`, `errors`); `editing` is a company whose
    edit form came back with mistakes: its id, what was typed, and the mistakes."""
    companies = await admin_routes.list_companies(page.ctx)
    return render_admin(
        page,
        "admin_companies.html",
        status,
        companies=companies.items,
        values=values or {},
        errors=errors or {},
        editing=editing[0],
        edit_values=editing[1],
        edit_errors=editing[2],
    )


@router.get("/admin/companies")
async def companies(page: PageDep) -> Response:
    require_super(page)
    return await _companies_page(page)


@router.post("/admin/companies")
async def create_company(page: PageDep) -> Response:
    require_super(page)
    values = {name: page.value(name) for name in ("name", "description", "domains")}
    try:
        body = CompanyCreate.model_validate(values | {"domains": domains_of(values["domains"])})
    except ValidationError as exc:
        return await _companies_page(
            page, status=422, values=values, errors=page.field_errors(exc, _messages(page))
        )
    await admin_routes.create_company(body, page.ctx)
    return redirect(HERE, notice="company_created")


@router.post("/admin/companies/{company_id}")
async def edit_company(company_id: UUID, page: PageDep) -> Response:
    require_super(page)
    values = {name: page.value(name) for name in ("name", "description", "domains")}
    changes: dict[str, Any] = values | {"domains": domains_of(values["domains"])}
    try:
        body = CompanyPatch.model_validate(changes)
    except ValidationError as exc:
        editing = (str(company_id), values, page.field_errors(exc, _messages(page)))
        return await _companies_page(page, status=422, editing=editing)
    await admin_routes.update_company(company_id, body, page.ctx)
    return redirect(f"{HERE}#company-{company_id}", notice="company_saved")


@router.post("/admin/companies/{company_id}/active")
async def set_active(company_id: UUID, page: PageDep) -> Response:
    require_super(page)
    active = page.value("active") == "true"
    await admin_routes.update_company(company_id, CompanyPatch(is_active=active), page.ctx)
    notice = "company_reactivated" if active else "company_deactivated"
    return redirect(f"{HERE}#company-{company_id}", notice=notice)
