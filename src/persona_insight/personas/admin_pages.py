"""The framework on `/admin/personas` for company admins: axes with their types (a form that
works without JavaScript: a row per existing axis and type plus empty rows to add; clearing a
name removes it), and each combination's title, description, picture and off switch — through
the functions behind `/api/personas/*`, so the 422 rules and the 409 for types in use are the
API's, shown on the form."""

from __future__ import annotations

import re
from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.companies import routes as company_routes
from persona_insight.errors import AppError
from persona_insight.personas import routes as persona_routes
from persona_insight.personas.schemas import FrameworkIn, FrameworkOut, PersonaPatch
from persona_insight.web.admin_pages import render_admin, require_admin
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

HERE: Final = "/admin/personas"
BLANK_TYPES: Final = 2  # empty type rows under every axis, to add types without JavaScript
_FIELD = re.compile(r"^axis-(\d{1,2})-(?:type-(\d{1,2})-)?(id|name|description)$")


def rows_of(framework: FrameworkOut) -> list[dict[str, Any]]:
    """The form's rows for the framework as stored, with empty rows to add to it."""
    blank_type = {"id": "", "name": "", "description": ""}
    axes = [
        {
            "id": str(a.id),
            "name": a.name,
            "description": a.description,
            "types": [
                {"id": str(t.id), "name": t.name, "description": t.description} for t in a.types
            ]
            + [dict(blank_type) for _ in range(BLANK_TYPES)],
        }
        for a in framework.axes
    ]
    axes.append(
        {
            "id": "",
            "name": "",
            "description": "",
            "types": [dict(blank_type) for _ in range(BLANK_TYPES + 1)],
        }
    )
    return axes


async def personas_page(
    page: Page,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    axes: list[dict[str, Any]] | None = None,
    framework_problem: dict[str, Any] | None = None,
) -> Response:
    """The page, with the framework form as stored or as posted (after a refused edit)."""
    framework = await persona_routes.get_framework(page.ctx)
    personas = await company_routes.get_personas(page.ctx)
    return render_admin(
        page,
        "admin_personas.html",
        status,
        personas=personas.items,
        framework=framework,
        axes=axes if axes is not None else rows_of(framework),
        framework_problem=framework_problem,
        values=values or {},
        errors=errors or {},
    )


@router.get("/admin/personas")
async def personas(page: PageDep) -> Response:
    require_admin(page)
    return await personas_page(page)


def _submitted(page: Page) -> list[dict[str, Any]]:
    """The rows as posted, in their order."""
    axes: dict[int, dict[str, Any]] = {}
    for key in page.form.keys() if page.form is not None else ():
        found = _FIELD.match(key)
        if found is None:
            continue
        axis = axes.setdefault(
            int(found[1]), {"id": "", "name": "", "description": "", "types": {}}
        )
        if found[2] is None:
            axis[found[3]] = page.value(key)
        else:
            row = axis["types"].setdefault(int(found[2]), {"id": "", "name": "", "description": ""})
            row[found[3]] = page.value(key)
    return [
        axis | {"types": [axis["types"][j] for j in sorted(axis["types"])]}
        for _, axis in sorted(axes.items())
    ]


def _body(rows: list[dict[str, Any]], confirm: bool) -> FrameworkIn:
    """Rows with every field empty are left out: that is how an axis or type is removed."""
    axes = []
    for axis in rows:
        types = [
            {"id": t["id"] or None, "name": t["name"], "description": t["description"]}
            for t in axis["types"]
            if t["name"] or t["description"]
        ]
        if not (axis["name"] or axis["description"] or types):
            continue
        axes.append(
            {
                "id": axis["id"] or None,
                "name": axis["name"],
                "description": axis["description"],
                "types": types,
            }
        )
    return FrameworkIn.model_validate({"axes": axes, "confirm": confirm})


def _problem(page: Page, exc: AppError) -> dict[str, Any]:
    details = exc.details if isinstance(exc.details, dict) else {}
    where = details.get("axis")
    message = page.reason(exc.code)
    if isinstance(where, str) and where:
        message = f"{message} ({where})"
    return {"code": exc.code, "message": message, "details": details}


@router.post("/admin/personas/framework")
async def save_framework(page: PageDep) -> Response:
    require_admin(page)
    rows = _submitted(page)
    try:
        body = _body(rows, confirm=page.value("confirm") == "on")
    except (ValidationError, ValueError):
        problem = {"code": "validation_error", "message": page.reason("framework_field")}
        return await personas_page(page, status=422, axes=rows, framework_problem=problem)
    try:
        saved = await persona_routes.put_framework(body, page.ctx)
    except AppError as exc:
        await page.undo()
        return await personas_page(
            page, status=exc.status, axes=rows, framework_problem=_problem(page, exc)
        )
    notice = "framework_saved_lost" if saved.lost_interviews else "framework_saved"
    return redirect(HERE + "#framework", notice=notice)


@router.post("/admin/personas/{persona_id}/combination")
async def save_combination(persona_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    anchor = f"{HERE}#combination-{persona_id}"
    try:
        body = PersonaPatch(
            title=page.value("title"),
            description=page.value("description"),
            enabled=page.value("enabled") == "on",
        )
    except ValidationError:
        return redirect(anchor, problem="invalid_persona")
    try:
        await persona_routes.patch_persona(persona_id, body, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect(HERE, problem=exc.code)
    return redirect(anchor, notice="persona_saved")


@router.post("/admin/personas/{persona_id}/picture")
async def upload_picture(persona_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    anchor = f"{HERE}#combination-{persona_id}"
    if not page.files("file"):
        return redirect(anchor, problem="image_required")
    try:
        # The API's route reads the same (already parsed) form: one place checks size and type.
        await persona_routes.put_picture(persona_id, page.request, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect(anchor if exc.status != 404 else HERE, problem=exc.code)
    return redirect(anchor, notice="persona_picture_saved")


@router.post("/admin/personas/{persona_id}/picture/delete")
async def remove_picture(persona_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    try:
        await persona_routes.delete_picture(persona_id, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect(HERE, problem=exc.code)
    return redirect(f"{HERE}#combination-{persona_id}", notice="persona_picture_removed")
