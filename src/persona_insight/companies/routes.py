"""`/api/company/*`: the caller's company's analysis settings, glossary and personas."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from persona_insight.accounts.deps import CtxDep
from persona_insight.companies import repository as repo
from persona_insight.companies import service
from persona_insight.companies.schemas import (
    AnalysisSettingsIn,
    AnalysisSettingsOut,
    GlossaryIn,
    GlossaryList,
    GlossaryOut,
    PersonaIn,
    PersonaList,
    PersonaOut,
    PersonaPatch,
)

router = APIRouter(prefix="/api/company", tags=["company"])


@router.get(
    "/analysis",
    response_model=AnalysisSettingsOut,
    summary="The company's analysis engine settings (keys are never returned)",
)
async def get_analysis(ctx: CtxDep) -> AnalysisSettingsOut:
    return await service.analysis_settings(ctx.session, ctx.user, ctx.rt.settings)


@router.put(
    "/analysis",
    response_model=AnalysisSettingsOut,
    summary="Choose the company's engine and its settings (company admins)",
)
async def put_analysis(body: AnalysisSettingsIn, ctx: CtxDep) -> AnalysisSettingsOut:
    return await service.update_analysis_settings(ctx.session, ctx.user, body, ctx.rt.settings)


@router.get("/glossary", response_model=GlossaryList, summary="The company's glossary")
async def get_glossary(ctx: CtxDep) -> GlossaryList:
    terms = await repo.glossary(ctx.session, ctx.user.company_id)
    return GlossaryList(items=[GlossaryOut.model_validate(t, from_attributes=True) for t in terms])


@router.post(
    "/glossary",
    status_code=201,
    response_model=GlossaryOut,
    summary="Add a glossary term (company admins)",
)
async def add_term(body: GlossaryIn, ctx: CtxDep) -> GlossaryOut:
    term = await service.add_term(ctx.session, ctx.user, body)
    return GlossaryOut.model_validate(term, from_attributes=True)


@router.delete("/glossary/{term_id}", status_code=204, summary="Remove a glossary term")
async def delete_term(term_id: UUID, ctx: CtxDep) -> Response:
    await service.delete_term(ctx.session, ctx.user, term_id)
    return Response(status_code=204)


@router.get("/personas", response_model=PersonaList, summary="The company's personas")
async def get_personas(ctx: CtxDep) -> PersonaList:
    personas = await repo.personas(ctx.session, ctx.user.company_id)
    return PersonaList(items=[PersonaOut.model_validate(p, from_attributes=True) for p in personas])


@router.post(
    "/personas",
    status_code=201,
    response_model=PersonaOut,
    summary="Add a persona (company admins)",
)
async def add_persona(body: PersonaIn, ctx: CtxDep) -> PersonaOut:
    persona = await service.add_persona(ctx.session, ctx.user, body)
    return PersonaOut.model_validate(persona, from_attributes=True)


@router.patch("/personas/{persona_id}", response_model=PersonaOut, summary="Edit a persona")
async def patch_persona(persona_id: UUID, body: PersonaPatch, ctx: CtxDep) -> PersonaOut:
    persona = await service.update_persona(ctx.session, ctx.user, persona_id, body)
    return PersonaOut.model_validate(persona, from_attributes=True)


@router.delete("/personas/{persona_id}", status_code=204, summary="Remove a persona")
async def delete_persona(persona_id: UUID, ctx: CtxDep) -> Response:
    await service.delete_persona(ctx.session, ctx.user, persona_id)
    return Response(status_code=204)
