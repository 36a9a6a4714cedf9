"""The company's analysis: `/admin/analysis` (engine, model, URLs, modes, keys; and beside them
how recordings are transcribed), `/admin/glossary`
and `/admin/personas`, through the functions behind `/api/company/*`.

Keys are write-only: the page says whether one is set, takes a new one, or clears it; it never
has a key to show.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.analysis.probe import ProbeResult, probe
from persona_insight.companies import routes as company_routes
from persona_insight.companies import service as company_service
from persona_insight.companies.schemas import (
    AnalysisSettingsIn,
    GlossaryIn,
    PersonaIn,
    PersonaPatch,
    SpeechSettingsIn,
)
from persona_insight.companies.service import PLAIN_FIELDS, SECRET_FIELDS
from persona_insight.errors import AppError
from persona_insight.personas.admin_pages import personas_page
from persona_insight.web.admin_pages import render_admin, require_admin
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ENGINES: Final = ("offline", "llm", "miso")
URL_FIELDS: Final = ("llm_base_url", "miso_base_url")
# The speech form's fields, named `speech_<field>` on the page.
SPEECH_FIELDS: Final = ("engine", "api_base_url", "api_model", "language")


# --- the analysis engine --------------------------------------------------------------------------


async def _analysis_page(
    page: Page,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    probed: ProbeResult | None = None,
) -> Response:
    current = await company_routes.get_analysis(page.ctx)
    shown = {name: getattr(current, name) or "" for name in PLAIN_FIELDS}
    shown["engine"] = current.engine or ""
    speech = await company_routes.get_speech(page.ctx)
    heard = {f"speech_{name}": getattr(speech, name) or "" for name in SPEECH_FIELDS}
    return render_admin(
        page,
        "admin_analysis.html",
        status,
        current=current,
        speech=speech,
        values=shown | heard | (values or {}),
        errors=errors or {},
        engines=ENGINES,
        probed=probed,
    )


@router.get("/admin/analysis")
async def analysis(page: PageDep) -> Response:
    require_admin(page)
    return await _analysis_page(page)


@router.post("/admin/analysis")
async def save_analysis(page: PageDep) -> Response:
    require_admin(page)
    values = {name: page.value(name) for name in ("engine", *PLAIN_FIELDS)}
    body: dict[str, Any] = {k: v or None for k, v in values.items()}
    # An empty key field keeps the stored key; only a typed one replaces it.
    body |= {name: page.raw(name) for name in SECRET_FIELDS if page.raw(name)}
    try:
        settings_in = AnalysisSettingsIn.model_validate(body)
    except ValidationError as exc:
        url_message = page._("Enter an address that starts with http:// or https://.")
        errors = page.field_errors(exc, dict.fromkeys(URL_FIELDS, url_message))
        return await _analysis_page(page, status=422, values=values, errors=errors)
    await company_routes.put_analysis(settings_in, page.ctx)
    return redirect("/admin/analysis", notice="saved")


@router.post("/admin/analysis/speech")
async def save_speech(page: PageDep) -> Response:
    """The speech-to-text form: same page, its own form, its own fields (`speech_*`)."""
    require_admin(page)
    values = {f"speech_{name}": page.value(f"speech_{name}") for name in SPEECH_FIELDS}
    body: dict[str, Any] = {name: values[f"speech_{name}"] or None for name in SPEECH_FIELDS}
    if page.raw("speech_api_key"):
        body["api_key"] = page.raw("speech_api_key")
    messages = {
        "speech_api_base_url": page._("Enter an address that starts with http:// or https://."),
        "speech_language": page._("Use a two-letter language code such as ko or en."),
    }
    try:
        settings_in = SpeechSettingsIn.model_validate(body)
        await company_routes.put_speech(settings_in, page.ctx)
    except ValidationError as exc:
        errors = {
            f"speech_{key}": message
            for key, message in page.field_errors(
                exc, {k.removeprefix("speech_"): v for k, v in messages.items()}
            ).items()
        }
        return await _analysis_page(page, status=422, values=values, errors=errors)
    except AppError as exc:
        await page.undo()
        errors = {"speech_api_base_url": page.reason(exc.code)}
        return await _analysis_page(page, status=exc.status, values=values, errors=errors)
    return redirect("/admin/analysis#speech", notice="saved")


@router.post("/admin/analysis/test")
async def test_connection(page: PageDep) -> Response:
    """Runs a tiny real analysis with the saved settings and shows how it went."""
    require_admin(page)
    name, settings = await company_service.configured_engine(
        page.session, page.signed_in, page.rt.settings
    )
    return await _analysis_page(page, probed=await probe(name, settings))


@router.post("/admin/analysis/clear-key")
async def clear_key(page: PageDep) -> Response:
    require_admin(page)
    name = page.value("key")
    if name == "speech_api_key":
        await company_routes.put_speech(SpeechSettingsIn(api_key=""), page.ctx)
        return redirect(f"/admin/analysis#{name}", notice="key_cleared")
    if name not in SECRET_FIELDS:
        return redirect("/admin/analysis", problem="validation_error")
    await company_routes.put_analysis(AnalysisSettingsIn.model_validate({name: ""}), page.ctx)
    return redirect(f"/admin/analysis#{name}", notice="key_cleared")


# --- glossary -------------------------------------------------------------------------------------


async def _glossary_page(
    page: Page,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    terms = await company_routes.get_glossary(page.ctx)
    return render_admin(
        page,
        "admin_glossary.html",
        status,
        terms=terms.items,
        values=values or {},
        errors=errors or {},
    )


@router.get("/admin/glossary")
async def glossary(page: PageDep) -> Response:
    require_admin(page)
    return await _glossary_page(page)


@router.post("/admin/glossary")
async def add_term(page: PageDep) -> Response:
    require_admin(page)
    values = {"term": page.value("term"), "definition": page.value("definition")}
    messages = {
        "term": page._("Enter the term (up to 200 characters)."),
        "definition": page._("Explain the term (up to 5000 characters)."),
    }
    try:
        body = GlossaryIn.model_validate(values)
    except ValidationError as exc:
        errors = page.field_errors(exc, messages)
        return await _glossary_page(page, status=422, values=values, errors=errors)
    try:
        await company_routes.add_term(body, page.ctx)
    except AppError as exc:
        await page.undo()
        errors = {"term": page.reason(exc.code)}
        return await _glossary_page(page, status=exc.status, values=values, errors=errors)
    return redirect("/admin/glossary", notice="term_added")


@router.post("/admin/glossary/{term_id}/delete")
async def delete_term(term_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    try:
        await company_routes.delete_term(term_id, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect("/admin/glossary", problem=exc.code)
    return redirect("/admin/glossary", notice="term_removed")


# --- personas -------------------------------------------------------------------------------------


def _persona_messages(page: Page) -> dict[str, str]:
    return {
        "code": page._("Use up to 40 letters, digits, dots, dashes or underscores."),
        "title": page._("Give the persona a title (up to 200 characters)."),
        "description": page._("The description is too long (up to 5000 characters)."),
    }


@router.post("/admin/personas")
async def add_persona(page: PageDep) -> Response:
    require_admin(page)
    values = {name: page.value(name) for name in ("code", "title", "description")}
    try:
        body = PersonaIn.model_validate(values)
    except ValidationError as exc:
        errors = page.field_errors(exc, _persona_messages(page))
        return await personas_page(page, status=422, values=values, errors=errors)
    try:
        await company_routes.add_persona(body, page.ctx)
    except AppError as exc:
        await page.undo()
        errors = {"code": page.reason(exc.code)}
        return await personas_page(page, status=exc.status, values=values, errors=errors)
    return redirect("/admin/personas", notice="persona_added")


@router.post("/admin/personas/{persona_id}")
async def edit_persona(persona_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    try:
        body = PersonaPatch.model_validate(
            {"title": page.value("title"), "description": page.value("description")}
        )
    except ValidationError:
        return redirect(f"/admin/personas#persona-{persona_id}", problem="invalid_persona")
    try:
        await company_routes.patch_persona(persona_id, body, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect("/admin/personas", problem=exc.code)
    return redirect(f"/admin/personas#persona-{persona_id}", notice="persona_saved")


@router.post("/admin/personas/{persona_id}/delete")
async def delete_persona(persona_id: UUID, page: PageDep) -> Response:
    require_admin(page)
    try:
        await company_routes.delete_persona(persona_id, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect("/admin/personas", problem=exc.code)
    return redirect("/admin/personas", notice="persona_removed")
